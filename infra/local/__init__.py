"""The embedded local stack: moto's server as the local AWS, the Chalice app over HTTP."""
