"""The Chalice app: creates it, registers blueprints and middleware, nothing else."""

from chalice import Chalice

from chalicelib.api import register

app = Chalice(app_name="yunchetong")
register(app)
