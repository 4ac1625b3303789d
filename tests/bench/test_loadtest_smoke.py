"""``make loadtest`` without the load: the driver, the floor URLconf and the locust users load,
agree on the pages, and build the requests they should — no database, no server, no network.

The locustfile runs in a child process: importing locust monkey-patches the standard library
with gevent, which must not leak into this test run.
"""

import importlib.util
import json
import subprocess
import sys
import textwrap
from pathlib import Path

from django.test import RequestFactory
from django.urls import resolve, reverse

REPO = Path(__file__).resolve().parents[2]


def load_driver():
    spec = importlib.util.spec_from_file_location("loadtest_driver", REPO / "bench/loadtest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_floor_is_a_bare_view_beside_the_application_urls():
    match = resolve("/__floor__", urlconf="bench.loadtest_urls")
    response = match.func(RequestFactory().get("/__floor__"))
    assert response.status_code == 200
    assert json.loads(response.content) == {"ok": True, "signed_in": False}
    assert reverse("placements:browse", urlconf="bench.loadtest_urls") == "/placements/"
    # Never part of the application itself.
    assert reverse("placements:browse") == "/placements/"
    from django.urls import Resolver404

    try:
        resolve("/__floor__")
    except Resolver404:
        pass
    else:
        raise AssertionError("the floor must not be in the application's URLconf")


def test_driver_defaults_are_the_issue_sizes():
    args = load_driver().parse_args([])
    assert (args.students, args.placements, args.organisations, args.events) == (
        100_000,
        10_000,
        2_000,
        5_000,
    )
    assert not args.keep and not args.reuse


def test_driver_reads_locust_statistics(tmp_path):
    driver = load_driver()
    header = (
        "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,"
        "Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,"
        "50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%"
    )
    (tmp_path / "run_stats.csv").write_text(
        f"{header}\n"
        "GET,anon-placements,600,0,30,31,5,90,44000,20.0,0,30,33,35,36,40,50,60,70,80,90,90\n"
        "GET,floor,3000,3,5,5,1,20,12,100.0,0.1,5,5,6,6,7,8,9,10,15,20,20\n"
        ",Aggregated,3600,3,6,8,1,90,100,120.0,0.1,6,7,8,9,10,12,14,16,20,90,90\n"
    )
    (tmp_path / "run_failures.csv").write_text(
        'Method,Name,Error,Occurrences\nGET,floor,"HTTP 500",3\n'
    )
    results, raised = driver.read_locust_csv(str(tmp_path / "run"))
    assert raised == 0
    assert results["anon-placements"].rps == 20.0
    assert (results["floor"].failures, results["floor"].errors) == (3, ["3× HTTP 500"])
    line = driver.format_line(results["anon-placements"], 100.0, 0.5)
    assert "ratio  0.20" in line and "met: NO" in line
    assert "met: yes" in driver.format_line(results["anon-placements"], 30.0, 0.5)


CHILD = textwrap.dedent(
    """
    import json, runpy, sys
    users = runpy.run_path(sys.argv[1])
    made = []

    class Reply:
        status_code = 200
        headers = {}
        text = '{"ok": true, "signed_in": false}'  # as /__floor__ answers a visitor
        def __enter__(self): return self
        def __exit__(self, *exc): return False
        def failure(self, message): made.append(("failure", message))

    class Client:
        def get(self, path, *, name, headers, allow_redirects, catch_response):
            made.append((name, path, sorted(headers), allow_redirects))
            return Reply()

    class User:
        client = Client()

    for name, page in users["PAGES"].items():
        page(User())
    classes = [n for n in ("AnonymousVisitor", "Student", "StudioMember", "FloorUser", "PageUser")
               if n in users]
    failures = [entry[1] for entry in made if entry[0] == "failure"]
    made = [entry for entry in made if entry[0] != "failure"]
    print(json.dumps({"pages": list(users["PAGES"]), "made": made, "classes": classes,
                      "failures": failures}))
    """
)


def test_locust_users_build_every_page_request(tmp_path):
    data = {
        "session_cookie_name": "sessionid",
        "placements": [7],
        "students": [{"session": "s" * 32, "token": "t" * 40}],
        "studios": [{"session": "u" * 32, "placements": [7]}],
        "search_terms": ["design", "games"],
        "search_cum_weights": [1.0, 1.5],
        "kinds": ["internship"],
        "modes": ["remote"],
        "locations": ["Leeds"],
        "levels": ["undergraduate"],
        "sectors": ["games"],
        "skills": ["blender"],
    }
    (tmp_path / "data.json").write_text(json.dumps(data))
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(REPO / "bench/locustfile.py")],
        capture_output=True,
        text=True,
        timeout=60,
        env={"LOADTEST_DATA": str(tmp_path / "data.json"), "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    child = json.loads(result.stdout.strip().splitlines()[-1])
    driver = load_driver()
    assert child["pages"] == [name for name, _target in driver.PAGES] + [driver.FLOOR]
    assert set(driver.MIX_CLASSES) | {"FloorUser", "PageUser"} == set(child["classes"])
    made = {name: (path, headers, redirects) for name, path, headers, redirects in child["made"]}

    assert made["floor"] == ("/__floor__", [], False)
    assert made["floor-signed-in"] == ("/__floor__", ["Cookie"], False)
    # An anonymous answer to the signed-in floor is a failure, not a fast signed-in request.
    assert child["failures"] == ['200 without "signed_in": true']
    assert made["studio-pipeline"] == ("/placements/7/pipeline/", ["Cookie"], False)
    assert made["student-notifications"][1] == ["Cookie"]
    assert made["api-events"][:2] == ("/api/events/", ["Authorization"])
    assert made["anon-placement-search"][0].startswith("/placements/?q=")
