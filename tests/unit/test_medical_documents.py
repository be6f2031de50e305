"""The direct-pay notice and the fund notice PDFs (`documents/medical.py`): every field comes back
as Chinese text, and a real QR decoder (zxing-cpp) reads both QR codes off the rendered page."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pypdfium2
import pytest
import zxingcpp
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pypdf import PdfReader

from chalicelib.documents.medical import (
    DIRECT_PAY_TITLE,
    FUND_TITLE,
    DirectPayNoticeData,
    FundNoticeData,
    render_direct_pay_notice,
    render_fund_notice,
)
from chalicelib.domain.medical_qr import QrGrant, sign_grant, verify_grant
from chalicelib.domain.medical_split import FundReason

ISSUED = datetime(2026, 10, 1, 1, 30, tzinfo=UTC)  # 09:30 in Yancheng
KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
GRANT = QrGrant("T0123456789ABCDEF", "MA7Q2K9XW4R8T1ZP", "YC-H01", ISSUED, ISSUED + timedelta(hours=24), "k1")
DIRECT_PAY = DirectPayNoticeData(
    document_number="DOCMED0000000001",
    case_number="YC261001ABCD1234",
    issuing_unit="盐城市公安局交通警察支队亭湖大队",
    officer_badge="320901",
    hospital_name="盐城市第一人民医院",
    injured_masked="孙*",
    injury_description="右腕部骨折，需急诊处置",
    qr_token=sign_grant(GRANT, KEY),
    valid_until=GRANT.expires_at,
    issued_at=ISSUED,
    verify_url="https://ycjj.example.gov.cn/verify/DOCMED0000000001",
)
FUND = FundNoticeData(
    document_number="DOCFUND000000001",
    case_number="YC261001ABCD1234",
    issuing_unit="盐城市公安局交通警察支队亭湖大队",
    officer_badge="320901",
    hospital_name="盐城市第一人民医院",
    injured_masked="孙*",
    reasons=frozenset({FundReason.EXCEEDS_LIMIT, FundReason.HIT_AND_RUN}),
    amount_fen=70_000_05,
    treatment_started_at=datetime(2026, 10, 1, 2, 5, tzinfo=UTC),
    issued_at=ISSUED + timedelta(days=1),
    verify_url="https://ycjj.example.gov.cn/verify/DOCFUND000000001",
)


def _text(pdf: bytes) -> str:
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))


def _qr_codes(pdf: bytes) -> list[str]:
    """What a phone or a hospital scanner reads off the printed page."""
    document = pypdfium2.PdfDocument(pdf)
    found = []
    for page in document:
        image = page.render(scale=3).to_pil()
        found += [code.text for code in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)]
    return found


def test_the_direct_pay_notice_prints_every_field_in_chinese():
    pdf = render_direct_pay_notice(DIRECT_PAY)
    text = _text(pdf)
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1
    for value in (
        DIRECT_PAY_TITLE,
        DIRECT_PAY.case_number,
        DIRECT_PAY.hospital_name,
        "孙*",
        DIRECT_PAY.injury_description,
        "有效期至2026年10月02日09时30分",
        "出具时间：2026年10月01日09时30分",
        "交通警察（警号）：320901",
        DIRECT_PAY.issuing_unit,
        DIRECT_PAY.verify_url,
        "扫码核验真伪",
    ):
        assert value in text, value


def test_a_real_decoder_reads_the_token_off_the_notice_and_it_verifies_with_the_public_key():
    codes = _qr_codes(render_direct_pay_notice(DIRECT_PAY))
    assert sorted(codes) == sorted([DIRECT_PAY.qr_token, DIRECT_PAY.verify_url])
    [token] = [code for code in codes if code != DIRECT_PAY.verify_url]
    assert verify_grant(token, {"k1": KEY.public_key()}, now=ISSUED + timedelta(hours=2), hospital_code="YC-H01") == GRANT


def test_the_fund_notice_ticks_the_reasons_that_apply_and_shows_the_amount_in_yuan():
    text = _text(render_fund_notice(FUND))
    for value in (FUND_TITLE, FUND.case_number, FUND.hospital_name, "孙*", "开始救治时间2026年10月01日10时05分", "人民币70,000.05元"):
        assert value in text, value
    assert "☑抢救费用超过机动车交通事故责任强制保险责任限额" in text
    assert "☐肇事机动车未参加机动车交通事故责任强制保险" in text
    assert "☑机动车肇事后逃逸" in text


def test_the_fund_notice_carries_the_verify_qr_code():
    assert _qr_codes(render_fund_notice(FUND)) == [FUND.verify_url]


@pytest.mark.parametrize(("fen", "shown"), [(0, "人民币0.00元"), (5, "人民币0.05元"), (123_456_789, "人民币1,234,567.89元")])
def test_amounts_are_printed_from_fen_exactly(fen, shown):
    assert shown in _text(render_fund_notice(replace(FUND, amount_fen=fen)))


def test_the_same_data_gives_the_same_bytes():
    assert render_direct_pay_notice(DIRECT_PAY) == render_direct_pay_notice(DIRECT_PAY)
    assert render_fund_notice(FUND) == render_fund_notice(FUND)


def test_bad_values_are_refused():
    with pytest.raises(ValueError):
        replace(DIRECT_PAY, valid_until=datetime(2026, 10, 2))
    with pytest.raises(ValueError):
        replace(FUND, amount_fen=-1)
    with pytest.raises(ValueError):
        replace(FUND, reasons=frozenset())
