# SQL is built from model table names and constants only; every value is a bound parameter.
# ruff: noqa: S608
"""Benchmark: student ↔ placement matching and notifications at scale on PostgreSQL.

Usage:
    DATABASE_URL=postgres://…/scratch python bench/matching.py \
        [--students 100000] [--placements 10000] [--organisations 2000]

Generates a synthetic population in the given (scratch!) database with set-based SQL — COPY from
in-memory buffers, never per-row saves — then prints one line per measurement, each with a floor
measured in the same run:

* fan-out: one new placement matched against every student, notification rows written
  (``fanout_sql`` through a cursor), against bulk-inserting the same rows into the same table;
* peak memory of a fresh process running the ``placement.published`` handler (its RSS
  high-water mark, ``VmHWM``), against the same process before the fan-out;
* recommendations: ``recommend_placements`` plus explanations for 200 students, median and p95,
  against a plain indexed query returning 20 open placements;
* digests: ``claim_digests("daily")`` for every student with pending notifications, against the
  same writes as two plain SQL statements; and rendering 1,000 digests, per digest.

Every generated row is marked (users ``…@bench.invalid``, organisations ``bench-match-…``,
domain events ``{"bench": "matching"}``) and deleted at the end, and at the start if an earlier
run was interrupted. Figures are recorded in docs/performance.md.
"""

import argparse
import datetime
import io
import json
import os
import random
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnerships.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.template import TemplateDoesNotExist  # noqa: E402
from django.template.loader import get_template  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Profile, Role, StudyLevel, User  # noqa: E402
from partnerships.activity.models import DomainEvent  # noqa: E402
from partnerships.core.mail import render_email  # noqa: E402
from partnerships.core.models import Sector, Skill  # noqa: E402
from partnerships.matching.models import PlacementRecommendation  # noqa: E402
from partnerships.matching.placements import (  # noqa: E402
    explain,
    fanout_sql,
    recommend_placements,
    refresh_recommendations,
    skill_names,
)
from partnerships.matching.services import refresh_skill_weights  # noqa: E402
from partnerships.notifications.emails import claim_digests, period_for  # noqa: E402
from partnerships.notifications.emails import unsubscribe_url as make_unsubscribe_url  # noqa: E402
from partnerships.notifications.models import (  # noqa: E402
    Digest,
    Notification,
    NotificationPreference,
)
from partnerships.notifications.selectors import with_explanations  # noqa: E402
from partnerships.organisations.models import Organisation  # noqa: E402
from partnerships.placements.models import Placement, PlacementKind, PlacementStatus  # noqa: E402

# A production worker runs with DEBUG off: no query log kept in memory, no template debug data.
settings.DEBUG = False

EMAIL_DOMAIN = "@bench.invalid"
ORG_PREFIX = "bench-match-"
MARKER = {"bench": "matching"}
ZIPF_S = 1.0  # skill popularity ∝ 1 / rank^s

USER = User._meta.db_table
PROFILE = Profile._meta.db_table
PROFILE_SKILLS = Profile.skills.through._meta.db_table
PROFILE_SECTORS = Profile.sectors.through._meta.db_table
ORGANISATION = Organisation._meta.db_table
PLACEMENT = Placement._meta.db_table
REQUIRED = Placement.required_skills.through._meta.db_table
NICE = Placement.nice_skills.through._meta.db_table
ELIGIBLE = Placement.eligible_institutions.through._meta.db_table
NOTIFICATION = Notification._meta.db_table
RECOMMENDATION = PlacementRecommendation._meta.db_table
RECOMMENDATION_COLUMNS = "student_id, placement_id, score, reasons, computed_at"
PREFERENCE = NotificationPreference._meta.db_table
DIGEST = Digest._meta.db_table
EVENT = DomainEvent._meta.db_table
# Columns the fan-out writes (everything but the id and the columns left NULL).
NOTIFICATION_COLUMNS = (
    "recipient_id, type, event_id, target_type, target_id, title, url, score, reasons,"
    " frequency, created_at"
)

