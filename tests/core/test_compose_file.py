"""docker-compose.yml read as data (docker compose itself is not needed): the properties that keep
a deployment right when `.env` changes settings, when `web` runs as replicas, and on deploys.
"""

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
APP_IMAGE = "tandem:latest"
APP_SERVICES = sorted(name for name, s in SERVICES.items() if s.get("image") == APP_IMAGE)
LONG_RUNNING = ("web", "worker", "beat")

# Settings that `.env` must be able to change: compose's `environment:` wins over `env_file`, so
# each one has to be `${NAME:-default}` (filled in from the shell and .env) rather than a literal.
FROM_DOTENV = ("DATABASE_URL", "REDIS_URL", "CACHE_URL", "EMAIL_URL", "TRUSTED_PROXY_COUNT")
SUBSTITUTION = re.compile(r"^\$\{(?P<name>[A-Z_][A-Z0-9_]*):-(?P<default>[^}]+)\}$")


def environment(service: str) -> dict[str, str]:
    env = SERVICES[service].get("environment") or {}
    if isinstance(env, list):  # the KEY=value list form
        env = dict(item.split("=", 1) for item in env)
    return {key: str(value) for key, value in env.items()}


def default_of(service: str, name: str) -> str:
    match = SUBSTITUTION.match(environment(service)[name])
    assert match, f"{service}: {name} is not ${{{name}:-default}}"
    return match["default"]


def command(service: str) -> str:
    cmd = SERVICES[service].get("command", "")
    return " ".join(cmd) if isinstance(cmd, list) else cmd


def strings(node):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from strings(key)
            yield from strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from strings(item)
    elif isinstance(node, str):
        yield node


def dotenv(path: Path) -> dict[str, str]:
    pairs = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            pairs[key.strip()] = value.strip()
    return pairs


def test_no_obsolete_version_key():
    assert "version" not in COMPOSE


def test_the_app_image_runs_migrate_web_worker_and_beat():
    assert APP_SERVICES == ["beat", "migrate", "web", "worker"]


@pytest.mark.parametrize("service", APP_SERVICES)
@pytest.mark.parametrize("name", FROM_DOTENV)
def test_dotenv_settings_reach_every_app_container(service, name):
    assert SERVICES[service]["env_file"] in (".env", [".env"])
    match = SUBSTITUTION.match(environment(service)[name])
    assert match, f"{service}: {name} must be ${{{name}:-default}} so .env can set it"
    assert match["name"] == name


@pytest.mark.parametrize("service", APP_SERVICES)
def test_defaults_point_at_the_bundled_services(service):
    hosts = {
        name: urlsplit(default_of(service, name)).hostname
        for name in ("DATABASE_URL", "REDIS_URL", "CACHE_URL", "EMAIL_URL")
    }
    assert hosts == {
        "DATABASE_URL": "postgres",
        "REDIS_URL": "redis",
        "CACHE_URL": "redis",
        "EMAIL_URL": "mailpit",
    }
    assert set(hosts.values()) <= set(SERVICES)
    assert default_of(service, "TRUSTED_PROXY_COUNT") == "0"  # nothing in front of gunicorn


@pytest.mark.parametrize("service", APP_SERVICES)
def test_cache_and_task_queue_use_different_redis_databases(service):
    broker = urlsplit(default_of(service, "REDIS_URL")).path
    cache = urlsplit(default_of(service, "CACHE_URL")).path
    assert broker == "/0"
    assert cache not in ("", "/", broker)


def test_every_dollar_is_either_escaped_or_a_braced_substitution():
    # Compose interpolates `$NAME` when it loads the file: a shell variable meant for the container
    # (the worker's health check uses $HOSTNAME) must be written `$$NAME`.
    for value in strings(SERVICES):
        unescaped = value.replace("$$", "")
        assert re.sub(r"\$\{[A-Z_][A-Z0-9_]*(:?[-?][^}]*)?\}", "", unescaped).count("$") == 0, value


def test_migrate_is_a_one_shot_service_after_postgres_and_redis():
    migrate = SERVICES["migrate"]
    assert "manage.py migrate" in command("migrate")
    assert "--noinput" in command("migrate")
    assert migrate["restart"] == "no"
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert migrate["depends_on"]["redis"]["condition"] == "service_healthy"
    assert "ports" not in migrate


@pytest.mark.parametrize("service", LONG_RUNNING)
def test_long_running_services_wait_for_migrate_to_complete(service):
    depends_on = SERVICES[service]["depends_on"]
    assert depends_on["migrate"]["condition"] == "service_completed_successfully"
    assert depends_on["postgres"]["condition"] == "service_healthy"
    assert depends_on["redis"]["condition"] == "service_healthy"
    assert SERVICES[service]["restart"] == "unless-stopped"


