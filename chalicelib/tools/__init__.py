"""Command-line tools (`python -m chalicelib.tools.<name>`)."""
