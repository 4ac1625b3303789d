"""Organisation ↔ opportunity matching (project calls, guest-lecture requests, curriculum
reviews), computed in SQL. Score (0–100, ``settings.MATCHING_ORGANISATION_WEIGHTS``):

* **sectors** — the share of the opportunity's sectors the organisation works in (half when the
  opportunity names none);
* **skills** — the rarity-weighted share of the skills sought that the organisation's members
  list between them (half when none are sought);
* **place** — remote, or the organisation is where the work is: full; hybrid elsewhere or no
  location known: half; on site elsewhere: none.

Candidates are verified organisations on the other side (institutions for an industry call and
the reverse), never the poster. Every member of a matching organisation is told once, unless
they turned the type off; the reasons name the organisation, sectors and skills in common.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.utils import timezone

from accounts.models import Profile, User
from partnerships.organisations.models import Membership, Organisation, Status

from .models import SkillWeight
from .placements import (
    _in_list,
    _vendor,
    _wanted_cte,
    default_weight,
    ordered_rows,
    parse_reasons,
)

ORGANISATION = Organisation._meta.db_table
ORG_SECTORS = Organisation.sectors.through._meta.db_table
MEMBERSHIP = Membership._meta.db_table
PROFILE = Profile._meta.db_table
PROFILE_SKILLS = Profile.skills.through._meta.db_table
USER = User._meta.db_table
WEIGHTS = SkillWeight._meta.db_table


@dataclass
class Target:
    """What is being matched: the fields the score reads, however the model stores them."""

    type: str  # the notification type
    target_type: str  # app_label.model
    pk: int
    title: str
    url: str
    poster_id: int
    other_kind: str
    sector_ids: list[int] = field(default_factory=list)
    skill_ids: list[int] = field(default_factory=list)
    mode: str = ""
    location: str = ""


def weights() -> dict[str, int]:
    return dict(settings.MATCHING_ORGANISATION_WEIGHTS)


def _scored_organisations_sql(target: Target, params: dict) -> str:
    """CTEs ending in ``scored(organisation_id, score, reasons)`` for every candidate."""
    v = _vendor()
    w = weights()
    params.update(
        {
            "poster": target.poster_id,
            "other_kind": target.other_kind,
            "verified": Status.VERIFIED,
            "mode": target.mode,
            "location": target.location,
            "default_weight": default_weight(),
            "sector_count": len(target.sector_ids),
            "skill_count": len(target.skill_ids),
        }
    )
    sectors = _in_list("sector", target.sector_ids or [0], params)
    wanted = _wanted_cte([(pk, 1.0) for pk in target.skill_ids], params)
    sector_agg = v["agg"].format(col="os.sector_id", order="os.sector_id")
    skill_agg = v["agg"].format(col="ms.skill_id", order="ms.points DESC, ms.skill_id")
    return f"""
        {wanted},
        candidates AS (
            SELECT o.id, o.location FROM {ORGANISATION} o
            WHERE o.kind = %(other_kind)s AND o.status = %(verified)s AND o.id <> %(poster)s
        ),
        sec AS (
            SELECT os.organisation_id, COUNT(*) AS hits, {sector_agg} AS sector_ids
            FROM {ORG_SECTORS} os JOIN candidates c ON c.id = os.organisation_id
            WHERE os.sector_id IN ({sectors})
            GROUP BY os.organisation_id
        ),
        wt AS (
            SELECT wanted.skill_id, COALESCE(sw.weight, %(default_weight)s) AS points
            FROM wanted LEFT JOIN {WEIGHTS} sw ON sw.skill_id = wanted.skill_id
        ),
        total AS (SELECT COALESCE(SUM(points), 0) AS points FROM wt),
        ms AS (
            SELECT DISTINCT m.organisation_id, ps.skill_id, wt.points
            FROM {MEMBERSHIP} m
            JOIN candidates c ON c.id = m.organisation_id
            JOIN {PROFILE} p ON p.user_id = m.user_id
            JOIN {PROFILE_SKILLS} ps ON ps.profile_id = p.id
            JOIN wt ON wt.skill_id = ps.skill_id
        ),
        sk AS (
            SELECT ms.organisation_id, SUM(ms.points) AS points, {skill_agg} AS skill_ids
            FROM {ordered_rows("ms", "points DESC, skill_id")} GROUP BY ms.organisation_id
        ),
        parts AS (
            SELECT c.id AS organisation_id,
                (CASE WHEN %(sector_count)s = 0 THEN 0.5
                      ELSE COALESCE(sec.hits, 0) * 1.0 / %(sector_count)s END) AS sector_part,
                (CASE WHEN %(skill_count)s = 0 THEN 0.5
                      WHEN total.points <= 0 THEN 0.0
                      ELSE COALESCE(sk.points, 0) / total.points END) AS skill_part,
                (CASE WHEN %(mode)s = 'remote' THEN 1.0
                      WHEN COALESCE(%(location)s, '') = '' OR COALESCE(c.location, '') = ''
                      THEN 0.5
                      WHEN lower(trim(c.location)) = lower(trim(%(location)s)) THEN 1.0
                      WHEN %(mode)s = 'hybrid' THEN 0.5 ELSE 0.0 END) AS place_part,
                sec.sector_ids, sk.skill_ids
            FROM candidates c
            CROSS JOIN total
            LEFT JOIN sec ON sec.organisation_id = c.id
            LEFT JOIN sk ON sk.organisation_id = c.id
        ),
        scored AS (
            SELECT organisation_id,
                CAST(ROUND(CAST({w["sectors"]} * sector_part + {w["skills"]} * skill_part
                    + {w["place"]} * place_part AS numeric)) AS integer) AS score,
                {v["json"]}('organisation', organisation_id,
                    'sectors', COALESCE(sector_ids, ''), 'wanted_sectors', %(sector_count)s,
                    'skills', COALESCE(skill_ids, ''), 'wanted', %(skill_count)s,
                    'place', place_part) AS reasons
            FROM parts
        )
    """


def fanout_sql(target: Target, *, event_id: int, min_score: int) -> tuple[str, dict]:
    """``INSERT … SELECT``: one notification per member of each matching organisation."""
    from partnerships.notifications.models import Notification, NotificationPreference

    params: dict = {
        "default_frequency": settings.NOTIFICATION_DEFAULTS[target.type],
        "type": target.type,
        "event": event_id,
        "target_type": target.target_type,
        "target": target.pk,
        "title": target.title[:200],
        "url": target.url,
        "now": timezone.now(),
        "min_score": min_score,
    }
    scored = _scored_organisations_sql(target, params)
    notification = Notification._meta.db_table
    preference = NotificationPreference._meta.db_table
    sql = f"""
        WITH {scored}
        INSERT INTO {notification}
            (recipient_id, type, event_id, target_type, target_id, title, url, score, reasons,
             frequency, created_at)
        SELECT m.user_id, %(type)s, %(event)s, %(target_type)s, %(target)s, %(title)s, %(url)s,
            s.score, s.reasons, COALESCE(pref.frequency, %(default_frequency)s), %(now)s
        FROM scored s
        JOIN {MEMBERSHIP} m ON m.organisation_id = s.organisation_id
        JOIN {USER} u ON u.id = m.user_id AND u.is_active
        LEFT JOIN {preference} pref ON pref.user_id = m.user_id AND pref.type = %(type)s
        WHERE s.score >= %(min_score)s
          AND COALESCE(pref.frequency, %(default_frequency)s) <> 'off'
        ON CONFLICT (recipient_id, event_id, type) DO NOTHING
    """
    return sql, params


@dataclass(frozen=True)
class OrganisationMatch:
    organisation_id: int
    score: int
    reasons: dict


def suggest_organisations(target: Target, *, limit: int = 10) -> list[OrganisationMatch]:
    """The best organisations on the other side for ``target`` ("suggested partners")."""
    params: dict = {"limit": limit}
    sql = f"""
        WITH {_scored_organisations_sql(target, params)}
        SELECT organisation_id, score, reasons FROM scored
        ORDER BY score DESC, organisation_id LIMIT %(limit)s
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [OrganisationMatch(pk, score, parse_org_reasons(reasons)) for pk, score, reasons in rows]


