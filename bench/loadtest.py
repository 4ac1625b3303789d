# SQL is built from model table names and constants only; every value is a bound parameter.
# ruff: noqa: S608
"""Load test: the real pages under gunicorn, on PostgreSQL, at production-like sizes.

Usage (``make loadtest LOADTEST="…"`` runs the same):

    python bench/loadtest.py [--students 100000] [--placements 10000] [--organisations 2000]
        [--events 5000] [--run-time 30] [--mix-time 60] [--workers 3] [--users 8] [--keep]
        [--cache-url redis://127.0.0.1:6379/14]

1. Creates the scratch database given by ``DATABASE_URL`` (default
   ``postgres://postgres@127.0.0.1:5432/loadtest_scratch``; its name must contain ``scratch``
   or ``loadtest``, since it is dropped and made anew), migrates it and generates the data
   set-based: the population of ``bench/matching.py`` (students with skills and sectors,
   organisations, placements), then placement and event texts, events with registrations,
   applications, studio members, stories, fan-outs of some placements (notifications and stored
   recommendations, as the worker writes them), a full inbox for the signed-in sample, and
   session cookies and API tokens for that sample.
2. Serves the app with gunicorn (sync workers) on a free loopback port with ``DEBUG=False``
   and ``bench/loadtest_settings.py``, whose URLconf adds the floor: ``/__floor__``, a bare
   Django view behind the same middleware. The workers share a Redis cache (``--cache-url``,
   emptied first), as in production: the page cache and the throttles live there.
3. Drives it with locust (headless, ``bench/locustfile.py``), each scenario bounded in time:
   a short warm-up through the whole mix; the floor; every page alone, as many requests as it
   can serve; the realistic mix of anonymous visitors, students and studio members; the floor
   again. One line per page: requests per second, p50/p95/p99, errors, and its throughput as
   a share of the floor's (the mean of the two floor runs); browse and search pages should
   reach 0.5 with no errors.
4. Stops gunicorn and drops the database (``--keep`` leaves it for EXPLAIN; ``--reuse`` then
   serves the kept data again without generating it).

Figures are recorded in docs/performance.md ("Load test").
"""

import argparse
import contextlib
import csv
import datetime
import json
import os
import random
import resource
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench"
BIN = Path(sys.executable).parent
LOCUSTFILE = BENCH / "locustfile.py"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/loadtest_scratch"
META_TABLE = "loadtest_meta"
matching = None  # bench/matching.py (its population and COPY helpers), imported by prepare()
# Collected static files (DEBUG=False serves the manifest's names), kept with --keep.
STATIC_ROOT = Path(tempfile.gettempdir()) / "tandem-loadtest-static"

# Every page of bench/locustfile.py, in the order measured, with its target share of the floor's
# throughput (None: no target beyond zero errors).
BROWSE_TARGET = 0.5
PAGES: list[tuple[str, float | None]] = [
    ("floor-signed-in", None),  # the bare view with a student's session: see SIGNED_IN
    ("anon-placements", BROWSE_TARGET),
    ("anon-placement-search", BROWSE_TARGET),
    ("anon-placement-detail", None),
    ("anon-events", BROWSE_TARGET),
    ("anon-event-search", BROWSE_TARGET),
    ("anon-stories", None),
    ("student-dashboard", None),
    ("student-placements", BROWSE_TARGET),
    ("student-placement-search", BROWSE_TARGET),
    ("student-placement-detail", None),
    ("student-notifications", None),
    ("api-placements", None),
    ("api-notifications", None),
    ("api-events", None),
    ("studio-dashboard", None),
    ("studio-pipeline", None),
]
FLOOR = "floor"
SIGNED_IN_FLOOR = "floor-signed-in"
# Pages that need a session: besides the floor's ratio, each is shown against the bare view
# asked for with a session, which is what being signed in alone costs (docs/performance.md).
SIGNED_IN = ("student-", "studio-")
MIX_CLASSES = ["AnonymousVisitor", "Student", "StudioMember"]

# --- Text for placements, events and searches --------------------------------------------------

ROLES = [
    "animator", "3D artist", "concept artist", "motion designer", "graphic designer",
    "UX designer", "UI designer", "game designer", "level designer", "technical artist",
    "VFX artist", "compositor", "film editor", "colourist", "sound designer", "producer",
    "copywriter", "illustrator", "photographer", "curator", "web developer",
    "creative technologist", "fashion designer", "textile designer", "art director",
    "brand designer", "design researcher", "content strategist", "community manager",
    "exhibition designer", "ceramicist", "furniture designer", "typographer", "storyboard artist",
    "rigger", "lighting artist", "environment artist", "character artist", "QA tester",
    "audio programmer",
]  # fmt: skip
GRADES = ["junior", "trainee", "assistant", "intern", "graduate", "placement", "apprentice"]
WORDS = (  # noqa: SIM905 — easier to read and edit as running text
    "design studio games animation film television brand identity digital interactive web "
    "mobile app museum gallery heritage archive exhibition theatre music audio sound podcast "
    "radio publishing editorial magazine books illustration print typography packaging "
    "fashion textiles knitwear footwear jewellery ceramics glass furniture interiors "
    "architecture landscape product industrial craft photography video documentary "
    "advertising campaign social media marketing research prototype user testing "
    "accessibility inclusive sustainability circular materials workshop client pitch "
    "portfolio storyboard script pipeline rendering shaders lighting rigging modelling "
    "texturing sculpting compositing grading editing motion capture virtual reality augmented "
    "immersive installation live events festival performance dance opera orchestra community "
    "education outreach learning schools young people charity funding grants collaboration "
    "team mentor feedback deadline agile sprint unity unreal blender maya houdini nuke figma "
    "photoshop illustrator indesign aftereffects premiere resolve python javascript react "
    "data visualisation mapping generative ai machine learning robotics electronics wearable "
    "sensor kinetic sculpture painting drawing printmaking screenprint letterpress risograph "
    "zine comics manga character environment level narrative writing copy content strategy "
    "service experience retail wayfinding signage spatial scenography costume makeup "
    "prosthetics props set building lighting camera drone sound recording foley mixing "
    "mastering composition score trailer title sequence broadcast esports streaming community "
    "moderation localisation translation quality assurance testing release production "
    "coordination budget schedule logistics"
).split()
WORDS = list(dict.fromkeys(WORDS))
KIND_TOPICS = [
    "portfolio reviews", "careers in games", "the future of VFX", "sustainable fashion",
    "museum digitisation", "inclusive design", "live briefs", "freelancing", "pitching",
    "motion capture", "immersive theatre", "brand strategy", "typography", "ceramics now",
    "podcast production", "AI in the studio", "accessible games", "design research",
]  # fmt: skip


