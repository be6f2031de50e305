"""The observability module: no personal data in log lines, case keys, metrics."""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aws_lambda_powertools import Logger

from chalicelib.observability import (
    PersonalDataScrubbingFormatter,
    bind_case,
    clear_case,
    install_scrubbing,
    logger,
    metrics,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
RAW_VALUES = ("13812345678", "320902199001011234", "张三", "苏J12345")


class CapturedLog:
    def __init__(self, buffer: io.StringIO) -> None:
        self.buffer = buffer

    @property
    def text(self) -> str:
        return self.buffer.getvalue()

    @property
    def lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.text.splitlines() if line.strip()]


@pytest.fixture
def captured() -> Iterator[CapturedLog]:
    handler = logger.registered_handler
    assert isinstance(handler, logging.StreamHandler)
    buffer = io.StringIO()
    previous_stream = handler.setStream(buffer)
    previous_level = logger.log_level
    logger.setLevel("INFO")
    try:
        yield CapturedLog(buffer)
    finally:
        clear_case()
        logger.setLevel(previous_level)
        handler.setStream(previous_stream)


def test_given_the_module_logger_when_inspected_then_it_formats_through_the_scrubber() -> None:
    assert logger.service == "yunchetong"
    assert isinstance(logger.registered_formatter, PersonalDataScrubbingFormatter)


def test_given_personal_data_in_message_and_extra_when_logged_then_only_masked_forms_appear(
    captured: CapturedLog,
) -> None:
    logger.info(
        "call from 13812345678 about 320902199001011234",
        extra={"party": {"name": "张三", "plate": "苏J12345"}},
    )

    for raw in RAW_VALUES:
        assert raw not in captured.text
    for masked in ("138****5678", "320***********1234", "张*", "苏J1***5"):
        assert masked in captured.text
    [line] = captured.lines
    assert line["message"] == "call from 138****5678 about 320***********1234"
    assert line["party"] == {"name": "张*", "plate": "苏J1***5"}
    assert line["service"] == "yunchetong"
    assert line["level"] == "INFO"


def test_given_a_dict_message_when_logged_then_masked_by_key(captured: CapturedLog) -> None:
    logger.info({"action": "party added", "name": "张三", "idNumber": "320902199001011234"})

    [line] = captured.lines
    assert line["message"] == {"action": "party added", "name": "张*", "idNumber": "320***********1234"}


def test_given_percent_style_arguments_when_logged_then_the_formatted_message_is_masked(
    captured: CapturedLog,
) -> None:
    logger.info("party %s phoned from %s", "苏J12345", "+86 138 1234 5678")

    [line] = captured.lines
    assert line["message"] == "party 苏J1***5 phoned from 138****5678"


def test_given_an_exception_carrying_personal_data_when_logged_then_traceback_is_masked(
    captured: CapturedLog,
) -> None:
    try:
        raise ValueError("no party with phone 13812345678 and plate 苏J12345")
    except ValueError:
        logger.exception("lookup failed for 320902199001011234")

    for raw in RAW_VALUES:
        assert raw not in captured.text
    [line] = captured.lines
    assert line["exception_name"] == "ValueError"
    assert "138****5678" in line["exception"]
    assert line["stack_trace"]["value"] == "no party with phone 138****5678 and plate 苏J1***5"


def test_given_a_key_appended_with_personal_data_when_logged_then_masked(captured: CapturedLog) -> None:
    logger.append_keys(reporter_phone="13812345678")
    try:
        logger.info("reported")
    finally:
        logger.remove_keys(["reporter_phone"])

    [line] = captured.lines
    assert line["reporter_phone"] == "138****5678"


def test_given_a_pydantic_model_in_extra_when_logged_then_its_fields_are_masked_by_key(
    captured: CapturedLog,
) -> None:
    from pydantic import BaseModel

    class Party(BaseModel):
        name: str
        phone: str

    logger.info("party", extra={"party": Party(name="张三", phone="13812345678")})

    [line] = captured.lines
    assert line["party"] == {"name": "张*", "phone": "138****5678"}


