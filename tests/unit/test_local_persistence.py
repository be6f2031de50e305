"""The local stack's journal and snapshot details: torn entries, every S3 version, replayed ids."""

from __future__ import annotations

import pickle

from infra.local.persistence import Entry, Journal, install_s3_fidelity


def test_given_a_torn_last_entry_when_read_then_the_whole_ones_before_it_are_kept(tmp_path):
    path = tmp_path / "journal-00000001.log"
    journal = Journal(path)
    for n in range(3):
        journal.sync(journal.append(Entry({"REQUEST_METHOD": "POST", "PATH_INFO": f"/{n}"}, b"x" * 100)))
    journal.close()
    path.write_bytes(path.read_bytes()[:-10])  # a crash in the middle of the third write
    assert [e.environ["PATH_INFO"] for e in Journal.read(path)] == ["/0", "/1"]


def test_given_two_versions_of_a_key_when_pickled_then_both_come_back():
    from moto.s3.utils import _VersionedKeyStore

    install_s3_fidelity()
    store = _VersionedKeyStore()
    store["letter.pdf"] = "first"
    store["letter.pdf"] = "second"
    assert pickle.loads(pickle.dumps(store)).getlist("letter.pdf") == ["first", "second"]  # noqa: S301


def test_given_recorded_version_ids_when_replayed_then_the_same_ids_are_drawn():
    ids = install_s3_fidelity()
    with ids.recording() as drawn:
        live = [str(ids.uuid4()), str(ids.uuid4())]
    assert drawn == live
    with ids.replaying(drawn):
        assert [str(ids.uuid4()), str(ids.uuid4())] == live
    assert str(ids.uuid4()) not in live  # afterwards: random again