def zipf_weights(n: int, s: float = 1.0) -> list[float]:
    total, cum = 0.0, []
    for rank in range(1, n + 1):
        total += 1 / rank**s
        cum.append(total)
    return cum


FILLER = [
    "You will join a small team and help on live client projects.",
    "We offer mentoring, regular feedback and a friendly place to work.",
    "Tell us what you would like to learn and show us something you made.",
    "It suits someone curious, organised and keen to collaborate.",
    "We reply to everyone who applies before the deadline.",
]
FILLER_WORDS = {word.strip(".,;").lower() for sentence in FILLER for word in sentence.split()}
# What people type: the vocabulary's words less the filler, the more common ones more often
# (a search matches from well under 1 % to about half of the open placements).
SEARCH_TERMS = [word for word in WORDS if word not in FILLER_WORDS]


def text(rng: random.Random, cum: list[float], low: int, high: int) -> str:
    """Sentences naming ``low``–``high`` distinct topic words (skewed by ``cum``), between
    filler sentences every listing has."""
    topics = draw_distinct(rng, WORDS, cum, rng.randint(low, high))
    sentences = []
    for start in range(0, len(topics), 6):
        chunk = topics[start : start + 6]
        listed = f"{', '.join(chunk[:-1])} and {chunk[-1]}" if len(chunk) > 1 else chunk[0]
        sentences.append(f"{rng.choice(['Work on', 'Learn', 'Help with', 'Explore'])} {listed}.")
        sentences.append(rng.choice(FILLER))
    return " ".join(sentences)


def draw_distinct(rng: random.Random, items: list, cum: list[float], k: int) -> list:
    chosen: dict = {}
    while len(chosen) < min(k, len(items)):
        chosen[rng.choices(items, cum_weights=cum)[0]] = None
    return list(chosen)


# --- Results -----------------------------------------------------------------------------------


@dataclass
class Result:
    """One page's figures from one locust run."""

    name: str
    requests: int = 0
    failures: int = 0
    rps: float = 0.0
    p50: float | None = None
    p95: float | None = None
    p99: float | None = None
    errors: list[str] = field(default_factory=list)


@dataclass
class Scenario:
    label: str
    results: dict[str, Result]
    seconds: float
    client_cpu: float  # locust's CPU seconds per wall second
    load: float  # one-minute load average at the end


def _number(value: str) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def read_locust_csv(prefix: str) -> tuple[dict[str, Result], int]:
    """Per request name, and the number of exceptions raised in the users themselves."""
    results: dict[str, Result] = {}
    with open(f"{prefix}_stats.csv", newline="") as stats:
        for row in csv.DictReader(stats):
            name = "total" if row["Name"] == "Aggregated" else row["Name"]
            results[name] = Result(
                name=name,
                requests=int(row["Request Count"]),
                failures=int(row["Failure Count"]),
                rps=float(row["Requests/s"]),
                p50=_number(row["50%"]),
                p95=_number(row["95%"]),
                p99=_number(row["99%"]),
            )
    raised = 0
    exceptions = Path(f"{prefix}_exceptions.csv")
    if exceptions.exists():  # errors in the locust users themselves, not the server's
        with exceptions.open(newline="") as rows:
            for row in csv.DictReader(rows):
                raised += int(row["Count"])
                say(f"    locust exception ({row['Count']}×): {row['Message'][:300]}")
    failures = Path(f"{prefix}_failures.csv")
    if failures.exists():
        with failures.open(newline="") as rows:
            for row in csv.DictReader(rows):
                result = results.get(row["Name"])
                if result is not None:
                    result.errors.append(f"{row['Occurrences']}× {row['Error']}")
    return results, raised


def ms(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}"


def format_line(result: Result, floor_rps: float | None, target: float | None) -> str:
    ratio = result.rps / floor_rps if floor_rps else None
    if target is None:
        met = "—" if not result.failures else "NO (errors)"
    else:
        met = "yes" if (ratio or 0) >= target and not result.failures else "NO"
    return (
        f"{result.name:<26} {result.rps:8.1f} req/s   p50 {ms(result.p50):>6} ms"
        f"  p95 {ms(result.p95):>6} ms  p99 {ms(result.p99):>6} ms   errors {result.failures:>5}"
        f"   ratio {'—' if ratio is None else f'{ratio:.2f}':>5}"
        f"   target {'—' if target is None else f'≥ {target}':>6}  met: {met}"
    )


def markdown_table(rows: list[tuple[Result, float | None, float | None]]) -> str:
    lines = [
        "| page | req/s | p50 ms | p95 ms | p99 ms | errors | ratio to floor | target | met |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for result, floor_rps, target in rows:
        ratio = result.rps / floor_rps if floor_rps else None
        met = "—"
        if target is not None:
            met = "yes" if (ratio or 0) >= target and not result.failures else "**no**"
        lines.append(
            f"| `{result.name}` | {result.rps:,.1f} | {ms(result.p50)} | {ms(result.p95)} |"
            f" {ms(result.p99)} | {result.failures} |"
            f" {'—' if ratio is None else f'{ratio:.2f}'} |"
            f" {'—' if target is None else f'≥ {target}'} | {met} |"
        )
    return "\n".join(lines)


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def say(message: str) -> None:
    print(message, flush=True)


# --- The scratch database ----------------------------------------------------------------------


def database_name(url: str) -> str:
    return urllib.parse.urlparse(url).path.lstrip("/")


def admin_connection(url: str):
    """A connection to the server's ``postgres`` database, to create or drop the scratch one."""
    import psycopg2

    parsed = urllib.parse.urlparse(url)
    connection = psycopg2.connect(
        host=parsed.hostname or "127.0.0.1",
        port=parsed.port or 5432,
        user=urllib.parse.unquote(parsed.username or "postgres"),
        password=urllib.parse.unquote(parsed.password or "") or None,
        dbname="postgres",
    )
    connection.autocommit = True
    return connection


def database_exists(url: str) -> bool:
    with contextlib.closing(admin_connection(url)) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database_name(url)])
        return cursor.fetchone() is not None


def recreate_database(url: str, *, drop_only: bool = False) -> None:
    name = database_name(url)
    with contextlib.closing(admin_connection(url)) as connection, connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            cursor.execute(f'CREATE DATABASE "{name}"')


