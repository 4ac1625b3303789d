"""University sign-off: officers, the configurable checklist, approve (full and low-risk paths)
or refuse with a reason; only officers of the student's institution decide."""

import pytest
from django.core import mail

from partnerships.core.errors import Conflict, DomainError, PermissionDenied
from partnerships.placements import services
from partnerships.placements.models import ApprovalStatus, PlacementApproval, PlacementOfficer

from .conftest import ApplicationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def approval(placement, student, university, officer, django_capture_on_commit_callbacks):
    """Sam accepts an offer that counts for credit: an approval is asked of Northbridge."""
    application = ApplicationFactory(
        placement=placement, student=student, institution=university, status="offered",
        for_credit=True,
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        services.application_accept(actor=student, application=application)
    return PlacementApproval.objects.get(application=application)


def test_accepting_for_credit_asks_the_officers(approval, officer):
    assert approval.status == ApprovalStatus.PENDING
    assert any(m.to == [officer.email] and "approval" in m.subject for m in mail.outbox)
    texts = [item.text for item in services.checklist_items(approval.institution)]
    assert len(texts) == 3 and any("insurance" in t for t in texts)


def test_full_path_needs_every_item(approval, officer, django_capture_on_commit_callbacks):
    items = services.checklist_items(approval.institution)
    with pytest.raises(DomainError, match="required item"):
        services.approval_approve(actor=officer, approval=approval, checked_items=[items[0].pk])
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.PENDING
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.approval_approve(
            actor=officer, approval=approval, checked_items=[i.pk for i in items]
        )
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.APPROVED and approval.decided_by == officer
    student = approval.application.student
    assert set(mail.outbox[0].to) == {student.email, "oscar@pixelforge.example"}


def test_low_risk_path_needs_only_the_low_risk_items(approval, officer):
    items = services.checklist_items(approval.institution)
    light = [i.pk for i in items if i.required_for_low_risk]
    assert len(light) < len(items)
    services.approval_approve(actor=officer, approval=approval, checked_items=light, low_risk=True)
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.APPROVED and approval.low_risk


def test_refusal_needs_a_reason(approval, officer):
    with pytest.raises(DomainError):
        services.approval_refuse(actor=officer, approval=approval, reason="  ")
    services.approval_refuse(actor=officer, approval=approval, reason="No insurance")
    approval.refresh_from_db()
    assert (approval.status, approval.reason) == (ApprovalStatus.REFUSED, "No insurance")
    with pytest.raises(Conflict):
        services.approval_approve(actor=officer, approval=approval)


@pytest.mark.parametrize(
    "persona",
    ["student", "studio_owner", "other_officer", "platform_admin", "lecturer_unappointed"],
)
def test_only_the_institutions_officers_decide(approval, persona, request, officer):
    if persona == "lecturer_unappointed":
        PlacementOfficer.objects.filter(user=officer).delete()
        actor = officer
    else:
        actor = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        services.approval_refuse(actor=actor, approval=approval, reason="No")
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.PENDING


def test_officers_are_appointed_by_institution_managers(
    university, lecturer, student, studio_owner
):
    with pytest.raises(PermissionDenied):
        services.officer_appoint(actor=studio_owner, institution=university, user=lecturer)
    with pytest.raises(DomainError):
        services.officer_appoint(actor=lecturer, institution=university, user=student)
    services.officer_appoint(actor=lecturer, institution=university, user=lecturer)
    with pytest.raises(Conflict):
        services.officer_appoint(actor=lecturer, institution=university, user=lecturer)
    services.officer_remove(actor=lecturer, institution=university, user=lecturer)
    assert not PlacementOfficer.objects.exists()


def test_checklist_is_configurable(university, officer, student):
    item = services.checklist_item_add(
        actor=officer, institution=university, text="DBS check", required_for_low_risk=False
    )
    assert item in services.checklist_items(university)
    services.checklist_item_remove(actor=officer, item=item)
    assert item not in services.checklist_items(university)
    with pytest.raises(PermissionDenied):
        services.checklist_item_add(actor=student, institution=university, text="x")


def test_student_can_ask_for_credit_after_accepting(placement, student, university, officer):
    application = ApplicationFactory(
        placement=placement, student=student, institution=university, status="accepted"
    )
    approval = services.approval_request(actor=student, application=application)
    assert approval.status == ApprovalStatus.PENDING
    application.refresh_from_db()
    assert application.for_credit
