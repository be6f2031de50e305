"""When and where a JPEG says it was taken: EXIF DateTimeOriginal and GPS, read from the first
bytes of the file (the EXIF segment sits at its start), never from a second download."""

from __future__ import annotations

import logging
import re
import warnings
from datetime import datetime, timedelta, timezone
from typing import Any

from chalicelib.domain import geo
from chalicelib.domain.evidence import Camera

# Enough for the EXIF segment (at most 64 KB) and the segments that may precede it.
HEAD_BYTES = 64 * 1024

_EXIF_IFD, _GPS_IFD = 0x8769, 0x8825
_DATE_TIME_ORIGINAL, _OFFSET_TIME_ORIGINAL = 36867, 36881
_GPS_LAT_REF, _GPS_LAT, _GPS_LNG_REF, _GPS_LNG = 1, 2, 3, 4

logger = logging.getLogger("yunchetong")


def _exif_segment(head: bytes) -> bytes | None:
    """The APP1 `Exif` payload of a JPEG, walking its marker segments; None if there is none."""
    if not head.startswith(b"\xff\xd8"):
        return None
    at = 2
    while at + 4 <= len(head) and head[at] == 0xFF:
        marker, length = head[at + 1], int.from_bytes(head[at + 2 : at + 4], "big")
        if marker == 0xDA:  # start of scan: no more metadata segments
            return None
        payload = head[at + 4 : at + 2 + length]
        if marker == 0xE1 and payload.startswith(b"Exif\x00\x00"):
            return payload
        at += 2 + length
    return None


def _offset(text: Any, default: str) -> timezone:
    """OffsetTimeOriginal (`+08:00`) when the camera wrote one; most write local time without it."""
    raw = text if isinstance(text, str) and re.fullmatch(r"[+-]\d\d:\d\d", text) else default
    delta = timedelta(hours=int(raw[1:3]), minutes=int(raw[4:6]))
    return timezone(-delta if raw[0] == "-" else delta)


def _degrees(value: Any, ref: Any, negative: str) -> float:
    degrees, minutes, seconds = (float(part) for part in value)
    signed = degrees + minutes / 60 + seconds / 3600
    return -signed if ref == negative else signed


def _taken_at(exif: Any, camera: Any, default_offset: str) -> datetime | None:
    taken = camera.get(_DATE_TIME_ORIGINAL) or exif.get(_DATE_TIME_ORIGINAL)
    if not isinstance(taken, str) or not taken.strip():
        return None
    local = datetime.strptime(taken.strip(), "%Y:%m:%d %H:%M:%S")
    return local.replace(tzinfo=_offset(camera.get(_OFFSET_TIME_ORIGINAL), default_offset))


def _position(gps: Any) -> geo.Point | None:
    if _GPS_LAT not in gps or _GPS_LNG not in gps:
        return None
    lat = _degrees(gps[_GPS_LAT], gps.get(_GPS_LAT_REF), "S")
    lng = _degrees(gps[_GPS_LNG], gps.get(_GPS_LNG_REF), "W")
    return geo.Point(lat, lng) if abs(lat) <= 90 and abs(lng) <= 180 else None


def read(head: bytes, default_offset: str) -> Camera | None:
    """The camera's time (in its own UTC offset, else `default_offset`) and position, if present."""
    segment = _exif_segment(head)
    if segment is None:
        return None
    from PIL import Image  # lazy: only a completion of a JPEG needs it

    try:
        with warnings.catch_warnings():  # Pillow warns on corrupt tags: a party's file may well have some
            warnings.simplefilter("ignore")
            exif = Image.Exif()
            exif.load(segment)
            camera, gps = exif.get_ifd(_EXIF_IFD), exif.get_ifd(_GPS_IFD)
            found = Camera(taken_at=_taken_at(exif, camera, default_offset), position=_position(gps))
    except Exception:  # noqa: BLE001 - the file is the party's: any malformed tag means "nothing readable"
        logger.info("unreadable EXIF ignored")
        return None
    return found if found.taken_at is not None or found.position is not None else None
