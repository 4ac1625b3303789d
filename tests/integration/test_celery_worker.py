"""A task enqueued after commit is run by a real worker consuming from Redis."""

import time

import pytest
from django.db import transaction

from partnerships.organisations import services
from partnerships.organisations.models import Status

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def wait_for_mail(folder, text: str, timeout: float = 20.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in folder.glob("*.log"):
            content = path.read_text()
            if text in content:
                return content
        time.sleep(0.2)
    raise AssertionError(f"No email containing {text!r} arrived within {timeout}s")


def test_verification_email_is_sent_by_the_worker_after_commit(
    real_worker, pending_studio, pending_owner, platform_admin
):
    with transaction.atomic():
        services.organisation_verify(actor=platform_admin, organisation=pending_studio)
        # Nothing is queued while the transaction is open.
        time.sleep(0.5)
        assert not any(real_worker.glob("*.log"))
    message = wait_for_mail(real_worker, "Pending Studio")
    assert pending_owner.email in message
    pending_studio.refresh_from_db()
    assert pending_studio.status == Status.VERIFIED


def test_rolled_back_change_sends_nothing(real_worker, pending_studio, platform_admin):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.organisation_verify(actor=platform_admin, organisation=pending_studio)
        raise RuntimeError("the surrounding work failed")
    time.sleep(2)
    assert not any(real_worker.glob("*.log"))
    pending_studio.refresh_from_db()
    assert pending_studio.status == Status.PENDING
