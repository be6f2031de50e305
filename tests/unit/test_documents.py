"""The letter and the agreement PDFs (chalicelib.documents): every field comes back out as text."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from pypdf import PdfReader

from chalicelib.documents.model import AgreementData, LetterData, PartyLine
from chalicelib.documents.render import ALL_SIGNED, VERIFY_CAPTION, render_agreement, render_letter

ROOT = Path(__file__).resolve().parents[2]

PARTY_A = PartyLine(
    label="甲方",
    name="张三",
    id_number="320902199001011234",
    phone="13812345678",
    kind="机动车",
    vehicle_type="小型轿车",
    plate="苏J12345",
    insurer="中国人民财产保险股份有限公司盐城市分公司",
    policy_no="PDZA202632090000012345",
    collision_part="车辆前部",
    liability="全部责任",
    signature="已签字 2026-10-01 08:41",
)
PARTY_B = PartyLine(
    label="乙方",
    name="李四",
    id_number="32090219850505432X",
    phone="13998765432",
    kind="机动车",
    vehicle_type="小型普通客车",
    plate="苏JA8B88",
    insurer="中国平安财产保险股份有限公司",
    policy_no="ABJS2026000099",
    collision_part="车辆尾部",
    liability="无责任",
    signature="拒绝签字（2026-10-01 08:45）：对责任认定有异议",
)
PARTY_C = PartyLine(
    label="丙方",
    name="王五",
    id_number="320903197702023456",
    phone="13700001111",
    kind="非机动车",
    vehicle_type="电动自行车",
    plate=None,
    insurer=None,
    policy_no=None,
    collision_part="车身左侧",
    liability="次要责任",
    signature="已签字 2026-10-01 08:43",
)

REFUSAL = "乙方李四于2026年10月01日08时45分拒绝签字，理由：对责任认定有异议"
VERIFY_URL = "https://ycjj.example.gov.cn/verify/01JABCDEFGHJKMNPQRSTVWXYZ0?t=abc&x=1"
FACTS = (
    "2026年10月1日8时30分许，张三驾驶苏J12345号小型轿车沿开放大道由南向北行驶至人民路交叉口北侧50米处时，"
    "车辆前部与同向前方等候通行的李四驾驶的苏JA8B88号小型普通客车尾部发生碰撞，造成两车受损的道路交通事故。"
)

LETTER = LetterData(
    document_number="盐公交简认字〔2026〕第YC261001ABCDEFGH号",
    issuing_unit="盐城市公安局交通警察支队",
    officer_badge="320901",
    issued_at=datetime(2026, 10, 1, 0, 50, tzinfo=UTC),  # 08:50 in Beijing
    occurred_at=datetime(2026, 10, 1, 0, 30, tzinfo=UTC),  # 08:30 in Beijing
    place="盐城市亭湖区开放大道与人民路交叉口北侧50米",
    weather="晴",
    accident_form="追尾碰撞",
    scenario="追尾：后车未保持安全距离，追撞同车道前方车辆",
    facts=FACTS,
    parties=(PARTY_A, PARTY_B),
    review_deadline=date(2026, 10, 12),
    mediation_deadline=date(2026, 10, 23),
    verify_url=VERIFY_URL,
    refusals=(REFUSAL,),
    reissue_note="本认定书于2026年10月01日08时50分重新出具，记载当事人拒绝签字情况",
)

AGREEMENT = AgreementData(
    document_number="盐交协字〔2026〕第YC261001XYZ号",
    concluded_at=datetime(2026, 10, 1, 8, 55, tzinfo=timezone(timedelta(hours=8))),
    occurred_at=datetime(2026, 10, 1, 0, 30, tzinfo=UTC),
    place="盐城市盐都区世纪大道88号",
    weather="小雨",
    accident_form="刮擦",
    scenario="变更车道：变更车道时未让正常行驶车辆先行",
    facts="甲方变更车道时与乙方车辆发生刮擦。",
    parties=(
        replace(PARTY_A, signature="已签字 2026-10-01 08:52"),
        replace(PARTY_B, liability="无责任", signature="已签字 2026-10-01 08:54"),
    ),
    verify_url="https://ycjj.example.gov.cn/verify/AGR0001",
)


def _text(pdf: bytes) -> str:
    """All pages' text (pypdf), whitespace removed: cells wrap values onto several lines."""
    pages = PdfReader(io.BytesIO(pdf)).pages
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in pages))


def _squash(value: str) -> str:
    return re.sub(r"\s+", "", value)


