# Tandem web, worker and beat image.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DEBUG=False

RUN useradd --create-home --uid 1000 tandem
WORKDIR /app

# pg_dump / pg_restore / psql for `manage.py backup` and `restore`. pg_dump refuses a server newer
# than itself but dumps any older one, so POSTGRES_CLIENT_VERSION must be at least the newest
# PostgreSQL backed up: the `postgres` service in docker-compose.yml (tests/core/test_compose_file.py
# checks it) and any managed PostgreSQL in DATABASE_URL. Debian's own postgresql-client is 15 on
# bookworm, so the client comes from PostgreSQL's apt repository (apt.postgresql.org, "PGDG"),
# for this image's Debian release. Its signing key, ACCC4CF8.asc, has the fingerprint
# B97B 0AFC AA1A 47F0 44F2  44A0 7FCC 7D46 ACCC 4CF8; Python fetches it over HTTPS (no curl here).
# Restores into an older server go through psql (partnerships/core/backups.py says why).
ARG POSTGRES_CLIENT_VERSION=18
RUN python -c "import urllib.request; urllib.request.urlretrieve('https://www.postgresql.org/media/keys/ACCC4CF8.asc', '/usr/share/keyrings/apt.postgresql.org.asc')" \
    && . /etc/os-release \
    && echo "deb [signed-by=/usr/share/keyrings/apt.postgresql.org.asc] https://apt.postgresql.org/pub/repos/apt ${VERSION_CODENAME}-pgdg main" \
        > /etc/apt/sources.list.d/pgdg.list \
    && apt-get update \
    && apt-get install -y --no-install-recommends "postgresql-client-${POSTGRES_CLIENT_VERSION}" \
    && rm -rf /var/lib/apt/lists/*

COPY requirements.lock ./
RUN pip install -r requirements.lock

COPY --chown=tandem:tandem . .
RUN SECRET_KEY=build-only-collectstatic-key-not-used-at-runtime-000000000000000000 \
    python manage.py collectstatic --noinput \
    && mkdir -p /app/media /app/backups && chown tandem:tandem /app/media /app/backups

USER tandem
EXPOSE 8000
# gunicorn reads its number of workers from WEB_CONCURRENCY. No access log here: the app writes
# one JSON line per request, with its request id.
ENV WEB_CONCURRENCY=3
CMD ["gunicorn", "partnerships.wsgi:application", "--bind", "0.0.0.0:8000"]
