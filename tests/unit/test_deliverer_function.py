"""The deliverer Lambda is a thin shell over the delivery service."""

from types import SimpleNamespace

from functions.deliverer import handler as deliverer


def test_given_schedule_event_when_invoked_then_delivers_with_the_event_limit(monkeypatch):
    calls = []
    def deliver_due(limit, seconds_left):
        calls.append((limit, seconds_left()))
        return {"DELIVERED": 2}

    monkeypatch.setattr(deliverer, "deliver_due", deliver_due)
    context = SimpleNamespace(
        function_name="deliverer",
        memory_limit_in_mb=256,
        invoked_function_arn="arn:aws:lambda:ap-east-1:0:function:d",
        aws_request_id="r-1",
        get_remaining_time_in_millis=lambda: 42_000,
    )
    assert deliverer.handler({"limit": 7}, context) == {"DELIVERED": 2}
    assert calls == [(7, 42.0)]
