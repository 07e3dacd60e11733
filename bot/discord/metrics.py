"""Prometheus metrics and the health check, served on CLAIMCHECK_METRICS_PORT.

``GET /metrics`` is the Prometheus text format; ``GET /healthz`` answers 200
when every shard of this process is connected to the gateway and the database
answers, else 503 with the reasons (the container's HEALTHCHECK uses it).
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
from collections.abc import Iterator
from typing import TYPE_CHECKING

from aiohttp import web
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.process_collector import ProcessCollector

if TYPE_CHECKING:
    from bot.discord.client import ClaimCheckBot

log = logging.getLogger(__name__)
HEALTH_DATABASE_TIMEOUT_SECONDS = 2.0


class BotMetrics:
    """The counters the bot updates as it works, in a registry of its own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        ProcessCollector(registry=self.registry)  # CPU seconds, memory: what bench/load.py reads
        registry = self.registry
        self.candidates = Counter(
            "claimcheck_candidates", "Messages in watched channels that the engine checked", registry=registry
        )
        self.findings = Counter("claimcheck_findings", "Claims found, per claim id", ["claim_id"], registry=registry)
        self.replies_sent = Counter("claimcheck_replies_sent", "Replies posted under a claim", registry=registry)
        self.replies_suppressed = Counter(
            "claimcheck_replies_suppressed", "Replies not posted, by reason (cooldown, cap)", ["reason"], registry=registry
        )
        self.not_a_claim = Counter(
            "claimcheck_not_a_claim_reports", "'Not a claim' reports, per claim id", ["claim_id"], registry=registry
        )
        self.errors = Counter("claimcheck_errors", "Errors, by kind", ["kind"], registry=registry)
        self.detection_seconds = Histogram(
            "claimcheck_detection_seconds",
            "Time the engine took per checked message",
            buckets=(0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25),
            registry=registry,
        )

    def watch(self, bot: ClaimCheckBot) -> None:
        """Also report what is read off the bot at scrape time: shards, latency, database writes."""
        self.registry.register(_BotStateCollector(bot))


class _BotStateCollector:
    def __init__(self, bot: ClaimCheckBot) -> None:
        self.bot = bot

    def collect(self) -> Iterator:
        up = GaugeMetricFamily("claimcheck_shard_up", "1 while the shard is connected to the gateway", labels=["shard"])
        latency = GaugeMetricFamily(
            "claimcheck_gateway_latency_seconds", "Heartbeat round trip per shard", labels=["shard"]
        )
        for shard_id, shard in sorted(self.bot.shards.items()):
            up.add_metric([str(shard_id)], 0.0 if shard.is_closed() else 1.0)
            if math.isfinite(shard.latency):  # infinite or NaN before the first heartbeat
                latency.add_metric([str(shard_id)], shard.latency)
        writes = CounterMetricFamily("claimcheck_database_writes", "Write statements committed to the database")
        writes.add_metric([], self.bot.storage.writes)
        seen = CounterMetricFamily("claimcheck_messages_seen", "Messages from people in servers the bot is in")
        watcher = self.bot.watcher
        seen.add_metric([], watcher.messages_seen if watcher is not None else 0)
        yield from (up, latency, writes, seen)


async def health_problems(bot: ClaimCheckBot) -> list[str]:
    """Why this process is not healthy; empty when it is."""
    if not bot.is_ready():
        problems = ["not connected to the Discord gateway yet"]
    else:
        problems = [f"shard {shard_id} is disconnected" for shard_id, shard in sorted(bot.shards.items()) if shard.is_closed()]
    try:
        await asyncio.wait_for(bot.storage.ping(), HEALTH_DATABASE_TIMEOUT_SECONDS)
    except Exception as exc:  # any failure to answer is unhealthy, whatever the backend raised
        problems.append(f"database unreachable: {type(exc).__name__}: {exc}")
    return problems


class MetricsServer:
    """The aiohttp server for /metrics and /healthz, in the bot's event loop."""

    def __init__(self, bot: ClaimCheckBot, port: int, host: str = "0.0.0.0") -> None:
        self.bot = bot
        self.port = port
        self.host = host
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/metrics", self._metrics)
        app.router.add_get("/healthz", self._healthz)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.port).start()
        log.info("metrics on http://%s:%d/metrics, health check on /healthz", self.host, self.port)

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def _metrics(self, request: web.Request) -> web.Response:
        body = generate_latest(self.bot.metrics.registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def _healthz(self, request: web.Request) -> web.Response:
        problems = await health_problems(self.bot)
        status = 503 if problems else 200
        body = json.dumps({"healthy": not problems, "problems": problems})
        return web.Response(status=status, body=body, content_type="application/json")
