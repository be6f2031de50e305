"""Counts the AWS calls each API request makes, in this process only.

Two patches, installed by the benchmark and removed after it:
- ``chalice.local.LocalGateway.handle_request`` opens a per-thread scope around each request the
  local API server handles (and times it);
- ``botocore.client.BaseClient._make_api_call`` records every AWS call made inside a scope. PynamoDB
  calls it directly (``Connection._make_api_call`` -> ``client._make_api_call``) and every boto3
  client method goes through it, so DynamoDB, S3 and any other service are all seen.

The time a call waits on AWS is taken by botocore's own event hooks, registered on each client the
first time it is seen: ``before-call`` (the request is serialised and signed, about to be sent) to
``after-call`` (the reply is parsed). What lies outside that span (building and serialising the
request, parsing is inside) is the SDK work our Lambda pays in AWS too, so it counts as our own
time: *own time* = request time - the sum of the calls' AWS waits.

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
    seconds: float  # the whole _make_api_call: SDK work + the wait on AWS
    wait: float = 0.0  # before-call -> after-call: the wait on AWS (here, moto's work and its HTTP hop)


@dataclass
class RequestRecord:
    method: str
    path: str
    seconds: float  # LocalGateway.handle_request: event conversion + the Chalice app
    calls: list[Call] = field(default_factory=list)

    @property
    def aws_seconds(self) -> float:
        return sum(c.seconds for c in self.calls)

    @property
    def aws_wait(self) -> float:
        return sum(c.wait for c in self.calls)

    @property
    def own_seconds(self) -> float:
        """Our own time: the request minus what it waited on AWS."""
        return self.seconds - self.aws_wait


class Recorder:
    def __init__(self) -> None:
        self.requests: list[RequestRecord] = []
        self.capture = False
        self.profiler: cProfile.Profile | None = None
        self._scope = threading.local()
        self._originals: dict[str, Any] = {}
        self._hooked: set[int] = set()  # ids of the event emitters the wait hooks are registered on

    def _hook(self, client: Any) -> None:
        """Time the wait on AWS with botocore's before-call / after-call events, once per emitter."""
        events = client.meta.events
        if id(events) in self._hooked:
            return
        self._hooked.add(id(events))
        scope = self._scope

        def before_call(**_: Any) -> None:
            scope.sent = time.perf_counter()

        def after_call(**_: Any) -> None:
            sent = getattr(scope, "sent", None)
            if sent is not None:
                scope.wait = getattr(scope, "wait", 0.0) + time.perf_counter() - sent
                scope.sent = None

        events.register_last("before-call", before_call, unique_id="bench-recorder-before")
        events.register_first("after-call", after_call, unique_id="bench-recorder-after")
        events.register_first("after-call-error", after_call, unique_id="bench-recorder-after-error")

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
            recorder._hook(client)
            recorder._scope.wait = 0.0
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
                calls.append(Call(service, operation_name, params, elapsed, recorder._scope.wait))

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
