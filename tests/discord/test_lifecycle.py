"""Restarts against the same database, and `claimcheck run` as a new user starts it."""

from __future__ import annotations

import asyncio
import signal

import pytest

from tests.discord.fake_discord import GENERAL, MODLOG, OTHER_MEMBER, is_callback, is_post_to, is_reply_to
from tests.discord.processes import run_claimcheck

pytestmark = pytest.mark.asyncio


async def test_settings_detections_and_buttons_survive_a_restart(fake, start_bot, tmp_path):
    database = tmp_path / "persist.db"
    first = await start_bot(database)
    resolved = {"channels": {str(MODLOG): {"id": str(MODLOG), "type": 0, "name": "mod-log", "permissions": "0"}}}
    await fake.wait_for(is_callback(await fake.admin("log-channel", [{"name": "channel", "type": 7, "value": str(MODLOG)}],
                                                     resolved=resolved)))  # fmt: skip
    await fake.wait_for(is_callback(await fake.admin("action", [{"name": "value", "type": 3, "value": "both"}])))
    message = await fake.post("kratom is completely harmless")
    reply = await fake.wait_for(is_reply_to(message))
    await fake.wait_for(is_post_to(MODLOG))
    for _ in range(100):  # the detection is updated once both sends have returned
        detection = await first.bot.storage.latest_detection_for_message(int(message["id"]))
        if detection.action != "logged":
            break
        await asyncio.sleep(0.02)
    await first.stop()

    second = await start_bot(database)
    settings = await second.bot.storage.get_settings(100)
    assert settings.action == "both" and settings.log_channel_id == MODLOG
    detection = await second.bot.storage.latest_detection_for_message(int(message["id"]))
    assert detection is not None and detection.claim_ids == ("harmless",) and detection.action == "replied+alerted"
    # The buttons of the first run's reply still work (persistent views).
    target = next(m for m in fake.messages.values() if m.get("message_reference", {}).get("message_id") == message["id"])
    fp_id = next(c["custom_id"] for row in reply.json["components"] for c in row["components"] if ":fp:" in c["custom_id"])
    response = await fake.wait_for(is_callback(await fake.click(target, fp_id, user_id=OTHER_MEMBER)))
    assert "recorded" in response.json["data"]["content"]
    after = fake.mark()
    await fake.post("you can't OD on kratom", channel=GENERAL)
    await fake.wait_for(is_post_to(MODLOG), after=after)


async def test_claimcheck_run_with_only_the_three_variables(fake, tmp_path):
    env = {"DISCORD_TOKEN": fake.valid_token, "DISCORD_API_BASE": fake.api_base, "DISCORD_GATEWAY_URL": fake.gateway_url}
    process = await run_claimcheck(env, tmp_path)
    try:
        await asyncio.wait_for(fake.identified.wait(), 30)
        await asyncio.sleep(0.3)  # guild_ready_timeout in the real client is 2 s; messages before on_ready still count
        message = await fake.post("kratom is completely harmless, it's just a leaf")
        reply = await fake.wait_for(is_reply_to(message), timeout=15)
        assert reply.json["allowed_mentions"]["parse"] == []
    finally:
        process.send_signal(signal.SIGTERM)
        stdout, stderr = await asyncio.wait_for(process.communicate(), 20)
    assert process.returncode == 0, stderr.decode()
    assert (tmp_path / "claimcheck.db").exists()


