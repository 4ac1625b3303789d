"""Dashboard and page panels that show matches with their reasons.

``{% recommended_panel "student" %}`` — placements and events for a student;
``{% recommended_panel "industry" %}`` / ``"university"`` — open calls for the person's
organisations; ``{% suggested_partners opportunity %}`` — organisations for a call's owners;
``{% suggested_candidates placement %}`` — discoverable students for the posting studio.
Each panel runs a fixed number of queries, whatever the number of rows.
"""

import hashlib

from django import template
from django.db.models import prefetch_related_objects

from accounts.models import Role
from events.models import Audience, Event
from events.permissions import can_view_event
from events.selectors import CARD_DEFERRED as EVENT_CARD_DEFERRED
from events.selectors import with_cards
from partnerships.core import page_cache
from partnerships.core.models import Sector, Skill
from partnerships.organisations.models import Organisation, Status
from partnerships.placements.models import Placement
from partnerships.placements.selectors import CARD_DEFERRED as PLACEMENT_CARD_DEFERRED
from partnerships.projects.models import Opportunity

from .. import events as event_matching
from .. import organisations as org_matching
from .. import placements as placement_matching

register = template.Library()

PLACEMENTS_SHOWN = 5
EVENTS_SHOWN = 3
CALLS_SHOWN = 5


def _names(model, ids) -> dict[int, str]:
    return dict(model.objects.filter(pk__in=set(ids)).values_list("pk", "name"))


def _recommended_events(user, followed: list[int]) -> list[Event]:
    """The best upcoming events for the person. Scoring them is one query of 15–30 ms at 5,000
    events (docs/performance.md), so the ranking is kept under the events' page-cache generation
    (any event saved refreshes it; seats do not change a score) for what it depends on in the
    person: role, sectors, place and institution (audiences); the events, with their seats left,
    are read through what the person may see now. An event of an organisation they just joined
    may stay among them for up to ``PAGE_CACHE_SECONDS``."""
    profile = user.profile
    depends = f"{user.pk}:{user.role}:{followed}:{profile.location}:{profile.institution_id}"
    key = "recommended-events:" + hashlib.sha256(depends.encode()).hexdigest()

    def rank() -> list[tuple[int, float, float]]:
        found = event_matching.recommend_events(user, limit=EVENTS_SHOWN)
        return [(event.pk, event.match_score, event.place_part) for event in found]

    ranked = page_cache.kept("events", key, rank)
    wanted = Event.objects.filter(pk__in=[pk for pk, _, _ in ranked])
    events = with_cards(wanted.defer(*EVENT_CARD_DEFERRED)).in_bulk()
    # Checked again against what the person may see now: a membership lost since the ranking
    # was kept must not leave a members-only event on their dashboard. The per-event predicate
    # on these few rows, not ``visible_events``: Django took 4 ms to compile that query. (An
    # event whose audience no longer includes the person costs one more query, to look for
    # their registration: at most EVENTS_SHOWN, and only after such a change.)
    members_only = [e for e in events.values() if e.audience == Audience.MEMBERS]
    prefetch_related_objects(members_only, "audience_organisations")
    shown = []
    for pk, score, place in ranked:
        event = events.get(pk)  # deleted since: left out
        if event is not None and can_view_event(user, event):
            event.match_score, event.place_part = score, place
            shown.append(event)
    return shown