def parse_org_reasons(raw) -> dict:
    reasons = parse_reasons(raw)
    sectors = reasons.get("sectors") or ""
    if isinstance(sectors, str):
        reasons["sectors"] = [int(s) for s in sectors.split(",") if s]
    return reasons


def explain(
    reasons: dict,
    *,
    sector_names: dict,
    skill_names: dict,
    organisation=None,
    partner: bool = False,
) -> list:
    """Plain words: which organisation, the sectors and skills in common, the place.
    ``partner``: the words are about the suggested organisation, for the call's own people."""
    from django.utils.translation import gettext as _

    phrases = []
    if organisation is not None:
        phrases.append(_("For %(org)s") % {"org": organisation})
    sectors = [sector_names[pk] for pk in reasons.get("sectors", []) if pk in sector_names]
    if sectors:
        words = (
            _("Works in %(n)d of its %(total)d sectors: %(names)s")
            if partner
            else _("%(n)d of its %(total)d sectors are yours: %(names)s")
        )
        phrases.append(
            words
            % {
                "n": len(sectors),
                "total": reasons.get("wanted_sectors"),
                "names": ", ".join(sectors),
            }
        )
    skills = [skill_names[pk] for pk in reasons.get("skills", []) if pk in skill_names]
    if skills:
        words = (
            _("Its people have %(n)d of the %(total)d skills sought: %(names)s")
            if partner
            else _("Your team has %(n)d of the %(total)d skills sought: %(names)s")
        )
        phrases.append(
            words
            % {"n": len(skills), "total": reasons.get("wanted"), "names": ", ".join(skills[:4])}
        )
    if float(reasons.get("place") or 0) >= 1:
        phrases.append(_("Remote, or where it is") if partner else _("Remote, or where you are"))
    return phrases


