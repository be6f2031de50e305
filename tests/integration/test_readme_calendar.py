"""README's example of loading a year's working-day calendar is true: its body, sent as README says,
is accepted and is then the calendar in force for that year (no code change, no deploy)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.factories import staff_token

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_example() -> tuple[str, dict]:
    """The year in the example's path and the JSON body between its `<<'JSON'` and `JSON` lines."""
    text = README.read_text(encoding="utf-8")
    found = re.search(r'PUT "\$API/admin/calendar/(\d{4})".*?<<\'JSON\'\n(.*?)\nJSON\n', text, re.S)
    assert found, "README lost its calendar example"
    return found[1], json.loads(found[2])


def test_given_the_readme_example_when_sent_by_a_supervisor_then_the_year_is_loaded_as_given(api):
    year, body = readme_example()
    supervisor = staff_token("supervisor")
    loaded = api.call("PUT", f"/admin/calendar/{year}", supervisor, body)
    assert loaded.status == 200, loaded.body
    in_force = api.call("GET", f"/admin/calendar/{year}", supervisor).body
    assert in_force["source"] == "LOADED" and in_force["notice"] == body["source"]
    assert in_force["holidays"] == body["holidays"] and in_force["workdays"] == body["workdays"]
