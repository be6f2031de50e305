"""The first `POST /cases` and `GET /cases/{id}` of a cold container load what they use and not the
document rendering (ADR 0039): a case view shows a letter's or an agreement's state, it draws no PDF."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]

# What a fresh interpreter holds after `import app` and what the two routes import on first use: their
# contracts (from the route table) and the services their handlers import (`chalicelib/api/cases.py`).
FIRST_REQUESTS = """
import json, sys
import app
from chalicelib.api.routing import OPERATIONS, resolve
first = [op for op in OPERATIONS if (op.method, op.path) in {("POST", "/cases"), ("GET", "/cases/{caseId}")}]
assert len(first) == 2, [(op.method, op.path) for op in first]
for op in first:
    for ref in (op.body, op.reply, op.query):
        if ref:
            resolve(ref)
import chalicelib.services.intake, chalicelib.services.views
rendering = ("reportlab", "qrcode", "PIL", "chalicelib.documents.layout", "chalicelib.documents.render",
             "chalicelib.documents.mediation")
print(json.dumps(sorted(m for m in sys.modules if any(m == r or m.startswith(r + ".") for r in rendering))))
"""


def test_given_a_cold_interpreter_when_the_first_post_and_get_load_their_modules_then_no_document_rendering_is_loaded() -> None:
    done = subprocess.run([sys.executable, "-c", FIRST_REQUESTS], cwd=PROJECT_ROOT, capture_output=True, text=True,
                          check=True)
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
