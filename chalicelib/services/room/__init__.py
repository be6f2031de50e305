"""The case room: its members, its messages and its live feed."""
