# Dialog Kinerja: one image for every worker (`run --webhook`) and for the CLI commands.
#   docker build -t dialog-kinerja .
#   docker run --rm --env-file deploy/env dialog-kinerja migrate
# Secrets (TELEGRAM_BOT_TOKEN, WEBHOOK_SECRET, the database password) come from the
# environment at run time; nothing secret is built into the image.
FROM python:3.11-slim-bookworm

# WeasyPrint (SKP as PDF) needs Pango, HarfBuzz's subsetter and a font.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
# Dependencies first (pinned by constraints.txt), so a code change rebuilds one layer.
COPY pyproject.toml constraints.txt README.md ./
RUN mkdir -p bot conversations \
    && touch bot/__init__.py conversations/__init__.py \
    && pip install -c constraints.txt . \
    && pip uninstall -y dialog-kinerja
# The code, templates and migrations; installed in place (the migrations and templates are
# read from /app).
COPY alembic.ini ./
COPY bot ./bot
COPY conversations ./conversations
COPY templates ./templates
COPY migrations ./migrations
RUN pip install --no-deps -c constraints.txt -e . \
    && useradd --system --home /app --shell /usr/sbin/nologin dialog \
    && mkdir -p /app/data && chown dialog /app/data
USER dialog

ENV WEBHOOK_LISTEN=0.0.0.0 \
    WEBHOOK_PORT=8080 \
    LOG_FORMAT=json
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=4).status == 200 else 1)"
ENTRYPOINT ["dialog-kinerja"]
CMD ["run", "--webhook"]
