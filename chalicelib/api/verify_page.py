"""`/verify/{documentId}` for a person: the QR code printed on every document opens it in a phone's
browser, which asks for HTML; API callers keep the JSON. A small Simplified Chinese page, no script,
its style from `/shared/verify.css` (same origin locally and behind CloudFront), every value escaped."""

from __future__ import annotations

from datetime import datetime
from html import escape

from chalice import Response

from chalicelib.documents import mediation, medical, render
from chalicelib.documents.layout import format_moment
from chalicelib.services.documents import Verification

# Document kind → the title printed on it (the drawing modules' own titles).
KIND_TITLES = {
    "LIABILITY_LETTER": render.LETTER_TITLE,
    "AGREEMENT": render.AGREEMENT_TITLE,
    "MEDIATION_AGREEMENT": mediation.AGREEMENT_TITLE,
    "MEDIATION_TERMINATION": mediation.TERMINATION_TITLE,
    "DIRECT_PAY_NOTICE": medical.DIRECT_PAY_TITLE,
    "FUND_NOTICE": medical.FUND_TITLE,
}
HEADERS: dict[str, str | list[str]] = {
    "Content-Type": "text/html; charset=utf-8",
    # What CloudFront's policy sends for the pages; the API's own answer says it too (locally, aws-cn).
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "Vary": "Accept",
}
GENUINE = "文书真实：与出具时记录的完全一致"
NOT_GENUINE = "文书不真实：与出具时的记录不一致"
NOT_GENUINE_HINT = "请勿采信该文书，并向出具文书的公安机关交通管理部门核实。"
UNKNOWN = "未查到该文书"
UNKNOWN_HINT = (
    "本系统没有出具过该编号的文书，或扫描的链接不完整。请核对文书上的二维码或网址；如有疑问，请向出具文书的公安机关交通管理部门核实。"
)


def wants_html(accept: str | None) -> bool:
    """A browser opening the link asks for text/html; a program asks for JSON or names nothing."""
    return "text/html" in (accept or "").lower()


def _row(name: str, value: str) -> str:
    opening = '<dd class="hash">' if name == "SHA-256" else "<dd>"
    return f"<dt>{escape(name)}</dt>{opening}{escape(value)}</dd>"


def _page(state: str, verdict: str, rows: list[tuple[str, str]], hint: str) -> str:
    items = "".join(_row(name, value) for name, value in rows)
    return (
        '<!doctype html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="referrer" content="no-referrer">'
        '<title>文书真伪查验 · 云车通</title><link rel="stylesheet" href="/shared/verify.css"></head>'
        f'<body><header class="bar">云车通 · 文书真伪查验</header><main class="check {state}">'
        f'<h1 class="verdict">{escape(verdict)}</h1><dl>{items}</dl><p class="hint">{escape(hint)}</p></main></body></html>\n'
    )


def checked(found: Verification) -> Response:
    check = found.check
    rows = [("文书", KIND_TITLES.get(check.kind or "", check.kind or "未知"))]
    rows += [("文书编号", check.number)] if check.number else []
    rows += [("案件号", found.case_id), ("文书ID", check.document_id)]
    if check.issued_at:
        rows.append(("出具时间", f"{format_moment(datetime.fromisoformat(check.issued_at))}（北京时间）"))
    rows += [("版本", f"第{found.revision}版")] if found.revision else []
    rows += [("SHA-256", check.sha256 or check.recorded_sha256 or "")] if check.sha256 or check.recorded_sha256 else []
    if check.genuine:
        hint = "本页由出具文书的系统根据出具时写入审计日志的指纹实时核验。可用 SHA-256 核对手中的电子文件。"
        return Response(body=_page("genuine", GENUINE, rows, hint), status_code=200, headers=HEADERS)
    return Response(body=_page("forged", NOT_GENUINE, rows, NOT_GENUINE_HINT), status_code=200, headers=HEADERS)


def unknown(document_id: str) -> Response:
    return Response(body=_page("unknown", UNKNOWN, [("文书ID", document_id)], UNKNOWN_HINT), status_code=404, headers=HEADERS)
