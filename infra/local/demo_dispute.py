"""`make demo STORY=dispute`: the seed's third story against the running local stack.

Mr Huang scrapes Ms Li's car changing lanes; the officer finds him fully at fault, he refuses the
letter and asks for review; the supervisor upholds it; both ask for mediation (waiving the 3 working
days' notice); the officer schedules it with mediator M0001, who signs in, records the session and
writes down the terms; each party signs with its own link and the 调解书 is issued and verifiable;
Li books a property valuation; the case room shows every step. The PDF is saved under .local/demo/.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any

from chalicelib.domain.beijing_time import CHINA
from infra.local.demo import API, Demo, _id, _story, _token, ensure_stack, save_document, shoot_everything

SESSION_DELAY = timedelta(seconds=5)  # the session opens a few seconds after it is scheduled


def _scrape_story() -> dict[str, Any]:
    story = _story()
    story["location"] = {"lat": 33.3770, "lng": 120.1560, "address": "盐城市亭湖区开放大道与人民中路交叉口南100米"}
    huang, li = story["parties"]
    huang.update(name="黄志明", phone="13905103366", idNumber=_id("32090219790918003"),
                 vehicle={"plate": "苏J5D730", "type": "小型轿车", "insurerCode": "PICC", "policyNo": "PDZA202632090006677"})
    li.update(name="李秀英", phone="13815207799", idNumber=_id("32090219900203004"),
              vehicle={"plate": "苏J9C215", "type": "小型轿车", "insurerCode": "CPIC", "policyNo": "ASHZ202632090008899"})
    return story


def _book_first_open_day(demo: Demo, case_id: str, token: str) -> dict[str, Any]:
    """The first working day from tomorrow that the point takes bookings for (a day off is a 400 naming the date)."""
    day = datetime.now(CHINA).date()
    for _ in range(14):
        day += timedelta(days=1)
        reply = demo.session.post(f"{API}/cases/{case_id}/referrals", headers={"Authorization": f"Bearer {token}"}, timeout=30,
                                  json={"servicePointCode": "SP02", "service": "PROPERTY_VALUATION", "preferredDate": day.isoformat()})
        if reply.status_code in (200, 201):
            return dict(reply.json())
    raise SystemExit(f"no bookable day at SP02 in two weeks: {reply.status_code} {reply.text}")


def main() -> None:
    ensure_stack()
    demo = Demo()
    dispatcher, officer, supervisor, mediator = _token("dispatcher"), _token("officer"), _token("supervisor"), _token("mediator")
    demo.step("黄先生（苏J5D730）变道时剐蹭李女士（苏J9C215），双方报警")
    created = demo.call("POST", "/cases", dispatcher, _scrape_story())
    case_id = created["caseId"]
    huang, li = created["parties"]
    shoot_everything(demo, case_id, li["token"])
    demo.call("POST", f"/cases/{case_id}/determination", officer, {
        "scenario": "LANE_CHANGE", "atFaultPartyId": huang["partyId"],
        "facts": "黄志明驾驶苏J5D730小型轿车在开放大道向左变更车道时，未让所借车道内行驶的苏J9C215先行，两车剐蹭。"})
    demo.step("民警远程认定：变更车道未让行，黄先生全部责任")
    demo.call("POST", f"/cases/{case_id}/parties/{huang['partyId']}/sign", huang["token"],
              {"accept": False, "reason": "我打了转向灯，是对方加速"})
    demo.call("POST", f"/cases/{case_id}/parties/{li['partyId']}/sign", li["token"], {"accept": True})
    demo.step("黄先生拒签认定书（有异议），李女士签字确认")

    review = demo.call("POST", f"/cases/{case_id}/review", huang["token"], {"reason": "我打了转向灯，是对方加速，请求复核"})
    demo.step(f"黄先生申请复核：{review['reviewId']}，复核决定期限 {review['decideBy']}")
    demo.call("POST", f"/reviews/{review['reviewId']}/decide", supervisor,
              {"outcome": "UPHELD", "reasoning": "现场照片显示黄志明车辆未让行，维持原认定。"})
    demo.step("值班领导复核：维持原认定")

    for party in (huang, li):
        asked = demo.call("POST", f"/cases/{case_id}/mediation", party["token"], {"waiveNotice": True})
    mediation_id = asked["mediationId"]
    demo.step(f"双方申请调解并放弃三个工作日的提前通知：调解 {mediation_id}，{asked['status']}")
    at = datetime.now(CHINA) + SESSION_DELAY
    demo.call("POST", f"/mediation/{mediation_id}/schedule", officer, {"at": at.isoformat(), "mediatorId": "M0001"})
    demo.step(f"民警安排线上调解：{at:%H:%M:%S}，调解员 M0001；双方和保险公司已收到通知")
    time.sleep(SESSION_DELAY.total_seconds() + 1)  # the session cannot be recorded before its time

    people = demo.call("GET", f"/mediation/{mediation_id}", mediator)["participants"]
    minutes = "双方到场。黄志明认可赔偿李秀英车辆修理费，双方同意按评估金额赔偿。"
    attended = [p["participantId"] for p in people]
    demo.call("POST", f"/mediation/{mediation_id}/session", mediator, {"attended": attended, "minutes": minutes})
    demo.step("调解员登录调解室，记录到场人员和调解笔录：调解开始（十个工作日内结束）")
    terms = {"basis": "《中华人民共和国道路交通安全法》第七十六条，《道路交通事故处理程序规定》第八十四条",
             "facts": "黄志明变更车道未让行，剐蹭李秀英车辆左侧，黄志明负全部责任。",
             "losses": "苏J9C215左前门、左后门漆面及饰条损坏。",
             "items": [{"name": "车辆修理费", "amountFen": 268000}, {"name": "交通费", "amountFen": 12000}],
             "shares": [{"partyId": huang["partyId"], "amountFen": 280000}],
             "paymentMethod": "由黄志明的交强险和商业三者险承保公司直接赔付",
             "paymentDeadline": (datetime.now(CHINA).date() + timedelta(days=15)).isoformat()}
    demo.call("POST", f"/mediation/{mediation_id}/agreement", mediator, terms)
    demo.step("调解员拟定调解协议：赔偿总额 ¥2800.00，由黄先生一方承担")
    for name, party in (("黄先生", huang), ("李女士", li)):
        signed = demo.call("POST", f"/mediation/{mediation_id}/sign", party["token"])
        demo.step(f"  {name}用自己的链接签字确认，调解状态 {signed['status']}")
    saved, _, genuine = save_document(demo, case_id, signed["documentId"], officer, "mediation-agreement")
    demo.step(f"调解书已出具：{saved}（verify: genuine={genuine}）；保险公司已收到调解金额")

    booked = _book_first_open_day(demo, case_id, li["token"])
    demo.step(f"李女士预约物损评估：{booked['servicePointName']} {booked['date']} {booked['opens']}-{booked['closes']}")
    room = demo.call("GET", f"/cases/{case_id}/room/messages?limit=50", li["token"])["messages"]
    demo.step("调解室消息（李女士看到的）：")
    for message in room:
        demo.step(f"  [{message['sender']['label']}] {message['text']}")
