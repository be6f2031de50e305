"""Identifiers: Crockford base32, each made from one random draw (issue 17 item 5)."""

from __future__ import annotations

import secrets
from collections import Counter
from datetime import datetime

from chalicelib.domain import ids


def test_given_an_id_of_any_length_when_made_then_one_random_draw(monkeypatch):
    draws = []
    original = secrets.randbits

    def counted(bits: int) -> int:
        draws.append(bits)
        return original(bits)

    monkeypatch.setattr(secrets, "randbits", counted)
    monkeypatch.setattr(secrets, "choice", lambda _: (_ for _ in ()).throw(AssertionError("one draw per id")))
    for make in (ids.new_party_id, ids.new_outbox_id, ids.new_webhook_id, ids.new_document_id):
        make()
    ids.new_case_id(datetime(2026, 11, 30))
    assert len(draws) == 5


def test_given_many_ids_when_made_then_every_character_of_the_alphabet_appears_evenly():
    made = [ids.new_token_id() for _ in range(4000)]
    assert all(len(t) == 16 and set(t) <= set(ids._ALPHABET) for t in made)
    counts = Counter("".join(made))
    assert set(counts) == set(ids._ALPHABET)
    expected = 4000 * 16 / 32
    assert all(abs(n - expected) < expected * 0.15 for n in counts.values()), counts
    assert len(set(made)) == len(made)