async def test_losing_discord_after_start_up_logs_one_line_per_reconnect_attempt(fake, tmp_path):
    env = {"DISCORD_TOKEN": fake.valid_token, "DISCORD_API_BASE": fake.api_base, "DISCORD_GATEWAY_URL": fake.gateway_url}
    process = await run_claimcheck(env, tmp_path)
    await asyncio.wait_for(fake.identified.wait(), 30)
    await fake.stop()  # Discord goes away: the gateway closes and nothing listens any more
    attempts: list[str] = []
    try:
        while len(attempts) < 2:
            line = (await asyncio.wait_for(process.stderr.readline(), 30)).decode()
            assert "Traceback" not in line
            if "Attempting a reconnect" in line:
                attempts.append(line)
    finally:
        process.send_signal(signal.SIGTERM)
        _, rest = await asyncio.wait_for(process.communicate(), 20)
    assert "Connection refused" in attempts[-1], attempts
    assert "Traceback" not in rest.decode()


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        ("bad-token", "Discord rejected the token"),
        ("no-intent", "Message Content intent is not enabled"),
    ],
)
async def test_claimcheck_run_explains_discord_refusals(fake, tmp_path, setup, expected):
    token = "wrong" if setup == "bad-token" else fake.valid_token
    fake.intents_rejected = setup == "no-intent"
    env = {"DISCORD_TOKEN": token, "DISCORD_API_BASE": fake.api_base, "DISCORD_GATEWAY_URL": fake.gateway_url}
    process = await run_claimcheck(env, tmp_path)
    _, stderr = await asyncio.wait_for(process.communicate(), 30)
    lines = [line for line in stderr.decode().splitlines() if line.startswith("claimcheck: error:")]
    assert process.returncode == 3 and len(lines) == 1 and expected in lines[0]


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "DISCORD_TOKEN is not set"),
        ({"DISCORD_TOKEN": "x", "CLAIMCHECK_DATABASE": "/nonexistent/dir/c.db"}, "database directory /nonexistent/dir does not exist"),
        ({"DISCORD_TOKEN": "x", "CLAIMCHECK_LOG_LEVEL": "LOUD"}, "CLAIMCHECK_LOG_LEVEL"),
        ({"DISCORD_TOKEN": "x", "DISCORD_GATEWAY_URL": "http://nope"}, "DISCORD_GATEWAY_URL: must be a ws:// or wss:// URL"),
        ({"DISCORD_TOKEN": "x", "CLAIMCHECK_RULES_DIRS": "/nonexistent/rules"}, "rule directory does not exist"),
        ({"DISCORD_TOKEN": "x", "CLAIMCHECK_DATABASE": "/"}, "database / is a directory, not a file"),
        # sqlite cannot open it: once a traceback from aiosqlite's thread ("Event loop is closed") followed
        ({"DISCORD_TOKEN": "x", "CLAIMCHECK_DATABASE": "/etc/passwd/c.db"}, "unable to open database file"),
        ({"DISCORD_TOKEN": "x", "CLAIMCHECK_DATABASE": "mysql://db/c"}, "unsupported database scheme mysql://"),
        ({"DISCORD_TOKEN": "x", "CLAIMCHECK_SHARD_COUNT": "2", "CLAIMCHECK_SHARD_IDS": "1-2"},
         "shard 2 does not exist with CLAIMCHECK_SHARD_COUNT=2"),
        ({"DISCORD_TOKEN": "x", "CLAIMCHECK_SHARD_IDS": "0"}, "CLAIMCHECK_SHARD_IDS needs CLAIMCHECK_SHARD_COUNT"),
        ({"DISCORD_TOKEN": "x", "CLAIMCHECK_METRICS_PORT": "http"}, "CLAIMCHECK_METRICS_PORT"),
        ({"DISCORD_TOKEN": "x", "CLAIMCHECK_LOG_FORMAT": "xml"}, "CLAIMCHECK_LOG_FORMAT"),
        ({"DISCORD_TOKEN": "x", "CLAIMCHECK_ENGINE": "magic"}, "CLAIMCHECK_ENGINE"),
    ],
)
async def test_claimcheck_run_refuses_bad_configuration_in_one_line(tmp_path, env, expected):
    process = await run_claimcheck(env, tmp_path)
    _, stderr = await asyncio.wait_for(process.communicate(), 30)
    lines = stderr.decode().strip().splitlines()
    assert process.returncode == 2 and len(lines) == 1 and expected in lines[0], stderr.decode()


async def test_postgres_refusing_the_login_is_one_line(tmp_path, postgres_server):
    wrong = postgres_server.replace("claimcheck-test@", "not-the-password@")
    process = await run_claimcheck({"DISCORD_TOKEN": "x", "CLAIMCHECK_DATABASE": wrong}, tmp_path)
    _, stderr = await asyncio.wait_for(process.communicate(), 30)
    lines = stderr.decode().strip().splitlines()
    assert process.returncode == 2 and len(lines) == 1 and "the server refused the login" in lines[0], lines
    assert "not-the-password" not in lines[0]


@pytest.mark.parametrize("fault", ["connection refused", "not TLS"])
async def test_discord_unreachable_at_start_up_is_one_line(fake, tmp_path, fault):
    api_base = "http://127.0.0.1:9/api/v10" if fault == "connection refused" else fake.api_base.replace("http:", "https:")
    env = {"DISCORD_TOKEN": "x", "DISCORD_API_BASE": api_base, "DISCORD_GATEWAY_URL": fake.gateway_url}
    process = await run_claimcheck(env, tmp_path)
    _, stderr = await asyncio.wait_for(process.communicate(), 30)
    text = stderr.decode()
    errors = [line for line in text.splitlines() if line.startswith("claimcheck: error:")]
    assert process.returncode == 3 and len(errors) == 1 and "Traceback" not in text, text
    expected = "(Connection refused)" if fault == "connection refused" else "TLS handshake"
    assert f"cannot reach Discord at {api_base}" in errors[0] and expected in errors[0]
    assert "PyNaCl" not in text and "davey" not in text  # no voice warnings for a text-only bot


async def test_unwritable_database_is_refused(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "c.db").write_bytes(b"this is not a database")
    process = await run_claimcheck({"DISCORD_TOKEN": "x", "CLAIMCHECK_DATABASE": str(locked / "c.db")}, tmp_path)
    _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 2 and "cannot open database" in stderr.decode()
