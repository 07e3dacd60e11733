"""Log lines as operators and log collectors see them."""

from __future__ import annotations

import json
import logging

import pytest

from bot.logs import CONTEXT_FIELDS, JsonFormatter, OneLineReconnects


def record(name: str, message: str, *args, exc: BaseException | None = None, **extra) -> logging.LogRecord:
    exc_info = (type(exc), exc, exc.__traceback__) if exc else None
    entry = logging.LogRecord(name, logging.ERROR, __file__, 1, message, args, exc_info)
    for key, value in extra.items():
        setattr(entry, key, value)
    return entry


def test_json_lines_carry_the_detection_ids_and_no_text_unless_opted_in():
    line = JsonFormatter().format(
        record("bot.discord.cogs.watcher", "claims %s", "harmless", guild_id=1, channel_id=2, shard_id=0,
               claim_ids=["harmless"], message_text=None)  # fmt: skip
    )
    entry = json.loads(line)
    assert entry["message"] == "claims harmless" and entry["level"] == "ERROR"
    assert {key: entry[key] for key in ("guild_id", "channel_id", "shard_id", "claim_ids")} == {
        "guild_id": 1, "channel_id": 2, "shard_id": 0, "claim_ids": ["harmless"]}  # fmt: skip
    assert "message_text" not in entry and "message_text" in CONTEXT_FIELDS


@pytest.mark.parametrize(
    ("logger", "message", "args"),
    [
        ("discord.client", "Attempting a reconnect in %.2fs", (1.5,)),
        ("discord.shard", "Attempting a reconnect for shard ID %s in %.2fs", (0, 1.5)),
        ("discord.shard", "Failed to connect for shard_id: %s. Retrying...", (1,)),
    ],
)
def test_reconnect_attempts_are_one_line_each(logger, message, args):
    try:
        raise ConnectionRefusedError(111, "Connection refused")
    except ConnectionRefusedError as exc:
        entry = record(logger, message, *args, exc=exc)
    OneLineReconnects().filter(entry)
    text = logging.Formatter("%(message)s").format(entry)
    assert "\n" not in text and "Traceback" not in text and "Connection refused" in text


def test_other_tracebacks_are_kept():
    try:
        raise KeyError("bug")
    except KeyError as exc:
        entry = record("discord.client", "Ignoring exception in %s", "on_message", exc=exc)
    OneLineReconnects().filter(entry)
    assert "Traceback" in logging.Formatter("%(message)s").format(entry)
