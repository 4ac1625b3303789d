"""Everything Tandem holds about one person, as ``data.json`` plus their files in a ZIP.

The right of access: the export gathers the person's own records from every app. Each section
is one set-based query (``.values()`` with its joins), so the number of queries is the same
however many applications, registrations or notifications a person has.

What is deliberately included or left out:

- Notes a studio wrote about the person's applications are personal data about them, so they
  are included (text and date, not who wrote them). Notes about other applicants never are.
- Evaluations the person wrote about their placement, and the supervisor's evaluation of them,
  are included; evaluations they wrote about other students (as a supervisor) are not theirs.
- Secrets are never exported: no password hash, API token key, calendar feed token or
  two-factor secret; only that they exist and when they were made.
- Files: the person's avatar and the CVs they attached to applications. Organisations'
  documents (proposal attachments, agreements) stay with the organisations.
- The audit trail (``audit_trail``): the entries about the person and the entries they wrote
  by acting; see ``_audit_trail`` for what each one shows. Someone else's email, address or
  record is never part of it.
"""

import contextlib
import json
import shutil
import tempfile
import zipfile
from pathlib import PurePath
from typing import IO, Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import FieldDoesNotExist
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import BooleanField, ExpressionWrapper, F, Q
from django.http import FileResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from events.models import CalendarFeed, EventMessage, Registration, Speaker
from partnerships.activity.models import DomainEvent
from partnerships.audit.display import action_label
from partnerships.audit.models import AuditEntry
from partnerships.core.errors import RateLimited
from partnerships.core.files import StorageUnavailable, reading_storage
from partnerships.core.models import Sector, Skill
from partnerships.curriculum.models import Reviewer, ReviewResponse
from partnerships.matching.models import PlacementRecommendation
from partnerships.notifications.models import (
    Digest,
    Notification,
    NotificationPreference,
    SavedSearch,
)
from partnerships.organisations.models import Invitation, JoinRequest, Membership
from partnerships.placements.models import (
    Application,
    ApplicationAnswer,
    ApplicationNote,
    ApplicationTransition,
    PlacementApproval,
    PlacementOfficer,
    StudentEvaluation,
    SupervisorEvaluation,
)
from partnerships.projects.models import Partnership, Proposal, SavedProposal
from partnerships.stories.models import Story, StoryQuote, TestimonialRequest

from .models import Profile

FORMAT_VERSION = 1
EXPORT_WINDOW_SECONDS = 3600


def _rows(queryset, *fields: str, **renamed: str) -> list[dict[str, Any]]:
    """One query: the rows as plain dicts, with ``renamed`` lookups given friendlier keys."""
    lookups = {**{name: name for name in fields}, **renamed}
    return [
        {key: row[lookup] for key, lookup in lookups.items()}
        for row in queryset.values(*lookups.values())
    ]


def _group(rows: list[dict], key: str = "application_id") -> dict[int, list[dict]]:
    grouped: dict[int, list[dict]] = {}
    for row in rows:
        grouped.setdefault(row.pop(key), []).append(row)
    return grouped


def _account(user) -> dict[str, Any]:
    profile = (
        Profile.objects.filter(user=user)
        .values(
            "display_name",
            "headline",
            "bio",
            "location",
            "website",
            "timezone",
            "course",
            "level",
            "expected_graduation",
            "discoverable",
            "updated_at",
            "avatar",
            institution_name=F("institution__name"),
        )
        .first()
        or {}
    )
    profile["skills"] = list(
        Skill.objects.filter(profiles__user=user).order_by("name").values_list("name", flat=True)
    )
    profile["sectors"] = list(
        Sector.objects.filter(profiles__user=user).order_by("name").values_list("name", flat=True)
    )
    return {
        "account": {
            "id": user.pk,
            "email": user.email,
            "role": user.role,
            "date_joined": user.date_joined,
            "last_login": user.last_login,
            "is_active": user.is_active,
        },
        "profile": profile,
        "email_addresses": _rows(
            EmailAddress.objects.filter(user=user).order_by("email"), "email", "verified", "primary"
        ),
        "two_factor_methods": _rows(
            Authenticator.objects.filter(user=user).order_by("created_at"),
            "type",
            "created_at",
            "last_used_at",
        ),
        "api_token": _rows(Token.objects.filter(user=user), created_at="created"),
        "signed_in_devices": _rows(
            UserSession.objects.filter(user=user).order_by("-last_seen_at"),
            "ip",
            "user_agent",
            "created_at",
            "last_seen_at",
        ),
    }


