"""Benchmark: browsing and searching calls at scale on PostgreSQL.

Usage: DATABASE_URL=postgres://…/scratch python bench/opportunity_search.py [rows]
Creates a throw-away set of calls in the given database (deleted at the end), then times the
browse selector the pages use, with and without full-text search, at page 1 and a deep page.
Figures are recorded in docs/performance.md.
"""

import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnerships.settings")

import django

django.setup()

from django.contrib.auth.models import AnonymousUser  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from partnerships.organisations.models import Organisation  # noqa: E402
from partnerships.projects.models import Opportunity  # noqa: E402
from partnerships.projects.search import weighted_vector  # noqa: E402
from partnerships.projects.selectors import opportunity_browse  # noqa: E402

WORDS = [
    "animation",
    "games",
    "museum",
    "brand",
    "typography",
    "sound",
    "film",
    "festival",
    "heritage",
    "ceramics",
    "textile",
    "research",
    "accessibility",
    "prototype",
    "workshop",
    "illustration",
    "publishing",
    "theatre",
    "dance",
    "data",
    "interactive",
    "installation",
    "students",
    "studio",
    "gallery",
    "archive",
    "podcast",
    "virtual",
    "reality",
]


def timed(fn, repeat: int = 15) -> tuple[float, float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def main(rows: int) -> None:
    assert connection.vendor == "postgresql", "run this against PostgreSQL"
    call_command("migrate", verbosity=0)
    organisation, _ = Organisation.objects.get_or_create(
        slug="bench-university",
        defaults={"kind": "institution", "category": "university", "name": "Bench University",
                  "status": "verified"},
    )  # fmt: skip
    rng = random.Random(42)
    now = timezone.now()
    batch = [
        Opportunity(
            organisation=organisation,
            kind=rng.choice(["research", "workshop", "guest_lecture", "consultancy"]),
            title=" ".join(rng.sample(WORDS, 5)).capitalize(),
            summary=" ".join(rng.sample(WORDS, 12)),
            description=" ".join(rng.choices(WORDS, k=120)),
            location=rng.choice(["Manchester", "Bristol", "Glasgow", "Leeds", "London"]),
            deadline=now + timedelta(days=rng.randint(1, 120), minutes=rng.randint(0, 1440)),
            status="open",
        )
        for _ in range(rows)
    ]
    started = time.perf_counter()
    Opportunity.objects.bulk_create(batch, batch_size=2000)
    qs = Opportunity.objects.filter(organisation=organisation)
    qs.update(search_vector=weighted_vector(Opportunity.SEARCH_WEIGHTS))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE projects_opportunity")
    print(f"created {rows} calls in {time.perf_counter() - started:.1f}s")
    anonymous = AnonymousUser()
    cases = {
        "browse, page 1": lambda: list(opportunity_browse(anonymous)[:20]),
        "browse, page 50": lambda: list(opportunity_browse(anonymous)[980:1000]),
        "search 'museum heritage', page 1": lambda: list(
            opportunity_browse(anonymous, q="museum heritage")[:20]
        ),
        "search count 'museum heritage'": lambda: opportunity_browse(
            anonymous, q="museum heritage"
        ).count(),
        "search 'ceramics -film', page 1": lambda: list(
            opportunity_browse(anonymous, q="ceramics -film")[:20]
        ),
    }
    try:
        for name, fn in cases.items():
            median, p95 = timed(fn)
            print(f"{name:<36} median {median:7.1f} ms   p95 {p95:7.1f} ms")
    finally:
        qs.delete()
        organisation.delete()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20000)
