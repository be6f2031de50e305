"""Free text as parties and officers type it: normalised, and refused when it cannot be shown honestly.

Text ends up on letters, agreements and pages. Unicode lets a string look like something it is not:
bidi overrides (U+202A–U+202E, U+2066–U+2069) reorder what follows them, and a name made only of
zero-width or control characters prints as nothing. Text is put in NFC form and stripped; bidi
controls and control characters (other than line breaks and tabs where several lines are allowed)
are refused; text must show at least one visible character.
"""

from __future__ import annotations

import unicodedata

BIDI_CONTROLS = frozenset(chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))
_LINE_BREAKS = frozenset("\n\r\t")


def _visible(char: str) -> bool:
    # Cc control, Cf format (zero-width, bidi), Z* separators and other invisible categories.
    return not unicodedata.category(char).startswith(("C", "Z"))


def clean_text(value: str, *, multiline: bool = False) -> str:
    """NFC, stripped; raises ValueError for bidi controls, control characters or nothing visible."""
    if not isinstance(value, str):
        raise TypeError("must be a string")
    text = unicodedata.normalize("NFC", value).strip()
    if not text:
        return text  # whether empty text is allowed is the field's minimum length
    if any(char in BIDI_CONTROLS for char in text):
        raise ValueError("must not contain bidirectional control characters (U+202A-U+202E, U+2066-U+2069)")
    allowed = _LINE_BREAKS if multiline else frozenset()
    if any(unicodedata.category(char) == "Cc" and char not in allowed for char in text):
        raise ValueError("must not contain control characters")
    if not any(_visible(char) for char in text):
        raise ValueError("must contain visible characters")
    return text