def _organisations(user) -> dict[str, Any]:
    return {
        "memberships": _rows(
            Membership.objects.filter(user=user).order_by("created_at", "pk"),
            "role",
            "job_title",
            "created_at",
            organisation="organisation__name",
        ),
        "join_requests": _rows(
            JoinRequest.objects.filter(user=user).order_by("created_at", "pk"),
            "message",
            "status",
            "created_at",
            "decided_at",
            organisation="organisation__name",
        ),
        "invitations_to_you": _rows(
            Invitation.objects.filter(email__iexact=user.email).order_by("created_at", "pk"),
            "email",
            "role",
            "created_at",
            "expires_at",
            "accepted_at",
            "revoked_at",
            organisation="organisation__name",
        ),
        "placement_officer_for": _rows(
            PlacementOfficer.objects.filter(user=user).order_by("created_at", "pk"),
            "created_at",
            institution="institution__name",
        ),
        "partnership_contact_for": _rows(
            Partnership.objects.filter(Q(institution_contacts=user) | Q(industry_contacts=user))
            .distinct()
            .order_by("created_at", "pk"),
            "title",
            "status",
            institution="institution__name",
            industry_partner="industry_partner__name",
        ),
    }


def _placements(user) -> dict[str, Any]:
    mine = Q(application__student=user)
    answers = _group(
        _rows(
            ApplicationAnswer.objects.filter(mine).order_by("question__order", "pk"),
            "application_id",
            "text",
            question="question__text",
        )
    )
    stages = _group(
        _rows(
            ApplicationTransition.objects.filter(mine).order_by("created_at", "pk"),
            "application_id",
            "from_status",
            "to_status",
            "message",
            "created_at",
            "actor_id",
        )
    )
    for rows in stages.values():
        for row in rows:
            actor_id = row.pop("actor_id")
            row["by"] = "you" if actor_id == user.pk else ("organisation" if actor_id else "system")
    notes = _group(
        _rows(
            ApplicationNote.objects.filter(mine).order_by("created_at", "pk"),
            "application_id",
            "text",
            "created_at",
        )
    )
    approvals = _group(
        _rows(
            PlacementApproval.objects.filter(mine),
            "application_id",
            "status",
            "low_risk",
            "reason",
            "decided_at",
            institution="institution__name",
        )
    )
    own_evaluations = _group(
        _rows(
            StudentEvaluation.objects.filter(mine),
            "application_id",
            "overall",
            "learning",
            "support",
            "comments",
            "submitted_at",
        )
    )
    supervisor_evaluations = _group(
        _rows(
            SupervisorEvaluation.objects.filter(mine),
            "application_id",
            "supervisor_name",
            "overall",
            "skills",
            "professionalism",
            "communication",
            "comments",
            "submitted_at",
        )
    )
    applications = _rows(
        Application.objects.filter(student=user).order_by("created_at", "pk"),
        "id",
        "status",
        "cover_letter",
        "portfolio_url",
        "for_credit",
        "hired_after_placement",
        "created_at",
        "submitted_at",
        "status_changed_at",
        "cv_deleted_at",
        placement_id="placement_id",
        placement="placement__title",
        organisation="placement__organisation__name",
        institution="institution__name",
        cv_file="cv",
    )
    for row in applications:
        pk = row["id"]
        row["answers"] = answers.get(pk, [])
        row["stages"] = stages.get(pk, [])
        row["organisation_notes_about_you"] = notes.get(pk, [])
        row["university_approval"] = (approvals.get(pk) or [None])[0]
        row["your_evaluation"] = (own_evaluations.get(pk) or [None])[0]
        row["supervisor_evaluation_of_you"] = (supervisor_evaluations.get(pk) or [None])[0]
    return {
        "applications": applications,
        "placement_recommendations": _rows(
            PlacementRecommendation.objects.filter(student=user).order_by("-score", "pk"),
            "score",
            "reasons",
            "computed_at",
            placement="placement__title",
        ),
    }


