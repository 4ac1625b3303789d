"""The Celery application. Configuration lives in Django settings under the CELERY_ prefix."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnerships.settings")

app = Celery("partnerships")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


# --- the request id follows work queued during a request into the worker ---------------------
from celery.signals import before_task_publish, task_postrun, task_prerun  # noqa: E402

from partnerships.core import logging as request_logging  # noqa: E402

_tokens: dict[str, object] = {}


@before_task_publish.connect
def _send_request_id(headers=None, **kwargs) -> None:
    if headers is not None and "request_id" not in headers:
        headers["request_id"] = request_logging.get_request_id()


@task_prerun.connect
def _receive_request_id(task_id=None, task=None, **kwargs) -> None:
    incoming = request_logging.clean_request_id(task.request.get("request_id"))
    _tokens[task_id] = request_logging.set_request_id(incoming or f"task-{task_id}")


@task_postrun.connect
def _forget_request_id(task_id=None, **kwargs) -> None:
    token = _tokens.pop(task_id, None)
    if token is not None:
        request_logging.reset_request_id(token)
