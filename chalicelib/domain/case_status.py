"""Case states and the moves between them; labels are what parties read on the timeline."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chalicelib.errors import Conflict

EVIDENCE_PENDING = "EVIDENCE_PENDING"
AWAITING_DETERMINATION = "AWAITING_DETERMINATION"
REFERRED_ON_SCENE = "REFERRED_ON_SCENE"
AGREEMENT_PROPOSED = "AGREEMENT_PROPOSED"
SETTLED = "SETTLED"
DETERMINED = "DETERMINED"
CONFIRMED = "CONFIRMED"
DISPUTED = "DISPUTED"
# Review (复核, Art.71-79) and police mediation (Art.84-94) after a letter.
UNDER_REVIEW = "UNDER_REVIEW"
REVIEWED = "REVIEWED"
MEDIATION_REQUESTED = "MEDIATION_REQUESTED"
MEDIATION_SCHEDULED = "MEDIATION_SCHEDULED"
MEDIATING = "MEDIATING"
MEDIATED = "MEDIATED"
MEDIATION_TERMINATED = "MEDIATION_TERMINATED"
# A letter stands in these: a party may still ask for review (in time) or mediation (jointly, in time).
LETTER_STANDS = frozenset({"DETERMINED", "CONFIRMED", "DISPUTED", "REVIEWED"})
MEDIATION_OPEN = frozenset({MEDIATION_REQUESTED, MEDIATION_SCHEDULED})

_MOVES: dict[str, frozenset[str]] = {
    EVIDENCE_PENDING: frozenset({AWAITING_DETERMINATION}),
    AWAITING_DETERMINATION: frozenset({DETERMINED, AGREEMENT_PROPOSED}),
    AGREEMENT_PROPOSED: frozenset({SETTLED, AWAITING_DETERMINATION}),
    DETERMINED: frozenset({CONFIRMED, DISPUTED, UNDER_REVIEW, MEDIATION_REQUESTED}),
    CONFIRMED: frozenset({UNDER_REVIEW, MEDIATION_REQUESTED}),
    DISPUTED: frozenset({UNDER_REVIEW, MEDIATION_REQUESTED}),
    # A pending review suspends a requested or scheduled mediation; UPHELD resumes it, REDO sends the
    # case back to the officer queue for a new determination.
    UNDER_REVIEW: frozenset({REVIEWED, AWAITING_DETERMINATION, MEDIATION_REQUESTED, MEDIATION_SCHEDULED}),
    REVIEWED: frozenset({MEDIATION_REQUESTED}),
    MEDIATION_REQUESTED: frozenset({MEDIATION_SCHEDULED, UNDER_REVIEW, MEDIATION_TERMINATED}),
    MEDIATION_SCHEDULED: frozenset({MEDIATING, UNDER_REVIEW, MEDIATION_TERMINATED}),
    MEDIATING: frozenset({MEDIATED, MEDIATION_TERMINATED}),
    MEDIATED: frozenset(),
    MEDIATION_TERMINATED: frozenset(),
    SETTLED: frozenset(),
    REFERRED_ON_SCENE: frozenset(),
}

ACTION_TEXT = {
    "CASE_REPORTED": "事故已受理",
    "REFERRED_ON_SCENE": "不适用远程处理，已转民警现场处置",
    "EVIDENCE_REQUESTED": "开始上传现场证据",
    "EVIDENCE_SEALING": "现场证据核验通过，正在封存",
    "EVIDENCE_VERIFIED": "现场证据已核验",
    "EVIDENCE_REJECTED": "现场证据核验未通过，请重新拍摄上传",
    "EVIDENCE_COMPLETE": "证据采集完成，请立即撤离现场，等待民警远程认定",
    "DETERMINED": "民警已作出责任认定",
    "DOCUMENT_ISSUED": "文书已出具",
    "SIGNED": "当事人已签字确认",
    "REFUSED": "当事人拒绝签字",
    "CONFIRMED": "各方当事人均已签字确认认定书",
    "DISPUTED": "当事人对认定有异议，可在期限内申请复核或调解",
    "AGREEMENT_PROPOSED": "当事人提出自行协商协议",
    "AGREEMENT_REFUSED": "当事人不同意自行协商协议，转民警认定",
    "DETERMINATION_REQUESTED": "当事人申请民警认定责任",
    "SETTLED": "各方当事人已签署自行协商协议书",
    "RESCUE_REQUESTED": "已发起一键救援，并同步报案至保险公司",
    "RESCUE_CANDIDATES_FOUND": "已查找附近待命的救援车辆",
    "RESCUE_OFFERED": "已向最近的救援车辆派单",
    "RESCUE_OFFER_DECLINED": "救援车辆未能接单，改派下一辆",
    "RESCUE_OFFER_TIMED_OUT": "救援车辆未及时应答，改派下一辆",
    "RESCUE_ASSIGNED": "救援车辆已接单，正在赶往现场",
    "RESCUE_AWAITING": "等待救援车辆报告进度",
    "RESCUE_ALERTED": "救援进度超时，已提醒调度员",
    "RESCUE_ARRIVED": "救援车辆已到达现场",
    "RESCUE_COMPLETED": "车辆已拖至维修厂，已通知保险公司（汽修快赔）",
    "RESCUE_ESCALATED": "附近暂无救援车辆接单，已转调度员人工调派",
    "RESCUE_CANCELLED": "救援工单已取消",
    "RESCUE_REDISPATCHED": "调度员已重新调派救援车辆",
    "RESCUE_FAILED": "救援调度异常，调度员将与您联系",
    "LETTER_SERVED": "认定书已送达当事人",
    "REVIEW_REQUESTED": "当事人已申请复核，复核期间调解中止",
    "REVIEW_UPHELD": "复核决定：维持原道路交通事故认定",
    "REVIEW_REDO": "复核决定：责令重新作出认定，案件退回民警重新认定",
    "MEDIATION_ASKED": "当事人申请调解",
    "MEDIATION_REQUESTED": "各方当事人均已申请调解",
    "MEDIATION_SCHEDULED": "民警已安排调解，已通知各参加人",
    "MEDIATION_CANCELLED": "因重新作出认定，已申请的调解不再进行",
    "MEDIATION_SESSION": "调解记录已更新（到场情况、调解笔录）",
    "MEDIATION_AGREEMENT_PROPOSED": "调解协议内容已拟定，请各方当事人签字",
    "MEDIATION_SIGNED": "当事人已在调解书上签字",
    "MEDIATED": "各方当事人已签署调解书，调解达成",
    "MEDIATION_TERMINATED": "调解终结，已出具调解终结书",
    "MEDICAL_REQUESTED": "已提交急诊直赔申请，等待民警审核",
    "MEDICAL_AWAITING": "急诊直赔流程等待下一步办理",
    "MEDICAL_APPROVED": "民警已批准急诊直赔，已出具《急诊直赔通知书》及就医二维码",
    "MEDICAL_REJECTED": "急诊直赔申请未获批准",
    "MEDICAL_ADMITTED": "医院已扫码接诊，先行救治",
    "MEDICAL_BILLED": "医院已上传医疗费用清单",
    "MEDICAL_LAPSED": "急诊直赔申请已失效",
    "MEDICAL_BILLING_CLOSED": "急诊直赔费用期限已届满",
    "CLAIMS_REPORTED": "已向各方保险公司报案",
    "LOSSES_DECLARED": "已登记事故损失",
    "DEADLINES_RECOUNTED": "节假日安排公布，期限已重新计算",
    "LINK_REISSUED": "已重新发送事故处理链接，旧链接作废",
    "WECHAT_JOINED": "当事人已通过微信关联本案",
    "CLAIM_ACCEPTED": "保险公司已受理理赔",
    "CLAIM_DOCUMENTS_REQUESTED": "保险公司要求补充理赔材料",
    "CLAIM_LOSS_ASSESSED": "保险公司已完成定损",
    "CLAIM_PAID": "保险公司已支付赔款",
    "CLAIM_REJECTED": "保险公司拒绝理赔",
    "PARTY_FLED": "民警已记录当事车辆驾驶人肇事逃逸",
    "MEDICAL_COSTS_REQUESTED": "已通知保险公司支付或垫付抢救费用",
    "MEDICAL_GUARANTEED": "保险公司已承诺支付抢救费用",
    "MEDICAL_PAID": "保险公司已向医院支付抢救费用",
    "FUND_APPLICATION_OPENED": "已向道路交通事故社会救助基金申请垫付",
    "FUND_APPLICATION_UPDATED": "救助基金垫付申请金额已更新",
    "FUND_NOTIFIED": "已出具《救助基金垫付通知书》通知救助基金",
    "FUND_REVIEW_AWAITED": "救助基金正在审核垫付申请",
    "FUND_REVIEW_REMINDED": "救助基金审核即将到期，已提醒审核人员",
    "FUND_REVIEW_ESCALATED": "救助基金逾期未审核，已提交上级主管审核",
    "FUND_ADVANCED": "救助基金已批准垫付",
    "FUND_REJECTED": "救助基金未批准垫付",
    "CLAIM_OVERDUE": "保险公司未在法定期限内答复理赔，已记录逾期",
    "REFERRAL_BOOKED": "已预约线下一站式服务点办理",
    "ROOM_MESSAGE": "案件群聊有新消息",
    "VIDEO_OPENED": "已发起视频通话",
    "VIDEO_JOINED": "有成员加入视频通话",
    "VIDEO_LEFT": "有成员离开视频通话",
    "VIDEO_ENDED": "视频通话已结束",
    "VIDEO_RECORDED": "视频通话录像已保存",
}


# What a direct-pay run waits for, by the milestone its MEDICAL_AWAITING entry names.
_MEDICAL_AWAITED_TEXT = {
    "APPROVAL": "等待民警审核急诊直赔申请",
    "ADMISSION": "等待伤者持二维码到医院就诊",
    "BILLS": "等待医院上传医疗费用清单",
}


def timeline_text(action: str, detail: Mapping[str, Any], insurer_name: str | None = None) -> str:
    """An audit entry in words: the action's text, the step awaited for a direct-pay wait, and the
    insurer's name for an insurer's step (two insurers' "paid" would otherwise read the same)."""
    text = ACTION_TEXT.get(action, action)
    if action == "MEDICAL_AWAITING":
        text = _MEDICAL_AWAITED_TEXT.get(str(detail.get("milestone")), text)
    return f"{text}（{insurer_name}）" if insurer_name else text


def ensure_move(current: str, target: str) -> None:
    if target not in _MOVES.get(current, frozenset()):
        raise Conflict(f"a case in status {current} cannot move to {target}", field="status", status=current)


def ensure_status(current: str, *expected: str) -> None:
    if current not in expected:
        raise Conflict(
            f"the case is {current}; this needs {' or '.join(expected)}", field="status", status=current
        )


def accepts_evidence(status: str) -> bool:
    return status == EVIDENCE_PENDING
