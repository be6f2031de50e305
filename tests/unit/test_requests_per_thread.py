"""Each thread serving the app reads its own request (infra/local/requests_per_thread.py)."""

import threading

from chalice import Chalice

from infra.local.requests_per_thread import requests_per_thread


def test_given_two_threads_mid_request_then_each_reads_the_request_it_was_given():
    app = requests_per_thread(Chalice(app_name="per-thread-under-test"))
    both_set = threading.Barrier(2)
    read: dict[str, object] = {}

    def serve(name: str) -> None:
        app.current_request = name  # what Chalice does at the start of each request
        both_set.wait(timeout=30)  # the other thread has set its own by now
        read[name] = app.current_request

    threads = [threading.Thread(target=serve, args=(name,)) for name in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert read == {"first": "first", "second": "second"}


def test_applying_it_twice_keeps_one_per_thread_class_and_the_app_s_own_class():
    class OwnApp(Chalice):
        pass

    app = requests_per_thread(requests_per_thread(OwnApp(app_name="twice")))
    assert isinstance(app, OwnApp)
    assert [cls.__name__ for cls in type(app).__mro__].count("PerThreadOwnApp") == 1