CITIES = [  # (location, share of students and placements); "" = not given
    ("London", 30),
    ("Manchester", 14),
    ("Glasgow", 9),
    ("Bristol", 9),
    ("Leeds", 8),
    ("Birmingham", 8),
    ("Cardiff", 6),
    ("Belfast", 5),
    ("Newcastle", 5),
    ("", 6),
]
LEVELS = [
    (StudyLevel.UNDERGRADUATE, 60),
    (StudyLevel.POSTGRADUATE, 25),
    (StudyLevel.FOUNDATION, 8),
    (StudyLevel.DOCTORAL, 7),
]
KINDS = [
    (PlacementKind.INTERNSHIP, 40),
    (PlacementKind.WORK_PLACEMENT, 25),
    (PlacementKind.GRADUATE_ROLE, 20),
    (PlacementKind.MICRO_PLACEMENT, 15),
]
MODES = [("on_site", 50), ("hybrid", 30), ("remote", 20)]


# --- Helpers -------------------------------------------------------------------------------


def zipf_cum_weights(n: int, s: float = ZIPF_S) -> list[float]:
    total, cum = 0.0, []
    for rank in range(1, n + 1):
        total += 1 / rank**s
        cum.append(total)
    return cum


def draw_distinct(rng: random.Random, items: list, cum: list[float], k: int) -> list:
    """``k`` distinct items drawn with the skew given by ``cum`` (cumulative weights)."""
    chosen: dict = {}
    while len(chosen) < k:
        for item in rng.choices(items, cum_weights=cum, k=k - len(chosen)):
            chosen[item] = None
    return list(chosen)


def _copy_value(value) -> str:
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    return str(value)


def copy_rows(table: str, columns: list[str], rows: Iterable[tuple]) -> None:
    """COPY rows into ``table`` from an in-memory buffer (values free of tabs and newlines)."""
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join(_copy_value(value) for value in row))
        buffer.write("\n")
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)


