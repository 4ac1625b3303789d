"""Every URL of ours has at least one test that names it, so no route ships untested.

A route counts as covered when some test file mentions its name (``"organisations:edit"``) or,
for API routes, its path prefix (``/api/organisations/``).
"""

from pathlib import Path

from django.urls import URLPattern, URLResolver, get_resolver

TESTS = Path(__file__).resolve().parent
OWN_PREFIXES = ("partnerships", "accounts", "events", "rest_framework.routers", "drf_spectacular")


def walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), namespace + (entry.name or ""), entry


def own_routes():
    for route, name, pattern in walk(get_resolver().url_patterns):
        module = getattr(pattern.callback, "__module__", "") or ""
        if route.startswith(("accounts/", "admin/")) and not module.startswith(OWN_PREFIXES):
            continue  # allauth's and Django admin's own views
        if module.startswith(OWN_PREFIXES) or route.startswith("api/"):
            yield route, name


def test_every_route_is_named_in_a_test():
    corpus = "\n".join(
        p.read_text() for p in TESTS.rglob("test_*.py") if p.name != "test_url_coverage.py"
    )
    missing = []
    for route, name in own_routes():
        api_prefix = "/" + route.split("<", 1)[0].split("^", 1)[0]
        api_prefix = api_prefix.replace("\\.(?P", "").rstrip("$")
        if name and (f'"{name}"' in corpus or f"'{name}'" in corpus):
            continue
        if route.startswith("api/") and api_prefix in corpus:
            continue
        if route == "" and 'reverse("home")' in corpus:
            continue
        missing.append(f"{route} ({name or 'unnamed'})")
    assert not missing, "Routes without a test:\n" + "\n".join(sorted(set(missing)))
