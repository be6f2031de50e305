"""The plausibility rules of a shot (declared time and place, the camera's own EXIF) and the EXIF reader."""

from datetime import UTC, datetime, timedelta, timezone

from chalicelib import config
from chalicelib.domain import evidence as ev
from chalicelib.domain import geo
from chalicelib.integrations import camera_metadata
from tests.factories import exif_jpeg, photo

RULES = config.load("evidence")["plausibility"]
CST = timezone(timedelta(hours=8))
OCCURRED = datetime(2026, 11, 29, 10, 0, tzinfo=CST)
SCENE = geo.Point(33.38, 120.15)


def _codes(flags):
    return [flag.code for flag in flags]


def test_given_default_configuration_then_window_is_ten_minutes_before_to_two_hours_after_within_500_m():
    assert RULES["capturedFromMinutesBefore"] == 10
    assert RULES["capturedUntilMinutesAfter"] == 120
    assert RULES["maxMetresFromScene"] == 500


def test_given_capture_inside_the_window_at_the_scene_then_no_flags():
    for offset in (timedelta(minutes=-10), timedelta(0), timedelta(hours=2)):
        assert ev.declared_flags(RULES, OCCURRED, SCENE, OCCURRED + offset, SCENE) == []
        assert not ev.captured_too_early(RULES, OCCURRED, OCCURRED + offset)


def test_given_capture_before_the_window_then_too_early():
    assert ev.captured_too_early(RULES, OCCURRED, OCCURRED - timedelta(minutes=10, seconds=1))


def test_given_capture_after_the_window_then_flagged_late_with_the_delay_in_words():
    flags = ev.declared_flags(RULES, OCCURRED, SCENE, OCCURRED + timedelta(hours=2, minutes=30), SCENE)
    assert _codes(flags) == ["CAPTURED_LATE"]
    assert "2小时30分钟" in flags[0].text and "2小时内" in flags[0].text


def test_given_position_beyond_the_distance_then_flagged_far():
    flags = ev.declared_flags(RULES, OCCURRED, SCENE, OCCURRED, geo.Point(33.3850, 120.15))  # about 550 m north
    assert _codes(flags) == ["FAR_FROM_SCENE"]
    assert "米" in flags[0].text and "500米内" in flags[0].text
    assert ev.declared_flags(RULES, OCCURRED, SCENE, OCCURRED, geo.Point(33.3840, 120.15)) == []  # about 440 m


def test_given_camera_within_tolerance_then_no_flags_and_beyond_then_flagged():
    camera = ev.Camera(taken_at=OCCURRED + timedelta(minutes=9), position=geo.Point(33.381, 120.15))
    assert ev.camera_flags(RULES, OCCURRED, SCENE, camera) == []
    late = ev.Camera(taken_at=OCCURRED - timedelta(minutes=11))
    assert _codes(ev.camera_flags(RULES, OCCURRED, SCENE, late)) == ["CAMERA_TIME_MISMATCH"]
    away = ev.Camera(position=geo.Point(33.40, 120.15))
    assert _codes(ev.camera_flags(RULES, OCCURRED, SCENE, away)) == ["CAMERA_POSITION_MISMATCH"]
    assert ev.camera_flags(RULES, OCCURRED, SCENE, None) == []


def test_given_exif_jpeg_then_time_in_the_default_offset_and_position_read():
    content = exif_jpeg(datetime(2026, 11, 29, 10, 5, 7), 33.3801, -120.1502)
    camera = camera_metadata.read(content[: camera_metadata.HEAD_BYTES], "+08:00")
    assert camera is not None
    assert camera.taken_at == datetime(2026, 11, 29, 10, 5, 7, tzinfo=CST)
    assert camera.position is not None
    assert abs(camera.position.lat - 33.3801) < 1e-5 and abs(camera.position.lng + 120.1502) < 1e-5


def test_given_exif_with_its_own_offset_then_that_offset_wins():
    camera = camera_metadata.read(exif_jpeg(datetime(2026, 11, 29, 2, 0), offset="+00:00"), "+08:00")
    assert camera is not None and camera.taken_at == datetime(2026, 11, 29, 2, 0, tzinfo=UTC)
    assert camera.position is None


def test_given_no_exif_or_not_a_jpeg_or_garbage_then_nothing_read():
    assert camera_metadata.read(exif_jpeg(), "+08:00") is None
    assert camera_metadata.read(photo(1), "+08:00") is None
    assert camera_metadata.read(b"\xff\xd8\xff\xe1\x00\x10Exif\x00\x00II*\x00\xff\xff", "+08:00") is None
    assert camera_metadata.read(b"\xff\xd8", "+08:00") is None


def test_given_truncated_or_mangled_exif_then_never_an_error():
    content = exif_jpeg(datetime(2026, 11, 29, 10, 5, 7), 33.38, 120.15)
    for cut in range(0, len(content), 7):
        camera_metadata.read(content[:cut], "+08:00")
        mangled = bytearray(content)
        mangled[min(cut, len(content) - 1)] ^= 0xFF
        camera_metadata.read(bytes(mangled), "+08:00")
