"""Whether an upload's first bytes are the format it was declared as (its magic number)."""

import io

import pytest
from PIL import Image

from chalicelib.domain import file_signatures


def _picture(format_name: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 40, 40)).save(out, format=format_name)
    return out.getvalue()


def _ftyp(major: bytes, *compatible: bytes) -> bytes:
    brands = major + b"\x00\x00\x00\x00" + b"".join(compatible)
    return (8 + len(brands)).to_bytes(4, "big") + b"ftyp" + brands + b"\x00\x00\x00\x08mdat"


@pytest.mark.parametrize(
    ("content_type", "head"),
    [
        ("image/jpeg", _picture("JPEG")),
        ("image/png", _picture("PNG")),
        ("image/heic", _ftyp(b"heic", b"mif1", b"heic")),
        ("image/heic", _ftyp(b"mif1", b"heic")),
        ("video/mp4", _ftyp(b"isom", b"iso2", b"avc1", b"mp41")),
        ("video/mp4", b"\x00\x00\x00\x18ftypmp42" * 3),
    ],
)
def test_given_the_declared_format_when_checked_then_it_matches(content_type, head):
    assert file_signatures.matches(content_type, head)


@pytest.mark.parametrize(
    ("content_type", "head"),
    [
        ("image/jpeg", "这不是照片，只是一段文字。\n".encode() * 20),
        ("image/jpeg", b""),
        ("image/jpeg", b"\xff\xd8"),
        ("image/jpeg", _picture("PNG")),
        ("image/png", _picture("JPEG")),
        ("image/png", b"\x89PNG\r\n"),
        ("image/heic", _picture("JPEG")),
        ("image/heic", _ftyp(b"isom", b"mp41")),  # a video declared as a photo
        ("image/heic", b"\x00\x00\x00\x08ftyp"),  # a box too short to name a brand
        ("video/mp4", _picture("JPEG")),
        ("video/mp4", b"\x00\x00\x00\x18moovmp42" * 3),
        ("application/zip", b"PK\x03\x04"),  # a type evidence never takes has no signature
    ],
)
def test_given_other_bytes_when_checked_then_they_do_not_match(content_type, head):
    assert not file_signatures.matches(content_type, head)


def test_every_type_evidence_takes_has_a_signature():
    from chalicelib import config

    assert set(config.load("evidence")["maxBytes"]) <= set(file_signatures.SIGNATURES)


def test_a_jpeg_looking_start_is_a_jpeg_and_varies_with_its_filler():
    first, second = file_signatures.JPEG_START + b"\x01" * 10, file_signatures.JPEG_START + b"\x02" * 10
    assert file_signatures.matches("image/jpeg", first) and first != second
