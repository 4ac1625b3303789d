# Tandem web, worker and beat image.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DEBUG=False

RUN useradd --create-home --uid 1000 tandem
WORKDIR /app

# pg_dump / pg_restore for `manage.py backup` and `restore` (same major version as the database).
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client \
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
