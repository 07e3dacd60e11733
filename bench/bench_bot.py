"""The bot's CPU per message beside a bare discord.py client's; prints figures, asserts nothing.

    python bench/bench_bot.py                 # 6 rounds of 4,000 messages per stream
    python bench/bench_bot.py --quick         # 3 rounds of 2,000
    python bench/bench_bot.py --profile bot-2%  # cProfile one client on one stream
    python bench/bench_bot.py --profile rules-2% --sort cumulative --only 'bot/|re2'  # ClaimCheck's part

Both clients get the same gateway frames: each MESSAGE_CREATE is decoded from
JSON and handed to discord.py's own parser, exactly as its websocket reader
does, and every task the event starts is awaited. One client has an empty
``on_message``; the others are ClaimCheck with its cogs loaded (rules-only, and
rules with the learned model). Rounds alternate between the clients, so drift on
a noisy machine hits all of them; figures are medians over rounds of process CPU
time (the model's worker thread included) per message, and the median over rounds
of each round's ratio to bare.

The streams are ordinary chat in 40 channels of 4 servers: with no kratom talk
at all, with 2% and with 10% of it. Kratom talk is the corpus's claim-free
messages that name kratom; every message differs from the others in its round.
Replies, if any, go to a stand-in for Discord's REST API that answers at once.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import itertools
import json
import pstats
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "bench")]

import discord  # noqa: E402
from bench_engine import FILLER, ORDINARY  # noqa: E402

from bot.core.corpus import load_corpus  # noqa: E402
from bot.core.engine import Engine  # noqa: E402
from bot.core.learned import ClaimModel  # noqa: E402
from bot.discord.client import ClaimCheckBot, intents  # noqa: E402
from bot.storage import storage_for  # noqa: E402
from tests.discord.fake_discord import BOT_ID, GENERAL, MEMBER, USERS, FakeDiscord, channel_in  # noqa: E402

GUILDS = (100, 101, 102, 103)
CHANNELS_PER_GUILD = 10


def channel_id(guild_id: int, index: int) -> int:
    return channel_in(guild_id, GENERAL) if index == 0 else guild_id * 1000 + 500 + index


def kratom_talk(engine: Engine) -> list[str]:
    """Corpus chat that names kratom and makes no claim."""
    return [
        item.text
        for item in load_corpus(REPO / "corpus")
        if item.register_ == "chat" and not item.claims and engine.names_kratom(item.text)
    ]


def build_frames(count: int, kratom_share: float, talk: list[str], seed: int) -> list[str]:
    """``count`` gateway frames (JSON text) of chat; ``kratom_share`` of them kratom talk."""
    rng = random.Random(seed)
    fake = FakeDiscord()
    for guild_id in GUILDS:
        fake.guild_payload(guild_id)  # registers the guild's channels
    channels = [channel_id(g, i) for g in GUILDS for i in range(CHANNELS_PER_GUILD)]
    for guild_id in GUILDS:
        for index in range(CHANNELS_PER_GUILD):
            fake.channel_guilds[channel_id(guild_id, index)] = guild_id
    frames, recent = [], {}
    for sequence in range(count):
        channel = rng.choice(channels)
        if rng.random() < kratom_share:
            text = rng.choice(talk)
        else:
            text = rng.choice(ORDINARY)
        text += " " + " ".join(rng.choice(FILLER) for _ in range(rng.randint(1, 20)))  # no two alike
        reference = recent.get(channel) if rng.random() < 0.2 else None
        payload = fake.message_payload(channel, MEMBER, text, reference=reference, message_id=10**12 + seed * 10**7 + sequence)
        recent[channel] = {k: v for k, v in payload.items() if k != "referenced_message"}
        frames.append(json.dumps({"op": 0, "t": "MESSAGE_CREATE", "s": sequence, "d": payload}))
    return frames


def guild_payloads() -> list[dict]:
    fake = FakeDiscord()
    payloads = []
    for guild_id in GUILDS:
        payload = fake.guild_payload(guild_id)
        for index in range(1, CHANNELS_PER_GUILD):
            payload["channels"].append({"id": str(channel_id(guild_id, index)), "type": 0, "name": f"chat-{index}",
                                        "position": 10 + index, "parent_id": None, "permission_overwrites": []})  # fmt: skip
        payloads.append(payload)
    return payloads


async def answer_at_once(route, **kwargs):
    """Discord's REST API, answering every request with a message, at once."""
    return {**FakeDiscord().message_payload(GENERAL, BOT_ID, "reply"), "id": str(next(_reply_ids))}


_reply_ids = itertools.count(10**15)


async def connect(client: discord.Client) -> None:
    """Give ``client`` what READY and GUILD_CREATE would: its user and the servers."""
    await client._async_setup_hook()
    state = client._connection
    state.user = discord.ClientUser(state=state, data=USERS[BOT_ID])
    for payload in guild_payloads():
        state._add_guild_from_data(payload)
    client.http.request = answer_at_once
    if isinstance(client, ClaimCheckBot):
        await client.setup_hook()


