"""Request ids and structured logs: one id per request, in the response, every log line written
while serving it, the 500 page, and the Celery tasks it queues."""

import io
import json
import logging

import pytest
from celery.app.task import Context

from partnerships import celery as celery_app
from partnerships.core import logging as request_logging
from partnerships.core.error_views import server_error


@pytest.mark.django_db
def test_every_response_carries_a_request_id(client):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]
    assert len(first) == 32 and first != second


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("incoming", "kept"),
    [
        ("proxy-4f1c2a9e", True),
        ("short", False),  # too short to be an id
        ("x" * 65, False),
        ("bad id; DROP", False),
        ("line\nbreak-injected", False),
    ],
)
def test_a_well_formed_proxy_id_is_kept_and_anything_else_replaced(client, incoming, kept):
    response = client.get("/healthz", headers={"X-Request-ID": incoming})
    assert (response["X-Request-ID"] == incoming) is kept
    assert request_logging.VALID_ID.match(response["X-Request-ID"])


@pytest.mark.django_db
def test_the_access_line_names_the_request(client, caplog, student):
    caplog.set_level(logging.INFO, logger="tandem.request")
    client.force_login(student)
    response = client.get("/healthz", headers={"X-Request-ID": "trace-12345678"})
    (record,) = [r for r in caplog.records if r.name == "tandem.request"]
    assert response["X-Request-ID"] == "trace-12345678"
    assert (record.method, record.path, record.status) == ("GET", "/healthz", response.status_code)
    assert record.user_id == student.pk and record.ms >= 0


def test_json_lines_carry_the_request_id_and_extras():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(request_logging.RequestIdFilter())
    handler.setFormatter(request_logging.JsonFormatter())
    logger = logging.getLogger("tests.request_logging")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        token = request_logging.set_request_id("req-abcdef12")
        try:
            logger.warning("Placement %s closed", 7, extra={"placement_id": 7})
            try:
                raise ValueError("boom")
            except ValueError:
                logger.exception("Failed")
        finally:
            request_logging.reset_request_id(token)
        logger.warning("outside")
    finally:
        logger.removeHandler(handler)
    first, second, third = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["message"] == "Placement 7 closed" and first["placement_id"] == 7
    assert first["request_id"] == second["request_id"] == "req-abcdef12"
    assert "ValueError: boom" in second["exception"] and second["level"] == "ERROR"
    assert third["request_id"] == "-"


def test_the_500_page_shows_the_reference(rf):
    token = request_logging.set_request_id("req-5000abcd")
    try:
        response = server_error(rf.get("/"))
    finally:
        request_logging.reset_request_id(token)
    assert response.status_code == 500
    assert b"req-5000abcd" in response.content


def test_tasks_queued_during_a_request_inherit_its_id():
    token = request_logging.set_request_id("req-taskabcd")
    headers: dict = {}
    try:
        celery_app._send_request_id(headers=headers)
    finally:
        request_logging.reset_request_id(token)
    assert headers["request_id"] == "req-taskabcd"

    class FakeTask:
        request = Context(headers)

    celery_app._receive_request_id(task_id="t1", task=FakeTask())
    assert request_logging.get_request_id() == "req-taskabcd"
    celery_app._forget_request_id(task_id="t1")
    assert request_logging.get_request_id() == "-"

    FakeTask.request = Context({})  # queued outside a request (beat): its own id
    celery_app._receive_request_id(task_id="t2", task=FakeTask())
    assert request_logging.get_request_id() == "task-t2"
    celery_app._forget_request_id(task_id="t2")
