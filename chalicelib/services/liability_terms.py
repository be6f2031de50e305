"""Turning a scenario and a choice of liabilities into the terms recorded on a case."""

from __future__ import annotations

from datetime import date, datetime

from chalicelib import config
from chalicelib.contracts.determination import ScenarioCatalogue, ScenarioView
from chalicelib.domain import liability, workdays
from chalicelib.domain.beijing_time import CHINA
from chalicelib.domain.decisions import Deadlines, Determination, Terms
from chalicelib.domain.liability import Liability
from chalicelib.errors import ValidationFailed
from chalicelib.services import calendar as calendars
from chalicelib.settings import get_settings
from chalicelib.store.cases import CaseRecord

REVIEW_DAYS = 3  # Order 146 Art.71: review requested within 3 days of service
MEDIATION_DAYS = 10  # Art.86: mediation requested jointly within 10 days of the letter


def current_catalogue() -> liability.Catalogue:
    return liability.catalogue(config.load("scenarios"), get_settings().province)


def catalogue_view() -> ScenarioCatalogue:
    catalogue = current_catalogue()
    return ScenarioCatalogue(
        province=catalogue.province,
        version=catalogue.version,
        scenarios=[
            ScenarioView(
                code=s.code, label=s.label, description=s.description, suggested_liability=s.suggested, accident_form=s.accident_form
            )
            for s in catalogue.scenarios
        ],
    )


def terms(
    record: CaseRecord,
    scenario_code: str,
    at_fault_party_id: str | None,
    chosen: dict[str, str] | None,
    facts: str,
    collision_parts: dict[str, str] | None = None,
) -> Terms:
    """Scenario, suggested and decided liabilities (checked for consistency), collision parts."""
    catalogue = current_catalogue()
    scenario = catalogue.get(scenario_code)
    party_ids = [p.party_id for p in record.parties]
    if at_fault_party_id is not None and at_fault_party_id not in party_ids:
        raise ValidationFailed("is not a party of this case", field="atFaultPartyId")
    suggested = liability.suggest(scenario, at_fault_party_id, party_ids)
    decided = {pid: Liability(value) for pid, value in chosen.items()} if chosen is not None else suggested
    liability.check_consistent(decided, party_ids)
    unknown = set(collision_parts or {}) - set(party_ids)
    if unknown:
        raise ValidationFailed(f"names no party of this case: {', '.join(sorted(unknown))}", field="collisionParts")
    at_fault_part, other_part = scenario.collision_parts
    parts = {pid: (at_fault_part if pid == at_fault_party_id or len(party_ids) == 1 else other_part) for pid in party_ids}
    parts.update(collision_parts or {})
    kinds = {p.party_id: p.kind for p in record.parties}
    return Terms(
        scenario=scenario.code,
        scenario_label=scenario.label,
        scenario_description=scenario.description,
        accident_form=scenario.accident_form,
        catalogue_version=catalogue.version,
        at_fault_party_id=at_fault_party_id,
        facts=facts,
        suggested={pid: value.value for pid, value in suggested.items()},
        liabilities={pid: value.value for pid, value in decided.items()},
        overridden=decided != suggested,
        collision_parts=parts,
        damage_shares=liability.damage_shares(decided, kinds, config.load("scenarios")["damageShares"]),
    )


def deadlines(served_at: datetime, calendar: workdays.Calendar | None = None, served_by: str | None = None) -> Deadlines:
    """Review and mediation-request deadlines, in working days from the day the letter is served."""
    return counted(served_at.astimezone(CHINA).date(), calendar or calendars.current(), served_by)


def counted(served_on: date, calendar: workdays.Calendar, served_by: str | None = None) -> Deadlines:
    review = workdays.add_working_days(served_on, REVIEW_DAYS, calendar)
    mediation = workdays.add_working_days(served_on, MEDIATION_DAYS, calendar)
    return Deadlines(
        served_on=served_on.isoformat(),
        review_by=review.due.isoformat(),
        mediation_request_by=mediation.due.isoformat(),
        provisional=review.provisional or mediation.provisional,
        served_by=served_by,
    )


def recounted(earlier: Deadlines, calendar: workdays.Calendar) -> Deadlines:
    """The same deadlines counted again over the calendar as it is now (a year was loaded)."""
    return counted(date.fromisoformat(earlier.served_on), calendar, earlier.served_by)


def served(determination: Determination, party_id: str, at: str, how: str, calendar: workdays.Calendar) -> Determination | None:
    """The determination with the party's own deadlines counted from this service, or None when the
    letter was served on the party before (the first service is the one the law counts from)."""
    if party_id in determination.party_deadlines:
        return None
    own = deadlines(datetime.fromisoformat(at), calendar, served_by=how)
    return determination.model_copy(update={"party_deadlines": {**determination.party_deadlines, party_id: own}})


def waits_for(determination: Determination, calendar: workdays.Calendar) -> int | None:
    """The first year whose calendar a deadline of the determination was counted without."""
    years = [
        workdays.first_uncovered_year(date.fromisoformat(d.served_on), date.fromisoformat(d.mediation_request_by), calendar)
        for d in (determination.deadlines, *determination.party_deadlines.values())
    ]
    return min((year for year in years if year is not None), default=None)


def provisional(determination: Determination) -> bool:
    return any(d.provisional for d in (determination.deadlines, *determination.party_deadlines.values()))
