"""One suite for every storage backend: each test runs on SQLite and on a real PostgreSQL."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest
import pytest_asyncio

from bot.storage import Detection, FalsePositiveResult, GuildSettings, SQLiteStorage, StorageError, storage_for
from bot.storage.schema import TABLES, migrations

pytestmark = pytest.mark.asyncio
SNOWFLAKE = 1_234_567_890_123_456_789  # Discord ids need 64-bit integers


def detection(message_id: int, *, guild_id: int = SNOWFLAKE, author_id: int = 4, created_at: float = 1000.0,
              claims: tuple[str, ...] = ("harmless",), action: str = "replied") -> Detection:  # fmt: skip
    return Detection(guild_id, SNOWFLAKE + 1, message_id, author_id, claims, ("harmless",), action, created_at)


@pytest_asyncio.fixture
async def storage(database_url):
    store = storage_for(database_url)
    await store.open()
    yield store
    await store.close()


async def test_settings_round_trip_and_default(storage):
    assert await storage.get_settings(SNOWFLAKE) == GuildSettings(guild_id=SNOWFLAKE)
    changed = GuildSettings(guild_id=SNOWFLAKE, action="both", log_channel_id=SNOWFLAKE + 7, ignored_roles={1, 2})
    await storage.save_settings(changed)
    await storage.save_settings(changed.model_copy(update={"cooldown_seconds": 60}))
    stored = await storage.get_settings(SNOWFLAKE)
    assert stored.action == "both" and stored.ignored_roles == {1, 2} and stored.cooldown_seconds == 60


async def test_detections_are_added_updated_and_found_by_message(storage):
    first = await storage.add_detection(detection(SNOWFLAKE + 10))
    second = await storage.add_detection(detection(SNOWFLAKE + 10, action="logged"))
    await storage.add_detection(detection(SNOWFLAKE + 10, action="on-request"))
    assert second > first
    await storage.update_detection(second, action="replied", reply_message_id=SNOWFLAKE + 11, claim_ids=("a", "b"))
    latest = await storage.latest_detection_for_message(SNOWFLAKE + 10)
    assert latest.id == second and latest.action == "replied" and latest.reply_message_id == SNOWFLAKE + 11
    assert latest.claim_ids == ("a", "b") and latest.guild_id == SNOWFLAKE and latest.created_at == 1000.0
    assert await storage.get_detection(second + 100) is None
    assert await storage.latest_detection_for_message(1) is None


async def test_false_positive_reports_count_once_per_member(storage):
    detection_id = await storage.add_detection(detection(1))
    assert await storage.add_false_positive(detection_id, 7) == FalsePositiveResult.RECORDED
    assert await storage.add_false_positive(detection_id, 7) == FalsePositiveResult.ALREADY_REPORTED
    assert await storage.add_false_positive(detection_id, 8) == FalsePositiveResult.RECORDED
    assert await storage.add_false_positive(detection_id + 99, 7) == FalsePositiveResult.UNKNOWN_DETECTION
    await storage.add_detection(detection(2, claims=("harmless", "no-overdose"), created_at=2000.0))
    await storage.add_detection(detection(3, action="on-request", created_at=2000.0))
    assert await storage.stats(SNOWFLAKE, 0) == {"harmless": (2, 2), "no-overdose": (1, 0)}
    assert await storage.stats(SNOWFLAKE, 1500.0) == {"harmless": (1, 0), "no-overdose": (1, 0)}


async def test_reported_detections_come_with_their_report_counts(storage):
    quiet = await storage.add_detection(detection(1))
    reported = await storage.add_detection(replace(detection(2), message_text="kratom is a tree, that's all"))
    for member in (7, 8):
        await storage.add_false_positive(reported, member)
    ((found, reports),) = await storage.reported_detections()
    assert (found.id, found.message_text, reports) == (reported, "kratom is a tree, that's all", 2)
    assert quiet != reported


async def test_purges_forget_a_member_a_server_and_old_records(storage):
    kept = await storage.add_detection(detection(1, guild_id=5, created_at=9e9))
    await storage.add_detection(detection(2, author_id=40))
    mine = await storage.add_detection(detection(3, author_id=41))
    await storage.add_false_positive(mine, 40)
    await storage.save_settings(GuildSettings(guild_id=SNOWFLAKE, action="off"))
    assert await storage.purge_member(SNOWFLAKE, 40) == 2  # one detection, one report
    assert await storage.purge_guild(SNOWFLAKE) == 1
    assert (await storage.get_settings(SNOWFLAKE)).action == "reply"
    old = await storage.add_detection(detection(4, guild_id=5, created_at=1000.0))
    await storage.add_false_positive(old, 9)
    assert await storage.purge_older_than(5000.0) == 1
    assert await storage.get_detection(old) is None and await storage.get_detection(kept) is not None


async def test_migrations_are_applied_once(database_url):
    store = storage_for(database_url)
    await store.open()
    version = await store.schema_version()
    await store.close()
    await store.open()
    assert await store.schema_version() == version == len(migrations(store.dialect))
    await store.ping()
    await store.close()


async def test_processes_starting_together_migrate_once(database_url):
    stores = [storage_for(database_url) for _ in range(4)]
    await asyncio.gather(*(store.open() for store in stores))  # none fails with "table already exists"
    assert {await store.schema_version() for store in stores} == {len(migrations(stores[0].dialect))}
    await asyncio.gather(*(store.close() for store in stores))


async def test_rows_copy_between_databases_with_their_ids(storage, tmp_path):
    await storage.save_settings(GuildSettings(guild_id=SNOWFLAKE, action="alert", log_channel_id=3))
    detection_id = await storage.add_detection(detection(SNOWFLAKE + 1))
    await storage.add_false_positive(detection_id, 7)
    target = SQLiteStorage(tmp_path / "copy.db")
    await target.open()
    assert await target.is_empty() and not await storage.is_empty()
    for table in TABLES:
        async for rows in storage.table_rows(table):
            await target.insert_rows(table, rows)
    assert (await target.get_detection(detection_id)).message_id == SNOWFLAKE + 1
    assert await target.add_false_positive(detection_id, 7) == FalsePositiveResult.ALREADY_REPORTED
    assert await target.add_detection(detection(5)) > detection_id
    await target.close()


async def test_backends_write_counts_for_the_metrics(storage):
    before = storage.writes
    detection_id = await storage.add_detection(detection(1))
    await storage.update_detection(detection_id, action="replied")
    assert storage.writes == before + 2


async def test_postgres_login_refused_is_one_clear_error(postgres_server):
    wrong = postgres_server.replace("claimcheck-test@", "wrong-password@")
    store = storage_for(wrong)
    with pytest.raises(StorageError) as error:
        await store.open()
    message = str(error.value)
    assert "refused the login" in message and "wrong-password" not in message and "***" in message


async def test_sqlite_uses_write_ahead_logging(tmp_path):
    store = SQLiteStorage(tmp_path / "wal.db")
    await store.open()
    assert await store._fetch("PRAGMA journal_mode") == [("wal",)]
    await store.close()


async def test_sqlite_refuses_a_directory(tmp_path):
    with pytest.raises(StorageError, match="is a directory"):
        await storage_for(str(tmp_path)).open()


async def test_recorded_detections_are_written_in_one_batch_and_seen_by_every_read(storage, monkeypatch):
    import bot.storage.sql as sql

    monkeypatch.setattr(sql, "RECORD_FLUSH_SECONDS", 0.05)
    writes = storage.writes
    for message_id in (21, 22, 23):
        storage.record_detection(detection(message_id, action="cooldown", created_at=5000.0))
    assert (await storage.latest_detection_for_message(22)).action == "cooldown", "a read writes what waits first"
    assert storage.writes == writes + 3
    storage.record_detection(detection(24, action="rate-limited", created_at=5000.0))
    await asyncio.sleep(0.2)  # the timer writes it unasked
    assert storage._recorded == []
    assert (await storage.stats(SNOWFLAKE, since=4000.0))["harmless"] == (4, 0)


async def test_a_purge_removes_recorded_detections_too(storage):
    storage.record_detection(detection(31, author_id=77))
    assert await storage.purge_member(SNOWFLAKE, 77) == 1
    assert await storage.latest_detection_for_message(31) is None


async def test_recorded_detections_are_written_on_close(database_url):
    store = storage_for(database_url)
    await store.open()
    store.record_detection(detection(41, action="cooldown"))
    await store.close()
    reopened = storage_for(database_url)
    await reopened.open()
    try:
        assert (await reopened.latest_detection_for_message(41)).action == "cooldown"
    finally:
        await reopened.close()


async def test_a_failed_batch_keeps_its_rows_for_the_next_one(storage, monkeypatch):
    storage.record_detection(detection(51))
    real_run = storage._run

    async def broken(statements):
        raise StorageError("database is gone")

    monkeypatch.setattr(storage, "_run", broken)
    with pytest.raises(StorageError):
        await storage.flush()
    assert len(storage._recorded) == 1
    monkeypatch.setattr(storage, "_run", real_run)
    assert await storage.latest_detection_for_message(51) is not None
