"""Where the determination request's time goes (evidence complete → letter stored), per request:
case reads, the transaction, S3 put and lock, PDF drawing, the QR code, and the rules with the rest
of our code (the remainder). Measured in the section's process, around one request at a time:
the AWS calls by the recorder (`bench/recorder.py`, the whole botocore call: SDK work + moto's),
the drawing by timing wrappers on `render_letter` (in its module: the determination service imports it
from there when it draws) and on
`layout.qr_image` (as the letter's closing block calls it)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from bench.recorder import Recorder

PARTS = ("case reads (DynamoDB)", "transaction (TransactWriteItems)", "S3 put", "S3 lock (retention / hold)",
         "other AWS calls", "PDF drawing (without the QR)", "QR code", "rules, validation, the rest of our code")
_S3_LOCK = {"PutObjectRetention", "PutObjectLegalHold"}


def _timed(owner: Any, name: str, sink: list[float]) -> Callable[[], None]:
    original = getattr(owner, name)

    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            sink.append(time.perf_counter() - started)

    setattr(owner, name, timed)
    return lambda: setattr(owner, name, original)


@contextmanager
def splitting(recorder: Recorder) -> Iterator[Callable[[], dict[str, float]]]:
    """Inside: requests are recorded; the yielded function gives the last request's split (seconds)."""
    from chalicelib.documents import layout, render

    drawing: list[float] = []
    qr: list[float] = []
    undo = [_timed(render, "render_letter", drawing), _timed(layout, "qr_image", qr)]
    recorder.install()

    def split() -> dict[str, float]:
        record = recorder.last()
        parts = dict.fromkeys(PARTS, 0.0)
        for call in record.calls:
            if call.service == "dynamodb":
                part = PARTS[1] if call.operation == "TransactWriteItems" else PARTS[0]
            elif call.service == "s3":
                part = PARTS[2] if call.operation == "PutObject" else PARTS[3] if call.operation in _S3_LOCK else PARTS[4]
            else:
                part = PARTS[4]
            parts[part] += call.seconds
        parts[PARTS[6]] = sum(qr)
        parts[PARTS[5]] = sum(drawing) - sum(qr)
        parts[PARTS[7]] = record.seconds - sum(parts.values())
        parts["server"] = record.seconds
        drawing.clear()
        qr.clear()
        return parts

    try:
        yield split
    finally:
        recorder.uninstall()
        for restore in undo:
            restore()