def execute(sql: str, params=None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def fetch_ids(sql: str, params=None) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def vacuum(*tables: str) -> None:
    for table in tables:
        execute(f"VACUUM (ANALYZE) {table}")


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[max(int(len(ordered) * share) - 1, 0)]


def report(name: str, figure: str, floor: str, ratio: float | None, target: str, met) -> None:
    ratio_text = f"{ratio:6.1f}×" if ratio is not None else "      —"
    met_text = "—" if met is None else ("yes" if met else "NO")
    print(
        f"{name:<30} {figure:<34} floor {floor:<22} ratio {ratio_text}"
        f"   target {target:<16} met: {met_text}",
        flush=True,
    )


def status_mb(field: str) -> float:
    """``VmRSS`` (now) or ``VmHWM`` (the kernel's RSS high-water mark) of this process, in MB.
    Unlike ``getrusage``'s ``ru_maxrss``, ``VmHWM`` starts afresh at exec: a child does not
    inherit the parent's peak."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    return 0.0


# --- Clean-up ------------------------------------------------------------------------------

# The generated rows, selected by their markers (bind ``MARKERS``).
MARKERS = {"email": f"%{EMAIL_DOMAIN}", "slug": f"{ORG_PREFIX}%", "marker": json.dumps(MARKER)}
BENCH_USERS = f"SELECT id FROM {USER} WHERE email LIKE %(email)s"
BENCH_PROFILES = f"SELECT id FROM {PROFILE} WHERE user_id IN ({BENCH_USERS})"
BENCH_ORGS = f"SELECT id FROM {ORGANISATION} WHERE slug LIKE %(slug)s"
BENCH_PLACEMENTS = f"SELECT id FROM {PLACEMENT} WHERE organisation_id IN ({BENCH_ORGS})"
BENCH_EVENTS = f"SELECT id FROM {EVENT} WHERE payload @> %(marker)s::jsonb"


def cleanup() -> float:
    """Delete everything a run creates (children first), then restore the skill weights."""
    started = time.perf_counter()
    statements = [
        f"DELETE FROM {NOTIFICATION} WHERE event_id IN ({BENCH_EVENTS})",
        f"DELETE FROM {NOTIFICATION} WHERE recipient_id IN ({BENCH_USERS})",
        f"DELETE FROM {RECOMMENDATION} WHERE student_id IN ({BENCH_USERS})",
        f"DELETE FROM {DIGEST} WHERE user_id IN ({BENCH_USERS})",
        f"DELETE FROM {PREFERENCE} WHERE user_id IN ({BENCH_USERS})",
        f"DELETE FROM {EVENT} WHERE id IN ({BENCH_EVENTS})",
        f"DELETE FROM {REQUIRED} WHERE placement_id IN ({BENCH_PLACEMENTS})",
        f"DELETE FROM {NICE} WHERE placement_id IN ({BENCH_PLACEMENTS})",
        f"DELETE FROM {ELIGIBLE} WHERE placement_id IN ({BENCH_PLACEMENTS})",
        f"DELETE FROM {PLACEMENT} WHERE organisation_id IN ({BENCH_ORGS})",
        f"DELETE FROM {PROFILE_SKILLS} WHERE profile_id IN ({BENCH_PROFILES})",
        f"DELETE FROM {PROFILE_SECTORS} WHERE profile_id IN ({BENCH_PROFILES})",
        f"DELETE FROM {PROFILE} WHERE user_id IN ({BENCH_USERS})",
        f"DELETE FROM {USER} WHERE email LIKE %(email)s",
        f"DELETE FROM {ORGANISATION} WHERE slug LIKE %(slug)s",
    ]
    with transaction.atomic():
        for sql in statements:
            execute(sql, MARKERS)
    refresh_skill_weights()
    execute("ANALYZE")
    return time.perf_counter() - started


# --- Generation ----------------------------------------------------------------------------


def generate(rng: random.Random, students: int, placements: int, organisations: int) -> dict:
    """The synthetic population, set-based. Returns the ids and rankings the measurements use."""
    now = timezone.now()
    today = timezone.localdate(now)
    skills = list(Skill.objects.order_by("pk").values_list("pk", flat=True))
    rng.shuffle(skills)  # popularity rank: skills[0] is the most listed, spread over sectors
    skill_cum = zipf_cum_weights(len(skills))
    sectors = list(Sector.objects.order_by("pk").values_list("pk", flat=True))
    rng.shuffle(sectors)
    sector_cum = zipf_cum_weights(len(sectors), 0.8)
    cities = [city for city, _ in CITIES]
    city_weights = [w for _, w in CITIES]

    # Organisations: one in ten an institution, the rest industry; all verified.
    institutions_n = max(1, organisations // 10)
    org_rows = []
    for number in range(organisations):
        institution = number < institutions_n
        org_rows.append(
            (
                "institution" if institution else "industry",
                rng.choice(["university", "art_school", "college"])
                if institution
                else rng.choice(["studio", "agency", "creative_business", "cultural_organisation"]),
                f"Bench {'Institution' if institution else 'Studio'} {number}",
                f"{ORG_PREFIX}{number}",
                "",
                "",
                rng.choices(cities, city_weights)[0],
                "",
                "",
                "verified",
                "",
                now,
                now,
            )
        )
    copy_rows(
        ORGANISATION,
        ["kind", "category", "name", "slug", "description", "website", "location", "size_band",
         "logo", "status", "status_reason", "status_changed_at", "created_at"],
        org_rows,
    )  # fmt: skip
    org_ids = fetch_ids(f"{BENCH_ORGS} ORDER BY id", MARKERS)
    institution_ids, industry_ids = org_ids[:institutions_n], org_ids[institutions_n:]
    institution_cum = zipf_cum_weights(len(institution_ids), 0.7)
    industry_cum = zipf_cum_weights(len(industry_ids), 0.7)

    # Students: users, then one profile each.
    copy_rows(
        USER,
        ["password", "is_superuser", "email", "role", "is_staff", "is_active", "date_joined"],
        (
            ("!", False, f"student{n:07d}{EMAIL_DOMAIN}", Role.STUDENT, False, True, now)
            for n in range(students)
        ),
    )
    user_ids = fetch_ids(f"{BENCH_USERS} ORDER BY id", MARKERS)
    levels = [level for level, _ in LEVELS]
    level_weights = [w for _, w in LEVELS]
    profile_rows = []
    for number, user_id in enumerate(user_ids):
        graduation = (
            None if rng.random() < 0.05 else today + datetime.timedelta(days=rng.randint(-60, 1460))
        )
        institution = (
            None
            if rng.random() < 0.03
            else rng.choices(institution_ids, cum_weights=institution_cum)[0]
        )
        profile_rows.append(
            (f"Student {number}", "", "", rng.choices(cities, city_weights)[0], "", "",
             settings.TIME_ZONE, "", rng.choices(levels, level_weights)[0], graduation, False,
             now, institution, user_id)
        )  # fmt: skip
    copy_rows(
        PROFILE,
        ["display_name", "headline", "bio", "location", "website", "avatar", "timezone", "course",
         "level", "expected_graduation", "discoverable", "updated_at", "institution_id",
         "user_id"],
        profile_rows,
    )  # fmt: skip
    del profile_rows
    profile_ids = fetch_ids(f"{BENCH_PROFILES} ORDER BY id", MARKERS)

    # 3–8 skills each, Zipf-skewed; 0–3 followed sectors.
    copy_rows(
        PROFILE_SKILLS,
        ["profile_id", "skill_id"],
        (
            (profile_id, skill_id)
            for profile_id in profile_ids
            for skill_id in draw_distinct(rng, skills, skill_cum, rng.randint(3, 8))
        ),
    )
    copy_rows(
        PROFILE_SECTORS,
        ["profile_id", "sector_id"],
        (
            (profile_id, sector_id)
            for profile_id in profile_ids
            for sector_id in draw_distinct(
                rng, sectors, sector_cum, rng.choices([0, 1, 2, 3], [10, 40, 35, 15])[0]
            )
        ),
    )

    # Open placements from industry partners: mixed kinds and modes, some restricted by level.
    kinds = [kind for kind, _ in KINDS]
    kind_weights = [w for _, w in KINDS]
    modes = [mode for mode, _ in MODES]
    mode_weights = [w for _, w in MODES]
    placement_rows = []
    for number in range(placements):
        paid = rng.random() < 0.85
        start = (
            None if rng.random() < 0.1 else today + datetime.timedelta(days=rng.randint(30, 365))
        )
        end = start + datetime.timedelta(days=rng.choice([60, 90, 180, 365])) if start else None
        deadline = now + datetime.timedelta(days=rng.randint(1, 120), minutes=rng.randint(0, 1439))
        eligible = (
            json.dumps(sorted(rng.sample(levels, rng.randint(1, 2))))
            if rng.random() < 0.2
            else "[]"
        )
        placement_rows.append(
            (
                rng.choices(kinds, kind_weights)[0],
                f"Bench placement {number}",
                "A synthetic placement for the matching benchmark.",
                rng.choices(cities, city_weights)[0],
                rng.choices(modes, mode_weights)[0],
                paid,
                f"{rng.randint(300, 3000)}.00" if paid else None,
                "GBP",
                "month" if paid else "",
                rng.choice([20, 30, 35, 37]),
                "",
                start,
                end,
                rng.randint(1, 3),
                deadline,
                eligible,
                PlacementStatus.OPEN,
                now,
                now,
                now,
                now,
                rng.choices(industry_ids, cum_weights=industry_cum)[0],
                None if rng.random() < 0.15 else rng.choices(sectors, cum_weights=sector_cum)[0],
            )
        )
    copy_rows(
        PLACEMENT,
        ["kind", "title", "description", "location", "mode", "is_paid", "pay_amount",
         "pay_currency", "pay_period", "hours_per_week", "duration", "start_date", "end_date",
         "positions", "deadline", "eligible_levels", "status", "status_changed_at",
         "published_at", "created_at", "updated_at", "organisation_id", "sector_id"],
        placement_rows,
    )  # fmt: skip
    del placement_rows
    placement_ids = fetch_ids(f"{BENCH_PLACEMENTS} ORDER BY id", MARKERS)
    required_rows, nice_rows, eligible_rows = [], [], []
    for placement_id in placement_ids:
        wanted = draw_distinct(rng, skills, skill_cum, rng.randint(2, 5) + rng.randint(0, 3))
        cut = rng.randint(2, min(5, len(wanted)))
        required_rows += [(placement_id, skill_id) for skill_id in wanted[:cut]]
        nice_rows += [(placement_id, skill_id) for skill_id in wanted[cut:]]
        if rng.random() < 0.05:
            eligible_rows += [
                (placement_id, org_id)
                for org_id in rng.sample(institution_ids, min(len(institution_ids), 3))
            ]
    copy_rows(REQUIRED, ["placement_id", "skill_id"], required_rows)
    copy_rows(NICE, ["placement_id", "skill_id"], nice_rows)
    copy_rows(ELIGIBLE, ["placement_id", "organisation_id"], eligible_rows)

    refresh_skill_weights()
    execute("ANALYZE")
    return {
        "skills": skills,
        "sectors": sectors,
        "user_ids": user_ids,
        "placement_ids": placement_ids,
        "industry_ids": industry_ids,
    }


# --- Fan-out -------------------------------------------------------------------------------


FANOUT_CASES = [
    # (label, required and nice skills as popularity ranks, where)
    # Typical: two popular and one mid-table skill required, one rare nice-to-have; hybrid.
    ("typical", [1, 8, 40], [180], "hybrid"),
    # Broad: the two most listed skills required, the next two nice-to-have; remote.
    ("broad", [0, 1], [2, 3], "remote"),
]


def new_placement(population: dict, *, title: str, required: list[int], nice: list[int],
                  mode: str):  # fmt: skip
    """A just-published placement, as the studio's form would save it."""
    skills = population["skills"]
    placement = Placement.objects.create(
        organisation_id=population["industry_ids"][0],
        kind=PlacementKind.INTERNSHIP,
        title=title,
        description="Published during the matching benchmark.",
        location="London",
        mode=mode,
        is_paid=True,
        pay_amount=1800,
        pay_period="month",
        start_date=timezone.localdate() + datetime.timedelta(days=120),
        deadline=timezone.now() + datetime.timedelta(days=30),
        status=PlacementStatus.OPEN,
        published_at=timezone.now(),
        sector_id=population["sectors"][0],
    )
    placement.required_skills.set([skills[rank] for rank in required])
    placement.nice_skills.set([skills[rank] for rank in nice])
    event = DomainEvent.objects.create(
        name="placement.published",
        organisation_id=placement.organisation_id,
        target_type="placements.placement",
        target_id=placement.pk,
        payload=MARKER,
    )
    return placement, event


def run_fanout(placement, event, *, min_score: int) -> tuple[float, int]:
    """What the ``placement.published`` handler does: build the statement, run it."""
    started = time.perf_counter()
    sql, params = fanout_sql(placement, event_id=event.pk, min_score=min_score)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        written = cursor.rowcount
    return time.perf_counter() - started, written


def measure_fanout(population: dict, runs: int) -> None:
    """The fan-out writes notifications and (on PostgreSQL, in the same statement) the stored
    recommendations; the floor bulk-inserts exactly the rows it wrote, into the same tables."""
    min_score = settings.MATCHING_NOTIFY_MIN_SCORE

    def delete(event_id: int, placement_id: int) -> None:
        execute(f"DELETE FROM {NOTIFICATION} WHERE event_id = %s", [event_id])
        execute(f"DELETE FROM {RECOMMENDATION} WHERE placement_id = %s", [placement_id])
        vacuum(NOTIFICATION, RECOMMENDATION)

    for label, required, nice, mode in FANOUT_CASES:
        placement, event = new_placement(
            population, title=f"Bench fan-out, {label}", required=required, nice=nice, mode=mode
        )
        run_fanout(placement, event, min_score=min_score)  # warm-up; its rows feed the floor
        execute("DROP TABLE IF EXISTS bench_fanout_rows")
        execute("DROP TABLE IF EXISTS bench_recommendation_rows")
        execute(
            f"CREATE TEMP TABLE bench_fanout_rows AS SELECT {NOTIFICATION_COLUMNS}"
            f" FROM {NOTIFICATION} WHERE event_id = %s",
            [event.pk],
        )
        execute(
            f"CREATE TEMP TABLE bench_recommendation_rows AS SELECT {RECOMMENDATION_COLUMNS}"
            f" FROM {RECOMMENDATION} WHERE placement_id = %s",
            [placement.pk],
        )
        stored = execute("SELECT 1 FROM bench_recommendation_rows")
        # The floor: the very same rows, bulk-inserted into the same tables and indexes.
        floor_sql = (
            f"INSERT INTO {NOTIFICATION} ({NOTIFICATION_COLUMNS})"
            f" SELECT {NOTIFICATION_COLUMNS} FROM bench_fanout_rows"
        )
        floor_recommendations = (
            f"INSERT INTO {RECOMMENDATION} ({RECOMMENDATION_COLUMNS})"
            f" SELECT {RECOMMENDATION_COLUMNS} FROM bench_recommendation_rows"
        )
        fanout_times, floor_times, counts = [], [], set()
        for _ in range(runs):  # alternate, each from the same clean (vacuumed) tables
            delete(event.pk, placement.pk)
            seconds, written = run_fanout(placement, event, min_score=min_score)
            fanout_times.append(seconds)
            counts.add(written)
            delete(event.pk, placement.pk)
            started = time.perf_counter()
            floor_written = execute(floor_sql)
            execute(floor_recommendations)
            floor_times.append(time.perf_counter() - started)
            assert floor_written == written, (floor_written, written)
        assert len(counts) == 1, counts
        matched = counts.pop()
        fanout, floor = statistics.median(fanout_times), statistics.median(floor_times)
        ratio = fanout / floor
        report(
            f"fan-out, {label} placement",
            f"{fanout:.3f} s, {matched:,} notified, {stored:,} recommendations stored",
            f"{floor:.3f} s",
            ratio,
            "≤ 3× floor",
            ratio <= 3,
        )
        print(
            f"    required ranks {required}, nice {nice}, {mode}; min_score {min_score};"
            f" runs {', '.join(f'{t:.3f}' for t in fanout_times)} s;"
            f" floor {', '.join(f'{t:.3f}' for t in floor_times)} s",
            flush=True,
        )
        delete(event.pk, placement.pk)
    # Memory: the broad case (most rows) in a fresh worker-like process.
    measure_memory(placement, event, matched)
    delete(event.pk, placement.pk)
    execute("DROP TABLE IF EXISTS bench_fanout_rows")
    execute("DROP TABLE IF EXISTS bench_recommendation_rows")


def measure_memory(placement, event, matched: int) -> None:
    """Run the publish handler in a fresh process and read its RSS high-water mark."""
    result = subprocess.run(  # noqa: S603 — this interpreter, this script
        [sys.executable, __file__, "--fanout-child", str(event.pk)],
        capture_output=True,
        text=True,
        check=False,
        env=os.environ.copy(),
    )
    if result.returncode:
        sys.stderr.write(result.stderr)
        raise RuntimeError("the fan-out child process failed (its error is above)")
    data = json.loads(result.stdout.strip().splitlines()[-1])
    rows = Notification.objects.filter(event_id=event.pk, type="placement_match").count()
    assert rows == matched, (data, rows, matched)
    peak, base = data["hwm_after_mb"], data["hwm_before_mb"]
    report(
        "peak memory, fan-out process",
        f"{peak:.0f} MB RSS high-water",
        f"{base:.0f} MB before",
        peak / base,
        "< 300 MB",
        peak < 300,
    )
    print(
        f"    VmHWM (peak RSS) of a fresh process running the placement.published handler;"
        f" Python heap peak during the fan-out {data['traced_peak_kb']:.0f} KB (tracemalloc);"
        f" {data['seconds']:.3f} s, {data['written']:,} rows"
    )


def fanout_child(event_id: int) -> None:
    """Child process: the worker side of ``placement.published``, memory measured around it."""
    import partnerships.matching.placements  # noqa: F401 — loaded at worker start, not per task
    from partnerships.notifications.outbox import HANDLERS

    registered = HANDLERS["placement.published"]  # one handler, or a list of them
    handlers = registered if isinstance(registered, list | tuple) else [registered]
    event = DomainEvent.objects.get(pk=event_id)
    reverse("placements:detail", kwargs={"pk": event.target_id})  # URLconf: loaded by task one
    before = status_mb("VmHWM")
    tracemalloc.start()
    started = time.perf_counter()
    with transaction.atomic():  # as the dispatcher runs them (without queueing any email)
        written = sum(handler(event) for handler in handlers)
    seconds = time.perf_counter() - started
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        json.dumps(
            {
                "written": written,
                "seconds": seconds,
                "hwm_before_mb": before,
                "hwm_after_mb": status_mb("VmHWM"),
                "traced_peak_kb": traced_peak / 1024,
            }
        )
    )


