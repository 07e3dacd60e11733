"""Two `claimcheck run` processes as shards 0 and 1 of 2, sharing one PostgreSQL database.

Each must answer only the guilds of its shard, both must write to the one audit
log, and a shard killed with SIGKILL and started again must keep every reply's
audit row and the buttons of its earlier replies working.
"""

from __future__ import annotations

import asyncio
import signal

import pytest

from bot.storage import PostgresStorage
from tests.discord.fake_discord import GENERAL, GUILD_ID, MEMBER, SHARD_1_GUILD, channel_in, is_callback, is_reply_to
from tests.discord.processes import free_port, http_get, metric, run_claimcheck, wait_until_healthy

pytestmark = pytest.mark.asyncio
START_TIMEOUT = 30.0


class ShardProcess:
    def __init__(self, shard_id: int, env: dict, cwd) -> None:
        self.shard_id = shard_id
        self.port = free_port()
        self.env = {**env, "CLAIMCHECK_SHARD_IDS": str(shard_id), "CLAIMCHECK_METRICS_PORT": str(self.port)}
        self.cwd = cwd
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        self.process = await run_claimcheck(self.env, self.cwd)
        problem = await wait_until_healthy(self.process, self.port, START_TIMEOUT)
        if problem:
            stderr = (await self.process.stderr.read()).decode() if self.process.returncode is not None else ""
            raise AssertionError(f"shard {self.shard_id} {problem}: {stderr}")

    async def metrics(self) -> str:
        return (await http_get(self.port, "/metrics"))[1]

    async def stop(self, sig: int = signal.SIGTERM) -> int:
        self.process.send_signal(sig)
        _, stderr = await asyncio.wait_for(self.process.communicate(), 20)
        self.stderr = stderr.decode()
        return self.process.returncode


def button(reply_request, kind: str) -> str:
    return next(c["custom_id"] for row in reply_request.json["components"] for c in row["components"]
                if f":{kind}:" in c["custom_id"])  # fmt: skip


def sent_reply(fake, message: dict) -> dict:
    return next(m for m in fake.messages.values() if m.get("message_reference", {}).get("message_id") == message["id"])


async def settled(storage: PostgresStorage, message_id: int):
    """The audit row of a message once the bot has recorded what it sent."""
    for _ in range(200):
        detection = await storage.latest_detection_for_message(message_id)
        if detection is not None and detection.action != "logged":
            return detection
        await asyncio.sleep(0.05)
    raise AssertionError(f"no settled audit row for message {message_id}")


async def test_two_shard_processes_split_the_guilds_and_survive_sigkill(fake, postgres_url, tmp_path):
    fake.guild_ids = [GUILD_ID, SHARD_1_GUILD]
    env = {
        "DISCORD_TOKEN": fake.valid_token, "DISCORD_API_BASE": fake.api_base, "DISCORD_GATEWAY_URL": fake.gateway_url,
        "CLAIMCHECK_DATABASE": postgres_url, "CLAIMCHECK_SHARD_COUNT": "2",
    }  # fmt: skip
    shards = [ShardProcess(0, env, tmp_path), ShardProcess(1, env, tmp_path)]
    await asyncio.gather(*(shard.start() for shard in shards))
    assert sorted(fake.sockets.values()) == [(0, 2), (1, 2)]
    storage = PostgresStorage(postgres_url)
    await storage.open()
    try:
        first = await fake.post("kratom is completely harmless", channel=GENERAL)
        second = await fake.post("kratom is completely harmless", channel=channel_in(SHARD_1_GUILD, GENERAL))
        await fake.wait_for(is_reply_to(first), timeout=10)
        second_reply = await fake.wait_for(is_reply_to(second), timeout=10)
        for shard in shards:  # each process saw and answered only the message of its own guild
            metrics = await shard.metrics()
            assert metric(metrics, "claimcheck_messages_seen_total") == 1
            assert metric(metrics, "claimcheck_replies_sent_total") == 1
        audit = [await settled(storage, int(message["id"])) for message in (first, second)]
        assert [row.guild_id for row in audit] == [GUILD_ID, SHARD_1_GUILD]  # one audit log for both

        assert await shards[1].stop(signal.SIGKILL) == -signal.SIGKILL
        for _ in range(100):  # the fake notices the dropped connection
            if sorted(fake.sockets.values()) == [(0, 2)]:
                break
            await asyncio.sleep(0.02)
        assert sorted(fake.sockets.values()) == [(0, 2)]
        await shards[1].start()

        # The killed shard's earlier reply: its buttons still work in the new process.
        click = await fake.click(sent_reply(fake, second), button(second_reply, "fp"), user_id=MEMBER)
        response = await fake.wait_for(is_callback(click), timeout=10)
        assert "recorded" in response.json["data"]["content"]
        third = await fake.post("you can't overdose on kratom", channel=channel_in(SHARD_1_GUILD, GENERAL))
        await fake.wait_for(is_reply_to(third), timeout=10)
        await settled(storage, int(third["id"]))

        # No audit row of a sent reply is lost: every reply's button names a stored detection of its message.
        replies = [r for r in fake.requests if r.method == "POST" and r.path.endswith("/messages") and r.json
                   and r.json.get("message_reference")]  # fmt: skip
        assert len(replies) == 3
        for reply in replies:
            detection = await storage.get_detection(int(button(reply, "fp").rsplit(":", 1)[1]))
            assert detection is not None and detection.message_id == reply.json["message_reference"]["message_id"]
            assert detection.action == "replied" and detection.reply_message_id is not None
        assert (await storage.stats(SHARD_1_GUILD, 0))["harmless"] == (1, 1)
    finally:
        await storage.close()
        codes = [await shard.stop() for shard in shards if shard.process.returncode is None]
    assert codes == [0, 0], [shard.stderr for shard in shards]
