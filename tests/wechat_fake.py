"""A fake WeChat API server (`api.weixin.qq.com`) on loopback: the stable-token endpoint answers as
scripted (or with a new token each time) and records what it was asked; customer-service messages
are accepted and recorded with the token they carried."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


class FakeWeChat:
    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay  # how long a token request takes (so concurrent callers overlap)
        self.token_requests: list[dict[str, Any]] = []
        self.messages: list[dict[str, Any]] = []
        self.answers: list[tuple[int, dict[str, Any]]] = []  # scripted token answers, then new tokens
        self._issued = 0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # the name http.server calls
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])) or b"{}")
                url = urlsplit(self.path)
                if url.path == "/cgi-bin/stable_token":
                    status, answer = fake._token_answer(body)
                else:
                    fake.messages.append({"path": url.path, "token": parse_qs(url.query)["access_token"][0], "body": body})
                    status, answer = 200, {"errcode": 0, "errmsg": "ok"}
                reply = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._lock = threading.Lock()

    def _token_answer(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self.token_requests.append(body)
            scripted = self.answers.pop(0) if self.answers else None
            self._issued += 1
            issued = self._issued
        time.sleep(self.delay)
        return scripted or (200, {"access_token": f"TOKEN-{issued}", "expires_in": 7200})

    def __enter__(self) -> FakeWeChat:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
