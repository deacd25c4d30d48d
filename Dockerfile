# Annotator production image: one image for the web (gunicorn) and worker (celery) services.
# Build: docker build -t annotator .   Run the whole stack: see docker-compose.yml and docs/deploy.md.

# --- Stage 1: build the browser frontend (Vite + TypeScript) into frontend/dist --------------------
FROM node:20-slim AS frontend
WORKDIR /build/frontend
# Dependencies first, so editing sources does not invalidate the npm ci layer.
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/ ./
RUN npm run build

# --- Stage 2: the Python application ------------------------------------------------------------
FROM python:3.11-slim AS app

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    STATIC_ROOT=/app/staticfiles \
    MEDIA_ROOT=/data/media

# No apt packages and no compiler: every runtime requirement installs from a manylinux wheel, except
# pyvips, a pure-Python sdist. pyvips-binary bundles libvips with its dependencies (glib included) and
# needs only glibc, libstdc++ and libgcc_s, which the slim base already has; psycopg2-binary bundles
# libpq; numpy, scipy, scikit-image and Pillow bundle their own libraries.
WORKDIR /app
COPY requirements.txt ./
# Install only the runtime section: everything above the "# tests and tooling" line (pytest,
# playwright, ruff and friends stay out of the production image). Without that marker line the whole
# file is installed.
RUN sed '/^# tests and tooling/,$d' requirements.txt > /tmp/requirements-runtime.txt \
    && pip install -r /tmp/requirements-runtime.txt \
    && rm /tmp/requirements-runtime.txt

# A writable home: gunicorn (>= 25.1) puts its control socket in ~/.gunicorn/ by default.
RUN groupadd --system --gid 1000 app \
    && useradd --system --uid 1000 --gid app --create-home --home-dir /home/app --shell /usr/sbin/nologin app

# Application code stays root-owned (read-only for the app user).
COPY manage.py ./
COPY annotator/ annotator/
COPY api/ api/
# settings.py adds frontend/dist to STATICFILES_DIRS only if it exists when settings are imported,
# and the app shell view serves frontend/dist/index.html: copy it before collectstatic.
COPY --from=frontend /build/frontend/dist/ frontend/dist/

# collectstatic imports the settings, which refuse the development key when DEBUG is off: give it a
# throwaway key for this one command only (it is not kept in the image's environment).
RUN SECRET_KEY=collectstatic-build-only-not-a-secret DEBUG=0 python manage.py collectstatic --noinput \
    && mkdir -p /data/media /data/uploads \
    && chown app:app /data/media /data/uploads
# /data/media is owned by the app user, so a fresh named volume mounted there (compose) inherits that.

USER app
EXPOSE 8000
# gthread 4 x 8 measured best for 20 concurrent clients on 2 cores (benchmarks/README.md).
CMD ["gunicorn", "annotator.wsgi:application", "--bind", "0.0.0.0:8000", "--worker-class", "gthread", \
     "--workers", "4", "--threads", "8", "--keep-alive", "10", "--timeout", "300"]