def _student_panel(user) -> dict:
    matches = placement_matching.recommend_placements(user, limit=PLACEMENTS_SHOWN)
    placements = (
        Placement.objects.select_related("organisation")
        .defer(*PLACEMENT_CARD_DEFERRED)
        .in_bulk([m.placement_id for m in matches])
    )
    names = _names(Skill, [pk for m in matches for pk in m.reasons.get("skills", [])])
    rows = []
    for match in matches:
        placement = placements.get(match.placement_id)
        if placement is not None:
            words = placement_matching.explain(
                match.reasons, names, mode=placement.mode, location=placement.location
            )
            rows.append({"item": placement, "score": match.score, "why": words})
    profile = getattr(user, "profile", None)
    followed = sorted(profile.sectors.values_list("pk", flat=True)) if profile else []
    events = _recommended_events(user, followed) if profile else []
    if events:
        # The reasons in words, as in the notification: the sectors in common (prefetched
        # with the cards) and the place.
        followed = set(followed)
        for event in events:
            shared = {s.pk: s.name for s in event.sectors.all() if s.pk in followed}
            event.why = event_matching.explain(
                {"sectors": sorted(shared), "place": event.place_part}, sector_names=shared
            )
    return {"placements": rows, "events": events}


def _organisation_panel(user) -> dict:
    organisations = list(
        Organisation.objects.filter(memberships__user=user, status=Status.VERIFIED).order_by(
            "name"
        )[:2]
    )
    groups = []
    for organisation in organisations:  # at most two: the panel stays small
        matches = org_matching.recommend_calls(organisation, limit=CALLS_SHOWN)
        calls = Opportunity.objects.select_related("organisation").in_bulk(
            [m.opportunity_id for m in matches]
        )
        sectors = _names(Sector, [pk for m in matches for pk in m.reasons.get("sectors", [])])
        skills = _names(Skill, [pk for m in matches for pk in m.reasons.get("skills", [])])
        rows = [
            {
                "item": calls[m.opportunity_id],
                "score": m.score,
                "why": org_matching.explain(m.reasons, sector_names=sectors, skill_names=skills),
            }
            for m in matches
            if m.opportunity_id in calls
        ]
        groups.append({"organisation": organisation, "calls": rows})
    return {"groups": groups}


@register.inclusion_tag("matching/recommended_panel.html", takes_context=True)
def recommended_panel(context, kind: str) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    data = {"kind": kind, "visible": bool(user and user.is_authenticated)}
    if not data["visible"]:
        return data
    if kind == "student" and user.role == Role.STUDENT:
        data.update(_student_panel(user))
    elif kind in ("industry", "university"):
        data.update(_organisation_panel(user))
    else:
        data["visible"] = False
    return data


@register.inclusion_tag("matching/suggested_partners.html", takes_context=True)
def suggested_partners(context, opportunity) -> dict:
    """Shown to the call's own people only (the caller checks ``can_manage``)."""
    matches = org_matching.suggest_organisations(
        org_matching.target_for_opportunity(opportunity), limit=5
    )
    organisations = Organisation.objects.in_bulk([m.organisation_id for m in matches])
    sectors = _names(Sector, [pk for m in matches for pk in m.reasons.get("sectors", [])])
    skills = _names(Skill, [pk for m in matches for pk in m.reasons.get("skills", [])])
    rows = [
        {
            "item": organisations[m.organisation_id],
            "score": m.score,
            "why": org_matching.explain(
                m.reasons, sector_names=sectors, skill_names=skills, partner=True
            ),
        }
        for m in matches
        if m.organisation_id in organisations and m.score > 0
    ]
    return {"rows": rows, "opportunity": opportunity}


@register.inclusion_tag("matching/suggested_candidates.html")
def suggested_candidates(placement) -> dict:
    """Only students who opted in to be discoverable; shown to the studio (the caller checks)."""
    from accounts.models import Profile

    matches = placement_matching.suggest_candidates(placement, limit=10)
    profiles = {
        p.user_id: p
        for p in Profile.objects.filter(user_id__in=[m.user_id for m in matches]).select_related(
            "institution"
        )
    }
    names = _names(Skill, [pk for m in matches for pk in m.reasons.get("skills", [])])
    rows = [
        {
            "profile": profiles[m.user_id],
            "score": m.score,
            "why": placement_matching.explain(
                m.reasons, names, mode=placement.mode, location=placement.location, candidate=True
            ),
        }
        for m in matches
        if m.user_id in profiles
    ]
    return {"rows": rows, "placement": placement}