def test_only_the_migrate_service_migrates():
    assert [name for name in SERVICES if "migrate" in command(name)] == ["migrate"]


def test_web_runs_gunicorn_only_with_workers_from_web_concurrency():
    web = command("web")
    assert web.startswith("gunicorn partnerships.wsgi:application")
    assert "migrate" not in web and "&&" not in web
    # Tandem logs one line per request with the request id; gunicorn's own would duplicate it.
    assert "--access-logfile" not in web
    workers = re.search(r"(?:--workers|-w)[ =](\S+)", web)
    if workers:
        assert SUBSTITUTION.match(workers[1])["name"] == "WEB_CONCURRENCY"
    else:  # gunicorn reads WEB_CONCURRENCY from the environment as its default --workers
        assert default_of("web", "WEB_CONCURRENCY").isdigit()


def test_exactly_one_beat():
    beats = [name for name in SERVICES if re.search(r"\bcelery\b.*\sbeat\b", command(name))]
    assert beats == ["beat"]
    beat = SERVICES["beat"]
    assert beat.get("deploy", {}).get("replicas", 1) == 1
    assert beat.get("scale", 1) == 1


def test_worker_can_be_scaled_and_finishes_its_tasks_on_stop():
    worker = SERVICES["worker"]
    assert "ports" not in worker
    assert "container_name" not in worker
    assert re.fullmatch(r"\d+(s|m)", worker["stop_grace_period"])
    # Each replica's health check pings its own node, not whichever worker answers first.
    assert "-d celery@$$HOSTNAME" in " ".join(worker["healthcheck"]["test"])


def test_only_loopback_ports_are_published():
    for name, service in SERVICES.items():
        for port in service.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), (name, port)


def test_web_health_check_host_is_allowed_by_the_example_settings():
    # The health check asks gunicorn for http://127.0.0.1:8000/healthz; Django answers 400 to a
    # Host not in ALLOWED_HOSTS, so the example (and the docs) keep 127.0.0.1 there.
    check = " ".join(SERVICES["web"]["healthcheck"]["test"])
    host = urlsplit(re.search(r"http://[^'\" ]+", check)[0]).hostname
    example = dotenv(ROOT / ".env.example")
    assert host in example["ALLOWED_HOSTS"].split(",")


def test_env_example_leaves_the_compose_urls_to_compose():
    # `.env.example` sets none of them (local runs read .env too), and the commented-out values it
    # shows are compose's defaults.
    text = (ROOT / ".env.example").read_text()
    example = dotenv(ROOT / ".env.example")
    for name in FROM_DOTENV:
        assert name not in example
        shown = re.search(rf"^# {name}=(\S+)$", text, re.MULTILINE)
        assert shown, name
        assert shown[1] == default_of("web", name)


def test_the_image_pg_dump_is_at_least_as_new_as_the_bundled_postgres():
    # pg_dump refuses a server newer than itself ("server version mismatch"), so `manage.py backup`
    # in the image needs a client of at least the `postgres` service's major version (and of any
    # managed PostgreSQL's). Debian's unversioned postgresql-client follows the base image's
    # release (15 on bookworm), so the Dockerfile names the major version it installs.
    dockerfile = (ROOT / "Dockerfile").read_text()
    client = re.search(r"^ARG POSTGRES_CLIENT_VERSION=(\d+)$", dockerfile, re.MULTILINE)
    assert client, "Dockerfile: ARG POSTGRES_CLIENT_VERSION=<major> not found"
    assert '"postgresql-client-${POSTGRES_CLIENT_VERSION}"' in dockerfile
    assert not re.search(r"install\b[^\n]*\spostgresql-client(\s|\\|$)", dockerfile, re.MULTILINE)
    server = re.fullmatch(r"postgres:(\d+)(\.\d+)*(-\S+)?", SERVICES["postgres"]["image"])
    assert server, f"pin the postgres image to a major version: {SERVICES['postgres']['image']}"
    assert int(client[1]) >= int(server[1])


def test_the_postgresql_apt_repository_is_signed_and_fetched_over_https():
    dockerfile = (ROOT / "Dockerfile").read_text()
    source = re.search(r'echo "(deb [^"]+)"', dockerfile)
    assert source, "Dockerfile: the apt.postgresql.org source line is missing"
    keyring = re.search(r"\[signed-by=(\S+)\]", source[1])
    assert keyring and keyring[1] in dockerfile.replace(source[1], "")  # the key is installed
    assert "https://apt.postgresql.org/pub/repos/apt ${VERSION_CODENAME}-pgdg main" in source[1]
    assert "https://www.postgresql.org/media/keys/ACCC4CF8.asc" in dockerfile
    assert "apt-key" not in dockerfile  # deprecated: trusts the key for every repository