# --- Generation (runs after django.setup()) -----------------------------------------------------


def execute(sql: str, params=None) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def fetch(sql: str, params=None) -> list[tuple]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@contextlib.contextmanager
def timed(label: str):
    """Print how long a generation step took."""
    started = time.perf_counter()
    yield
    say(f"    {label}: {time.perf_counter() - started:.1f} s")


def generate(rng: random.Random, args) -> dict:
    """Everything the pages read, set-based. Returns what the locust users need (no secrets)."""
    with timed(
        f"students, organisations, placements (bench/matching.py): {args.students:,} students,"
        f" {args.organisations:,} organisations, {args.placements:,} placements"
    ):
        population = matching.generate(rng, args.students, args.placements, args.organisations)
    population["institution_ids"] = [row[0] for row in fetch(
        "SELECT id FROM organisations_organisation WHERE kind = 'institution' AND slug LIKE %s",
        [f"{matching.ORG_PREFIX}%"],
    )]  # fmt: skip
    with timed("placement texts, a third closed, search vectors"):
        placement_texts(rng, population)
    with timed(f"{args.studios} studio members"):
        studios = studio_members(rng, population, args.studios)
    with timed(f"{args.events:,} events with registrations"):
        event_ids = events(rng, population, args.events)
    with timed("applications"):
        applications(rng, population)
    with timed(f"{args.stories} published stories"):
        stories(rng, population, args.stories)
    sample = rng.sample(population["user_ids"], min(args.sample_students, args.students))
    with timed(f"fan-out of {args.fanouts} placements (notifications, stored recommendations)"):
        fanouts(rng, population, args.fanouts)
    with timed(f"inboxes and registrations of the {len(sample):,} signed-in students"):
        sample_inboxes(rng, population, sample, event_ids)
    with timed("stored recommendations of the signed-in students without any"):
        say(f"      {sample_recommendations(sample):,} students scored")
    data = fixture(population, sample, studios)
    say("    " + search_selectivity(data))
    return data


def search_selectivity(data: dict) -> str:
    """How many open placements the searches match: broad words match many, rare ones few."""
    from django.utils import timezone

    from partnerships.placements.models import Placement, PlacementStatus
    from partnerships.projects.search import search

    open_now = Placement.objects.filter(status=PlacementStatus.OPEN, deadline__gt=timezone.now())
    total = open_now.count()
    terms, cum = data["search_terms"], data["search_cum_weights"]
    weights = [b - a for a, b in zip([0.0, *cum], cum, strict=False)]
    shares = sorted(
        (search(open_now, term, fallback_fields=("title",)).count() / total, weight)
        for term, weight in zip(terms, weights, strict=True)
    )

    # Weighted by how often the locust users type each word.
    def quantile(q: float) -> float:
        running, target = 0.0, q * sum(weights)
        for share, weight in shares:
            running += weight
            if running >= target:
                return share
        return shares[-1][0]

    return (
        f"one-word searches match {quantile(0.5):.1%} of the {total:,} open placements"
        f" (median, weighted by use; p10 {quantile(0.1):.1%}, p90 {quantile(0.9):.1%})"
    )