def test_given_a_broken_log_call_when_logged_then_a_masked_line_and_no_error(
    captured: CapturedLog, capsys: pytest.CaptureFixture[str]
) -> None:
    logger.info("call from 13812345678 %s %s", "only one argument")

    [line] = captured.lines
    assert line["message"] == "call from 138****5678 %s %s"
    assert line["log_format_error"] == "TypeError"
    assert "13812345678" not in capsys.readouterr().err


def test_given_a_message_that_cannot_be_serialised_when_logged_then_a_masked_fallback_line(
    captured: CapturedLog, capsys: pytest.CaptureFixture[str]
) -> None:
    logger.info({("tuple", "key"): "13812345678", "name": "张三"})

    [line] = captured.lines
    assert line["log_format_error"] == "TypeError"
    assert "138****5678" in line["message"]
    assert "张*" in line["message"]
    stderr = capsys.readouterr().err
    for raw in RAW_VALUES:
        assert raw not in captured.text
        assert raw not in stderr


def test_given_another_handler_on_the_way_when_logged_then_it_too_sees_only_masked_values(
    captured: CapturedLog, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    try:
        raise RuntimeError("plate 苏J12345")
    except RuntimeError:
        logger.exception(
            "call from %s about %s",
            "13812345678",
            "320902199001011234",
            extra={"party": {"name": "张三"}},
        )

    [record] = [r for r in caplog.records if r.name == logger.name]
    assert record.getMessage() == "call from 138****5678 about 320***********1234"
    assert record.party == {"name": "张*"}  # type: ignore[attr-defined]
    for raw in RAW_VALUES:
        assert raw not in caplog.text
    assert "苏J1***5" in caplog.text


def test_given_a_bound_case_when_logging_then_case_and_execution_ids_on_every_line(
    captured: CapturedLog,
) -> None:
    bind_case(case_id="YC250101K3M9Q2TZ", execution_id="exec-0001")

    logger.info("first")
    logger.warning("second")

    for line in captured.lines:
        assert line["case_id"] == "YC250101K3M9Q2TZ"
        assert line["execution_id"] == "exec-0001"


def test_given_a_bound_case_when_only_the_execution_id_is_bound_later_then_case_id_is_kept(
    captured: CapturedLog,
) -> None:
    bind_case(case_id="YC250101K3M9Q2TZ")
    bind_case(execution_id="exec-0002")

    logger.info("both")

    [line] = captured.lines
    assert (line["case_id"], line["execution_id"]) == ("YC250101K3M9Q2TZ", "exec-0002")


def test_given_a_bound_case_when_cleared_then_the_keys_are_gone(captured: CapturedLog) -> None:
    bind_case(case_id="YC250101K3M9Q2TZ", execution_id="exec-0003")
    clear_case()

    logger.info("after")

    [line] = captured.lines
    assert "case_id" not in line
    assert "execution_id" not in line


def test_given_a_powertools_logger_configured_elsewhere_when_scrubbing_installed_then_it_masks() -> None:
    buffer = io.StringIO()
    foreign = Logger(service="yunchetong-test-foreign", logger_handler=logging.StreamHandler(buffer))
    foreign.append_keys(tenant="police")
    foreign.info("plain 13812345678")
    assert "13812345678" in buffer.getvalue()

    install_scrubbing(foreign)
    foreign.info("scrubbed 13812345678")

    last = json.loads(buffer.getvalue().splitlines()[-1])
    assert last["message"] == "scrubbed 138****5678"
    assert last["service"] == "yunchetong-test-foreign"
    assert last["tenant"] == "police"


def test_given_the_metrics_when_inspected_then_namespace_and_service_set() -> None:
    assert metrics.namespace == "Yunchetong"
    assert metrics.service == "yunchetong"


def test_given_a_fresh_interpreter_when_module_imported_then_no_boto3_and_no_xray_core() -> None:
    code = (
        "import sys, chalicelib.observability\n"
        "heavy = sorted(m for m in sys.modules if m == 'boto3' or m.startswith(("
        "'boto3.', 'botocore.', 'aws_xray_sdk.core')))\n"
        "print(','.join(heavy))\n"
    )

    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    assert result.stdout.strip() == ""
