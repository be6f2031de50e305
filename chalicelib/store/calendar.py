"""The working-day calendar loaded by an operator, and the cases whose deadlines wait for it.

- A year's arrangement (the State Council's notice: days off and make-up working days) is stored
  as versions on one small partition (pk `CALENDAR`, sk `<year>#<version, 6 digits>`): each load
  adds a version, the highest is in force, earlier ones stay for the record. One Query reads the
  versions in force of every loaded year (a few items a year).
- A case whose deadline was counted through a year not loaded yet carries a sparse index entry
  (case gsi3 `PROVISIONAL#<year>`), so loading that year finds exactly those cases without a Scan.
"""

from __future__ import annotations

from dataclasses import dataclass

from pynamodb.attributes import ListAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import PutError

from chalicelib.errors import ConcurrentUpdate
from chalicelib.store.models import CaseItem
from chalicelib.store.table import TableItem, TableMeta

PARTITION = "CALENDAR"


class CalendarYearItem(TableItem):
    """One loaded version of a year's arrangement."""

    class Meta(TableMeta):
        pass

    year = NumberAttribute()
    version = NumberAttribute()
    holidays: ListAttribute[str] = ListAttribute(default=list)  # plain strings (YYYY-MM-DD)
    workdays: ListAttribute[str] = ListAttribute(default=list)  # plain strings (YYYY-MM-DD)
    source = UnicodeAttribute()
    loaded_by = UnicodeAttribute()
    loaded_at = UnicodeAttribute()


@dataclass(frozen=True)
class LoadedYear:
    year: int
    version: int
    holidays: tuple[str, ...]
    workdays: tuple[str, ...]
    source: str
    loaded_by: str
    loaded_at: str


def _sort_key(year: int, version: int) -> str:
    return f"{year:04d}#{version:06d}"


def _loaded(item: CalendarYearItem) -> LoadedYear:
    return LoadedYear(
        year=int(item.year),
        version=int(item.version),
        holidays=tuple(item.holidays or ()),
        workdays=tuple(item.workdays or ()),
        source=item.source,
        loaded_by=item.loaded_by,
        loaded_at=item.loaded_at,
    )


def in_force(year: int) -> LoadedYear | None:
    """The latest loaded version of the year, or None when the year was never loaded."""
    items = CalendarYearItem.query(
        PARTITION, CalendarYearItem.sk.startswith(f"{year:04d}#"), scan_index_forward=False, limit=1, consistent_read=True
    )
    return next((_loaded(item) for item in items), None)


def all_in_force() -> dict[int, LoadedYear]:
    """The version in force of every loaded year (one Query on the calendar's small partition)."""
    latest: dict[int, LoadedYear] = {}
    for item in CalendarYearItem.query(PARTITION, consistent_read=True):
        loaded = _loaded(item)
        if loaded.year not in latest or loaded.version > latest[loaded.year].version:
            latest[loaded.year] = loaded
    return latest


def load_year(year: int, holidays: list[str], workdays: list[str], source: str, loaded_by: str, at: str) -> LoadedYear:
    """A new version of the year, in force from now; a concurrent load of the same year is a 409."""
    current = in_force(year)
    version = current.version + 1 if current else 1
    item = CalendarYearItem(
        pk=PARTITION,
        sk=_sort_key(year, version),
        year=year,
        version=version,
        holidays=sorted(holidays),
        workdays=sorted(workdays),
        source=source,
        loaded_by=loaded_by,
        loaded_at=at,
    )
    try:
        item.save(condition=CalendarYearItem.pk.does_not_exist())
    except PutError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":  # someone loaded this version first
            raise ConcurrentUpdate(f"the {year} calendar was loaded meanwhile; retry", field="year") from error
        raise
    return _loaded(item)


# --- cases whose deadlines wait for a year's calendar ---------------------------------------------


def _provisional_key(year: int) -> str:
    return f"PROVISIONAL#{year:04d}"


def mark_provisional(case: CaseItem, year: int | None) -> None:
    """List the case under the year its deadlines wait for (None: nothing waits, off the index).
    Saved with the case in its own transaction."""
    case.gsi3pk = _provisional_key(year) if year is not None else None
    case.gsi3sk = case.case_id if year is not None else None


def waiting_for(year: int) -> list[str]:
    """Ids of the cases whose deadlines wait for the year's calendar."""
    return [item.case_id for item in CaseItem.gsi3.query(_provisional_key(year))]
