"""The Chalice app: creates it, registers blueprints and middleware, nothing else."""

from chalicelib import collector

collector.pause()  # first: no collection until the first request is served (ADR 0039)

from chalice import Chalice  # noqa: E402

from chalicelib import snapstart  # noqa: E402
from chalicelib.api import register  # noqa: E402

# configure_logs=False: the Powertools logger (same name) owns the output, with personal data masked.
app = Chalice(app_name="yunchetong", configure_logs=False)
register(app)
# Only when Lambda initialises for a snapshot: prime before it, reset after each restore (ADR 0037).
snapstart.register_hooks()
