"""Counts the AWS calls each API request makes, in this process only.

Two patches, installed by the benchmark and removed after it:
- ``chalice.local.LocalGateway.handle_request`` opens a per-thread scope around each request the
  local API server handles (and times it);
- ``botocore.client.BaseClient._make_api_call`` records every AWS call made inside a scope. PynamoDB
  calls it directly (``Connection._make_api_call`` -> ``client._make_api_call``) and every boto3
  client method goes through it, so DynamoDB, S3 and any other service are all seen.

With a profiler set, each request is profiled on the API's request thread, except the AWS calls
themselves (botocore's client work and moto's, which the bare replays pay too).

Calls made outside a request (the bench's own bare boto3 replays, set-up, clean-up) are not
recorded. With ``capture`` on, the call parameters are deep-copied so that they can be replayed;
that copy costs time, so it is only on for the untimed probe requests.
"""

from __future__ import annotations

import copy
import cProfile
import threading
import time
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Call:
    service: str
    operation: str
    params: dict[str, Any] | None
    seconds: float


@dataclass
class RequestRecord:
    method: str
    path: str
    seconds: float  # LocalGateway.handle_request: event conversion + the Chalice app
    calls: list[Call] = field(default_factory=list)

    @property
    def aws_seconds(self) -> float:
        return sum(c.seconds for c in self.calls)


class Recorder:
    def __init__(self) -> None:
        self.requests: list[RequestRecord] = []
        self.capture = False
        self.profiler: cProfile.Profile | None = None
        self._scope = threading.local()
        self._originals: dict[str, Any] = {}

    def install(self) -> Recorder:
        from botocore.client import BaseClient
        from chalice.local import LocalGateway

        recorder = self
        original_call = BaseClient._make_api_call  # type: ignore[attr-defined]
        original_handle = LocalGateway.handle_request

        def _make_api_call(client: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
            calls: list[Call] | None = getattr(recorder._scope, "calls", None)
            if calls is None:
                return original_call(client, operation_name, api_params)
            params = copy.deepcopy(api_params) if recorder.capture else None
            profiler = recorder.profiler
            if profiler is not None:  # profile the app's own work, not botocore and moto
                profiler.disable()
            started = time.perf_counter()
            try:
                return original_call(client, operation_name, api_params)
            finally:
                elapsed = time.perf_counter() - started
                if profiler is not None:
                    profiler.enable()
                service = client.meta.service_model.service_name
                calls.append(Call(service, operation_name, params, elapsed))

        def handle_request(gateway: Any, method: str, path: str, headers: Any, body: Any) -> Any:
            calls: list[Call] = []
            recorder._scope.calls = calls
            profiler = recorder.profiler
            started = time.perf_counter()
            if profiler is not None:
                profiler.enable()
            try:
                return original_handle(gateway, method, path, headers, body)
            finally:
                if profiler is not None:
                    profiler.disable()
                elapsed = time.perf_counter() - started
                recorder._scope.calls = None
                recorder.requests.append(RequestRecord(method, path, elapsed, calls))

        self._originals = {"call": original_call, "handle": original_handle}
        setattr(BaseClient, "_make_api_call", _make_api_call)  # noqa: B010
        setattr(LocalGateway, "handle_request", handle_request)  # noqa: B010
        return self

    def uninstall(self) -> None:
        from botocore.client import BaseClient
        from chalice.local import LocalGateway

        if self._originals:
            setattr(BaseClient, "_make_api_call", self._originals["call"])  # noqa: B010
            setattr(LocalGateway, "handle_request", self._originals["handle"])  # noqa: B010
            self._originals = {}

    def last(self) -> RequestRecord:
        """The record of the request whose reply was just read (appended before the reply is sent)."""
        return self.requests[-1]
