# memory-service: the HTTP server on 0.0.0.0:8000 as a non-root user, with the default
# embedding model baked in so the container starts without network access.
#
#   docker build -t memory-service .
#   docker build --build-arg DOWNLOAD_EMBEDDING_MODEL=false -t memory-service:no-model .
#   docker run -p 8000:8000 -e DATABASE_URL=postgresql://user:pass@host:5432/db memory-service
#
# Without DATABASE_URL the service starts an embedded Postgres under MEMORY_DATA_DIR (/data):
# mount a volume there (-v memory-data:/data) to keep it.

ARG PYTHON_IMAGE=python:3.12-slim-bookworm
# The model the image serves; a fastembed model is downloaded into the image at build time.
ARG EMBEDDING_MODEL=fastembed:sentence-transformers/all-MiniLM-L6-v2

# ---------------------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS builder

ENV PYTHONDONTWRITEBYTECODE=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    EMBEDDING_CACHE_DIR=/opt/models

RUN python -m venv /opt/venv
WORKDIR /app

# The dependencies, read from pyproject.toml alone, so that editing the code, the README or
# the migrations does not reinstall them. The [otel] extra too, so OTEL_ENABLED=true traces
# from the image (README "Traces"); the dev and bench tools stay out.
COPY pyproject.toml ./
RUN python -c 'import tomllib; p = tomllib.load(open("pyproject.toml", "rb"))["project"]; print(*p["dependencies"], *p["optional-dependencies"]["otel"], sep="\n")' \
        > /tmp/requirements.txt \
    && pip install --no-cache-dir --requirement /tmp/requirements.txt

# Pre-download the embedding model into EMBEDDING_CACHE_DIR. Loading it (not just fetching
# it) also lets fastembed finish its cache layout here rather than at the first start.
# --build-arg DOWNLOAD_EMBEDDING_MODEL=false skips it (e.g. for EMBEDDING_MODEL=openai:...);
# a fastembed model is then downloaded at the first start, which needs network access.
ARG EMBEDDING_MODEL
ARG DOWNLOAD_EMBEDDING_MODEL=true
RUN mkdir -p "$EMBEDDING_CACHE_DIR" \
    && case "$DOWNLOAD_EMBEDDING_MODEL:$EMBEDDING_MODEL" in \
        true:fastembed:*|1:fastembed:*|yes:fastembed:*) \
            python -c 'import sys; from fastembed import TextEmbedding; TextEmbedding(sys.argv[1], cache_dir=sys.argv[2])' \
                "${EMBEDDING_MODEL#fastembed:}" "$EMBEDDING_CACHE_DIR" ;; \
        *) echo "not downloading an embedding model for $EMBEDDING_MODEL" ;; \
    esac

# The project itself. setuptools needs the app package (and README.md, the readme of
# pyproject.toml) to install it. Editable, so the code stays in /app beside migrations/:
# app/db/migrate.py reads the SQL files from the folder above the package, which a regular
# install into site-packages would leave behind.
COPY README.md ./
COPY app ./app
COPY migrations ./migrations
RUN pip install --no-cache-dir --no-deps --editable . \
    && python -m compileall -q app

# ---------------------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE}

ARG EMBEDDING_MODEL
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    HOST=0.0.0.0 \
    PORT=8000 \
    MEMORY_DATA_DIR=/data \
    EMBEDDING_MODEL=${EMBEDDING_MODEL} \
    EMBEDDING_CACHE_DIR=/opt/models

# A fixed numeric uid, so that orchestrators can check runAsNonRoot.
RUN groupadd --system --gid 10001 app \
    && useradd --system --no-log-init --uid 10001 --gid app --create-home --home-dir /home/app \
        --shell /usr/sbin/nologin app \
    && install -d -o app -g app -m 0750 "$MEMORY_DATA_DIR"

COPY --from=builder /opt/venv /opt/venv
# Owned by the app user: with the download turned off, fastembed fills it at the first start.
COPY --from=builder --chown=app:app /opt/models /opt/models
COPY --from=builder /app /app
WORKDIR /app

USER 10001:10001
EXPOSE 8000

# Ready means: the database is reachable and migrated (a 503 makes urlopen raise).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/readyz' % os.environ.get('PORT', '8000'), timeout=4)"]

CMD ["memory-service", "serve"]
