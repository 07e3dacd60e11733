# ClaimCheck Discord bot.
#   docker build -t claimcheck .          (or: docker compose up, with PostgreSQL; see compose.yaml)
#   docker run -d -e DISCORD_TOKEN=... -v claimcheck-data:/data claimcheck
# The base is pinned by version. Without access to a registry, build on a local
# Debian base made with debootstrap: docker/debootstrap-base.sh, then
#   podman build --build-arg BASE_IMAGE=localhost/claimcheck-base:bookworm -t claimcheck .
ARG BASE_IMAGE=python:3.11.11-slim-bookworm
FROM ${BASE_IMAGE}

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/claimcheck/bin:$PATH \
    CLAIMCHECK_DATABASE=/data/claimcheck.db \
    CLAIMCHECK_METRICS_PORT=9108

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY rules ./rules
# A virtual environment works the same on the official image and on Debian's
# python3 (where pip refuses to touch the system Python).
RUN python3 -m venv /opt/claimcheck \
    && pip install . \
    && claimcheck rules lint \
    && claimcheck check "kratom is way safer than oxy" \
    && groupadd --gid 10001 claimcheck \
    && useradd --create-home --uid 10001 --gid 10001 claimcheck \
    && mkdir -p /data && chown claimcheck:claimcheck /data

# uid 10001 owns /data; a mounted host folder must be writable by it (chown 10001 DIR).
USER 10001:10001
VOLUME ["/data"]
EXPOSE 9108
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD python3 -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ['CLAIMCHECK_METRICS_PORT'], timeout=4)"
# Exits non-zero with one clear line if the configuration is wrong.
CMD ["claimcheck", "run"]
