FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk \
    postgresql-client \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
RUN pip install --no-cache-dir -e .
COPY . .
# collectstatic needs production settings that load: throwaway values for this step only.
RUN DEBUG=0 SECRET_KEY=collectstatic-only ALLOWED_HOSTS=localhost \
    DATABASE_URL=sqlite:////tmp/build.sqlite3 CELERY_BROKER_URL=memory:// \
    python manage.py collectstatic --noinput
RUN useradd --system --home /app bangfu && mkdir -p /app/data && chown bangfu /app/data
USER bangfu
EXPOSE 8000
# Gunicorn, explicit: 3 processes of 2 threads (a 2-core machine; a request waiting on the
# database frees its core), requests killed past 30 s (no page does long work: reports,
# exports and imports run in the Celery worker), a process replaced after about 1,000
# requests so that no slow growth of memory accumulates. docker-compose.yml says the same.
ENV GUNICORN_CMD_ARGS="--bind 0.0.0.0:8000 --workers 3 --threads 2 --timeout 30 --graceful-timeout 30 --keep-alive 5 --max-requests 1000 --max-requests-jitter 100 --access-logfile -"
CMD ["gunicorn", "township.wsgi"]
