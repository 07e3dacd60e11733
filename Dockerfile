# ClaimCheck Discord bot. Build: docker build -t claimcheck .
# Run:   docker run -d --name claimcheck -e DISCORD_TOKEN=... -v claimcheck-data:/data claimcheck
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    CLAIMCHECK_DATABASE=/data/claimcheck.db

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY rules ./rules
RUN pip install . \
    && useradd --create-home --uid 10001 claimcheck \
    && mkdir /data && chown claimcheck /data

USER claimcheck
VOLUME ["/data"]
# Exits non-zero with one clear line if the configuration is wrong.
CMD ["claimcheck", "run"]
