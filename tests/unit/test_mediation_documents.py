"""The mediation agreement (调解书) and termination (调解终结书) PDFs: every field read back with
pypdf, amounts in yuan, the termination reason in the words of Order 146, bad data refused."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from pypdf import PdfReader

from chalicelib.documents.layout import VERIFY_CAPTION
from chalicelib.documents.mediation import (
    AGREEMENT_TITLE,
    TERMINATION_TITLE,
    AgreedItem,
    AgreedShare,
    MediationAgreementData,
    MediationTerminationData,
    SignatoryLine,
    format_yuan,
    render_mediation_agreement,
    render_mediation_termination,
)
from chalicelib.domain.mediation_terms import TerminationReason

SIGNATORIES = (
    SignatoryLine(party_label="甲方", party_name="黄某某", signature="已签字 2026-10-20 10:05"),
    SignatoryLine(party_label="乙方", party_name="李某某", signature="已签字 2026-10-20 10:06"),
)

AGREEMENT = MediationAgreementData(
    document_number="盐公交调字〔2026〕第YC261001M1号",
    case_number="YC261001ABCDEFGH",
    issuing_unit="盐城市公安局交通警察支队",
    mediator="调解员王某（工号M001）",
    basis="《中华人民共和国道路交通安全法》第七十六条、《道路交通事故处理程序规定》第九十一条",
    facts="2026年10月1日8时30分许，黄某某驾驶车辆变更车道时与李某某驾驶的车辆发生刮擦，黄某某负全部责任。",
    losses="乙方车辆左侧车门、后视镜受损。",
    items=(AgreedItem(name="车辆维修费", amount_fen=150050), AgreedItem(name="误工费", amount_fen=30000)),
    shares=(
        AgreedShare(party_label="甲方", party_name="黄某某", amount_fen=80050),
        AgreedShare(party_label="甲方保险公司", party_name="中国人民财产保险股份有限公司盐城市分公司", amount_fen=100000),
    ),
    payment_method="银行转账至乙方账户",
    payment_deadline=date(2026, 10, 30),
    signatories=SIGNATORIES,
    concluded_at=datetime(2026, 10, 20, 2, 7, tzinfo=UTC),  # 10:07 in Beijing
    verify_url="https://ycjj.example.gov.cn/verify/MED0001",
)

TERMINATION = MediationTerminationData(
    document_number="盐公交调终字〔2026〕第YC261001T1号",
    case_number="YC261001ABCDEFGH",
    issuing_unit="盐城市公安局交通警察支队",
    mediator="调解员王某（工号M001）",
    reason=TerminationReason.PARTY_ABSENT,
    reason_text="乙方经两次通知，无正当理由未按期参加调解。",
    facts="2026年10月1日8时30分许，黄某某驾驶车辆变更车道时与李某某驾驶的车辆发生刮擦。",
    started_at=datetime(2026, 10, 20, 2, 0, tzinfo=UTC),
    ended_at=datetime(2026, 10, 20, 2, 40, tzinfo=UTC),
    signatories=(SignatoryLine(party_label="甲方", party_name="黄某某", signature="已签收 2026-10-20 10:41"),),
    verify_url="https://ycjj.example.gov.cn/verify/MED0002",
)


def _text(pdf: bytes) -> str:
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))


def _missing(pdf: bytes, expected: list[str]) -> list[str]:
    text = _text(pdf)
    return [value for value in expected if re.sub(r"\s+", "", value) not in text]


# --- the terms ---------------------------------------------------------------------------


def test_each_termination_reason_has_the_wording_of_order_146() -> None:
    assert TerminationReason.PARTY_SUED.wording == "调解期间有一方当事人向人民法院提起民事诉讼"
    assert TerminationReason.PARTY_ABSENT.wording == "一方当事人无正当理由不参加调解"
    assert TerminationReason.WITHDRAWN.wording == "一方当事人调解过程中退出调解"
    assert "十日内" in TerminationReason.NO_AGREEMENT_IN_TIME.wording
    assert "未达成协议" in TerminationReason.NO_AGREEMENT_IN_TIME.wording
    assert {reason.article for reason in TerminationReason} == {"第九十四条第（一）项", "第九十四条第（二）项", "第九十四条第（三）项",
                                                               "第九十条第三款、第九十三条第三款"}
    assert TerminationReason("WITHDRAWN") is TerminationReason.WITHDRAWN


# --- the agreement ----------------------------------------------------------------------


def test_amounts_are_printed_in_yuan_from_fen() -> None:
    assert format_yuan(150050) == "1,500.50元"
    assert format_yuan(7) == "0.07元"
    assert format_yuan(0) == "0.00元"
    assert format_yuan(123456789) == "1,234,567.89元"


def test_agreement_is_a_pdf_with_every_field_as_text() -> None:
    pdf = render_mediation_agreement(AGREEMENT)
    assert pdf.startswith(b"%PDF-")
    expected = [
        AGREEMENT_TITLE,
        AGREEMENT.document_number,
        AGREEMENT.case_number,
        AGREEMENT.issuing_unit,
        AGREEMENT.mediator,
        AGREEMENT.basis,
        AGREEMENT.facts,
        AGREEMENT.losses,
        "车辆维修费", "1,500.50元", "误工费", "300.00元",
        "合计", "1,800.50元",
        "甲方黄某某", "800.50元", "甲方保险公司中国人民财产保险股份有限公司盐城市分公司", "1,000.00元",
        AGREEMENT.payment_method,
        "2026年10月30日",
        "甲方黄某某", "已签字2026-10-2010:05", "乙方李某某", "已签字2026-10-2010:06",
        "2026年10月20日10时07分",
        VERIFY_CAPTION,
        AGREEMENT.verify_url,
    ]
    assert _missing(pdf, expected) == []


def test_agreement_carries_the_qr_code_and_gives_the_same_bytes_for_the_same_data() -> None:
    first = render_mediation_agreement(AGREEMENT)
    assert render_mediation_agreement(AGREEMENT) == first
    assert render_mediation_agreement(replace(AGREEMENT, mediator="调解员赵某")) != first
    images = [
        ref for page in PdfReader(io.BytesIO(first)).pages
        for ref in page["/Resources"].get_object().get("/XObject", {}).values()
        if ref.get_object().get("/Subtype") == "/Image"
    ]
    assert len(images) == 1


def test_agreement_shares_must_add_up_to_the_total_of_the_items() -> None:
    with pytest.raises(ValueError, match="shares"):
        replace(AGREEMENT, shares=(AgreedShare(party_label="甲方", party_name="黄某某", amount_fen=180049),))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"items": ()}, "at least one item"),
        ({"shares": ()}, "at least one share"),
        ({"signatories": ()}, "at least one signatory"),
        ({"concluded_at": datetime(2026, 10, 20, 10, 7)}, "timezone-aware"),
    ],
)
def test_invalid_agreements_are_refused(changes: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        replace(AGREEMENT, **changes)


def test_an_item_needs_a_name_and_an_amount_in_whole_fen() -> None:
    with pytest.raises(ValueError, match="amount_fen"):
        AgreedItem(name="车辆维修费", amount_fen=-1)
    with pytest.raises(ValueError, match="name"):
        AgreedItem(name=" ", amount_fen=180050)
    with pytest.raises(ValueError, match="amount_fen"):
        AgreedItem(name="车辆维修费", amount_fen=1500.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="amount_fen"):
        AgreedShare(party_label="甲方", party_name="黄某某", amount_fen=True)


# --- the termination --------------------------------------------------------------------


def test_termination_is_a_pdf_with_every_field_and_the_reasons_wording() -> None:
    pdf = render_mediation_termination(TERMINATION)
    expected = [
        TERMINATION_TITLE,
        TERMINATION.document_number,
        TERMINATION.case_number,
        TERMINATION.issuing_unit,
        TERMINATION.mediator,
        TERMINATION.facts,
        TerminationReason.PARTY_ABSENT.wording,
        TerminationReason.PARTY_ABSENT.article,
        TERMINATION.reason_text,
        "2026年10月20日10时00分",  # started
        "2026年10月20日10时40分",  # ended
        "甲方黄某某", "已签收2026-10-2010:41",
        VERIFY_CAPTION,
        TERMINATION.verify_url,
    ]
    assert _missing(pdf, expected) == []
    for other in (TerminationReason.PARTY_SUED, TerminationReason.WITHDRAWN):
        assert other.wording not in _text(pdf)


@pytest.mark.parametrize("reason", list(TerminationReason))
def test_every_reason_prints_its_own_wording(reason: TerminationReason) -> None:
    text = _text(render_mediation_termination(replace(TERMINATION, reason=reason.value)))
    assert reason.wording in text


def test_same_termination_gives_same_bytes() -> None:
    assert render_mediation_termination(TERMINATION) == render_mediation_termination(TERMINATION)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"reason": "BORED"}, "reason"),
        ({"started_at": datetime(2026, 10, 20, 10, 0)}, "timezone-aware"),
        ({"ended_at": datetime(2026, 10, 20, 1, 0, tzinfo=UTC)}, "ended_at"),
    ],
)
def test_invalid_terminations_are_refused(changes: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        replace(TERMINATION, **changes)


def test_termination_accepts_the_reason_as_its_plain_value() -> None:
    data = replace(TERMINATION, reason="WITHDRAWN")
    assert data.reason == TerminationReason.WITHDRAWN
