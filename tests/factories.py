"""One factory for request bodies, tokens and evidence files used across the suites."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from chalicelib.domain.file_signatures import JPEG_START
from chalicelib.domain.identity import id_number_checksum
from chalicelib.domain.principals import Principal, Role
from chalicelib.domain.tokens import issue

CST = timezone(timedelta(hours=8))


def id_number(birth: str = "19900101", sequence: int = 123, region: str = "320902") -> str:
    first17 = f"{region}{birth}{sequence:03d}"
    return first17 + id_number_checksum(first17)


def party(index: int = 0, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": ["张三", "李四", "王五"][index % 3],
        "phone": f"1381234{5670 + index:04d}",
        "idNumber": id_number(sequence=100 + index),
        "kind": "MOTOR",
        "vehicle": {
            "plate": f"苏J{12345 + index}",
            "type": "小型轿车",
            "insurerCode": ["PICC", "PAIC", "CPIC"][index % 3],
            "policyNo": f"PDZA2026{index:08d}",
        },
    }
    body.update(overrides)
    return body


def case_body(parties: int | list[dict[str, Any]] = 2, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "occurredAt": (datetime.now(CST) - timedelta(minutes=10)).replace(microsecond=0).isoformat(),
        "location": {"lat": 33.38, "lng": 120.15, "address": "盐城市亭湖区解放南路与人民中路交叉口"},
        "weather": "晴",
        "channel": "110_SMS",
        "injuries": False,
        "vehiclesMovable": True,
        "screening": {
            "noValidLicence": False,
            "drinkOrDrugs": False,
            "noPlate": False,
            "partyLeftScene": False,
            "dangerousGoods": False,
            "facilityDamaged": False,
            "intentional": False,
            "schoolBusOrOverloaded": False,
            "seriousSpeeding": False,
            "noInspectionOrInsuranceMark": False,
        },
        "parties": parties if isinstance(parties, list) else [party(i) for i in range(parties)],
    }
    body.update(overrides)
    return body


def injury_case_body(severity: str = "SLIGHT", consents: tuple[bool, ...] = (True, True), **overrides: Any) -> dict[str, Any]:
    """An accident with an injury: its severity and each party's recorded consent to remote handling."""
    body = case_body(len(consents), injuries=True, injurySeverity=severity, **overrides)
    for party_body, consent in zip(body["parties"], consents, strict=True):
        party_body["consentsToRemote"] = consent
    return body


def staff_token(role: str = "officer", secret: str | None = None, jurisdiction: str = "320900", **extra: Any) -> str:
    import os

    principal = Principal(subject=f"{role[0].upper()}0001", role=Role(role), jurisdiction=jurisdiction, **extra)
    return issue(principal, secret or os.environ["TOKEN_SECRET"], datetime.now(UTC), timedelta(hours=1))


def photo(seed: int = 0, size: int = 2048) -> bytes:
    """`size` bytes that start as a JPEG does (the server checks that much), distinct per seed."""
    return JPEG_START + bytes((seed + i) % 251 for i in range(size - len(JPEG_START)))


def evidence_request(content: bytes, kind: str, party_id: str | None = None, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": kind,
        "contentType": "image/jpeg",
        "size": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
        "capturedAt": datetime.now(CST).replace(microsecond=0).isoformat(),
        "lat": 33.3801,
        "lng": 120.1502,
    }
    if party_id:
        body["partyId"] = party_id
    body.update(overrides)
    return body


def upload_object(key: str, content: bytes) -> None:
    """What a phone does with the presigned PUT, in-process (moto does not check the signature)."""
    from chalicelib.integrations.aws import client
    from chalicelib.settings import get_settings

    client("s3").put_object(Bucket=get_settings().evidence_bucket, Key=key, Body=content, ContentType="image/jpeg")


def pdf_text(case_id: str, document_id: str) -> str:
    """The text of a stored document, whitespace removed (table cells may wrap)."""
    import io

    from pypdf import PdfReader

    from chalicelib.integrations.aws import client
    from chalicelib.settings import get_settings

    key = f"documents/{case_id}/{document_id}.pdf"
    pdf = client("s3").get_object(Bucket=get_settings().documents_bucket, Key=key)["Body"].read()
    return "".join("".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())


def tow_token(truck_id: str) -> str:
    """A tow driver's token, bound to one truck."""
    import os

    principal = Principal(subject=f"tow-{truck_id}", role=Role.TOW, org=truck_id)
    return issue(principal, os.environ["TOKEN_SECRET"], datetime.now(UTC), timedelta(hours=1))


def wait_for(condition: Any, timeout: float = 60.0, every: float = 0.05, what: str = "condition") -> Any:
    """Poll until `condition()` returns something truthy (returned), or fail after `timeout` s (generous:
    a loaded CI machine runs the workflow threads slowly; a passing wait returns as soon as it can)."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(every)


def exif_jpeg(
    taken_at: datetime | None = None, lat: float | None = None, lng: float | None = None, seed: int = 0, offset: str | None = None
) -> bytes:
    """A real JPEG whose EXIF carries DateTimeOriginal (36867, in the Exif IFD, local time with an
    optional OffsetTimeOriginal) and a GPS IFD (34853) as a phone's camera writes them."""
    import io

    from PIL import Image

    exif = Image.Exif()
    if taken_at is not None:
        camera = exif.get_ifd(0x8769)
        camera[36867] = taken_at.strftime("%Y:%m:%d %H:%M:%S")
        if offset is not None:
            camera[36881] = offset

    def dms(value: float) -> tuple[float, float, float]:
        degrees, rest = divmod(abs(value) * 3600, 3600)
        minutes, seconds = divmod(rest, 60)
        return float(degrees), float(minutes), round(seconds, 4)

    if lat is not None and lng is not None:
        gps = exif.get_ifd(0x8825)
        gps[1], gps[2] = ("N" if lat >= 0 else "S"), dms(lat)
        gps[3], gps[4] = ("E" if lng >= 0 else "W"), dms(lng)
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (seed % 256, 80, 120)).save(out, "JPEG", exif=exif)
    return out.getvalue()


def working_day(after: int = 7, start: Any = None) -> Any:
    """A working day (a `date`) at least `after` days from `start` (today), by the calendar in force."""
    from datetime import date

    from chalicelib.domain import workdays
    from chalicelib.services import calendar

    in_force = calendar.current()
    day = (start or date.today()) + timedelta(days=after)
    while not workdays.is_working_day(day, in_force):
        day += timedelta(days=1)
    return day
