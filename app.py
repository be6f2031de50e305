"""The Chalice app: creates it, registers blueprints and middleware, nothing else."""

from chalice import Chalice

from chalicelib import snapstart
from chalicelib.api import register

# configure_logs=False: the Powertools logger (same name) owns the output, with personal data masked.
app = Chalice(app_name="yunchetong", configure_logs=False)
register(app)
# Only when Lambda initialises for a snapshot: prime before it, reset after each restore (ADR 0037).
snapstart.register_hooks()