def _projects_and_reviews(user) -> dict[str, Any]:
    missing = _group(
        _rows(
            ReviewResponse.missing_skills.through.objects.filter(
                reviewresponse__reviewer__user=user
            ).order_by("skill__name"),
            skill="skill__name",
            response_id="reviewresponse_id",
        ),
        key="response_id",
    )
    overweighted = _group(
        _rows(
            ReviewResponse.overweighted_skills.through.objects.filter(
                reviewresponse__reviewer__user=user
            ).order_by("skill__name"),
            skill="skill__name",
            response_id="reviewresponse_id",
        ),
        key="response_id",
    )
    reviewing = _rows(
        Reviewer.objects.filter(user=user).order_by("created_at", "pk"),
        "note",
        "status",
        "created_at",
        "decided_at",
        review="review__title",
        institution="review__institution__name",
        on_behalf_of="organisation__name",
        response_id="response__id",
        relevance="response__relevance",
        missing_skills_other="response__missing_skills_other",
        overweighted_skills_other="response__overweighted_skills_other",
        suggested_changes="response__suggested_changes",
        comments="response__comments",
        response_submitted_at="response__submitted_at",
    )
    for row in reviewing:
        response_id = row.pop("response_id")
        row["missing_skills"] = [r["skill"] for r in missing.get(response_id, [])]
        row["overweighted_skills"] = [r["skill"] for r in overweighted.get(response_id, [])]
    return {
        "proposals_you_submitted": _rows(
            Proposal.objects.filter(submitted_by=user).order_by("created_at", "pk"),
            "team",
            "approach",
            "experience",
            "availability",
            "status",
            "message_to_proposer",
            "created_at",
            "status_changed_at",
            call="opportunity__title",
            on_behalf_of="organisation__name",
        ),
        "saved_proposals": _rows(
            SavedProposal.objects.filter(owner=user).order_by("pk"),
            "name",
            "team",
            "approach",
            "experience",
            "availability",
            "updated_at",
        ),
        "curriculum_reviews": reviewing,
    }


def _events(user) -> dict[str, Any]:
    return {
        "event_registrations": _rows(
            Registration.objects.filter(user=user).order_by("created_at", "pk"),
            "status",
            "created_at",
            "confirmed_at",
            "waitlisted_at",
            "cancelled_at",
            "checked_in_at",
            "reminder_sent_at",
            event="event__title",
            event_starts_at="event__starts_at",
            organised_by="event__organisation__name",
        ),
        "speaking_at": _rows(
            Speaker.objects.filter(user=user).order_by("pk"),
            "name",
            "affiliation",
            event="event__title",
            session="session__title",
        ),
        "event_messages_you_sent": _rows(
            EventMessage.objects.filter(sender=user).order_by("created_at", "pk"),
            "recipients",
            "subject",
            "body",
            "recipient_count",
            "created_at",
            event="event__title",
        ),
        "calendar_feed": _rows(
            CalendarFeed.objects.filter(user=user), "created_at", "last_fetched_at"
        ),
    }


def _notifications(user) -> dict[str, Any]:
    return {
        "notifications": _rows(
            Notification.objects.filter(recipient=user).order_by("-created_at", "-pk"),
            "type",
            "title",
            "url",
            "score",
            "reasons",
            "frequency",
            "created_at",
            "read_at",
            "emailed_at",
        ),
        "notification_preferences": _rows(
            NotificationPreference.objects.filter(user=user).order_by("type"),
            "type",
            "frequency",
            "updated_at",
        ),
        "digests": _rows(
            Digest.objects.filter(user=user).order_by("-period", "pk"),
            "frequency",
            "period",
            "items",
            "created_at",
        ),
        "saved_searches": _rows(
            SavedSearch.objects.filter(user=user).order_by("-created_at", "-pk"),
            "scope",
            "label",
            "q",
            "kind",
            "mode",
            "paid_only",
            "location",
            "level",
            "attendance",
            "frequency",
            "created_at",
            "last_alerted_at",
            sector="sector__name",
            skill="skill__name",
            organiser="organiser__name",
        ),
    }


