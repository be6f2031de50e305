"""`make run`: start the whole system locally; Ctrl-C stops it cleanly, keeping its data."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

from infra.local.stack import DEFAULT_STATE_DIR, LocalStack


def main() -> None:
    stack = LocalStack(
        state_dir=Path(os.environ.get("STATE_DIR", DEFAULT_STATE_DIR)),
        port=int(os.environ.get("PORT", "8000")),
        aws_port=int(os.environ.get("AWS_PORT", "4566")),
    )
    stopping = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    stack.start()
    print(
        f"云车通 local stack ready\n"
        f"  API:        {stack.url}   (try {stack.url}/health and {stack.url}/openapi.json)\n"
        f"  local AWS:  http://127.0.0.1:{stack.aws_port}   (moto; DynamoDB and S3)\n"
        f"  state:      {stack.state_dir}   (kept across restarts)\n"
        f"  a token:    make token ROLE=dispatcher   (or officer, supervisor; insurer/hospital/tow with ORG=<code>)\n"
        f"Ctrl-C stops it.",
        flush=True,
    )
    # Wait with a timeout, not forever: a signal the kernel hands to another thread only trips a
    # flag, and the main thread runs the handler when it next runs Python; blocked in a wait
    # without a timeout it never would (a SIGINT was lost that way under load).
    while not stopping.wait(timeout=0.5):
        pass
    print("stopping: saving state…", flush=True)
    stack.stop()
    print("stopped.", flush=True)


if __name__ == "__main__":
    main()
