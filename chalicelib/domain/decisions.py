"""What is decided on a case: the officer's determination and the parties' own agreement.

Stored on the case item as maps with camelCase keys (the layout the letters and the insurers'
events were built on); in code they are typed objects, converted to reply models in one line.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel


class Record(BaseModel):
    """A domain record: camelCase when stored, unknown stored keys kept so nothing is lost."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="allow")


class Deadlines(Record):
    """Review and mediation-request deadlines in working days from service (Art.71, Art.86)."""

    served_on: str
    review_by: str
    mediation_request_by: str
    provisional: bool = False
    served_by: str | None = None
    """How the letter reached the party: SIGNED, REFUSED or NOTICE_DELIVERED (None: the officer's day)."""


class Signature(Record):
    accept: bool
    reason: str | None = None
    at: str


class Terms(Record):
    """The scenario and the liabilities it leads to: what both a determination and an agreement record."""

    scenario: str
    scenario_label: str
    scenario_description: str = ""
    accident_form: str = ""
    catalogue_version: str = ""
    at_fault_party_id: str | None = None
    facts: str
    suggested: dict[str, str] = Field(default_factory=dict)
    liabilities: dict[str, str]
    overridden: bool = False
    collision_parts: dict[str, str | None] = Field(default_factory=dict)
    damage_shares: dict[str, int] = Field(default_factory=dict)


class Determination(Terms):
    """The officer's decision under the simple procedure (Art.23–26) and the letter recording it."""

    override_reason: str | None = None
    determined_at: str
    officer: str
    officer_badge: str
    deadlines: Deadlines
    """Counted from the officer's decision (kept for the first letter and older clients)."""
    party_deadlines: dict[str, Deadlines] = Field(default_factory=dict)
    """Each party's own deadlines, counted from the day the letter was served on that party."""
    refusals_on_letter: int = 0
    letter_document_id: str | None = None


class Agreement(Terms):
    """A self-settlement agreement (Art.19–21): proposed by one party, binding once all have signed."""

    proposed_by: str
    proposed_at: str
    signatures: dict[str, Signature] = Field(default_factory=dict)

    def signed_by_all(self, party_ids: list[str]) -> bool:
        return all(self.signatures.get(p) is not None and self.signatures[p].accept for p in party_ids)
