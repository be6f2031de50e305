"""Whether a file's first bytes are the format it was declared as: the magic number of each type
evidence takes. A phone's browser names a file's type from its name, so a text file called
`shot.jpg` arrives declared `image/jpeg`; its bytes say what it is. Pure: no I/O."""

from __future__ import annotations

from collections.abc import Callable

# How many first bytes the checks need at most (an `ftyp` box lists its brands within these).
HEAD_BYTES = 256

# The start of a JPEG/JFIF file: start of image, then the APP0 `JFIF` segment (16 bytes long).
# Followed by any bytes it passes the check, so demos and tests can make distinct "photos" cheaply.
JPEG_START = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
PNG_START = b"\x89PNG\r\n\x1a\n"
# ISO base media files (HEIF, MP4) open with an `ftyp` box: size, "ftyp", major brand, minor
# version, compatible brands. HEIF's image brands (ISO/IEC 23008-12); any brand is a video's.
HEIF_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs", b"mif1", b"msf1"})


def _brands(head: bytes) -> set[bytes]:
    """The major and compatible brands of an `ftyp` box at the start; empty if there is none."""
    if len(head) < 12 or head[4:8] != b"ftyp":
        return set()
    end = min(int.from_bytes(head[:4], "big"), len(head))
    compatible = {head[at : at + 4] for at in range(16, end - 3, 4)}
    return {head[8:12], *compatible}


def _is_jpeg(head: bytes) -> bool:
    return head.startswith(b"\xff\xd8\xff")


def _is_png(head: bytes) -> bool:
    return head.startswith(PNG_START)


def _is_heif_image(head: bytes) -> bool:
    return bool(_brands(head) & HEIF_BRANDS)


def _is_iso_video(head: bytes) -> bool:
    return bool(_brands(head))


SIGNATURES: dict[str, Callable[[bytes], bool]] = {
    "image/jpeg": _is_jpeg,
    "image/png": _is_png,
    "image/heic": _is_heif_image,
    "video/mp4": _is_iso_video,
}


def matches(content_type: str, head: bytes) -> bool:
    """Whether `head` (the file's first bytes, at least `HEAD_BYTES` of them if it has that many)
    starts the way a file of `content_type` does; a type without a known signature never matches."""
    check = SIGNATURES.get(content_type)
    return check is not None and check(head)
