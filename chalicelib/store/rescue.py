"""Rescue work orders: the only place that knows their keys and items.

An order lives on its case's partition (sk `RESCUE#<orderId>`) so every change to it goes through
the case's versioned transaction; a pointer (`RESCUE#<orderId>`) lets a driver's call, which names
only the order, find the case. The order is listed in its unit's dispatch queue per status
(gsi1 `RESCUEQ#<unit>#<status>`, oldest first) and, while a dispatcher alert is open, in the
unit's alert list (gsi2 `RESCUEALERT#<unit>`, newest first). While it is open it is also in a
sparse index of when the workflow must next have moved it (gsi3 `RESCUEDUE#<shard>`, `<due>#<orderId>`,
spread over a fixed number of shards so no partition is hot): the sweeper reads only the orders
whose due time passed, whatever the number of units and healthy orders. The vehicle's hand-off to a repair
shop is an item on the case too (sk `HANDOFF#<id>`). The trucks are in `store.fleet`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

from chalicelib.domain import dispatch
from chalicelib.domain.rescue_order import Pickup
from chalicelib.store import index_reads, paging
from chalicelib.store.case_items import case_key
from chalicelib.store.models import HandoffItem, RescueOrderItem, RescuePointer


def rescue_queue_key(unit: str, status: str) -> str:
    return f"RESCUEQ#{unit}#{status}"


def _alert_key(unit: str) -> str:
    return f"RESCUEALERT#{unit}"


# Shards of the due index: each sweep reads every one, so the count is fixed and small.
DUE_SHARDS = 8


def _due_key(shard: int) -> str:
    return f"RESCUEDUE#{shard:02d}"


def _due_shard(order_id: str) -> int:
    return int(hashlib.sha256(order_id.encode()).hexdigest()[:8], 16) % DUE_SHARDS


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
    if status in dispatch.OPEN:
        expect_by(order, at)  # a step that starts a wait pushes this to the wait's end
    else:
        order.gsi3pk = order.gsi3sk = None


def expect_by(order: RescueOrderItem, due: str) -> None:
    """The time by which a healthy run will have moved this open order (the end of the wait it is
    in); past it, the sweeper looks at the run."""
    order.gsi3pk = _due_key(_due_shard(order.order_id))
    order.gsi3sk = f"{due}#{order.order_id}"


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


def queue(unit: str, status: str, limit: int, next_token: str | None, newest_first: bool = False) -> Any:
    """The unit's orders in a status, oldest first (or newest), a page at a time (`last_evaluated_key` follows)."""
    return index_reads.whole(RescueOrderItem, RescueOrderItem.gsi1, rescue_queue_key(unit, status), scan_index_forward=not newest_first,
                             limit=limit, last_evaluated_key=paging.decode(next_token))


def alerting(unit: str, limit: int, next_token: str | None) -> Any:
    """The unit's orders a dispatcher was alerted about, newest alert first, a page at a time."""
    return index_reads.whole(RescueOrderItem, RescueOrderItem.gsi2, _alert_key(unit), scan_index_forward=False, limit=limit,
                             last_evaluated_key=paging.decode(next_token))


def due_by(moment: str | None) -> Iterator[RescueOrderItem]:
    """Open orders whose due time is before `moment` (every open order when None), one Query per
    shard (and page): the sweeper's read, proportional to the orders it has to look at."""
    for shard in range(DUE_SHARDS):
        condition = RescueOrderItem.gsi3sk < moment if moment is not None else None
        yield from index_reads.whole(RescueOrderItem, RescueOrderItem.gsi3, _due_key(shard), range_key_condition=condition)
