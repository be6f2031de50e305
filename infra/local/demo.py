"""`make demo`: the first story, played against the running local stack (`make run`);
`make demo STORY=medical` plays the injury direct-pay story (infra/local/demo_medical.py),
`make demo STORY=dispute` the dispute, review and mediation story (infra/local/demo_dispute.py).

Ms Chen (苏J plate) rear-ends a city bus at 08:30; a 110 call-taker reports it; the parties
upload every required photo; the officer determines REAR_END; both sign. Each step prints its
elapsed time; the letter PDF is saved under .local/demo/.
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import requests

from chalicelib.domain.beijing_time import CHINA
from chalicelib.domain.file_signatures import JPEG_START
from chalicelib.domain.identity import id_number_checksum
from chalicelib.domain.liability import Liability
from infra.local.stack import DEFAULT_STATE_DIR
from infra.local.token import main as token_main

API = os.environ.get("API_URL", f"http://127.0.0.1:{os.environ.get('PORT', '8000')}")


def _id(first17: str) -> str:
    return first17 + id_number_checksum(first17)


def _token(role: str, org: str | None = None) -> str:
    from contextlib import redirect_stderr, redirect_stdout
    from io import StringIO

    out = StringIO()
    with redirect_stdout(out), redirect_stderr(StringIO()):
        token_main([role, *([org] if org else [])])
    return out.getvalue().strip().splitlines()[-1]


def _story() -> dict[str, Any]:
    today = datetime.now(CHINA)
    occurred = today.replace(hour=8, minute=30, second=0, microsecond=0)
    if occurred > today:
        occurred -= timedelta(days=1)
    return {
        "occurredAt": occurred.isoformat(),
        "location": {"lat": 33.3812, "lng": 120.1536, "address": "盐城市亭湖区解放南路与建军中路交叉口北50米"},
        "weather": "晴",
        "channel": "110_SMS",
        "injuries": False,
        "vehiclesMovable": True,
        "screening": {k: False for k in ("noValidLicence", "drinkOrDrugs", "noPlate", "partyLeftScene", "dangerousGoods",
                                          "facilityDamaged", "intentional", "schoolBusOrOverloaded", "seriousSpeeding",
                                          "noInspectionOrInsuranceMark")},
        "parties": [
            {"name": "陈晓梅", "phone": "13905101234", "idNumber": _id("32090219880312004"), "kind": "MOTOR",
             "vehicle": {"plate": "苏J6M821", "type": "小型轿车", "insurerCode": "PICC", "policyNo": "PDZA202632090001234"}},
            {"name": "王建国", "phone": "13815205678", "idNumber": _id("32090319750608003"), "kind": "MOTOR",
             "vehicle": {"plate": "苏J20317", "type": "大型普通客车", "insurerCode": "CPIC", "policyNo": "ASHZ202632090005678"}},
        ],
    }


class Demo:
    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.session = requests.Session()

    def step(self, text: str) -> None:
        print(f"[{time.perf_counter() - self.started:6.2f} s] {text}", flush=True)

    def call(self, method: str, path: str, token: str, body: Any = None) -> dict[str, Any]:
        reply = self.session.request(method, f"{API}{path}", json=body, headers={"Authorization": f"Bearer {token}"}, timeout=30)
        if reply.status_code >= 400:
            raise SystemExit(f"{method} {path} failed: {reply.status_code} {reply.text}")
        return dict(reply.json())


def _until(demo: Demo, what: Any, seconds: float = 30, waiting_for: str = "the rescue workflow") -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = what()
        if value:
            return value
        time.sleep(0.2)  # polling, with the deadline above
    raise SystemExit(f"{waiting_for} did not move on in time")


def rescue(demo: Demo, case_id: str, party: dict[str, Any]) -> None:
    """The car will not start: one tap, the nearest standby truck takes the job, tows it to a repair shop."""
    pickup = {"lat": 33.3812, "lng": 120.1536, "address": "盐城市亭湖区解放南路与建军中路交叉口北50米"}
    order = demo.call("POST", f"/cases/{case_id}/rescue", party["token"], {"pickup": pickup, "destination": "RP01"})
    path = f"/cases/{case_id}/rescue/{order['orderId']}"
    demo.step(f"陈女士的车无法启动，一键救援：工单 {order['orderId']}，已同步报案至保险公司")
    offer = _until(demo, lambda: demo.call("GET", path, party["token"])["offers"])[0]
    demo.step(f"  派单给最近的待命救援车 {offer['truckId']}（直线 {offer['distanceM']} 米），等待司机应答")
    driver = _token("tow", offer["truckId"])
    demo.call("POST", f"/tow/orders/{order['orderId']}/accept", driver)
    assigned = _until(demo, lambda: (o := demo.call("GET", path, party["token"]))["status"] == "ASSIGNED" and o)
    demo.step(f"  {assigned['truck']['plate']} 已接单，预计 {assigned['eta']['minutes']} 分钟到达；已短信告知双方")
    demo.call("POST", f"/tow/orders/{order['orderId']}/arrived", driver, {})
    done = demo.call("POST", f"/tow/orders/{order['orderId']}/completed", driver, {"dropoff": "RP01"})
    demo.step(f"  到达现场并拖至维修厂 {done['dropoff']}（汽修快赔交接 {done['handoffId']}），救援车恢复待命")


def shoot_everything(demo: Demo, case_id: str, token: str) -> None:
    """Every required shot of the checklist, declared, uploaded and verified by one party's phone."""
    checklist = demo.call("GET", f"/cases/{case_id}", token)["evidence"]["checklist"]
    for number, slot in enumerate(checklist, start=1):
        photo = JPEG_START + os.urandom(96_000)  # a JPEG's start: the server checks the bytes are the declared type
        declared = {"kind": slot["kind"], "partyId": slot["partyId"], "contentType": "image/jpeg", "size": len(photo),
                    "sha256": hashlib.sha256(photo).hexdigest(), "capturedAt": datetime.now(CHINA).isoformat(),
                    "lat": 33.3813, "lng": 120.1537}
        upload = demo.call("POST", f"/cases/{case_id}/evidence", token, declared)
        put = demo.session.put(upload["upload"]["url"], data=photo, headers=upload["upload"]["headers"], timeout=30)
        put.raise_for_status()
        done = demo.call("POST", f"/cases/{case_id}/evidence/{upload['evidenceId']}/complete", token)
        demo.step(f"  照片 {number}/{len(checklist)}：{slot['label']} 已核验")
    demo.step(f"证据采集完成，状态 {done['caseStatus']}：双方可撤离现场")


