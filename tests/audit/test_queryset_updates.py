"""Tracked fields changed with a queryset ``update()`` send no signal: those call sites record
with ``record_update``, and these tests fail if one of them stops doing so."""

import pytest
from django.urls import reverse

from partnerships.audit.context import acting_as
from partnerships.audit.services import record_update
from partnerships.organisations.models import Organisation, Status
from partnerships.placements import services as placement_services
from partnerships.placements.models import Application, ApplicationStatus
from tests.placements.conftest import ApplicationFactory, make_students

from .conftest import entries

pytestmark = pytest.mark.django_db


def test_record_update_writes_one_entry_per_changed_row(studio_owner, placement, university):
    A = ApplicationStatus
    rows = [
        ApplicationFactory(placement=placement, student=student, status=status)
        for student, status in zip(
            make_students(3, university), [A.SUBMITTED, A.SHORTLISTED, A.REJECTED], strict=True
        )
    ]
    with acting_as(studio_owner):
        Application.objects.filter(pk__in=[r.pk for r in rows]).update(
            status=ApplicationStatus.REJECTED
        )
        written = record_update(rows, status=ApplicationStatus.REJECTED)
    assert len(written) == 2  # the already rejected one did not change
    recorded = entries("application.status")
    assert [(e.before, e.after) for e in recorded] == [
        ({"status": "submitted"}, {"status": "rejected"}),
        ({"status": "shortlisted"}, {"status": "rejected"}),
    ]
    assert {e.actor_id for e in recorded} == {studio_owner.pk}
    assert {e.organisation_label for e in recorded} == {"Pixel Forge"}


def test_record_update_takes_the_old_values_when_given(platform_admin, pending_studio):
    Organisation.objects.filter(pk=pending_studio.pk).update(status=Status.REJECTED)
    stale = Organisation.objects.get(pk=pending_studio.pk)
    Organisation.objects.filter(pk=stale.pk).update(status=Status.PENDING)
    [entry] = record_update(
        [stale], before={"status": Status.REJECTED}, actor=platform_admin, status=Status.PENDING
    )
    assert (entry.before["status"], entry.after["status"]) == ("rejected", "pending")
    assert entry.actor == platform_admin and entry.organisation_id == stale.pk


def test_bulk_rejection_by_the_studio_is_recorded(client, studio_owner, placement, university):
    rows = [
        ApplicationFactory(placement=placement, student=student)
        for student in make_students(2, university)
    ]
    client.force_login(studio_owner)
    client.post(
        reverse("placements:bulk_reject", args=[placement.pk]),
        {"applications": [r.pk for r in rows], "message": "Thank you, the roles are filled."},
    )
    assert Application.objects.filter(status=ApplicationStatus.REJECTED).count() == 2
    assert len(entries("application.status")) == 2


def test_resubmitting_a_rejected_organisation_is_recorded(pending_owner, pending_studio):
    Organisation.objects.filter(pk=pending_studio.pk).update(status=Status.REJECTED)
    from partnerships.organisations import services

    services.organisation_resubmit(actor=pending_owner, organisation=pending_studio)
    [entry] = entries("organisation.verification")
    assert (entry.before["status"], entry.after["status"]) == ("rejected", "pending")


def test_filling_the_last_position_records_the_acceptance(student, placement, university):
    """The acceptance itself is a save (recorded); the automatic rejections of the others are
    the ``_reject_rows`` update above."""
    placement.positions = 1
    placement.save(update_fields=["positions"])
    offered = ApplicationFactory(
        placement=placement, student=student, status=ApplicationStatus.OFFERED
    )
    placement_services.application_accept(actor=student, application=offered)
    [entry] = entries("application.status", target_id=offered.pk)
    assert entry.after == {"status": "accepted"}
