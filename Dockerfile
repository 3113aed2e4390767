# One image for web (gunicorn), the Celery worker and Celery beat; see docker-compose.yml.
# Court networks are closed: every front-end asset is installed here from the npm registry
# (package-lock.json) and collected into the image; nothing is loaded from a CDN at run time.

# --- front-end assets: Node/npm exist only in this stage ----------------------------------------
FROM node:22-bookworm-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

# --- the application ------------------------------------------------------------------------------
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    XDG_CACHE_HOME=/tmp/.cache \
    DJANGO_SETTINGS_MODULE=hkcourt.settings.prod

# WeasyPrint (commitment letter PDFs): Pango and HarfBuzz, including libharfbuzz-subset0 (without it
# font subsetting falls back to pure Python, ~60x slower), the Noto CJK fonts for Chinese text and Hanazono
# (HanaMinA/B) for the characters beyond the BMP that Noto lacks (CJK Extensions B-F, as in some names).
# postgresql-client (15, as the database): pg_dump / pg_restore for `manage.py backup` and `restore`.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fontconfig fonts-noto-cjk fonts-hanazono \
      postgresql-client \
 && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 hkcourt \
 && useradd --system --uid 10001 --gid hkcourt --home-dir /app --no-create-home --shell /usr/sbin/nologin hkcourt

WORKDIR /app
COPY requirements.txt ./
RUN pip install -r requirements.txt

# The dist folders that settings.STATICFILES_DIRS names, at the same path as in a checkout
# (tests/test_deploy.py keeps this list and the settings in step).
COPY --from=assets /app/node_modules/bootstrap/dist /app/node_modules/bootstrap/dist
COPY --from=assets /app/node_modules/bootstrap-icons/font /app/node_modules/bootstrap-icons/font
COPY --from=assets /app/node_modules/htmx.org/dist /app/node_modules/htmx.org/dist
COPY --from=assets /app/node_modules/echarts/dist /app/node_modules/echarts/dist

COPY . .

# collectstatic with the production settings (hashed, compressed files for whitenoise). The values
# below exist only for this build step; the real ones come from the environment at run time.
RUN SECRET_KEY=build-time-only-placeholder-not-used-at-run-time-0123456789 \
    ALLOWED_HOSTS=build.invalid \
    DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    python manage.py collectstatic --noinput -v 0 \
 && mkdir -p var/media \
 && chown -R hkcourt:hkcourt var

USER hkcourt
EXPOSE 8000
CMD ["gunicorn", "hkcourt.wsgi", "--bind=0.0.0.0:8000", "--access-logfile=-"]