def save_document(demo: Demo, case_id: str, document_id: str, token: str, name: str) -> tuple[Path, dict[str, Any], bool]:
    """Download an issued document to .local/demo/<caseId>-<name>.pdf: the file, its link, and /verify's answer."""
    link = demo.call("GET", f"/cases/{case_id}/documents/{document_id}", token)
    folder = Path(os.environ.get("STATE_DIR", DEFAULT_STATE_DIR)) / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    saved = folder / f"{case_id}-{name}.pdf"
    saved.write_bytes(demo.session.get(link["url"], timeout=30).content)
    check = requests.get(f"{API}/verify/{document_id}", timeout=10).json()
    return saved, link, bool(check["genuine"])


def ensure_stack() -> None:
    try:
        requests.get(f"{API}/health", timeout=3).raise_for_status()
    except requests.RequestException:
        raise SystemExit(f"no local stack answers at {API}: start it with `make run` in another terminal") from None


def main(argv: list[str] | None = None) -> None:
    story = (argv if argv is not None else sys.argv[1:]) or ["scrape"]
    if story[0] == "medical":
        from infra.local.demo_medical import main as medical

        medical()
        return
    if story[0] == "dispute":
        from infra.local.demo_dispute import main as dispute

        dispute()
        return
    ensure_stack()
    demo = Demo()
    dispatcher, officer = _token("dispatcher"), _token("officer")
    demo.step("08:30 陈女士（苏J6M821）在解放南路追尾一辆公交车（苏J20317），拨打110")

    created = demo.call("POST", "/cases", dispatcher, _story())
    case_id = created["caseId"]
    chen, wang = created["parties"]
    demo.step(f"110 接警员受理，案件 {case_id}，状态 {created['status']}；双方收到短信链接")
    demo.step(f"  陈女士的链接：{chen['link'][:80]}…")

    shoot_everything(demo, case_id, chen["token"])

    queue = demo.call("GET", "/portal/queue", officer)["cases"]
    waiting = next(c for c in queue if c["caseId"] == case_id)
    demo.step(f"民警工作台：案件在队列中，已等待 {waiting['minutesWaited']} 分钟")

    determined = demo.call("POST", f"/cases/{case_id}/determination", officer, {
        "scenario": "REAR_END", "atFaultPartyId": chen["partyId"],
        "facts": "陈晓梅驾驶苏J6M821小型轿车沿解放南路由南向北行驶，未与前车保持安全距离，追撞前方停车上下客的苏J20317公交车尾部。",
    })
    letter_id = determined["letterDocumentId"]
    liabilities = determined["determination"]["liabilities"]
    label = {value.value: value.label for value in Liability}
    chen_share, bus_share = label[liabilities[chen["partyId"]]], label[liabilities[wang["partyId"]]]
    demo.step(f"民警远程认定：追尾，陈女士{chen_share}、公交车{bus_share}；认定书 {letter_id}")

    for who, access in (("陈女士", chen), ("王师傅", wang)):
        signed = demo.call("POST", f"/cases/{case_id}/parties/{access['partyId']}/sign", access["token"], {"accept": True})
        demo.step(f"{who}签字确认，状态 {signed['status']}")

    rescue(demo, case_id, chen)

    # The claims went to both insurers automatically on the determination; the local sandbox
    # insurers accept, assess and pay through signed webhooks.
    deadline = time.monotonic() + 60
    seen: dict[str, str] = {}
    while time.monotonic() < deadline:
        claims = demo.call("GET", f"/cases/{case_id}", officer)["claims"]
        for claim in claims:
            if seen.get(claim["claimId"]) != claim["status"]:
                seen[claim["claimId"]] = claim["status"]
                amount = f"，金额 ¥{claim['paidAmount'] / 100:.2f}" if claim.get("paidAmount") is not None else ""
                demo.step(f"保险理赔 {claim['insurerCode']} {claim['claimId']}：{claim['status']}{amount}")
        if claims and all(c["status"] == "PAID" for c in claims):
            break
        time.sleep(0.3)  # polling the case, with the deadline above

    saved, link, genuine = save_document(demo, case_id, letter_id, officer, "letter")
    demo.step("完成。认定书（简易程序）PDF：")
    print(f"    saved:    {saved}")
    print(f"    download: {link['url'][:100]}… (valid until {link['expiresAt']})")
    print(f"    verify:   {API}/verify/{letter_id} → genuine={genuine}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