def target_for_opportunity(opportunity) -> Target:
    from partnerships.projects.permissions import OTHER_SIDE

    return Target(
        type="opportunity_match",
        target_type=opportunity._meta.label_lower,
        pk=opportunity.pk,
        title=opportunity.title,
        url=opportunity.get_absolute_url(),
        poster_id=opportunity.organisation_id,
        other_kind=OTHER_SIDE[opportunity.organisation.kind],
        sector_ids=list(opportunity.sectors.values_list("pk", flat=True)),
        skill_ids=list(opportunity.skills.values_list("pk", flat=True)),
        mode=opportunity.mode,
        location=opportunity.location,
    )


def target_for_review(review) -> Target:
    from partnerships.organisations.models import Kind

    return Target(
        type="opportunity_match",
        target_type=review._meta.label_lower,
        pk=review.pk,
        title=review.title,
        url=review.get_absolute_url(),
        poster_id=review.institution_id,
        other_kind=Kind.INDUSTRY,
        sector_ids=list(review.sectors.values_list("pk", flat=True)),
        mode="remote",  # reviews are answered online
    )


# --- Open calls for one organisation (recommendations) ------------------------------------


@dataclass(frozen=True)
class CallMatch:
    opportunity_id: int
    score: int
    reasons: dict


def recommend_calls(organisation: Organisation, *, limit: int = 5, now=None) -> list[CallMatch]:
    """Open calls from the other side, best first for ``organisation``: the same three parts
    as the fan-out, read from the organisation's side in one query."""
    from partnerships.projects.models import Opportunity, OpportunityStatus
    from partnerships.projects.permissions import OTHER_SIDE

    v = _vendor()
    w = weights()
    params: dict = {
        "org": organisation.pk,
        "other_kind": OTHER_SIDE[organisation.kind],
        "open": OpportunityStatus.OPEN,
        "now": now or timezone.now(),
        "location": organisation.location,
        "default_weight": default_weight(),
        "limit": limit,
    }
    opportunity = Opportunity._meta.db_table
    opp_sectors = Opportunity.sectors.through._meta.db_table
    opp_skills = Opportunity.skills.through._meta.db_table
    sector_hits = v["agg"].format(
        col="CASE WHEN os.hit = 1 THEN os.sector_id END", order="os.sector_id"
    )
    skill_hits = v["agg"].format(
        col="CASE WHEN ok.hit = 1 THEN ok.skill_id END", order="ok.points DESC, ok.skill_id"
    )
    sql = f"""
        WITH mine AS (
            SELECT sector_id FROM {ORG_SECTORS} WHERE organisation_id = %(org)s
        ),
        team AS (
            SELECT DISTINCT ps.skill_id FROM {MEMBERSHIP} m
            JOIN {PROFILE} p ON p.user_id = m.user_id
            JOIN {PROFILE_SKILLS} ps ON ps.profile_id = p.id
            WHERE m.organisation_id = %(org)s
        ),
        candidates AS (
            SELECT o.id, o.mode, o.location, o.deadline FROM {opportunity} o
            JOIN {ORGANISATION} poster ON poster.id = o.organisation_id
            WHERE o.status = %(open)s AND o.deadline > %(now)s
              AND poster.kind = %(other_kind)s AND o.organisation_id <> %(org)s
        ),
        os AS (
            SELECT s.opportunity_id, s.sector_id,
                CASE WHEN s.sector_id IN (SELECT sector_id FROM mine) THEN 1 ELSE 0 END AS hit
            FROM {opp_sectors} s JOIN candidates c ON c.id = s.opportunity_id
        ),
        sec AS (
            SELECT os.opportunity_id, COUNT(*) AS total, SUM(os.hit) AS hits,
                {sector_hits} AS sector_ids
            FROM {ordered_rows("os", "sector_id")} GROUP BY os.opportunity_id
        ),
        ok AS (
            SELECT k.opportunity_id, k.skill_id,
                COALESCE(sw.weight, %(default_weight)s) AS points,
                CASE WHEN k.skill_id IN (SELECT skill_id FROM team) THEN 1 ELSE 0 END AS hit
            FROM {opp_skills} k JOIN candidates c ON c.id = k.opportunity_id
            LEFT JOIN {WEIGHTS} sw ON sw.skill_id = k.skill_id
        ),
        sk AS (
            SELECT ok.opportunity_id, COUNT(*) AS wanted, SUM(ok.points) AS total,
                SUM(ok.points * ok.hit) AS points, {skill_hits} AS skill_ids
            FROM {ordered_rows("ok", "points DESC, skill_id")} GROUP BY ok.opportunity_id
        ),
        parts AS (
            SELECT c.id, c.deadline,
                (CASE WHEN sec.total IS NULL THEN 0.5
                      ELSE sec.hits * 1.0 / sec.total END) AS sector_part,
                (CASE WHEN sk.total IS NULL THEN 0.5 WHEN sk.total <= 0 THEN 0.0
                      ELSE sk.points / sk.total END) AS skill_part,
                (CASE WHEN c.mode = 'remote' THEN 1.0
                      WHEN COALESCE(c.location, '') = '' OR COALESCE(%(location)s, '') = ''
                      THEN 0.5
                      WHEN lower(trim(c.location)) = lower(trim(%(location)s)) THEN 1.0
                      WHEN c.mode = 'hybrid' THEN 0.5 ELSE 0.0 END) AS place_part,
                sec.sector_ids, COALESCE(sec.total, 0) AS wanted_sectors,
                sk.skill_ids, COALESCE(sk.wanted, 0) AS wanted
            FROM candidates c
            LEFT JOIN sec ON sec.opportunity_id = c.id
            LEFT JOIN sk ON sk.opportunity_id = c.id
        )
        SELECT id,
            CAST(ROUND(CAST({w["sectors"]} * sector_part + {w["skills"]} * skill_part
                + {w["place"]} * place_part AS numeric)) AS integer) AS score,
            {v["json"]}('organisation', %(org)s,
                'sectors', COALESCE(sector_ids, ''), 'wanted_sectors', wanted_sectors,
                'skills', COALESCE(skill_ids, ''), 'wanted', wanted,
                'place', place_part) AS reasons
        FROM parts
        ORDER BY score DESC, deadline, id
        LIMIT %(limit)s
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [CallMatch(pk, score, parse_org_reasons(reasons)) for pk, score, reasons in rows]
