"""Load test: the fake Discord drives chat into N real `claimcheck run` shard processes.

    python bench/load.py --processes 2 --guilds 10000 --rate 500 --duration 30 \
        --database postgresql://user:pass@127.0.0.1:5432/claimcheck_bench

Each process runs one shard of N (CLAIMCHECK_SHARD_COUNT=N); the guilds are
spread over the shards as Discord spreads them, ``(guild_id >> 22) % N``. The
stream is ordinary chat with ``--kratom`` of kratom talk (the rules' own
examples, claims and non-claims), each message in a random guild. Printed per
process, read from its own /metrics and from the fake's clock:

- CPU per message (process CPU seconds over messages it received);
- reply latency p50/p99, from the MESSAGE_CREATE frame leaving the fake to the
  reply request arriving at it (gateway, engine, database insert, REST);
- database writes per second, and resident memory.

``--engine`` picks the detection engine of the bot processes: the rules alone, or
rules and the learned model (``CLAIMCHECK_ENGINE``).
Asserts nothing; needs ``pip install -e '.[test]'`` (aiohttp) and runs from a checkout.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "bench")]

from bench_engine import build_stream, kratom_corpus  # noqa: E402

from bot.core.engine import Engine  # noqa: E402
from tests.discord.fake_discord import GENERAL, FakeDiscord, channel_in, shard_of  # noqa: E402
from tests.discord.processes import CLAIMCHECK, free_port, http_get, metric, wait_until_healthy  # noqa: E402

# Engine name -> extra environment for the bot processes. The learned model,
# when it lands, adds its entry here (for example {"CLAIMCHECK_ENGINE": "learned"}).
ENGINES: dict[str, dict[str, str]] = {
    "rules": {"CLAIMCHECK_ENGINE": "rules"},
    "rules+model": {"CLAIMCHECK_ENGINE": "rules+model"},
}
START_TIMEOUT_SECONDS = 120.0
DRAIN_SECONDS = 3.0  # after the last message, time for replies in flight


@dataclass
class ShardProcess:
    shard_id: int
    port: int
    log_path: Path
    process: asyncio.subprocess.Process | None = None
    before: dict[str, float] = field(default_factory=dict)
    after: dict[str, float] = field(default_factory=dict)

    async def sample(self) -> dict[str, float]:
        _, text = await http_get(self.port, "/metrics")
        names = ("process_cpu_seconds_total", "claimcheck_messages_seen_total", "claimcheck_database_writes_total",
                 "claimcheck_replies_sent_total", "process_resident_memory_bytes")  # fmt: skip
        return {name: metric(text, name) for name in names}

    def delta(self, name: str) -> float:
        return self.after[name] - self.before[name]


async def start_shards(args, fake: FakeDiscord, workdir: Path) -> list[ShardProcess]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DISCORD_", "CLAIMCHECK_"))}
    env.update({
        "DISCORD_TOKEN": fake.valid_token, "DISCORD_API_BASE": fake.api_base, "DISCORD_GATEWAY_URL": fake.gateway_url,
        "CLAIMCHECK_DATABASE": args.database or f"sqlite:///{workdir / 'claimcheck.db'}",
        "CLAIMCHECK_SHARD_COUNT": str(args.processes), "CLAIMCHECK_SYNC_COMMANDS": "false",
        "CLAIMCHECK_LOG_LEVEL": "WARNING", **ENGINES[args.engine],
    })  # fmt: skip
    shards = []
    for shard_id in range(args.processes):
        shard = ShardProcess(shard_id, free_port(), workdir / f"shard-{shard_id}.log")
        shard_env = {**env, "CLAIMCHECK_SHARD_IDS": str(shard_id), "CLAIMCHECK_METRICS_PORT": str(shard.port)}
        with open(shard.log_path, "wb") as log:
            shard.process = await asyncio.create_subprocess_exec(CLAIMCHECK, "run", env=shard_env, cwd=workdir, stdout=log, stderr=log)
        shards.append(shard)
    for shard in shards:
        problem = await wait_until_healthy(shard.process, shard.port, START_TIMEOUT_SECONDS)
        if problem:
            raise SystemExit(f"shard {shard.shard_id} {problem}:\n{shard.log_path.read_text()}")
    return shards


async def drive(args, fake: FakeDiscord, texts: list[str]) -> None:
    rng = random.Random(11)
    started = time.monotonic()
    for index, text in enumerate(texts):
        delay = started + index / args.rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        guild_id = fake.guild_ids[rng.randrange(len(fake.guild_ids))]
        await fake.post(text, channel=channel_in(guild_id, GENERAL))
    achieved = len(texts) / (time.monotonic() - started)
    print(f"sent {len(texts)} messages at {achieved:.0f}/s (asked for {args.rate}/s)", file=sys.stderr)


def reply_latencies(fake: FakeDiscord, shard_count: int) -> dict[int, list[float]]:
    """Seconds from each message leaving the fake to its reply arriving, per shard."""
    latencies: dict[int, list[float]] = {shard: [] for shard in range(shard_count)}
    for request in fake.requests:
        reference = (request.json or {}).get("message_reference") if request.method == "POST" else None
        if not reference:
            continue
        message_id = int(reference["message_id"])
        guild_id = int(fake.messages[message_id]["guild_id"])
        latencies[shard_of(guild_id, shard_count)].append(request.at - fake.posted_at[message_id])
    return latencies


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]


async def run(args) -> dict:
    engine = Engine.load()
    corpus = [text for text, _ in kratom_corpus(engine)]
    texts = [text for text, _ in build_stream(int(args.rate * args.duration), args.kratom, [(t, []) for t in corpus])]
    fake = FakeDiscord()
    fake.guild_ids = [(index << 22) + 100 for index in range(args.guilds)]
    await fake.start()
    workdir = Path(tempfile.mkdtemp(prefix="claimcheck-load-"))
    shards = []
    try:
        started = time.monotonic()
        shards = await start_shards(args, fake, workdir)
        print(f"{args.processes} shard processes ready with {args.guilds} guilds in {time.monotonic() - started:.1f}s",
              file=sys.stderr)  # fmt: skip
        for shard in shards:
            shard.before = await shard.sample()
        began = time.monotonic()
        await drive(args, fake, texts)
        await asyncio.sleep(DRAIN_SECONDS)
        elapsed = time.monotonic() - began
        for shard in shards:
            shard.after = await shard.sample()
        latencies = reply_latencies(fake, args.processes)
    finally:
        for shard in shards:
            if shard.process.returncode is None:
                shard.process.terminate()
                await shard.process.wait()
        await fake.stop()

    per_process = []
    for shard in shards:
        messages = shard.delta("claimcheck_messages_seen_total")
        per_process.append({
            "shard": shard.shard_id,
            "messages": int(messages),
            "replies": int(shard.delta("claimcheck_replies_sent_total")),
            "cpu_ms_per_message": 1000 * shard.delta("process_cpu_seconds_total") / messages if messages else None,
            "cpu_share_of_a_core": shard.delta("process_cpu_seconds_total") / elapsed,
            "reply_latency_ms_p50": 1000 * percentile(latencies[shard.shard_id], 0.50),
            "reply_latency_ms_p99": 1000 * percentile(latencies[shard.shard_id], 0.99),
            "database_writes_per_second": shard.delta("claimcheck_database_writes_total") / elapsed,
            "resident_memory_mb": shard.after["process_resident_memory_bytes"] / 2**20,
        })  # fmt: skip
    return {
        "engine": args.engine, "processes": args.processes, "guilds": args.guilds, "rate": args.rate,
        "kratom_share": args.kratom, "duration_seconds": round(elapsed, 1),
        "database": "postgresql" if (args.database or "").startswith("postgres") else "sqlite",
        "per_process": per_process,
    }  # fmt: skip


def print_table(report: dict) -> None:
    print(f"engine {report['engine']}, {report['processes']} processes, {report['guilds']} guilds, "
          f"{report['rate']} msg/s, {report['kratom_share']:.0%} kratom talk, {report['database']}, "
          f"{report['duration_seconds']} s")  # fmt: skip
    print(f"{'shard':>5}{'messages':>10}{'replies':>9}{'CPU ms/msg':>12}{'CPU core':>10}"
          f"{'p50 ms':>9}{'p99 ms':>9}{'db w/s':>8}{'RSS MB':>8}")  # fmt: skip
    for row in report["per_process"]:
        print(f"{row['shard']:>5}{row['messages']:>10}{row['replies']:>9}{row['cpu_ms_per_message']:>12.3f}"
              f"{row['cpu_share_of_a_core']:>10.2f}{row['reply_latency_ms_p50']:>9.1f}{row['reply_latency_ms_p99']:>9.1f}"
              f"{row['database_writes_per_second']:>8.1f}{row['resident_memory_mb']:>8.0f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--processes", type=int, default=1, help="shard processes (one shard each)")
    parser.add_argument("--guilds", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=500.0, help="messages per second over all guilds")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of load")
    parser.add_argument("--kratom", type=float, default=0.02, help="share of messages that are kratom talk")
    parser.add_argument("--engine", choices=sorted(ENGINES), default="rules")
    parser.add_argument("--database", help="CLAIMCHECK_DATABASE for the shards (default: a new SQLite file)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args()
    report = asyncio.run(run(args))
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_table(report)


if __name__ == "__main__":
    main()
