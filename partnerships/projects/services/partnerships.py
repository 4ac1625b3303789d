"""Partnerships: the formal relationship between an institution and an industry partner."""

import re
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerships.activity.services import record_event
from partnerships.core.errors import Conflict, DomainError, PermissionDenied
from partnerships.core.mail import send_templated_email
from partnerships.organisations.models import MANAGER_ROLES, Kind, Organisation
from partnerships.organisations.permissions import can_act_for, membership_of

from ..models import LIVE_PARTNERSHIP_STATUSES, Partnership, PartnershipStatus
from ..permissions import can_change_partnership, can_manage_agreement

PS = PartnershipStatus
STATUS_MOVES = {
    PS.PROPOSED: {PS.ENDED},
    PS.ACTIVE: {PS.PAUSED, PS.ENDED},
    PS.PAUSED: {PS.ACTIVE, PS.ENDED},
    PS.ENDED: set(),
}


def _managers(organisation: Organisation) -> list[str]:
    return list(
        organisation.memberships.filter(role__in=MANAGER_ROLES).values_list(
            "user__email", flat=True
        )
    )


def _split_contacts(partnership: Partnership, contacts) -> None:
    for user in contacts:
        membership = membership_of(user, partnership.institution)
        if membership is not None:
            partnership.institution_contacts.add(user)
        elif membership_of(user, partnership.industry_partner) is not None:
            partnership.industry_contacts.add(user)


def _check_dates(start: date | None, end: date | None) -> None:
    if start and end and end < start:
        raise DomainError(_("The end date must be on or after the start date."), field="end_date")


def _clean_funding(fields: dict) -> None:
    """Funding attracted is optional, never negative, in a three-letter currency."""
    amount = fields.get("funding_amount")
    if amount is not None and Decimal(amount) < 0:
        raise DomainError(_("Funding cannot be negative."), field="funding_amount")
    if "funding_currency" in fields:
        currency = (fields["funding_currency"] or "").strip().upper() or "GBP"
        if not re.fullmatch(r"[A-Z]{3}", currency):
            raise DomainError(
                _("Give a three-letter currency code, such as GBP or EUR."),
                field="funding_currency",
            )
        fields["funding_currency"] = currency


def link_or_create_partnership(
    *, actor, institution: Organisation, industry_partner: Organisation, title: str, contacts=()
) -> Partnership:
    """The pair's live partnership (confirmed if it was only proposed), or a new active one.

    Called inside the accepting transaction: the acceptance is both sides' agreement.
    """
    existing = (
        Partnership.objects.select_for_update(of=("self",))
        .filter(
            institution=institution,
            industry_partner=industry_partner,
            status__in=LIVE_PARTNERSHIP_STATUSES,
        )
        .first()
    )
    if existing is not None:
        if existing.status == PS.PROPOSED:
            existing.status = PS.ACTIVE
            existing.confirmed_by = actor
            existing.confirmed_at = timezone.now()
            existing.status_changed_at = timezone.now()
            existing.save(
                update_fields=["status", "confirmed_by", "confirmed_at", "status_changed_at"]
            )
        _split_contacts(existing, contacts)
        return existing
    partnership = Partnership.objects.create(
        institution=institution,
        industry_partner=industry_partner,
        title=title[:160],
        status=PS.ACTIVE,
        start_date=timezone.localdate(),
        proposed_by=actor,
        confirmed_by=actor,
        confirmed_at=timezone.now(),
    )
    _split_contacts(partnership, contacts)
    record_event(
        "partnership.created", target=partnership, actor=actor, organisation=institution,
        industry_partner_id=industry_partner.pk,
    )  # fmt: skip
    return partnership


@transaction.atomic
def partnership_propose(
    *,
    actor,
    from_organisation: Organisation,
    to_organisation: Organisation,
    title: str,
    description: str = "",
    start_date: date | None = None,
    end_date: date | None = None,
    funding_amount: Decimal | None = None,
    funding_currency: str = "GBP",
) -> Partnership:
    """Either side proposes a partnership directly; the other side confirms."""
    if not can_act_for(actor, from_organisation):
        raise PermissionDenied(_("Only members of a verified organisation can propose for it."))
    if not to_organisation.is_verified:
        raise DomainError(_("Partnerships are made with verified organisations."))
    if from_organisation.kind == to_organisation.kind:
        raise DomainError(
            _("A partnership joins an institution with an industry partner."),
            field="to_organisation",
        )
    _check_dates(start_date, end_date)
    funding = {"funding_amount": funding_amount, "funding_currency": funding_currency}
    _clean_funding(funding)
    institution, industry = (
        (from_organisation, to_organisation)
        if from_organisation.kind == Kind.INSTITUTION
        else (to_organisation, from_organisation)
    )
    try:
        with transaction.atomic():
            partnership = Partnership.objects.create(
                institution=institution,
                industry_partner=industry,
                title=title.strip()[:160],
                description=description,
                start_date=start_date,
                end_date=end_date,
                **funding,
                status=PS.PROPOSED,
                proposed_by=actor,
                proposed_by_organisation=from_organisation,
            )
    except IntegrityError:
        raise Conflict(
            _("%(a)s and %(b)s already have a partnership on Tandem.")
            % {"a": institution.name, "b": industry.name},
            code="duplicate",
        ) from None
    _split_contacts(partnership, [actor])
    record_event(
        "partnership.proposed", target=partnership, actor=actor, organisation=from_organisation
    )
    send_templated_email(
        to=_managers(to_organisation),
        template="projects/partnership_proposed",
        context={
            "partnership": partnership,
            "from_organisation": from_organisation,
            "url": f"{settings.SITE_URL}{partnership.get_absolute_url()}",
        },
    )
    return partnership


