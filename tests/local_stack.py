"""The real local stack (`make run`) as a subprocess on free ports, for the tests that need the
whole thing: HTTP, moto's server, the state folder, restarts and `kill -9`."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from infra.local.stack import PROJECT_ROOT, free_port

STARTUP_SECONDS = 120
# A busy machine (the suite beside other work) can take minutes to stop: the deliverer finishes its
# round (up to 30 s), the compactor its snapshot (up to 60 s), then the final snapshot is written.
STOP_SECONDS = 300


class RunningStack:
    def __init__(self, state_dir: Path) -> None:
        self.state_dir = state_dir
        self.port = free_port()
        self.aws_port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.output_path = state_dir.parent / f"{state_dir.name}-output.log"

    def _env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "TABLE_", "EVIDENCE_", "TOKEN_", "LOOKUP_"))}
        env.update(PORT=str(self.port), AWS_PORT=str(self.aws_port), STATE_DIR=str(self.state_dir))
        return env

    def start(self) -> RunningStack:
        # Its output goes to a file, never a pipe: nobody reads a pipe while tests run, and once its
        # 64 KB filled, the stack's logging blocked with its lock held and every request with it.
        with open(self.output_path, "w", encoding="utf-8") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "infra.local"], cwd=PROJECT_ROOT, env=self._env(), stdout=output, stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"local stack exited: {self.output()}")
            try:
                if requests.get(f"{self.url}/health", timeout=10).status_code == 200:
                    return self
            except requests.RequestException:  # not listening yet, or too busy starting to answer in time
                pass
            time.sleep(0.2)  # polling a condition with a deadline, not waiting blind
        raise AssertionError("local stack did not become healthy in time")

    def output(self) -> str:
        """What the stack printed so far."""
        return self.output_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> str:
        assert self.process is not None
        self.process.send_signal(signal.SIGINT)
        self.process.wait(timeout=STOP_SECONDS)
        output = self.output()
        assert self.process.returncode == 0, output
        return output

    def token(self, role: str, org: str | None = None) -> str:
        printed = subprocess.run(
            [sys.executable, "-m", "infra.local.token", role, *([org] if org else [])], cwd=PROJECT_ROOT, env=self._env(),
            capture_output=True, text=True, check=True,
        )
        return printed.stdout.strip().splitlines()[-1]

    def kill(self) -> None:
        """`kill -9`: no shutdown, no final snapshot."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=STOP_SECONDS)

    def call(self, method: str, path: str, token: str | None = None, body=None) -> requests.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return requests.request(method, f"{self.url}{path}", json=body, headers=headers, timeout=30)
