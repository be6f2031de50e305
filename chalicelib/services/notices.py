"""Notices to the parties of a case: every text a party receives, the outbox item that carries it,
and the channel it is sent by.

A notice names the party, never a phone number or an openid: the channel is chosen when it is
sent (WeChat if the party joined through the official account, else SMS), so a party who joins
after the notice was written still gets it where they now are.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.integrations import sms, wechat_messages
from chalicelib.observability import logger
from chalicelib.services import access
from chalicelib.store import outbox
from chalicelib.store.cases import CaseRecord, plain
from chalicelib.store.models import OutboxItem, PartyItem

# Topic → text (str.format fields named in braces); the one place a party-facing wording lives.
TEXTS: dict[str, str] = {
    "case.link.remote": "【云车通】您的交通事故（案件号{case_id}）已受理，请将车辆移至安全处，点击链接按提示拍照上传现场证据：",
    "case.link.on_scene": "【云车通】您的交通事故（案件号{case_id}）需民警到场处理，请在安全处等候，勿移动车辆。",
    "case.link.reissued": "【云车通】您的事故处理链接已更新，此前的链接已失效。请使用新链接：",
    "case.leave_scene": (
        "【云车通】您报告的交通事故现场证据已采集完成，请立即将车辆撤离现场，注意安全。"
        "民警将远程认定责任，结果将通过短信或微信通知您。"
    ),
    "letter.issued": "【云车通】您的交通事故已由民警远程认定责任，请打开链接查看《道路交通事故认定书（简易程序）》并签字确认。",
    "case.settled": "【云车通】各方当事人已签署《道路交通事故自行协商协议书》，可凭协议书向保险公司理赔。",
    "case.disputed": "【云车通】有当事人对责任认定有异议。可在认定书载明的期限内申请复核，或共同申请调解。",
    "deadline.changed": (
        "【云车通】国务院已公布{year}年节假日安排，您的交通事故（案件号{case_id}）期限已重新计算："
        "复核申请截止{review_by}，调解申请截止{mediation_by}。{note}"
    ),
    # Printed on the letter and added to a notice whose dates run through a year not announced yet.
    "deadline.provisional": "期限按现行节假日安排暂定，如国务院公布新的安排将重新计算并通知。",
    "claim.paid": "【云车通】保险公司已就您的交通事故理赔支付赔款，请留意到账情况。",
    "join.code": "【云车通】您正在微信中关联交通事故（案件号{case_id}），验证码{code}，10分钟内有效。如非本人操作，请忽略。",
    "rescue.requested": "【云车通】已为您发起一键救援（工单 {order_id}），正在调派距您最近的救援车辆，并已同步报案至保险公司。",
    "rescue.cancelled": "【云车通】救援工单 {order_id} 已取消。",
    "rescue.redispatched": "【云车通】调度员已重新为您调派救援车辆，请保持电话畅通。",
    "rescue.assigned": (
        "【云车通】救援车辆 {plate}（{company}）已接单，距您约 {km} 公里，预计 {minutes} 分钟内到达（{time} 前），请在安全处等候。"
    ),
    "rescue.escalated": "【云车通】附近暂无救援车辆接单，已转调度员人工调派，请保持电话畅通。",
    "rescue.failed": "【云车通】救援调度出现异常（工单 {order_id}），调度员将尽快与您联系。",
    "rescue.arrived": "【云车通】救援车辆已到达现场，请配合救援人员作业。",
    "rescue.completed": "【云车通】您的车辆已拖至 {shop}，维修与理赔由维修厂与保险公司对接（汽修快赔）。",
    "referral.booked": (
        "【云车通】已为您预约{point}（预约号{referral_id}），时间：{day} {opens}至{closes}。"
        "请携带身份证件和事故认定书按时前往办理。"
    ),
    # How the case room labels a member that has no name of its own (parties are 甲方/乙方, partners their names).
    "room.label.police": "民警",
    "room.label.tow": "救援车辆",
    "room.label.mediator": "调解员",
    "room.label.system": "系统消息",
    "fund.advanced": "【云车通】道路交通事故社会救助基金已同意垫付您的抢救费用 {yuan} 元，款项直接支付给救治医院。",
    "fund.rejected": "【云车通】道路交通事故社会救助基金未同意垫付您的抢救费用，如有疑问请联系办案民警。",
    "review.requested": (
        "【云车通】有当事人对您的交通事故（案件号{case_id}）认定申请复核，"
        "上级交警部门将于{decide_by}前作出复核决定，复核期间调解中止。"
    ),
    "review.upheld": "【云车通】您的交通事故（案件号{case_id}）复核决定：维持原道路交通事故认定。",
    "review.redo": "【云车通】您的交通事故（案件号{case_id}）复核决定：原认定撤销，民警将重新作出认定，新认定书将另行送达。",
    "mediation.requested": "【云车通】各方当事人均已申请调解（案件号{case_id}），民警将安排调解时间并通知您。",
    "mediation.scheduled": (
        "【云车通】您的交通事故（案件号{case_id}）定于{time}在线上调解室进行调解，调解员{mediator}。"
        "参加人员：{participants}。请准时参加，无正当理由缺席的，调解终结。"
    ),
    "mediation.proposed": "【云车通】调解协议内容已拟定（案件号{case_id}），请打开链接核对并签字。",
    "mediation.agreed": "【云车通】各方当事人已签署调解书（案件号{case_id}），请按调解书载明的方式和期限履行。",
    "mediation.terminated": "【云车通】您的交通事故（案件号{case_id}）调解终结：{reason}。可依法向人民法院提起民事诉讼。",
    "medical.requested": "【云车通】您的急诊直赔申请（{hospital}）已提交，民警审核后将向您发送就医二维码。",
    "medical.approved": (
        "【云车通】您的急诊直赔申请已通过。请于{valid_until}前持《急诊直赔通知书》及其二维码到{hospital}就诊，"
        "医院扫码后先行救治，医疗费由保险公司直接支付给医院。"
    ),
    "medical.rejected": "【云车通】您的急诊直赔申请未通过：{reason}。如有疑问请联系处理民警。",
    "medical.lapsed": "【云车通】您的急诊直赔申请已失效（{reason}），如仍需救治请联系处理民警重新申请。",
    "medical.admitted": "【云车通】{hospital}已扫码接诊，请配合医院救治。",
    # The dispute's steps as the case room shows them (system messages; parties by label, never by name).
    "room.review.requested": "{party}申请复核，上级交警部门将于{decide_by}前作出复核决定，复核期间调解中止。",
    "room.review.upheld": "复核决定：维持原道路交通事故认定。",
    "room.review.redo": "复核决定：原认定撤销，民警将重新作出认定。",
    "room.mediation.requested": "各方当事人均已申请调解，民警将安排调解时间。",
    "room.mediation.scheduled": "调解定于{time}在本调解室进行，调解员：{mediator}。",
    "room.mediation.started": "调解开始，应于{conclude_by}前达成调解协议（十个工作日）。",
    "room.mediation.proposed": "调解协议内容已拟定，赔偿总额{yuan}元，请各方当事人核对并签字。",
    "room.mediation.agreed": "各方当事人已签字，达成调解协议，赔偿总额{yuan}元。调解书见本消息所附文书。",
    "room.mediation.terminated": "调解终结：{reason}。调解终结书见本消息所附文书。",
    "room.referral.booked": "{party}已预约{point}，时间：{day} {opens}至{closes}。",
    # The reason a shot is refused, shown on the party page (the error's `userMessage`).
    "evidence.not_a_picture": "文件不是照片，请重新拍摄上传",
    "evidence.not_a_video": "文件不是视频，请重新拍摄上传",
}


def text(template: str, **fields: Any) -> str:
    return TEXTS[template].format(**fields)


def day(iso_date: str) -> str:
    """A date as a notice prints it, e.g. 2027年01月04日."""
    year, month, day_of_month = iso_date.split("-")
    return f"{year}年{month}月{day_of_month}日"


def to_party(
    case_id: str, party_id: str, topic: str, at: str, *, template: str | None = None, with_link: bool = False, **fields: Any
) -> OutboxItem:
    """One party's notice; `with_link` appends the party's case link when it is sent (the token it
    carries is minted then, never stored). `template` defaults to the topic."""
    return outbox.notice(case_id, party_id, topic, text(template or topic, case_id=case_id, **fields), at, at if with_link else None)


def to_parties(record: CaseRecord, topic: str, at: str, *, template: str | None = None, with_link: bool = False,
               **fields: Any) -> list[OutboxItem]:
    """The same notice to every party of the case."""
    return [to_party(record.case.case_id, p.party_id, topic, at, template=template, with_link=with_link, **fields)
            for p in record.parties]


def _text_as_sent(item: OutboxItem, party: PartyItem) -> str:
    payload = plain(item.payload)
    text = str(payload["text"])
    if payload.get("link"):
        # The link carries the party's bearer token: made now, never stored in the outbox.
        token = access.party_token(item.case_id, party.party_id, party.token_id, datetime.fromisoformat(payload["issuedAt"]))
        text = f"{text}{access.party_link(item.case_id, token)}"
    return text


def send(item: OutboxItem, party: PartyItem) -> None:
    """By WeChat when the party joined through the official account, else (or if WeChat refuses) by SMS."""
    text = _text_as_sent(item, party)
    if party.openid:
        try:
            wechat_messages.sender().send(party.openid, text, item.case_id)
            return
        except Exception:  # noqa: BLE001 - WeChat refusing (e.g. outside its 48-hour window) falls back to SMS
            logger.warning("wechat notice refused; sending SMS", extra={"case_id": item.case_id})
    sms.sender().send(party.phone, text, item.case_id)