def bare_client() -> discord.Client:
    client = discord.Client(intents=intents())

    @client.event
    async def on_message(message: discord.Message) -> None:
        pass

    return client


async def feed(client: discord.Client, frames: list[str]) -> float:
    """Process CPU seconds for ``client`` to take in ``frames`` and finish every task they start."""
    parse = client._connection.parsers["MESSAGE_CREATE"]
    idle = asyncio.all_tasks()
    started = time.process_time()
    for index, frame in enumerate(frames, start=1):
        parse(discord.utils._from_json(frame)["d"])
        if index % 50 == 0:  # a gateway read yields to the loop between frames
            await _settle(idle)
    await _settle(idle)
    return time.process_time() - started


async def _settle(idle: set[asyncio.Task]) -> None:
    while True:
        busy = asyncio.all_tasks() - idle - {asyncio.current_task()}
        if not busy:
            return
        await asyncio.wait(busy)


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def run(args) -> None:
    engine = Engine.load()
    engine.warm_up()  # as the runner does at start-up
    talk = kratom_talk(engine)
    workdir = Path(tempfile.mkdtemp(prefix="claimcheck-bench-bot-"))
    clients: dict[str, discord.Client] = {"bare": bare_client()}
    storages = []
    rss = {"start": rss_mib()}
    for name, model in (("rules", None), ("rules+model", "load")):
        if model:
            model = ClaimModel(threads=1)
        storage = storage_for(str(workdir / f"{name}.db"))
        await storage.open()
        storages.append(storage)
        clients[name] = ClaimCheckBot(engine, storage, model=model, sync_commands=False, max_messages=1000)
        rss[name] = rss_mib()
    clients["bare"].max_messages = 1000
    for client in clients.values():
        await connect(client)
    gc.freeze()  # the corpus, rules and model set-up stay out of the collector's way in every round
    try:
        await measure(args, clients, talk, rss)
    finally:
        for name in ("rules", "rules+model"):
            await clients[name].close()  # also stops the database threads, which would keep the process alive


async def measure(args, clients: dict[str, discord.Client], talk: list[str], rss: dict[str, float]) -> None:

    streams = {"0%": 0.0, "2%": 0.02, "10%": 0.10}
    if args.profile:
        client_name, stream_name = args.profile.split("-", 1)
        client = clients["rules+model" if client_name == "bot" else client_name]
        frames = build_frames(args.messages, streams[stream_name], talk, seed=1)
        await feed(client, frames)  # warm
        profiler = cProfile.Profile()
        profiler.enable()
        await feed(client, build_frames(args.messages, streams[stream_name], talk, seed=2))
        profiler.disable()
        pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.only or "", 30)
        return

    seeds = itertools.count(1)
    print(f"{args.rounds} rounds of {args.messages:,} messages per stream; CPU µs per message, median over rounds\n")
    print(f"{'stream':8} {'bare':>8} {'rules':>8} {'ratio':>6} {'+model':>8} {'ratio':>6} {'model CPU share':>16}")
    for stream_name, share in streams.items():
        samples: dict[str, list[float]] = {name: [] for name in clients}
        model_cpu: list[float] = []
        warm = build_frames(args.messages // 4, share, talk, seed=next(seeds))
        for client in clients.values():
            await feed(client, warm)
        for _ in range(args.rounds):
            frames = build_frames(args.messages, share, talk, seed=next(seeds))
            for name, client in clients.items():
                detector = getattr(client, "detector", None)
                worker_before = detector.worker_cpu_seconds if detector else 0.0
                seconds = await feed(client, frames)
                samples[name].append(seconds / len(frames) * 1e6)
                if detector:
                    model_cpu.append((detector.worker_cpu_seconds - worker_before) / seconds if seconds else 0.0)
        bare, rules, hybrid = (statistics.median(samples[n]) for n in ("bare", "rules", "rules+model"))
        rules_ratio, hybrid_ratio = (
            statistics.median(bot / base for bot, base in zip(samples[name], samples["bare"])) for name in ("rules", "rules+model")
        )
        print(
            f"{stream_name:8} {bare:8.1f} {rules:8.1f} {rules_ratio:5.2f}x {hybrid:8.1f} {hybrid_ratio:5.2f}x"
            f" {statistics.median(model_cpu):15.1%}"
        )
    print(
        f"\npeak RSS: {rss['start']:.0f} MiB before the bots, {rss['rules']:.0f} MiB with the rules bot,"
        f" {rss['rules+model']:.0f} MiB with the model loaded too; {rss_mib():.0f} MiB at the end"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--messages", type=int, default=4000)
    parser.add_argument("--quick", action="store_true", help="3 rounds of 2,000 messages")
    parser.add_argument("--sort", default="tottime", help="the profile's order: tottime or cumulative")
    parser.add_argument("--only", help="with --profile: only the functions whose file path matches this regex")
    parser.add_argument("--profile", help="CLIENT-STREAM, e.g. bot-2%%, rules-0%%, bare-2%%: cProfile that pass instead")
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.messages = 3, 2000
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