def _stories_and_activity(user) -> dict[str, Any]:
    return {
        "quotes_of_you": _rows(
            StoryQuote.objects.filter(user=user).order_by("created_at", "pk"),
            "text",
            "person_name",
            "person_role",
            "consent_given_at",
            "created_at",
            story="story__title",
            organisation="organisation__name",
        ),
        "testimonials_you_submitted": _rows(
            TestimonialRequest.objects.filter(submitted_by=user).order_by("submitted_at", "pk"),
            "text",
            "person_role",
            "figures",
            "consent_to_publish",
            "submitted_at",
            on_behalf_of="organisation__name",
            story="story__title",
        ),
        "stories_you_nominated": _rows(
            Story.objects.filter(nominated_by=user).order_by("created_at", "pk"),
            "title",
            "status",
            "nomination_reason",
            "created_at",
        ),
        "your_activity": _rows(
            DomainEvent.objects.filter(actor=user).order_by("created_at", "pk"),
            "name",
            "target_type",
            "target_id",
            "payload",
            "created_at",
            organisation="organisation__name",
        ),
    }


# Audit targets that are an organisation's or the platform's records rather than a person's: the
# values an entry recorded about them are not personal data (see ``_coded``). Any other target
# (a user, a membership, an application, an approval, and whatever is audited in the future) is
# treated as someone's personal record.
IMPERSONAL_AUDIT_TARGETS = frozenset({"organisations.organisation", "stories.story"})


def _audit_subject(user) -> Q:
    """Audit entries whose subject is ``user``: their account (role, staff status, groups…),
    their memberships, their applications and the university approvals of those."""
    memberships = Membership.objects.filter(user=user).values("pk")
    return (
        Q(target_type=user._meta.label_lower, target_id=user.pk)
        | Q(target_type=Membership._meta.label_lower, target_id__in=memberships)
        # A membership that no longer exists (they left or were removed) is known only by the
        # email its entries recorded: matched from the day this account was created, so an
        # address that belonged to someone else earlier never brings in that person's entries.
        | Q(
            target_type=Membership._meta.label_lower,
            target_label__startswith=f"{user.email} @ ",
            created_at__gte=user.date_joined,
        )
        | Q(
            target_type=Application._meta.label_lower,
            target_id__in=Application.objects.filter(student=user).values("pk"),
        )
        | Q(
            target_type=PlacementApproval._meta.label_lower,
            target_id__in=PlacementApproval.objects.filter(application__student=user).values("pk"),
        )
    )


def _coded(target_type: str, values: dict[str, Any]) -> dict[str, Any]:
    """Only the values that are codes (a status, a yes/no), never free text such as a reason."""
    try:
        model = apps.get_model(target_type)
    except (LookupError, ValueError):
        return {}
    kept = {}
    for name, value in values.items():
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if value is None or isinstance(value, bool) or field.choices:
            kept[name] = value
    return kept


def _audit_trail(user) -> dict[str, Any]:
    """The audit entries about the person, and those they wrote by acting. One query.

    Each entry gives its time, action (with its readable description), the type and id of what
    changed, the organisation it is filed under and who acted: "you", "someone else" or
    "system" — never another person's email. Then:

    - Entries about the person (``about_you``: their account, memberships, applications and
      approvals, whoever made the change) also give what changed (the label, with their own
      email) and the values before and after, in full: they are the person's own data.
    - Entries the person wrote about something else give no label (it would name the other
      person) and the values before and after only when the target is an organisation's or a
      story's record (``IMPERSONAL_AUDIT_TARGETS``), and then only coded values (a status, a
      yes/no), not free text such as a rejection reason. For another person's role, membership
      or application they are ``null``: the action says what kind of change it was.
    - The IP address is given only for the person's own actions (an address someone else acted
      from is that person's data); request ids stay internal.
    """
    subject = _audit_subject(user)
    rows = (
        AuditEntry.objects.filter(Q(actor_id=user.pk) | subject)
        .annotate(about_you=ExpressionWrapper(subject, output_field=BooleanField()))
        .order_by("created_at", "pk")
        .values(
            "created_at",
            "action",
            "target_type",
            "target_id",
            "target_label",
            "organisation_label",
            "actor_id",
            "before",
            "after",
            "ip",
            "about_you",
        )
    )
    entries = []
    for row in rows:
        by_you = row["actor_id"] == user.pk
        about_you = bool(row["about_you"])
        before, after = row["before"], row["after"]
        if not about_you:
            if row["target_type"] in IMPERSONAL_AUDIT_TARGETS:
                before = _coded(row["target_type"], before)
                after = _coded(row["target_type"], after)
            else:
                before = after = None
        entries.append(
            {
                "created_at": row["created_at"],
                "action": row["action"],
                "description": action_label(row["action"]),
                "target_type": row["target_type"],
                "target_id": row["target_id"],
                "target": row["target_label"] if about_you else None,
                "organisation": row["organisation_label"] or None,
                "about_you": about_you,
                "by": "you" if by_you else ("someone else" if row["actor_id"] else "system"),
                "before": before,
                "after": after,
                "ip": row["ip"] if by_you else None,
            }
        )
    return {"audit_trail": entries}


