"""What operators see: metrics and the health check on CLAIMCHECK_METRICS_PORT (read over
HTTP like Prometheus does), and the detection log line."""

from __future__ import annotations

import logging

import pytest

from tests.discord.fake_discord import MEMBER, OTHER_MEMBER, is_callback, is_reply_to
from tests.discord.processes import free_port, http_get, metric

pytestmark = pytest.mark.asyncio


async def test_metrics_count_what_the_bot_did(fake, start_bot):
    port = free_port()
    await start_bot(metrics_port=port)
    message = await fake.post("kratom is completely harmless")
    reply = await fake.wait_for(is_reply_to(message))
    await fake.post("kratom is completely harmless")  # same claim, same channel: cooldown
    await fake.post("nice weather today", author=OTHER_MEMBER)
    target = next(m for m in fake.messages.values() if m.get("message_reference", {}).get("message_id") == message["id"])
    fp_id = next(c["custom_id"] for row in reply.json["components"] for c in row["components"] if ":fp:" in c["custom_id"])
    await fake.wait_for(is_callback(await fake.click(target, fp_id, user_id=MEMBER)))

    status, metrics = await http_get(port, "/metrics")
    assert status == 200
    assert metric(metrics, "claimcheck_messages_seen_total") == 3
    assert metric(metrics, 'claimcheck_findings_total{claim_id="harmless"}') == 2
    assert metric(metrics, "claimcheck_replies_sent_total") == 1
    assert metric(metrics, 'claimcheck_replies_suppressed_total{reason="cooldown"}') == 1
    assert metric(metrics, 'claimcheck_not_a_claim_reports_total{claim_id="harmless"}') == 1
    assert metric(metrics, "claimcheck_detection_seconds_count") == 3
    assert metric(metrics, 'claimcheck_shard_up{shard="0"}') == 1
    assert metric(metrics, "claimcheck_database_writes_total") >= 4  # two detections, an update, a report
    assert metric(metrics, "process_cpu_seconds_total") > 0
    assert "claimcheck_errors_total{" not in metrics  # no errors of any kind


async def test_health_check_needs_the_gateway_and_the_database(fake, start_bot):
    port = free_port()
    running = await start_bot(metrics_port=port)
    status, body = await http_get(port, "/healthz")
    assert status == 200 and '"healthy": true' in body
    await running.bot.storage.close()  # the database goes away
    status, body = await http_get(port, "/healthz")
    assert status == 503 and "database unreachable" in body


async def test_each_detection_logs_its_ids_and_the_text_only_when_opted_in(fake, start_bot, caplog):
    caplog.set_level(logging.INFO, logger="bot.discord.cogs.watcher")
    await start_bot()
    await fake.wait_for(is_reply_to(await fake.post("kratom is completely harmless")))
    await fake.wait_for(is_callback(await fake.admin("store-text", [{"name": "enabled", "type": 5, "value": True}])))
    await fake.wait_for(is_reply_to(await fake.post("you can't overdose on kratom")))
    first, second = [r for r in caplog.records if r.name == "bot.discord.cogs.watcher" and r.getMessage().startswith("claims")]
    assert (first.guild_id, first.channel_id, first.shard_id, first.claim_ids) == (100, 200, 0, ["harmless"])
    assert first.message_text is None and "completely harmless" not in first.getMessage()
    assert second.message_text == "you can't overdose on kratom"
