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
# Gunicorn with gunicorn.conf.py (read from /app): sync workers, WEB_CONCURRENCY of them
# (2 by default), requests killed past 30 s, each process replaced after about 10,000
# requests. docker-compose.yml starts it the same way.
CMD ["gunicorn", "township.wsgi", "--bind", "0.0.0.0:8000"]
