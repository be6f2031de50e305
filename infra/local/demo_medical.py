"""`make demo STORY=medical`: the seed's second story against the running local stack.

Mr Liu reverses into Ms Sun, who breaks her wrist; after the remote determination Sun applies for
direct pay at 盐城市第一人民医院, the officer approves (QR code and 急诊直赔通知书), the hospital
scans the code (a forged or replayed code is refused), treats her and posts the bills; Liu's
insurer is asked for the emergency costs and the sandbox insurer guarantees and pays them; the
ledger shows it, and each insurer sees only what its vehicles owe. The notice PDF is saved under
.local/demo/.
"""

from __future__ import annotations

from chalicelib.domain.beijing_time import local
from infra.local.demo import API, Demo, _id, _story, _token, _until, ensure_stack, save_document, shoot_everything

HOSPITAL = "YCH01"


def _injury_story() -> dict:
    story = _story()
    story.update(injuries=True, injurySeverity="SLIGHT",
                 location={"lat": 33.3790, "lng": 120.1490, "address": "盐城市亭湖区人民中路88号停车场出口"})
    liu, sun = story["parties"]
    liu.update(name="刘志强", phone="13905107788", idNumber=_id("32090219800415003"), consentsToRemote=True,
               vehicle={"plate": "苏J8K259", "type": "小型轿车", "insurerCode": "PICC", "policyNo": "PDZA202632090008812"})
    sun.update(name="孙丽华", phone="13815209911", idNumber=_id("32090219920722004"), consentsToRemote=True,
               vehicle={"plate": "苏J3A716", "type": "小型轿车", "insurerCode": "CPIC", "policyNo": "ASHZ202632090003345"})
    return story


def _shown(moment: str) -> str:
    return local(moment).strftime("%m月%d日%H:%M")


def main() -> None:
    ensure_stack()
    demo = Demo()
    dispatcher, officer, hospital = _token("dispatcher"), _token("officer"), _token("hospital", HOSPITAL)
    demo.step("刘先生（苏J8K259）在停车场出口倒车，撞到孙女士，孙女士右手腕受伤，拨打110")
    created = demo.call("POST", "/cases", dispatcher, _injury_story())
    case_id = created["caseId"]
    liu, sun = created["parties"]
    demo.step(f"110 受理，案件 {case_id}（轻微伤，双方同意远程处理）")
    shoot_everything(demo, case_id, liu["token"])
    demo.call("POST", f"/cases/{case_id}/determination", officer, {
        "scenario": "REVERSING", "atFaultPartyId": liu["partyId"],
        "facts": "刘志强驾驶苏J8K259小型轿车在停车场出口倒车时未注意后方，撞到孙丽华，致其右手腕受伤。"})
    demo.step("民警远程认定：倒车，刘先生全部责任")

    applied = demo.call("POST", f"/cases/{case_id}/medical", sun["token"],
                        {"injuredPartyId": sun["partyId"], "hospitalCode": HOSPITAL, "injuryDescription": "右手腕肿痛，疑似骨折"})
    application_id = applied["applicationId"]
    demo.step(f"孙女士申请急诊直赔（{HOSPITAL} 盐城市第一人民医院）：申请 {application_id}，等待民警审核")
    approved = demo.call("POST", f"/medical/{application_id}/approve", officer)
    demo.step(f"民警批准：二维码有效至 {_shown(approved['qrExpiresAt'])}，《急诊直赔通知书》{approved['noticeDocumentId']} 已发送孙女士")

    admission = demo.call("POST", "/hospital/scan", hospital, {"token": approved["qrToken"]})
    demo.step(f"医院扫码核验通过并接诊：就诊号 {admission['admissionId']}，直赔期限至 {_shown(admission['directPayUntil'])}")
    bills = [{"name": "急诊诊查费", "amount": 2500}, {"name": "腕部X线摄影", "amount": 18000},
             {"name": "石膏外固定", "amount": 65050}, {"name": "药品费", "amount": 12830}]
    billed = demo.call("POST", f"/hospital/admissions/{admission['admissionId']}/bills", hospital, {"items": bills})
    demo.step(f"医院上传费用清单：合计 ¥{billed['billed'] / 100:.2f}（直赔时限内 ¥{billed['directPayWindow'] / 100:.2f}）")
    token = approved["qrToken"]
    forged = f"{token[:100]}{'x' if token[100] != 'x' else 'y'}{token[101:]}"  # one character of the payload changed
    for label, scanned in (("同一二维码再次扫码", token), ("伪造的二维码", forged)):
        refused = demo.session.post(f"{API}/hospital/scan", json={"token": scanned},
                                    headers={"Authorization": f"Bearer {hospital}"}, timeout=30)
        demo.step(f"  {label}：{refused.status_code} {refused.json()['error']['code']}")

    ledger = f"/cases/{case_id}/medical"
    totals = _until(demo, lambda: (t := demo.call("GET", ledger, officer)["totals"])["paid"] == billed["billed"] and t, 60,
                    "the sandbox insurer's payment")
    demo.step(f"人保（刘先生车辆交强险）收到抢救费用通知，已承诺 ¥{totals['guaranteed'] / 100:.2f} 并直接支付医院 "
              f"¥{totals['paid'] / 100:.2f}")
    demo.step(f"直赔台账：已发生 ¥{totals['billed'] / 100:.2f}，保险已付 ¥{totals['paid'] / 100:.2f}，"
              f"基金垫付 ¥{totals['fundAdvanced'] / 100:.2f}，待付 ¥{totals['outstanding'] / 100:.2f}")
    seen = {code: len(demo.call("GET", ledger, _token("insurer", code))["applications"]) for code in ("PICC", "CPIC")}
    demo.step(f"  保险公司只看到本车应付的申请：人保 {seen['PICC']} 条，太保（孙女士本车）{seen['CPIC']} 条")
    saved, _, genuine = save_document(demo, case_id, approved["noticeDocumentId"], officer, "direct-pay-notice")
    demo.step(f"完成。急诊直赔通知书：{saved}（verify: genuine={genuine}）")