def _party_values(party: PartyLine) -> list[str]:
    values = [party.label, party.name, party.id_number, party.phone, party.kind, party.liability, party.signature]
    values += [v for v in (party.vehicle_type, party.plate, party.insurer, party.policy_no, party.collision_part) if v]
    return values


def _image_count(pdf: bytes) -> int:
    count = 0
    for page in PdfReader(io.BytesIO(pdf)).pages:
        resources = page.get("/Resources")
        xobjects = resources.get_object().get("/XObject") if resources else None
        if xobjects:
            count += sum(1 for ref in xobjects.get_object().values() if ref.get_object().get("/Subtype") == "/Image")
    return count


# --- the letter ------------------------------------------------------------------------


def test_letter_is_a_pdf_with_every_field_as_text() -> None:
    pdf = render_letter(LETTER)
    assert pdf.startswith(b"%PDF-")
    text = _text(pdf)
    expected = [
        "道路交通事故认定书（简易程序）",
        LETTER.document_number,
        LETTER.issuing_unit,
        LETTER.officer_badge,
        "2026年10月01日08时50分",  # issued_at, Beijing time
        "2026年10月01日08时30分",  # occurred_at, Beijing time
        LETTER.place,
        LETTER.weather,
        LETTER.accident_form,
        LETTER.scenario,
        LETTER.facts,
        *_party_values(PARTY_A),
        *_party_values(PARTY_B),
        "甲方张三：全部责任",
        "乙方李四：无责任",
        "截止2026年10月12日",  # review deadline
        "截止2026年10月23日",  # mediation deadline
        "复核",
        "调解",
        "向上一级公安机关交通管理部门提出书面复核申请",
        "共同申请公安机关交通管理部门调解",
        "直接向人民法院提起民事诉讼",
        "拒绝签字情况",
        REFUSAL,
        "本认定书于2026年10月01日08时50分重新出具，记载当事人拒绝签字情况",
        VERIFY_CAPTION,
        VERIFY_URL,
    ]
    missing = [value for value in expected if _squash(value) not in text]
    assert missing == []


def test_letter_fields_survive_plain_extraction_without_squashing() -> None:
    """Short values come out verbatim from pypdf, not only after removing whitespace."""
    raw = "".join(page.extract_text() for page in PdfReader(io.BytesIO(render_letter(LETTER))).pages)
    for value in (LETTER.document_number, LETTER.issuing_unit, PARTY_A.id_number, PARTY_A.phone, VERIFY_URL, REFUSAL):
        assert value in raw


def test_letter_carries_the_qr_code_as_an_image() -> None:
    assert _image_count(render_letter(LETTER)) == 1


def test_a_real_decoder_reads_the_verify_url_off_the_letter() -> None:
    import pypdfium2
    import zxingcpp

    found = []
    for page in pypdfium2.PdfDocument(render_letter(LETTER)):
        image = page.render(scale=3).to_pil()
        found += [code.text for code in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)]
    assert found == [VERIFY_URL]


def test_a_qr_code_is_drawn_without_trying_every_mask(monkeypatch) -> None:
    """qrcode scores all eight mask patterns (pure Python, ~80% of a QR's drawing) unless one is given."""
    import qrcode.main

    from chalicelib.documents.layout import qr_image

    def refuse(*args, **kwargs):
        raise AssertionError("every mask pattern was tried")

    monkeypatch.setattr(qrcode.main.QRCode, "best_mask_pattern", refuse)
    assert qr_image(VERIFY_URL, 70) is not None


def test_letter_without_refusals_has_no_refusal_section_and_prints_mediation() -> None:
    data = replace(LETTER, refusals=(), reissue_note=None, mediation_result="经现场调解，甲方赔偿乙方车辆维修费人民币1500元。")
    text = _text(render_letter(data))
    assert "拒绝签字情况" not in text
    assert "调解结果" in text
    assert "经现场调解，甲方赔偿乙方车辆维修费人民币1500元。" in text


def test_same_letter_gives_same_bytes() -> None:
    first = render_letter(LETTER)
    assert render_letter(LETTER) == first
    assert render_letter(replace(LETTER, officer_badge="320902")) != first


def test_three_party_letter() -> None:
    data = replace(LETTER, parties=(PARTY_A, PARTY_B, PARTY_C))
    pdf = render_letter(data)
    text = _text(pdf)
    for party in data.parties:
        assert [v for v in _party_values(party) if _squash(v) not in text] == []
    assert "丙方王五：次要责任" in text
    for absent in ("号牌号码无", "保险公司无", "保险单号无"):  # 丙方's missing values are printed as 无
        assert absent in text
    assert _image_count(pdf) == 1