# --- Recommendations -----------------------------------------------------------------------


def recommendations_with_explanations(user) -> list[tuple]:
    """What the student's dashboard needs: 20 placements, scores and reasons in words."""
    matches = recommend_placements(user, limit=20)
    names = skill_names(pk for match in matches for pk in match.reasons.get("skills", []))
    placements = Placement.objects.in_bulk(
        [match.placement_id for match in matches], field_name="pk"
    )
    rows = []
    for match in matches:
        placement = placements[match.placement_id]
        rows.append(
            (
                placement,
                match.score,
                explain(match.reasons, names, mode=placement.mode, location=placement.location),
            )
        )
    return rows


def plain_page(now) -> list:
    return list(
        Placement.objects.filter(status=PlacementStatus.OPEN, deadline__gt=now).order_by(
            "deadline"
        )[:20]
    )


def timed_ms(fn: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = fn()
    return (time.perf_counter() - started) * 1000, result


def measure_recommendations(rng: random.Random, population: dict, sample: int) -> None:
    user_ids = rng.sample(population["user_ids"], sample)
    users = list(User.objects.filter(pk__in=user_ids).select_related("profile"))
    rng.shuffle(users)
    now = timezone.now()
    # Stored recommendations are written by each fan-out and recomputed when a profile changes;
    # the generated placements were never fanned out, so compute them as a profile change would
    # (and report that cost on its own line).
    refresh_times = [timed_ms(lambda user=user: refresh_recommendations(user))[0] for user in users]
    report(
        f"recommendation refresh after a profile change ({len(users)} students)",
        f"median {statistics.median(refresh_times):.1f} ms,"
        f" p95 {percentile(refresh_times, 0.95):.1f} ms",
        "—",
        None,
        "none set (worker)",
        None,
    )
    for user in users[:10]:  # warm-up
        recommendations_with_explanations(user)
        plain_page(now)
    rec_times, floor_times, explained = [], [], 0
    for user in users:
        floor_ms, page = timed_ms(lambda: plain_page(now))
        rec_ms, rows = timed_ms(lambda user=user: recommendations_with_explanations(user))
        assert len(page) == 20
        floor_times.append(floor_ms)
        rec_times.append(rec_ms)
        explained += sum(1 for _, _, reasons in rows if reasons)
    p95, floor_p95 = percentile(rec_times, 0.95), percentile(floor_times, 0.95)
    report(
        f"recommendations ({len(users)} students)",
        f"median {statistics.median(rec_times):.1f} ms, p95 {p95:.1f} ms",
        f"{statistics.median(floor_times):.1f} / {floor_p95:.1f} ms",
        p95 / floor_p95,
        "p95 ≤ 5× floor",
        p95 <= 5 * floor_p95,
    )
    print(
        f"    top 20 with explanations ({explained / len(users):.1f} of 20 explained on average);"
        f" floor: 20 open placements by deadline (status, deadline index); ratio is p95 / p95"
    )


# --- Digests -------------------------------------------------------------------------------


def reset_digests(event_ids: list[int]) -> None:
    execute(
        f"UPDATE {NOTIFICATION} SET digest_id = NULL, emailed_at = NULL WHERE event_id = ANY(%s)",
        [event_ids],
    )
    execute(f"DELETE FROM {DIGEST} WHERE user_id IN ({BENCH_USERS})", MARKERS)
    vacuum(NOTIFICATION, DIGEST)


def claim_floor(now) -> None:
    """The same writes as ``claim_digests`` in two plain statements: one digest per person,
    then every pending notification attached to it."""
    params = {"period": period_for("daily", now), "now": now}
    with transaction.atomic():
        execute(
            f"INSERT INTO {DIGEST} (user_id, frequency, period, items, created_at)"
            f" SELECT recipient_id, 'daily', %(period)s, COUNT(*), %(now)s FROM {NOTIFICATION}"
            f" WHERE frequency = 'daily' AND emailed_at IS NULL AND created_at <= %(now)s"
            f" GROUP BY recipient_id ON CONFLICT DO NOTHING",
            params,
        )
        execute(
            f"UPDATE {NOTIFICATION} n SET digest_id = d.id, emailed_at = %(now)s FROM {DIGEST} d"
            f" WHERE d.user_id = n.recipient_id AND d.frequency = 'daily'"
            f" AND d.period = %(period)s AND d.created_at = %(now)s AND n.frequency = 'daily'"
            f" AND n.emailed_at IS NULL AND n.created_at <= %(now)s",
            params,
        )


def measure_digests(rng: random.Random, population: dict, placements: int, runs: int,
                    render: int) -> None:  # fmt: skip
    # A busy day: a few placements, each notifying every eligible student (min_score 0).
    event_ids, written, started = [], 0, time.perf_counter()
    for placement_id in rng.sample(population["placement_ids"], placements):
        placement = Placement.objects.get(pk=placement_id)
        event = DomainEvent.objects.create(
            name="placement.published",
            target_type="placements.placement",
            target_id=placement.pk,
            payload=MARKER,
        )
        event_ids.append(event.pk)
        written += run_fanout(placement, event, min_score=0)[1]
    print(
        f"    digest input: {written:,} daily notifications from {placements} placements"
        f" in {time.perf_counter() - started:.1f} s"
    )
    vacuum(NOTIFICATION)
    claim_times, floor_times, digests = [], [], 0
    for _ in range(runs):
        reset_digests(event_ids)
        seconds, _ = timed_ms(lambda: claim_floor(timezone.now()))
        floor_times.append(seconds / 1000)
        reset_digests(event_ids)
        seconds, ids = timed_ms(lambda: claim_digests("daily"))
        claim_times.append(seconds / 1000)
        digests = len(ids)
    claim, floor = statistics.median(claim_times), statistics.median(floor_times)
    report(
        "digest assembly (daily)",
        f"{claim:.2f} s, {digests:,} digests",
        f"{floor:.2f} s",
        claim / floor,
        "— (none set)",
        None,
    )
    runs_text = ", ".join(f"{t:.2f}" for t in claim_times)
    floors_text = ", ".join(f"{t:.2f}" for t in floor_times)
    print(
        f"    claim_digests('daily') over {written:,} notifications; floor: the same INSERT"
        f" … SELECT and UPDATE … FROM in plain SQL; runs {runs_text} s vs {floors_text} s"
    )
    measure_rendering(ids[:render])


def measure_rendering(digest_ids: list[int]) -> None:
    """Render digests as ``send_digests`` does (without handing them to Celery)."""
    preferences = f"{settings.SITE_URL}{reverse('notifications:preferences')}"
    template = "notifications/digest_daily"
    try:
        get_template(f"email/{template}_message.txt")
    except TemplateDoesNotExist as missing:
        report("digest rendering", f"not measured: no template {missing}", "—", None, "—", None)
        return
    started = time.perf_counter()
    for start in range(0, len(digest_ids), 500):
        chunk = digest_ids[start : start + 500]
        notifications = with_explanations(
            Notification.objects.filter(digest_id__in=chunk).order_by("digest_id", "-created_at")
        )
        by_digest: dict[int, list] = {}
        for notification in notifications:
            by_digest.setdefault(notification.digest_id, []).append(notification)
        for digest in Digest.objects.filter(pk__in=chunk).select_related("user__profile"):
            unsubscribe = make_unsubscribe_url(digest.user_id, "digest:daily")
            render_email(
                template,
                {
                    "person": digest.user,
                    "items": by_digest.get(digest.pk, []),
                    "digest": digest,
                    "unsubscribe_url": unsubscribe,
                    "preferences_url": preferences,
                },
            )
    seconds = time.perf_counter() - started
    report(
        f"digest rendering ({len(digest_ids):,})",
        f"{seconds:.2f} s, {seconds * 1000 / len(digest_ids):.2f} ms per digest",
        "—",
        None,
        "—",
        None,
    )


# --- Main ----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=100_000)
    parser.add_argument("--placements", type=int, default=10_000)
    parser.add_argument("--organisations", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=5, help="timed runs per fan-out measurement")
    parser.add_argument("--sample", type=int, default=200, help="students for recommendations")
    parser.add_argument("--digest-placements", type=int, default=5)
    parser.add_argument("--digest-runs", type=int, default=3)
    parser.add_argument("--render", type=int, default=1_000, help="digests to render")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--keep", action="store_true", help="leave the rows for EXPLAIN (the next run deletes them)"
    )
    parser.add_argument("--only", choices=["fanout", "recommendations", "digests"], nargs="*")
    parser.add_argument("--fanout-child", type=int, metavar="EVENT_ID", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.fanout_child:
        fanout_child(args.fanout_child)
        return
    assert connection.vendor == "postgresql", "run this against a scratch PostgreSQL database"
    assert args.students >= 20 and args.placements >= 20 and args.organisations >= 2
    call_command("migrate", verbosity=0)
    rng = random.Random(args.seed)
    print(
        f"bench/matching.py: {args.students:,} students, {args.placements:,} placements,"
        f" {args.organisations:,} organisations ({connection.settings_dict['NAME']})",
        flush=True,
    )
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
    print(
        f"    PostgreSQL {server}, {os.cpu_count()} CPUs, load average"
        f" {' '.join(f'{x:.2f}' for x in os.getloadavg())} at start",
        flush=True,
    )
    leftover = cleanup()
    print(f"    clean start in {leftover:.1f} s", flush=True)
    try:
        started = time.perf_counter()
        population = generate(rng, args.students, args.placements, args.organisations)
        print(f"    generated in {time.perf_counter() - started:.1f} s", flush=True)
        only = set(args.only or ["fanout", "recommendations", "digests"])
        if "fanout" in only:
            measure_fanout(population, args.runs)
        if "recommendations" in only:
            measure_recommendations(rng, population, min(args.sample, args.students))
        if "digests" in only:
            measure_digests(
                rng,
                population,
                min(args.digest_placements, args.placements),
                args.digest_runs,
                args.render,
            )
    finally:
        print(
            f"    load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} at the end",
            flush=True,
        )
        if args.keep:
            print("    rows kept (--keep); the next run deletes them", flush=True)
        else:
            print(f"    cleaned up in {cleanup():.1f} s", flush=True)


if __name__ == "__main__":
    main()