def personal_data(user) -> dict[str, Any]:
    """Everything about ``user``, as JSON-ready data. A constant number of queries."""
    data: dict[str, Any] = {
        "format_version": FORMAT_VERSION,
        "generated_at": timezone.now(),
        "about": _(
            "Everything Tandem holds about you. Files you uploaded (your picture and CVs) are in "
            "the files folder of this archive. See %(url)s for what each part is and how long "
            "it is kept."
        )
        % {"url": settings.SITE_URL + reverse("accounts:privacy")},
    }
    for section in (_account, _organisations, _placements, _projects_and_reviews, _events):
        data.update(section(user))
    data.update(_notifications(user))
    data.update(_stories_and_activity(user))
    data.update(_audit_trail(user))
    return data


def _files(data: dict[str, Any]) -> list[tuple[str, str]]:
    """(name in the archive, stored name) of the person's own files; records the archive
    name in ``data`` so the JSON says where each file is."""
    files: list[tuple[str, str]] = []
    avatar = data["profile"].pop("avatar", "")
    data["profile"]["avatar_file"] = None
    if avatar:
        arcname = f"files/avatar{PurePath(avatar).suffix.lower()}"
        data["profile"]["avatar_file"] = arcname
        files.append((arcname, avatar))
    for application in data["applications"]:
        stored = application.pop("cv_file")
        application["cv_file"] = None
        if stored:
            arcname = f"files/cv-application-{application['id']}{PurePath(stored).suffix.lower()}"
            application["cv_file"] = arcname
            files.append((arcname, stored))
    return files


def write_export(user, target: IO[bytes]) -> None:
    """Write the person's ZIP to ``target`` (a temporary file: CVs are copied in chunks, never
    held in memory whole)."""
    data = personal_data(user)
    files = _files(data)
    missing = [arcname for arcname, stored in files if not default_storage.exists(stored)]
    data["files_not_found"] = missing
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "data.json",
            json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False, sort_keys=False),
        )
        for arcname, stored in files:
            if arcname in missing:
                continue
            with default_storage.open(stored, "rb") as source, archive.open(arcname, "w") as out:
                shutil.copyfileobj(source, out, length=1024 * 1024)


def export_response(user) -> FileResponse:
    """The archive, built in an anonymous temporary file that is deleted when the response is
    closed, and streamed from there: large CVs are never held in memory. Called after
    ``export_allowance_consume``: when the uploads' storage cannot be reached (503), the
    download counted there is given back."""
    archive = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it when sent
    try:
        reading_storage(lambda: write_export(user, archive))  # StorageUnavailable: 503
        archive.seek(0)
    except StorageUnavailable:
        archive.close()
        _export_allowance_refund(user)
        raise
    except BaseException:
        archive.close()
        raise
    response = FileResponse(
        archive,
        as_attachment=True,
        filename=f"tandem-data-{timezone.localdate().isoformat()}.zip",
        content_type="application/zip",
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def export_allowance_consume(user) -> None:
    """Count one export against ``PRIVACY_EXPORTS_PER_HOUR`` (pages and API share it); raise
    ``RateLimited`` (429) beyond it. A fixed one-hour window in the cache."""
    limit = settings.PRIVACY_EXPORTS_PER_HOUR
    key = f"privacy:export:{user.pk}"
    if cache.add(key, 1, timeout=EXPORT_WINDOW_SECONDS):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.add(key, 1, timeout=EXPORT_WINDOW_SECONDS)
            count = 1
    if count > limit:
        raise RateLimited(
            _("You have downloaded your data %(n)d times in the last hour. Try again later.")
            % {"n": limit},
            code="export_rate_limited",
        )


def _export_allowance_refund(user) -> None:
    """Give back the download counted by ``export_allowance_consume`` when none was made (the
    uploads' storage was unreachable): a failure on our side must not use up the person's hour."""
    with contextlib.suppress(ValueError):  # the window ended meanwhile: nothing to give back
        cache.decr(f"privacy:export:{user.pk}")
