"""Case states and the moves between them; labels are what parties read on the timeline."""

from __future__ import annotations

from chalicelib.errors import Conflict

EVIDENCE_PENDING = "EVIDENCE_PENDING"
AWAITING_DETERMINATION = "AWAITING_DETERMINATION"
REFERRED_ON_SCENE = "REFERRED_ON_SCENE"

_MOVES: dict[str, frozenset[str]] = {
    EVIDENCE_PENDING: frozenset({AWAITING_DETERMINATION}),
    AWAITING_DETERMINATION: frozenset(),
    REFERRED_ON_SCENE: frozenset(),
}

ACTION_TEXT = {
    "CASE_REPORTED": "事故已受理",
    "REFERRED_ON_SCENE": "不适用远程处理，已转民警现场处置",
    "EVIDENCE_REQUESTED": "开始上传现场证据",
    "EVIDENCE_VERIFIED": "现场证据已核验",
    "EVIDENCE_REJECTED": "现场证据核验未通过，请重新拍摄上传",
    "EVIDENCE_COMPLETE": "证据采集完成，请立即撤离现场，等待民警远程认定",
}


def ensure_move(current: str, target: str) -> None:
    if target not in _MOVES.get(current, frozenset()):
        raise Conflict(f"a case in status {current} cannot move to {target}", field="status", status=current)


def accepts_evidence(status: str) -> bool:
    return status == EVIDENCE_PENDING
