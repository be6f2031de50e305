"""`/verify/{documentId}`, where the QR code on every document points: JSON for programs, a page in
Chinese for the person who scans it (a browser asks for text/html)."""

import json
from datetime import datetime

from chalicelib.domain.beijing_time import CHINA
from chalicelib.integrations.aws import client
from chalicelib.settings import get_settings
from tests.factories import staff_token

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
JSON_KEYS = {"documentId", "genuine", "kind", "number", "issuedAt", "sha256", "recordedSha256", "reason"}


def _letter(api):
    created = api.case_awaiting_determination()
    case_id = created["caseId"]
    body = {"scenario": "REAR_END", "atFaultPartyId": created["parties"][0]["partyId"], "facts": "甲方追撞乙方车辆尾部。"}
    reply = api.call("POST", f"/cases/{case_id}/determination", staff_token("officer"), body)
    assert reply.status == 201, reply.body
    return case_id, reply.body["letterDocumentId"]


def _get(api, path, accept=None):
    headers = {"Accept": accept} if accept else {}
    response = api._client.http.get(path, headers=headers)
    return response.status_code, {k.lower(): v for k, v in response.headers.items()}, response.body.decode("utf-8")


def test_given_a_program_when_verifying_then_the_json_is_unchanged(api):
    _, letter_id = _letter(api)
    bare = api.call("GET", f"/verify/{letter_id}")
    asked = api.call("GET", f"/verify/{letter_id}", headers={"Accept": "application/json"})
    anything = api.call("GET", f"/verify/{letter_id}", headers={"Accept": "*/*"})
    assert bare.status == asked.status == anything.status == 200
    assert bare.body == asked.body == anything.body
    assert set(bare.body) == JSON_KEYS and bare.body["genuine"] is True and bare.body["kind"] == "LIABILITY_LETTER"
    assert bare.headers["Content-Type"].startswith("application/json")
    missing = api.call("GET", "/verify/DOCNOSUCHTHING00", headers={"Accept": "application/json"})
    assert missing.status == 404 and missing.body["error"]["code"] == "NotFound"


def test_given_a_browser_when_verifying_a_genuine_letter_then_a_chinese_page(api):
    case_id, letter_id = _letter(api)
    check = api.call("GET", f"/verify/{letter_id}").body
    status, headers, page = _get(api, f"/verify/{letter_id}", BROWSER_ACCEPT)
    assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
    issued = datetime.fromisoformat(check["issuedAt"]).astimezone(CHINA).strftime("%Y年%m月%d日%H时%M分")
    for text in ("文书真实", "道路交通事故认定书（简易程序）", check["number"], case_id, letter_id, "第1版",
                 check["sha256"], f"{issued}（北京时间）", 'lang="zh-CN"', '<link rel="stylesheet" href="/shared/verify.css">'):
        assert text in page, text
    assert "<script" not in page and "style=" not in page and "<style" not in page
    assert "style-src 'self'" in headers["content-security-policy"] and "script-src" not in headers["content-security-policy"]
    assert headers["vary"] == "Accept" and headers["cache-control"] == "no-store"
    assert "{" not in page and '"genuine"' not in page  # no JSON shown to a person


def test_given_a_browser_when_the_id_is_unknown_then_404_page_in_chinese_with_the_id_escaped(api):
    status, headers, page = _get(api, "/verify/DOC<i>\"bold&", BROWSER_ACCEPT)
    assert status == 404 and headers["content-type"] == "text/html; charset=utf-8"
    assert "未查到该文书" in page and "向出具文书的公安机关交通管理部门核实" in page
    assert "<i>" not in page and "DOC&lt;i&gt;&quot;bold&amp;" in page
    with_json = api._client.http.get("/verify/DOCNOSUCHTHING00", headers={"Accept": "application/json"})
    assert with_json.status_code == 404 and json.loads(with_json.body)["error"]["field"] == "documentId"


def test_given_a_browser_when_the_stored_letter_was_altered_then_the_page_says_not_genuine(api):
    case_id, letter_id = _letter(api)
    key = f"documents/{case_id}/{letter_id}.pdf"
    client("s3").put_object(Bucket=get_settings().documents_bucket, Key=key, Body=b"%PDF-forged")
    status, _, page = _get(api, f"/verify/{letter_id}", BROWSER_ACCEPT)
    assert status == 200
    assert "文书不真实" in page and "请勿采信该文书" in page and "文书真实：" not in page
    assert api.call("GET", f"/verify/{letter_id}").body["genuine"] is False
