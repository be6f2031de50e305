"""The determination bench's split wraps what the service really calls: the service imports
`render_letter` from its module when it draws (ADR 0039), so the wrapper must sit there (a wrapper
on the service module failed the bench section once the import moved)."""

from bench import letter_split
from bench.recorder import Recorder


def test_given_the_split_when_entered_then_the_letter_drawing_the_service_imports_is_timed_and_restored_after():
    from chalicelib.documents import layout, render

    drawing, qr = render.render_letter, layout.qr_image
    with letter_split.splitting(Recorder()):
        from chalicelib.documents.render import render_letter  # as services/determination.py does

        assert render_letter is not drawing and layout.qr_image is not qr
    assert (render.render_letter, layout.qr_image) == (drawing, qr)