def placement_texts(rng: random.Random, population: dict) -> None:
    """Titles and descriptions from a skewed vocabulary, so that searches match as many rows as
    real ones would; a third of the placements closed, with past deadlines."""
    from partnerships.placements.models import Placement
    from partnerships.projects.search import weighted_vector

    role_cum, word_cum = zipf_weights(len(ROLES), 0.8), zipf_weights(len(WORDS), 0.8)
    rows = []
    for pk in population["placement_ids"]:
        role = rng.choices(ROLES, cum_weights=role_cum)[0]
        title = f"{rng.choice(GRADES).capitalize()} {role}"
        if rng.random() < 0.5:
            title += f" ({' and '.join(draw_distinct(rng, WORDS, word_cum, 2))})"
        rows.append((pk, title, text(rng, word_cum, 10, 25)))
    table = Placement._meta.db_table
    execute("CREATE TEMP TABLE loadtest_texts (id bigint, title text, description text)")
    matching.copy_rows("loadtest_texts", ["id", "title", "description"], rows)
    execute(
        f"UPDATE {table} p SET title = t.title, description = t.description"
        " FROM loadtest_texts t WHERE t.id = p.id"
    )
    execute("DROP TABLE loadtest_texts")
    closed = rng.sample(population["placement_ids"], len(population["placement_ids"]) // 3)
    execute(
        f"UPDATE {table} SET status = 'closed', deadline = now() - (random() * interval '300 days')"
        " - interval '1 day' WHERE id = ANY(%s)",
        [closed],
    )
    population["open_placement_ids"] = sorted(set(population["placement_ids"]) - set(closed))
    Placement.objects.update(search_vector=weighted_vector(Placement.SEARCH_WEIGHTS))


def new_users(role: str, emails: list[str], names: list[str]) -> list[int]:
    """Users (unusable password) and their profiles, in two COPYs."""
    from django.conf import settings
    from django.utils import timezone

    from accounts.models import Profile, User

    now = timezone.now()
    matching.copy_rows(
        User._meta.db_table,
        ["password", "is_superuser", "email", "role", "is_staff", "is_active", "date_joined"],
        (("!", False, email, role, False, True, now) for email in emails),
    )
    ids = [row[0] for row in fetch(
        f"SELECT id FROM {User._meta.db_table} WHERE email = ANY(%s) ORDER BY id", [emails]
    )]  # fmt: skip
    matching.copy_rows(
        Profile._meta.db_table,
        ["display_name", "headline", "bio", "location", "website", "avatar", "timezone", "course",
         "level", "discoverable", "updated_at", "user_id"],
        ((name, "", "", "London", "", "", settings.TIME_ZONE, "", "", False, now, user_id)
         for name, user_id in zip(names, ids, strict=True)),
    )  # fmt: skip
    return ids


def studio_members(rng: random.Random, population: dict, count: int) -> list[dict]:
    """An owner for each of the ``count`` industry partners with the most placements."""
    from django.utils import timezone

    from accounts.models import Role
    from partnerships.organisations.models import Membership
    from partnerships.placements.models import Placement

    orgs = [row[0] for row in fetch(
        f"SELECT organisation_id FROM {Placement._meta.db_table} GROUP BY organisation_id"
        " ORDER BY count(*) DESC, organisation_id LIMIT %s", [count]
    )]  # fmt: skip
    emails = [f"studio{n:05d}{matching.EMAIL_DOMAIN}" for n in range(len(orgs))]
    ids = new_users(Role.INDUSTRY, emails, [f"Studio member {n}" for n in range(len(orgs))])
    now = timezone.now()
    matching.copy_rows(
        Membership._meta.db_table,
        ["role", "job_title", "created_at", "user_id", "organisation_id"],
        [("owner", "Studio lead", now, user_id, org)
         for user_id, org in zip(ids, orgs, strict=True)],
    )  # fmt: skip
    execute(
        f"UPDATE {Placement._meta.db_table} p SET created_by_id = m.user_id,"
        f" contact_id = m.user_id FROM {Membership._meta.db_table} m"
        " WHERE m.organisation_id = p.organisation_id AND m.user_id = ANY(%s)",
        [ids],
    )
    population["studio_orgs"] = dict(zip(ids, orgs, strict=True))
    return [
        {"user_id": user_id, "organisation_id": org} for user_id, org in zip(ids, orgs, strict=True)
    ]


def events(rng: random.Random, population: dict, count: int) -> list[int]:
    """Events over the past six and the coming eight months, by institutions and studios, most
    published; registrations set-based, ``seats_taken`` matching the confirmed ones."""
    from django.utils import timezone

    from events.models import Event
    from partnerships.core.models import Sector
    from partnerships.organisations.models import Organisation
    from partnerships.projects.search import weighted_vector

    now = timezone.now()
    org_ids = [row[0] for row in fetch(
        f"SELECT id FROM {Organisation._meta.db_table} WHERE slug LIKE %s ORDER BY id",
        [f"{matching.ORG_PREFIX}%"],
    )]  # fmt: skip
    org_cum = zipf_weights(len(org_ids), 0.7)
    word_cum = zipf_weights(len(WORDS), 0.8)
    kinds = ["networking", "workshop", "guest_lecture", "seminar", "conference", "showcase",
             "careers_fair"]  # fmt: skip
    cities = [city for city, _ in matching.CITIES if city]
    rows = []
    for number in range(count):
        starts = now + datetime.timedelta(minutes=rng.randint(-180 * 1440, 240 * 1440))
        ends = starts + datetime.timedelta(hours=rng.choice([1, 2, 3, 6, 26, 50]))
        past = ends < now
        roll = rng.random()
        if past:
            status = "completed" if roll < 0.85 else ("cancelled" if roll < 0.92 else "published")
        else:
            status = "published" if roll < 0.85 else ("draft" if roll < 0.95 else "cancelled")
        kind = rng.choice(kinds)
        fmt = rng.choices(["in_person", "online", "hybrid"], [60, 25, 15])[0]
        city = rng.choice(cities)
        rows.append(
            Event(
                organisation_id=rng.choices(org_ids, cum_weights=org_cum)[0],
                kind=kind,
                title=f"{kind.replace('_', ' ').capitalize()}: {rng.choice(KIND_TOPICS)}"
                f" ({rng.choice(WORDS)}) #{number}",
                summary=text(rng, word_cum, 3, 6)[:300],
                description=text(rng, word_cum, 8, 20),
                starts_at=starts,
                ends_at=ends,
                format=fmt,
                venue_name="" if fmt == "online" else f"{city} {rng.choice(WORDS)} hall",
                venue_address="" if fmt == "online" else f"{rng.randint(1, 200)} High St, {city}",
                online_url="" if fmt == "in_person" else f"https://meet.example.org/{number}",
                capacity=None if rng.random() < 0.4 else rng.choice([20, 50, 80, 120, 200, 500]),
                requires_approval=rng.random() < 0.1,
                audience=rng.choices(["public", "students", "members"], [75, 20, 5])[0],
                status=status,
                status_changed_at=now,
                published_at=None if status == "draft" else now - datetime.timedelta(days=200),
                created_at=now - datetime.timedelta(days=210),
            )
        )  # fmt: skip
    created = Event.objects.bulk_create(rows, batch_size=1000)
    Event.objects.update(search_vector=weighted_vector(Event.SEARCH_WEIGHTS))
    event_ids = [event.pk for event in created]
    sectors = list(Sector.objects.values_list("pk", flat=True))
    matching.copy_rows(
        Event.sectors.through._meta.db_table,
        ["event_id", "sector_id"],
        ((event.pk, sector) for event in created
         for sector in rng.sample(sectors, rng.choice([0, 1, 1, 2]))),
    )  # fmt: skip
    institutions = population["institution_ids"]
    matching.copy_rows(
        Event.audience_organisations.through._meta.db_table,
        ["event_id", "organisation_id"],
        ((event.pk, org) for event in created if event.audience == "members"
         for org in rng.sample(institutions, min(3, len(institutions)))),
    )  # fmt: skip
    # Registrations: confirmed up to the capacity, a few cancelled.
    users = population["user_ids"]
    registration_rows, seats = [], {}
    for event in created:
        if event.status == "draft":
            continue
        wanted = int(rng.paretovariate(1.5) * 8)
        if event.capacity is not None:
            wanted = min(wanted, event.capacity)
        people = rng.sample(users, min(wanted, len(users)))
        confirmed = 0
        for user_id in people:
            status = "cancelled" if rng.random() < 0.08 else "confirmed"
            confirmed += status == "confirmed"
            registration_rows.append(
                (event.pk, user_id, status, now if status == "confirmed" else None,
                 now if status == "cancelled" else None, now, now)
            )  # fmt: skip
        seats[event.pk] = confirmed
    copy_registrations(registration_rows)
    table = Event._meta.db_table
    execute("CREATE TEMP TABLE loadtest_seats (id bigint, seats integer)")
    matching.copy_rows("loadtest_seats", ["id", "seats"], seats.items())
    execute(f"UPDATE {table} e SET seats_taken = s.seats FROM loadtest_seats s WHERE s.id = e.id")
    execute("DROP TABLE loadtest_seats")
    say(f"      {len(registration_rows):,} registrations")
    population["event_ids"] = event_ids
    return [
        event.pk
        for event in created
        if event.status == "published" and event.starts_at > now and event.audience != "members"
    ]


def copy_registrations(rows: list[tuple]) -> None:
    from events.models import Registration

    matching.copy_rows(
        Registration._meta.db_table,
        ["event_id", "user_id", "status", "confirmed_at", "cancelled_at", "created_at",
         "updated_at"],
        rows,
    )  # fmt: skip


APPLICATION_STATUSES = [
    ("submitted", 35), ("under_review", 20), ("shortlisted", 10), ("interview", 5),
    ("offered", 2), ("accepted", 2), ("rejected", 20), ("withdrawn", 3), ("draft", 3),
]  # fmt: skip


def applications(rng: random.Random, population: dict) -> None:
    """Applicants per placement from a heavy-tailed distribution (a few placements draw
    hundreds), one application per student and placement."""
    from django.utils import timezone

    from accounts.models import Profile
    from partnerships.placements.models import Application

    now = timezone.now()
    institution_of = dict(fetch(
        f"SELECT user_id, institution_id FROM {Profile._meta.db_table} WHERE user_id = ANY(%s)",
        [population["user_ids"]],
    ))  # fmt: skip
    statuses = [status for status, _ in APPLICATION_STATUSES]
    status_weights = [w for _, w in APPLICATION_STATUSES]
    users = population["user_ids"]
    rows = []
    for placement_id in population["placement_ids"]:
        for student in set(
            rng.sample(users, min(int(rng.paretovariate(1.3) * 6), 400, len(users)))
        ):
            status = rng.choices(statuses, status_weights)[0]
            created = now - datetime.timedelta(minutes=rng.randint(0, 90 * 1440))
            rows.append(
                ("", "", "", False, status, created, None if status == "draft" else created,
                 created, created, institution_of.get(student), student, placement_id)
            )  # fmt: skip
    matching.copy_rows(
        Application._meta.db_table,
        ["cover_letter", "cv", "portfolio_url", "for_credit", "status", "status_changed_at",
         "submitted_at", "created_at", "updated_at", "institution_id", "student_id",
         "placement_id"],
        rows,
    )  # fmt: skip
    say(f"      {len(rows):,} applications")


def stories(rng: random.Random, population: dict, count: int) -> None:
    """Published stories about placements, with their studio and an institution."""
    from django.utils import timezone

    from partnerships.placements.models import Placement
    from partnerships.stories.models import Story

    now = timezone.now()
    word_cum = zipf_weights(len(WORDS), 0.8)
    placements = dict(fetch(
        f"SELECT id, organisation_id FROM {Placement._meta.db_table} WHERE id = ANY(%s)",
        [rng.sample(population["placement_ids"], min(count, len(population["placement_ids"])))],
    ))  # fmt: skip
    rows = [
        Story(
            title=f"How a {rng.choice(ROLES)} placement became a job #{number}",
            slug=f"loadtest-story-{number}",
            summary=text(rng, word_cum, 4, 8)[:400],
            body=text(rng, word_cum, 20, 40),
            status="published",
            source="nomination",
            featured=number < 6,
            feature_order=number,
            placement_id=placement_id,
            status_changed_at=now,
            published_at=now - datetime.timedelta(days=rng.randint(0, 700)),
        )
        for number, placement_id in enumerate(placements)
    ]
    created = Story.objects.bulk_create(rows, batch_size=500)
    matching.copy_rows(
        Story.organisations.through._meta.db_table,
        ["story_id", "organisation_id"],
        ((story.pk, org) for story in created
         for org in {placements[story.placement_id], rng.choice(population["institution_ids"])}),
    )  # fmt: skip
    sectors = population["sectors"]
    matching.copy_rows(
        Story.sectors.through._meta.db_table,
        ["story_id", "sector_id"],
        ((story.pk, rng.choice(sectors)) for story in created),
    )


def fanouts(rng: random.Random, population: dict, count: int) -> None:
    """Some open placements matched against every student, as the worker does on publishing:
    notifications for the students who suit them, recommendations stored."""
    from django.conf import settings

    from partnerships.activity.models import DomainEvent
    from partnerships.placements.models import Placement

    chosen = rng.sample(
        population["open_placement_ids"], min(count, len(population["open_placement_ids"]))
    )
    written = 0
    for placement in Placement.objects.filter(pk__in=chosen).prefetch_related(
        "required_skills", "nice_skills"
    ):
        event = DomainEvent.objects.create(
            name="placement.published",
            organisation_id=placement.organisation_id,
            target_type="placements.placement",
            target_id=placement.pk,
            payload={"bench": "loadtest"},
        )
        written += matching.run_fanout(
            placement, event, min_score=settings.MATCHING_NOTIFY_MIN_SCORE
        )[1]
    say(f"      {written:,} notifications")


def sample_inboxes(rng: random.Random, population: dict, sample: list[int], event_ids: list[int]):
    """The signed-in students have used the site for a while: 20–200 notifications each (reasons
    taken from real fan-out rows, two thirds read) and a few event registrations."""
    from django.utils import timezone

    from partnerships.notifications.models import Notification

    now = timezone.now()
    reasons = [row[0] for row in fetch(
        f"SELECT reasons::text FROM {Notification._meta.db_table} LIMIT 2000"
    )] or ["{}"]  # fmt: skip
    placements = population["open_placement_ids"]
    rows = []
    for user_id in sample:
        for placement_id in rng.sample(placements, min(rng.randint(20, 200), len(placements))):
            created = now - datetime.timedelta(minutes=rng.randint(0, 120 * 1440))
            read = created + datetime.timedelta(hours=2) if rng.random() < 0.67 else None
            rows.append(
                (user_id, "placement_match", "placements.placement", placement_id,
                 f"Placement {placement_id}", f"/placements/{placement_id}/", rng.randint(50, 100),
                 rng.choice(reasons), "daily", created, read, created)
            )  # fmt: skip
    matching.copy_rows(
        Notification._meta.db_table,
        ["recipient_id", "type", "target_type", "target_id", "title", "url", "score", "reasons",
         "frequency", "created_at", "read_at", "emailed_at"],
        rows,
    )  # fmt: skip
    say(f"      {len(rows):,} notifications")
    taken = {tuple(row) for row in fetch(
        "SELECT event_id, user_id FROM events_registration WHERE user_id = ANY(%s)", [sample]
    )}  # fmt: skip
    registrations = []
    for user_id in sample:
        for event_id in rng.sample(event_ids, min(rng.randint(0, 4), len(event_ids))):
            if (event_id, user_id) not in taken:
                registrations.append((event_id, user_id, "confirmed", now, None, now, now))
    copy_registrations(registrations)
    execute(
        "UPDATE events_event e SET seats_taken = (SELECT count(*) FROM events_registration r"
        " WHERE r.event_id = e.id AND r.status = 'confirmed'), capacity = CASE WHEN"
        " e.capacity IS NULL THEN NULL ELSE greatest(e.capacity, (SELECT count(*) FROM"
        " events_registration r WHERE r.event_id = e.id AND r.status = 'confirmed')) END"
        " WHERE e.id = ANY(%s)",
        [list({row[0] for row in registrations})],
    )


def sample_recommendations(sample: list[int]) -> int:
    """Signed-in students the fan-outs stored no recommendation for get theirs as the worker
    stores them after a profile change: the dashboard reads stored rows, and scores live only
    for a student with none (which the first page view would otherwise pay)."""
    from accounts.models import User
    from partnerships.matching.models import PlacementRecommendation
    from partnerships.matching.placements import refresh_recommendations

    served = PlacementRecommendation.objects.filter(student_id__in=sample).values("student_id")
    missing = User.objects.filter(pk__in=sample).exclude(pk__in=served).select_related("profile")
    return sum(1 for user in missing if refresh_recommendations(user) or True)


def fixture(population: dict, sample: list[int], studios: list[dict]) -> dict:
    """What the locust users pick from (ids, filter values, search words), without secrets."""
    from accounts.models import StudyLevel
    from partnerships.core.models import Sector, Skill
    from partnerships.placements.models import Application, PlacementKind

    top = {}
    for org, placement_id, _n in fetch(
        "SELECT p.organisation_id, p.id, count(a.id) FROM placements_placement p"
        " JOIN placements_application a ON a.placement_id = p.id"
        " WHERE p.organisation_id = ANY(%s) GROUP BY p.organisation_id, p.id"
        " ORDER BY p.organisation_id, count(a.id) DESC",
        [[studio["organisation_id"] for studio in studios]],
    ):
        top.setdefault(org, [])
        if len(top[org]) < 10:
            top[org].append(placement_id)
    for studio in studios:
        studio["placements"] = top.get(studio["organisation_id"], [])
    studios = [studio for studio in studios if studio["placements"]]
    roles = [role.split()[-1].lower() for role in ROLES]
    search_terms = list(dict.fromkeys([*SEARCH_TERMS[:10], *roles, *SEARCH_TERMS[10:]]))
    applicants = Application.objects.count()
    return {
        "placements": population["open_placement_ids"],
        "sample": sample,
        "studios": studios,
        "search_terms": search_terms,
        "search_cum_weights": zipf_weights(len(search_terms), 0.5),
        "kinds": list(PlacementKind.values),
        "modes": ["on_site", "hybrid", "remote"],
        "locations": [city for city, _ in matching.CITIES if city],
        "levels": list(StudyLevel.values),
        "sectors": list(Sector.objects.values_list("slug", flat=True)),
        "skills": list(Skill.objects.values_list("slug", flat=True)[:200]),
        "applications": applicants,
    }


def sizes_of(args) -> dict:
    keys = ("students", "placements", "organisations", "events", "studios", "stories", "fanouts",
            "sample_students", "seed")  # fmt: skip
    return {key: getattr(args, key) for key in keys}


def store_meta(data: dict) -> None:
    execute(f"CREATE TABLE IF NOT EXISTS {META_TABLE} (key text PRIMARY KEY, value jsonb)")
    execute(
        f"INSERT INTO {META_TABLE} (key, value) VALUES ('fixture', %s)"
        " ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
        [json.dumps(data)],
    )


def stored_meta() -> dict | None:
    if not fetch("SELECT 1 FROM pg_tables WHERE tablename = %s", [META_TABLE]):
        return None
    rows = fetch(f"SELECT value::text FROM {META_TABLE} WHERE key = 'fixture'")
    return json.loads(rows[0][0]) if rows else None


def sign_in(data: dict) -> dict:
    """A session (cookie) for every signed-in student and studio member, and an API token for
    every student, made with this run's SECRET_KEY. Earlier runs' are deleted."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone
    from django.utils.crypto import get_random_string
    from rest_framework.authtoken.models import Token

    from accounts.models import User

    Session.objects.all().delete()
    Token.objects.all().delete()
    store = SessionStore()
    expires = timezone.now() + datetime.timedelta(days=1)
    backend = "django.contrib.auth.backends.ModelBackend"
    user_ids = list(data["sample"]) + [studio["user_id"] for studio in data["studios"]]
    sessions, tokens, keys = [], [], {}
    for user in User.objects.filter(pk__in=user_ids):
        key = get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789")
        payload = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: backend,
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
        sessions.append(Session(session_key=key, session_data=store.encode(payload),
                                expire_date=expires))  # fmt: skip
        token = Token(key=Token.generate_key(), user=user)
        tokens.append(token)
        keys[user.pk] = (key, token.key)
    Session.objects.bulk_create(sessions, batch_size=1000)
    Token.objects.bulk_create(tokens, batch_size=1000)
    return {
        **data,
        "session_cookie_name": settings.SESSION_COOKIE_NAME,
        "students": [
            {"session": keys[pk][0], "token": keys[pk][1]} for pk in data["sample"] if pk in keys
        ],
        "studios": [
            {"session": keys[studio["user_id"]][0], "placements": studio["placements"]}
            for studio in data["studios"]
        ],
    }


def prepare(args, rng: random.Random, scratch: Path) -> dict:
    """The database and static files; returns the locust users' data."""
    import django

    django.setup()
    global matching
    import matching
    from django.core.management import call_command
    from django.db import connection

    with timed("migrate"):
        call_command("migrate", verbosity=0)
    static = Path(os.environ["LOADTEST_STATIC_ROOT"])
    if args.reuse and (static / "staticfiles.json").exists():
        say(f"    static files: reusing {static}")
    else:
        with timed(f"collectstatic into {static}"):
            shutil.rmtree(static, ignore_errors=True)
            call_command("collectstatic", interactive=False, verbosity=0)
    data = stored_meta() if args.reuse else None
    if data is not None and data.get("sizes") != sizes_of(args):
        raise SystemExit(
            f"--reuse: the kept data has other sizes ({data.get('sizes')}); run without --reuse"
        )
    if data is None:
        started = time.perf_counter()
        data = generate(rng, args)
        data["sizes"] = sizes_of(args)
        store_meta(data)
        with timed("VACUUM ANALYZE"):
            execute("VACUUM ANALYZE")
        say(f"    generated in {time.perf_counter() - started:.0f} s")
    else:
        say("    reusing the kept data (--reuse)")
    data = sign_in(data)
    counts = fetch(
        "SELECT (SELECT count(*) FROM accounts_user), (SELECT count(*) FROM placements_placement),"
        " (SELECT count(*) FROM organisations_organisation), (SELECT count(*) FROM events_event),"
        " (SELECT count(*) FROM placements_application),"
        " (SELECT count(*) FROM notifications_notification),"
        " (SELECT count(*) FROM events_registration), (SELECT count(*) FROM stories_story),"
        " (SELECT pg_size_pretty(pg_database_size(current_database())))"
    )[0]
    say(
        "    rows: {:,} users, {:,} placements, {:,} organisations, {:,} events, {:,} applications,"
        " {:,} notifications, {:,} registrations, {:,} stories; database {}".format(*counts)
    )
    data["counts"] = counts
    connection.close()
    path = scratch / "locust-data.json"
    path.write_text(json.dumps(data))
    os.environ["LOADTEST_DATA"] = str(path)
    return data


# --- gunicorn and locust -------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(args, port: int, log: Path) -> subprocess.Popen:
    command = [
        str(BIN / "gunicorn"),
        "partnerships.wsgi:application",
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(args.workers),
        "--worker-class", "sync",
        "--chdir", str(REPO),
        "--pythonpath", str(REPO),
        "--timeout", "60",
        "--graceful-timeout", "5",
        "--no-control-socket",  # gunicorn's default socket is one per machine, shared
        "--log-level", "warning",
    ]  # fmt: skip
    with log.open("a") as output:  # the app logs one line per request to stderr
        process = subprocess.Popen(  # noqa: S603 — this virtualenv's gunicorn
            command,
            cwd=REPO,
            env=os.environ.copy(),
            start_new_session=True,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            say("\n".join(log.read_text().splitlines()[-20:]))
            raise RuntimeError(f"gunicorn exited with {process.returncode} (its log is above)")
        floor = f"http://127.0.0.1:{port}/__floor__"
        with contextlib.suppress(OSError), urllib.request.urlopen(floor, timeout=2) as reply:
            if reply.status == 200:
                return process
        time.sleep(0.3)
    stop(process)
    say("\n".join(log.read_text().splitlines()[-20:]))
    raise RuntimeError("gunicorn did not answer within 60 s (its log is above)")


def stop(process: subprocess.Popen | None) -> None:
    """End a process we started, and its children (its own process group)."""
    if process is None or process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


def run_locust(
    args, url: str, scratch: Path, label: str, classes: list[str], seconds: int, *, users: int,
    page: str = "",
) -> Scenario:  # fmt: skip
    prefix = str(scratch / f"locust-{label}")
    env = {**os.environ, "LOADTEST_PAGE": page}
    command = [
        str(BIN / "locust"), "-f", str(LOCUSTFILE), "--headless",
        "--users", str(users), "--spawn-rate", str(users), "--run-time", f"{seconds}s",
        "--host", url, "--csv", prefix, "--only-summary", "--stop-timeout", "5",
        "--loglevel", "ERROR", "--skip-log-setup", *classes,
    ]  # fmt: skip
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    with open(f"{prefix}.log", "w") as output:
        process = subprocess.Popen(  # noqa: S603 — this virtualenv's locust
            command, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            process.wait(timeout=seconds + 120)
        except subprocess.TimeoutExpired:
            stop(process)
            raise
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if not Path(f"{prefix}_stats.csv").exists():
        raise RuntimeError(f"locust wrote no statistics; see {prefix}.log")
    results, raised = read_locust_csv(prefix)
    counted = results.get(page or "total")
    if raised and counted is not None:  # a user that raised is an error of what it measured
        counted.failures += raised
        counted.errors.append(f"{raised}× exception in the locust user (see above)")
    elif raised:
        results[page or "total"] = Result(page or "total", failures=raised)
    return Scenario(label, results, wall, cpu / wall, os.getloadavg()[0])


def show_errors(result: Result) -> None:
    for error in result.errors[:3]:
        say(f"      error: {error[:300]}")


def measure(args, url: str, scratch: Path) -> None:
    pages = [(name, target) for name, target in PAGES if not args.pages or name in args.pages]
    users = args.users
    if args.warmup:
        warm = run_locust(args, url, scratch, "warmup", MIX_CLASSES, args.warmup, users=users)
        failing = [r for name, r in warm.results.items() if name != "total" and r.failures]
        say(f"    warm-up: {warm.results['total'].requests:,} requests through the mix")
        for result in failing:
            say(f"    warm-up errors on {result.name}: {result.failures} of {result.requests}")
            show_errors(result)
    say(
        f"\nEach page alone: {users} concurrent clients without think time, {args.run_time} s each"
        " (latencies include queueing at saturation)."
    )
    floors = []

    def floor_run(label: str) -> float:
        scenario = run_locust(args, url, scratch, label, ["FloorUser"], args.run_time, users=users)
        result = scenario.results[FLOOR]
        floors.append(result.rps)
        say(f"{format_line(result, None, None)}   [{label}; client CPU {scenario.client_cpu:.0%},"
            f" load {scenario.load:.2f}]")  # fmt: skip
        show_errors(result)
        return result.rps

    floor_run("floor-start")
    measured: list[tuple[Result, Scenario, float | None]] = []
    for name, target in pages:
        scenario = run_locust(
            args, url, scratch, name, ["PageUser"], args.run_time, users=users, page=name
        )
        result = scenario.results.get(name, Result(name))
        measured.append((result, scenario, target))
        say(
            f"{format_line(result, floors[0], target)}   [client CPU {scenario.client_cpu:.0%},"
            f" load {scenario.load:.2f}]"
        )
        show_errors(result)
    mix = None
    if args.mix_time:
        say(
            f"\nThe mix: anonymous visitors, students and studio members (4:5:1), {users}"
            f" clients without think time, {args.mix_time} s."
        )
        mix = run_locust(args, url, scratch, "mix", MIX_CLASSES, args.mix_time, users=users)
        for _name, result in sorted(mix.results.items(), key=lambda item: item[0] == "total"):
            say(format_line(result, None, None))
            show_errors(result)
        say(f"    client CPU {mix.client_cpu:.0%}, load {mix.load:.2f}")
    floor_run("floor-end")
    floor = statistics.mean(floors)
    say(
        f"\nSummary: ratios against the mean floor {floor:,.1f} req/s"
        f" (start {floors[0]:,.1f}, end {floors[-1]:,.1f}); load average {load_average()}"
    )
    rows = [(result, floor, target) for result, _scenario, target in measured]
    floor_result = Result(FLOOR, rps=floor)
    for result, _floor, target in rows:
        say(format_line(result, floor, target))
    signed_in_floor = next((r.rps for r, _f, _t in rows if r.name == SIGNED_IN_FLOOR), None)
    if signed_in_floor:
        shares = ", ".join(
            f"{r.name} {r.rps / signed_in_floor:.2f}"
            for r, _f, _t in rows
            if r.name.startswith(SIGNED_IN)
        )
        say(
            f"Signed in, against the bare view with a session ({signed_in_floor:,.1f} req/s,"
            f" {signed_in_floor / floor:.2f} of the floor): {shares or 'no signed-in page run'}"
        )
    missed = [r.name for r, _f, t in rows if t is not None and (r.rps / floor < t or r.failures)]
    errors = sum(r.failures for r, _f, _t in rows) + (mix.results["total"].failures if mix else 0)
    verdict = "met" if not missed else "missed by " + ", ".join(missed)
    say(
        f"Targets: browse and search ≥ {BROWSE_TARGET} of the floor with no errors — {verdict};"
        f" errors in all runs: {errors}"
    )
    if args.markdown:
        say("\n" + markdown_table([(floor_result, None, None), *rows]))
        if mix:
            say("\nMix:\n" + markdown_table([(r, None, None) for r in mix.results.values()]))


# --- Main -----------------------------------------------------------------------------------------


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sizes = parser.add_argument_group("data")
    sizes.add_argument("--students", type=int, default=100_000)
    sizes.add_argument("--placements", type=int, default=10_000)
    sizes.add_argument("--organisations", type=int, default=2_000)
    sizes.add_argument("--events", type=int, default=5_000)
    sizes.add_argument("--studios", type=int, default=200, help="studio members signed in")
    sizes.add_argument("--stories", type=int, default=300, help="published stories")
    sizes.add_argument("--fanouts", type=int, default=100, help="placements fanned out")
    sizes.add_argument(
        "--sample-students", type=int, default=1_000, help="students signed in (sessions, tokens)"
    )
    sizes.add_argument("--seed", type=int, default=42)
    run = parser.add_argument_group("run")
    run.add_argument("--run-time", type=int, default=30, help="seconds per page and floor run")
    run.add_argument("--mix-time", type=int, default=60, help="seconds of the mix (0: none)")
    run.add_argument("--warmup", type=int, default=10, help="seconds of warm-up (0: none)")
    run.add_argument("--workers", type=int, default=3, help="gunicorn sync workers")
    run.add_argument("--users", type=int, default=8, help="concurrent locust clients")
    run.add_argument("--pages", nargs="*", help="only these pages (default: all)")
    run.add_argument(
        "--cache-url",
        default="redis://127.0.0.1:6379/14",
        help="the Redis database the workers share as their cache, emptied at the start "
        "('': none, each worker caches in its own memory)",
    )
    run.add_argument("--markdown", action="store_true", help="also print Markdown tables")
    keep = parser.add_argument_group("data between runs")
    keep.add_argument("--keep", action="store_true", help="leave the database when done")
    keep.add_argument("--reuse", action="store_true", help="serve kept data of the same sizes")
    return parser.parse_args(argv)


def flush_cache(url: str) -> None:
    """Start from an empty cache: pages cached by an earlier run would flatter this one."""
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).flushdb()
    except redis.RedisError as exc:
        raise SystemExit(f"the cache {url} is unreachable ({exc}); pass --cache-url ''") from exc


def environment(scratch: Path, cache_url: str) -> None:
    """The production-like settings gunicorn and this process share (the session cookies made
    here are signed with the same throwaway key)."""
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.update(
        DJANGO_SETTINGS_MODULE="bench.loadtest_settings",
        DEBUG="False",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="False",
        LOG_LEVEL="WARNING",
        MFA_REQUIRED_FOR_ADMINS="True",
        LOADTEST_STATIC_ROOT=str(STATIC_ROOT),
        PYTHONPATH=str(REPO),
    )
    os.environ.pop("REDIS_URL", None)  # no broker: nothing the pages do is queued
    if cache_url:  # the cache the workers share, as in production (page cache, throttles)
        os.environ["CACHE_URL"] = cache_url
    else:  # each worker keeps its own in memory
        os.environ.pop("CACHE_URL", None)
    for path in (str(REPO), str(BENCH)):
        if path not in sys.path:
            sys.path.insert(0, path)


def main(argv=None) -> None:
    args = parse_args(argv)
    scratch = Path(tempfile.mkdtemp(prefix="tandem-loadtest-"))
    environment(scratch, args.cache_url)
    if args.cache_url:
        flush_cache(args.cache_url)
    url = os.environ["DATABASE_URL"]
    name = database_name(url)
    if "scratch" not in name and "loadtest" not in name:
        raise SystemExit(f"refusing to use {name!r}: the load test drops its database")
    rng = random.Random(args.seed)
    say(
        f"bench/loadtest.py: {args.students:,} students, {args.placements:,} placements,"
        f" {args.organisations:,} organisations, {args.events:,} events ({name});"
        f" {os.cpu_count()} CPUs, load average {load_average()} at start"
    )
    if not (args.reuse and database_exists(url)):
        recreate_database(url)
    gunicorn = None
    try:
        prepare(args, rng, scratch)
        port = free_port()
        gunicorn = start_gunicorn(args, port, scratch / "gunicorn.log")
        say(
            f"    gunicorn: {args.workers} sync workers on 127.0.0.1:{port}, DEBUG=False;"
            f" locust: {args.users} clients"
        )
        measure(args, f"http://127.0.0.1:{port}", scratch)
    finally:
        stop(gunicorn)
        log = scratch / "gunicorn.log"
        if log.exists():
            errors = [line for line in log.read_text().splitlines() if '"level": "ERROR"' in line]
            if errors:
                say(f"    gunicorn logged {len(errors)} errors; the first: {errors[0][:500]}")
        shutil.rmtree(scratch, ignore_errors=True)
        say(f"    load average {load_average()} at the end")
        if args.keep:
            say(f"    database {name} and {STATIC_ROOT} kept (--keep); --reuse serves them again")
        else:
            from django.db import connections

            connections.close_all()
            recreate_database(url, drop_only=True)
            shutil.rmtree(STATIC_ROOT, ignore_errors=True)
            say(f"    database {name} and {STATIC_ROOT} dropped")


if __name__ == "__main__":
    main()
