"""Rescue work orders: the only place that knows their keys and items.

An order lives on its case's partition (sk `RESCUE#<orderId>`) so every change to it goes through
the case's versioned transaction; a pointer (`RESCUE#<orderId>`) lets a driver's call, which names
only the order, find the case. The order is listed in its unit's dispatch queue per status
(gsi1 `RESCUEQ#<unit>#<status>`, oldest first) and, while a dispatcher alert is open, in the
unit's alert list (gsi2 `RESCUEALERT#<unit>`, newest first). The vehicle's hand-off to a repair
shop is an item on the case too (sk `HANDOFF#<id>`). The trucks are in `store.fleet`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from chalicelib.domain.rescue_order import Pickup
from chalicelib.store import paging
from chalicelib.store.case_items import case_key
from chalicelib.store.models import HandoffItem, RescueOrderItem, RescuePointer


def rescue_queue_key(unit: str, status: str) -> str:
    return f"RESCUEQ#{unit}#{status}"


def _alert_key(unit: str) -> str:
    return f"RESCUEALERT#{unit}"


def new_order(case_id: str, order_id: str, jurisdiction: str, status: str, at: str, pickup: Pickup,
              **attributes: Any) -> tuple[RescueOrderItem, RescuePointer]:
    """An order requested `at`, in its unit's queue for `status`, and the pointer to its case."""
    order = RescueOrderItem(pk=case_key(case_id), sk=f"RESCUE#{order_id}", order_id=order_id, case_id=case_id,
                            jurisdiction=jurisdiction, requested_at=at, pickup=pickup, **attributes)
    set_status(order, status, at)
    return order, RescuePointer.to(order_id, case_id)


def set_status(order: RescueOrderItem, status: str, at: str) -> None:
    """The order's status, and its place in its unit's queue for that status (oldest first)."""
    order.status = status
    order.status_since = at
    order.gsi1pk = rescue_queue_key(order.jurisdiction, status)
    order.gsi1sk = f"{at}#{order.order_id}"


def flag_alert(order: RescueOrderItem, at: str) -> None:
    """List the order for its unit's dispatchers until the alert is cleared."""
    order.gsi2pk = _alert_key(order.jurisdiction)
    order.gsi2sk = f"{at}#{order.order_id}"


def clear_alert(order: RescueOrderItem) -> None:
    order.gsi2pk = order.gsi2sk = None


def case_of(order_id: str) -> str | None:
    """The case an order lives on, from the order id alone."""
    pointer = RescuePointer.lookup(order_id)
    return pointer.case_id if pointer is not None else None


def new_handoff(order: RescueOrderItem, handoff_id: str, repair_shop: str, at: str) -> HandoffItem:
    """The rescued vehicle left at a repair shop by the order's truck (汽修快赔)."""
    return HandoffItem(
        pk=case_key(order.case_id), sk=f"HANDOFF#{handoff_id}", handoff_id=handoff_id, case_id=order.case_id,
        order_id=order.order_id, party_id=order.party_id, repair_shop=repair_shop, truck_id=order.truck_id or "",
        insurer_code=order.insurer_code, delivered_at=at,
    )


def queue(unit: str, status: str, limit: int, next_token: str | None) -> Any:
    """The unit's orders in a status, oldest first, a page at a time (`last_evaluated_key` follows)."""
    return RescueOrderItem.gsi1.query(rescue_queue_key(unit, status), scan_index_forward=True, limit=limit,
                                      last_evaluated_key=paging.decode(next_token))


def alerting(unit: str, limit: int, next_token: str | None) -> Any:
    """The unit's orders a dispatcher was alerted about, newest alert first, a page at a time."""
    return RescueOrderItem.gsi2.query(_alert_key(unit), scan_index_forward=False, limit=limit,
                                      last_evaluated_key=paging.decode(next_token))


def in_status(unit: str, status: str) -> Iterator[RescueOrderItem]:
    """Every order of the unit in a status (the sweeper's walk; as many Query pages as it takes)."""
    return iter(RescueOrderItem.gsi1.query(rescue_queue_key(unit, status)))
