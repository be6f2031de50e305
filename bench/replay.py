"""The same DynamoDB calls a request made, made bare with a plain boto3 client.

A replay is the list of calls recorded during one instrumented request. Calls that create a case
(the TransactWriteItems of POST /cases) are replayed with a fresh case id each time, so every
replay writes new items and its conditions (`attribute_not_exists`) succeed as the request's did.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from typing import Any

from bench.recorder import Call


@dataclass
class Replay:
    calls: list[Call]
    case_id: str | None = None  # the case id to swap for a fresh one, if the calls create a case

    def __post_init__(self) -> None:
        for call in self.calls:
            if call.service != "dynamodb":
                raise ValueError(f"only DynamoDB calls are replayed; the request also called {call.service}.{call.operation}")
            if call.params is None:
                raise ValueError("record the request with capture on")
        # Templates: the parameters as JSON text, so a fresh case id is one string replace.
        self._templates = [(c.operation, json.dumps(c.params)) for c in self.calls]

    def prepared(self, fresh_case_id: str | None = None) -> list[tuple[str, dict[str, Any]]]:
        """The calls' (operation, parameters), with the case id swapped if one is given, and
        every outbox id the request wrote made new too (they are keys that must not exist)."""
        out = []
        for operation, text in self._templates:
            if fresh_case_id and self.case_id:
                text = text.replace(self.case_id, fresh_case_id)
                for outbox_id in sorted(set(re.findall(r"OB[0-9A-Z]{16}", text))):
                    text = text.replace(outbox_id, f"OB{secrets.token_hex(8).upper()}")
            out.append((operation, json.loads(text)))
        return out


def run(client: Any, prepared: list[tuple[str, dict[str, Any]]]) -> None:
    """Make the calls as an application using boto3 would: the client's own method for each."""
    for operation, params in prepared:
        method = getattr(client, _snake(operation))
        method(**params)


def _snake(operation: str) -> str:
    out = []
    for i, char in enumerate(operation):
        if char.isupper() and i:
            out.append("_")
        out.append(char.lower())
    return "".join(out)
