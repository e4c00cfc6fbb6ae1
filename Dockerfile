# SmartClinic for production: one image for web (gunicorn), the Celery worker and Celery beat.
# Build: docker build -t smartclinic .   Run: see compose.yaml and the README's "Production" section.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=smartclinic.settings \
    SMARTCLINIC_DATA_DIR=/var/lib/smartclinic

WORKDIR /app
RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin smartclinic \
    && mkdir -p /var/lib/smartclinic/media \
    && chown -R smartclinic /var/lib/smartclinic

COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .

# Static files are collected at build time. Production settings refuse to load without their
# secrets, so this one step gets throw-away values that exist only in this RUN line: they are
# not in the image's environment and nothing at run time reads them (see deploy.env.example).
RUN DJANGO_ENV=production \
    SECRET_KEY=build-time-only-not-a-secret \
    ENCRYPTION_KEYS=YnVpbGQtdGltZS1vbmx5LW5vdC1hLXJlYWwta2V5ISE= \
    HASH_KEY=build-time-only \
    DATABASE_URL=postgresql://build@127.0.0.1:1/build \
    REDIS_URL=redis://127.0.0.1:1/0 \
    python manage.py collectstatic --noinput -v 0

USER smartclinic
EXPOSE 8000
ENV DJANGO_ENV=production
CMD ["gunicorn", "smartclinic.wsgi", "--bind", "0.0.0.0:8000", "--workers", "4", "--timeout", "60", \
     "--access-logfile", "-", "--forwarded-allow-ips", "*"]
