"""Who pays an injured person's emergency treatment: pure rules around the medical split.

- Which vehicles' 交强险 answer for whom (`covered_vehicles`): every vehicle of the accident for
  every injured person except the people it carried (交强险 covers third parties, never the
  insured vehicle's own people); a vehicle without 交强险 is uninsured; a vehicle whose driver
  fled is hit-and-run.
- The share of damages beyond insurance, from which the fund recovers its advance
  (`share_percents`): by liability (全部 100, 主要 70, 次要 30, 同等 equal), whole percent summing
  to 100; with nobody liable, equal shares.
- The fund's clock (道路交通事故社会救助基金管理办法): the police notify the fund within 3 working
  days of the advance becoming necessary, the fund answers within 5 working days of the notice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from chalicelib.domain.liability import Liability
from chalicelib.domain.medical_split import CoveredVehicle, apportion
from chalicelib.domain.workdays import Calendar, Deadline, add_working_days

NOTIFY_WORKING_DAYS = 3
ANSWER_WORKING_DAYS = 5
_WEIGHTS = {Liability.FULL: 100, Liability.PRIMARY: 70, Liability.SECONDARY: 30, Liability.EQUAL: 50, Liability.NONE: 0}


class FundStatus:
    PENDING = "PENDING"  # notified, waiting for the fund's answer
    APPROVED = "APPROVED"  # the advance is recorded
    REJECTED = "REJECTED"


@dataclass(frozen=True)
class VehicleFacts:
    """What the case knows of one vehicle party."""

    vehicle_id: str  # the party id of the vehicle's driver
    liability: str
    insured: bool  # carries 交强险 (insurer and policy number)
    fled: bool = False  # the driver left the scene / is unknown: hit-and-run


@dataclass(frozen=True)
class PayerAmounts:
    """What the payers did for one application, in fen."""

    due: int = 0  # what the insurers were asked to pay
    guaranteed: int = 0
    paid: int = 0
    fund_advanced: int = 0
    to_recover: int = 0


def share_percents(liabilities: Mapping[str, str]) -> dict[str, int]:
    """Each vehicle's whole-percent share of damages beyond insurance; the shares sum to 100."""
    if not liabilities:
        return {}
    weights = {vehicle: _WEIGHTS[Liability(liability)] for vehicle, liability in liabilities.items()}
    if Liability.EQUAL in {Liability(v) for v in liabilities.values()}:
        weights = {vehicle: 1 if Liability(liabilities[vehicle]) is Liability.EQUAL else 0 for vehicle in weights}
    if not any(weights.values()):
        weights = dict.fromkeys(weights, 1)
    return apportion(100, weights)


def covered_vehicles(vehicles: Sequence[VehicleFacts], own_vehicle_of: Mapping[str, str | None]) -> list[CoveredVehicle]:
    """Every vehicle as the split takes it, each excluding the injured people it carried
    (`own_vehicle_of`: injured person → the vehicle they were in, None for a pedestrian or cyclist)."""
    shares = share_percents({v.vehicle_id: v.liability for v in vehicles})
    return [
        CoveredVehicle(
            vehicle_id=v.vehicle_id,
            insured=v.insured and not v.fled,
            liable=Liability(v.liability) is not Liability.NONE,
            share_percent=shares[v.vehicle_id],
            hit_and_run=v.fled,
            excludes=frozenset(person for person, own in own_vehicle_of.items() if own == v.vehicle_id),
        )
        for v in vehicles
    ]


def notify_by(opened_on: date, calendar: Calendar) -> Deadline:
    return add_working_days(opened_on, NOTIFY_WORKING_DAYS, calendar)


def answer_by(notified_on: date, calendar: Calendar) -> Deadline:
    return add_working_days(notified_on, ANSWER_WORKING_DAYS, calendar)


def remind_on(notified_on: date, calendar: Calendar) -> date:
    """The working day before the answer is due: the reviewer is reminded then."""
    if ANSWER_WORKING_DAYS == 1:
        return notified_on
    return add_working_days(notified_on, ANSWER_WORKING_DAYS - 1, calendar).due


def recovery_of(recover: Mapping[str, int], advanced: int) -> dict[str, int]:
    """The advance actually made, to recover from each liable vehicle's side in the proportions the
    split gave for the amount applied for (largest remainder: no fen lost or created)."""
    weights = {vehicle: fen for vehicle, fen in recover.items() if fen > 0}
    if not weights or advanced <= 0:
        return {}
    return {vehicle: fen for vehicle, fen in apportion(advanced, weights).items() if fen}