def test_long_facts_wrap_onto_further_pages() -> None:
    sentence = "张三驾驶小型轿车沿开放大道由南向北行驶时未与前车保持安全距离车辆前部与前车尾部发生碰撞"
    facts = (sentence * 40)[:800]
    assert len(facts) == 800
    pdf = render_letter(replace(LETTER, facts=facts))
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 2
    # Page footers (document number + page number) sit between the pages' text: drop them.
    footer = re.escape(_squash(LETTER.document_number)) + r"第\d+页"
    text = re.sub(footer, "", _text(pdf))
    assert facts in text
    assert VERIFY_URL in text


def test_markup_characters_and_newlines_are_printed_literally() -> None:
    data = replace(LETTER, place="A&B<路>口", facts="第一行\n第二行 <b>不是粗体</b> & 其他")
    text = _text(render_letter(data))
    assert "A&B<路>口" in text
    assert _squash("第一行第二行<b>不是粗体</b>&其他") in text


def test_times_are_printed_in_beijing_time() -> None:
    late = replace(LETTER, occurred_at=datetime(2026, 9, 30, 16, 5, tzinfo=UTC))  # 2026-10-01 00:05 in Beijing
    assert "2026年10月01日00时05分" in _text(render_letter(late))


# --- the agreement ---------------------------------------------------------------------


def test_agreement_is_a_pdf_with_every_field_as_text() -> None:
    pdf = render_agreement(AGREEMENT)
    assert pdf.startswith(b"%PDF-")
    text = _text(pdf)
    expected = [
        "道路交通事故自行协商协议书",
        AGREEMENT.document_number,
        "2026年10月01日08时55分",  # concluded_at
        "2026年10月01日08时30分",  # occurred_at
        AGREEMENT.place,
        AGREEMENT.weather,
        AGREEMENT.accident_form,
        AGREEMENT.scenario,
        AGREEMENT.facts,
        *(value for party in AGREEMENT.parties for value in _party_values(party)),
        "甲方张三：全部责任",
        "乙方李四：无责任",
        ALL_SIGNED,
        VERIFY_CAPTION,
        AGREEMENT.verify_url,
    ]
    assert [value for value in expected if _squash(value) not in text] == []
    assert "复核" not in text  # the letter's notice of rights is not on the agreement
    assert _image_count(pdf) == 1


def test_two_party_agreement_fits_on_one_page() -> None:
    assert len(PdfReader(io.BytesIO(render_agreement(AGREEMENT))).pages) == 1


def test_same_agreement_gives_same_bytes() -> None:
    assert render_agreement(AGREEMENT) == render_agreement(AGREEMENT)


# --- the model -------------------------------------------------------------------------


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        replace(LETTER, issued_at=datetime(2026, 10, 1, 8, 50))
    with pytest.raises(ValueError, match="timezone-aware"):
        replace(AGREEMENT, occurred_at=datetime(2026, 10, 1, 8, 30))


def test_a_document_needs_a_party() -> None:
    with pytest.raises(ValueError, match="at least one party"):
        replace(LETTER, parties=())
    with pytest.raises(ValueError, match="at least one party"):
        replace(AGREEMENT, parties=())


def test_model_and_render_modules_import_without_reportlab() -> None:
    probe = (
        "import sys\n"
        "import chalicelib.documents.model, chalicelib.documents.render\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in {'reportlab', 'qrcode', 'PIL'})\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", probe], cwd=ROOT, check=True)


# --- provisional deadlines and each party's own ------------------------------------------------

PROVISIONAL_NOTE = "期限按现行节假日安排暂定，如国务院公布新的安排将重新计算并通知。"


def test_given_provisional_deadlines_when_the_letter_is_rendered_then_it_shows_the_mark_and_why() -> None:
    text = _squash(_text(render_letter(replace(LETTER, provisional_note=PROVISIONAL_NOTE))))
    assert "暂定" in text
    assert _squash(PROVISIONAL_NOTE) in text
    assert _squash("（截止2026年10月12日，暂定）") in text and _squash("（截止2026年10月23日，暂定）") in text


def test_given_final_deadlines_when_the_letter_is_rendered_then_no_provisional_mark() -> None:
    assert "暂定" not in _text(render_letter(LETTER))


def test_given_each_partys_own_deadlines_when_the_letter_is_rendered_then_each_line_is_printed() -> None:
    lines = ("甲方张三：2026年10月09日签收送达，复核申请截止2026年10月14日，调解申请截止2026年10月23日",)
    text = _squash(_text(render_letter(replace(LETTER, party_deadlines=lines))))
    assert _squash("各方当事人的期限（自送达之日起计算）") in text
    assert _squash(lines[0]) in text