def _lock(partnership: Partnership) -> Partnership:
    return (
        Partnership.objects.select_for_update(of=("self",))
        .select_related("institution", "industry_partner", "proposed_by_organisation")
        .get(pk=partnership.pk)
    )


def _other_side(partnership: Partnership) -> Organisation:
    return (
        partnership.industry_partner
        if partnership.proposed_by_organisation_id == partnership.institution_id
        else partnership.institution
    )


@transaction.atomic
def partnership_confirm(*, actor, partnership: Partnership) -> Partnership:
    locked = _lock(partnership)
    other = _other_side(locked)
    if not can_act_for(actor, other):
        raise PermissionDenied(
            _("Only members of %(org)s can confirm this partnership.") % {"org": other.name}
        )
    if locked.status != PS.PROPOSED:
        raise Conflict(_("This partnership is not waiting for confirmation."))
    locked.status = PS.ACTIVE
    locked.confirmed_by = actor
    locked.confirmed_at = timezone.now()
    locked.status_changed_at = timezone.now()
    if locked.start_date is None:
        locked.start_date = timezone.localdate()
    locked.save()
    _split_contacts(locked, [actor])
    record_event("partnership.confirmed", target=locked, actor=actor, organisation=other)
    send_templated_email(
        to=[locked.proposed_by.email] if locked.proposed_by_id else [],
        template="projects/partnership_confirmed",
        context={
            "partnership": locked,
            "url": f"{settings.SITE_URL}{locked.get_absolute_url()}",
        },
    )
    return locked


@transaction.atomic
def partnership_decline(*, actor, partnership: Partnership) -> Partnership:
    locked = _lock(partnership)
    if not can_act_for(actor, _other_side(locked)):
        raise PermissionDenied()
    if locked.status != PS.PROPOSED:
        raise Conflict(_("This partnership is not waiting for confirmation."))
    locked.status = PS.ENDED
    locked.status_changed_at = timezone.now()
    locked.save(update_fields=["status", "status_changed_at"])
    record_event("partnership.declined", target=locked, actor=actor)
    return locked


@transaction.atomic
def partnership_set_status(*, actor, partnership: Partnership, status: str) -> Partnership:
    locked = _lock(partnership)
    if not can_change_partnership(actor, locked):
        raise PermissionDenied()
    if status not in STATUS_MOVES.get(locked.status, set()):
        raise Conflict(
            _("A partnership that is %(current)s cannot become %(target)s.")
            % {
                "current": locked.get_status_display().lower(),
                "target": dict(PS.choices).get(status, status).lower(),
            },
            code="invalid_transition",
        )
    locked.status = status
    locked.status_changed_at = timezone.now()
    if status == PS.ENDED and locked.end_date is None:
        locked.end_date = max(timezone.localdate(), locked.start_date or timezone.localdate())
    locked.save()
    record_event(f"partnership.{status}", target=locked, actor=actor)
    return locked


@transaction.atomic
def partnership_update(
    *,
    actor,
    partnership: Partnership,
    institution_contacts=None,
    industry_contacts=None,
    **fields,
) -> Partnership:
    locked = _lock(partnership)
    if not can_change_partnership(actor, locked):
        raise PermissionDenied()
    allowed = {
        "title", "description", "start_date", "end_date", "funding_amount", "funding_currency",
    }  # fmt: skip
    unknown = set(fields) - allowed
    if unknown:
        raise DomainError(_("Unknown fields: %s") % ", ".join(sorted(unknown)))
    _clean_funding(fields)
    _check_dates(
        fields.get("start_date", locked.start_date), fields.get("end_date", locked.end_date)
    )
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.save()
    for people, organisation, relation in (
        (institution_contacts, locked.institution, locked.institution_contacts),
        (industry_contacts, locked.industry_partner, locked.industry_contacts),
    ):
        if people is None:
            continue
        outsiders = [u for u in people if membership_of(u, organisation) is None]
        if outsiders:
            raise DomainError(
                _("Contacts must be members of %(org)s.") % {"org": organisation.name}
            )
        relation.set(people)
    return locked


@transaction.atomic
def partnership_upload_agreement(*, actor, partnership: Partnership, agreement) -> Partnership:
    """Store the signed agreement (a validated PDF); the old one is replaced."""
    locked = _lock(partnership)
    if not can_manage_agreement(actor, locked):
        raise PermissionDenied(
            _("Only owners and admins of the two organisations manage the agreement.")
        )
    old = locked.agreement.name if locked.agreement else None
    locked.agreement = agreement
    locked.save(update_fields=["agreement"])
    if old:
        storage = locked.agreement.storage
        transaction.on_commit(lambda: storage.delete(old))
    record_event("partnership.agreement_uploaded", target=locked, actor=actor)
    return locked
