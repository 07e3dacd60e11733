"""SQLite backend (aiosqlite): numbered migrations, WAL mode, foreign keys."""

from __future__ import annotations

import logging
import re
import sqlite3
import time
from importlib import resources
from pathlib import Path

import aiosqlite

from bot.storage.base import Detection, FalsePositiveResult, GuildSettings, Storage, StorageError

log = logging.getLogger(__name__)
_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


def migrations() -> list[tuple[int, str, str]]:
    """(version, file name, SQL) for every bundled migration, in order."""
    found = []
    for entry in resources.files("bot.storage").joinpath("migrations").iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    versions = [version for version, _, _ in found]
    if versions != list(range(1, len(versions) + 1)):
        raise StorageError(f"migrations must be numbered 0001, 0002, ... without gaps: {versions}")
    return found


def _ids(text: str) -> tuple[str, ...]:
    return tuple(part for part in text.split(",") if part)


class SQLiteStorage(Storage):
    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._db: aiosqlite.Connection | None = None

    @property
    def db(self) -> aiosqlite.Connection:
        if self._db is None:
            raise StorageError("storage is not open")
        return self._db

    async def open(self) -> None:
        if self.path.parent and not self.path.parent.exists():
            raise StorageError(f"database directory {self.path.parent} does not exist")
        try:
            self._db = await aiosqlite.connect(self.path)
            await self._db.execute("PRAGMA journal_mode=WAL")
            await self._db.execute("PRAGMA foreign_keys=ON")
            await self._db.execute("PRAGMA busy_timeout=5000")
            await self._migrate()
        except (sqlite3.Error, OSError) as exc:
            await self.close()
            raise StorageError(f"cannot open database {self.path}: {exc}") from exc

    async def _migrate(self) -> None:
        async with self.db.execute("PRAGMA user_version") as cursor:
            (current,) = await cursor.fetchone()
        for version, name, sql in migrations():
            if version <= current:
                continue
            log.info("applying database migration %s", name)
            # executescript commits first; the version bump is part of the script,
            # so a migration is applied completely or not at all.
            await self.db.executescript(f"BEGIN;\n{sql}\nPRAGMA user_version = {version};\nCOMMIT;")

    async def schema_version(self) -> int:
        async with self.db.execute("PRAGMA user_version") as cursor:
            (version,) = await cursor.fetchone()
        return version

    async def close(self) -> None:
        # Detach first: a second close while the first is awaiting would wait forever
        # on aiosqlite's stopped worker thread (discord.py calls close() twice on shutdown).
        db, self._db = self._db, None
        if db is not None:
            await db.close()

    # --- settings -------------------------------------------------------------------

    async def get_settings(self, guild_id: int) -> GuildSettings:
        async with self.db.execute("SELECT data FROM guild_settings WHERE guild_id = ?", (guild_id,)) as cursor:
            row = await cursor.fetchone()
        if row is None:
            return GuildSettings(guild_id=guild_id)
        return GuildSettings.model_validate_json(row[0])

    async def save_settings(self, settings: GuildSettings) -> None:
        await self.db.execute(
            "INSERT INTO guild_settings (guild_id, data, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (guild_id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at",
            (settings.guild_id, settings.model_dump_json(), time.time()),
        )
        await self.db.commit()

    # --- detections -----------------------------------------------------------------

    async def add_detection(self, detection: Detection) -> int:
        cursor = await self.db.execute(
            "INSERT INTO detections (guild_id, channel_id, message_id, author_id, claim_ids, rule_ids, action, "
            "reply_message_id, alert_message_id, message_text, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                detection.guild_id,
                detection.channel_id,
                detection.message_id,
                detection.author_id,
                ",".join(detection.claim_ids),
                ",".join(detection.rule_ids),
                detection.action,
                detection.reply_message_id,
                detection.alert_message_id,
                detection.message_text,
                detection.created_at,
            ),
        )
        await self.db.commit()
        return cursor.lastrowid

    async def update_detection(
        self,
        detection_id: int,
        *,
        action: str | None = None,
        reply_message_id: int | None = None,
        alert_message_id: int | None = None,
        claim_ids: tuple[str, ...] | None = None,
        rule_ids: tuple[str, ...] | None = None,
    ) -> None:
        changes = {
            "action": action,
            "reply_message_id": reply_message_id,
            "alert_message_id": alert_message_id,
            "claim_ids": ",".join(claim_ids) if claim_ids is not None else None,
            "rule_ids": ",".join(rule_ids) if rule_ids is not None else None,
        }
        changes = {column: value for column, value in changes.items() if value is not None}
        if not changes:
            return
        assignments = ", ".join(f"{column} = ?" for column in changes)
        await self.db.execute(f"UPDATE detections SET {assignments} WHERE id = ?", (*changes.values(), detection_id))
        await self.db.commit()

    def _detection(self, row: aiosqlite.Row | tuple) -> Detection:
        (id_, guild_id, channel_id, message_id, author_id, claims, rules, action, reply_id, alert_id, text, created) = row
        return Detection(
            guild_id, channel_id, message_id, author_id, _ids(claims), _ids(rules), action, created,
            id_, reply_id, alert_id, text,
        )  # fmt: skip

    _COLUMNS = (
        "id, guild_id, channel_id, message_id, author_id, claim_ids, rule_ids, action, "
        "reply_message_id, alert_message_id, message_text, created_at"
    )

    async def get_detection(self, detection_id: int) -> Detection | None:
        async with self.db.execute(f"SELECT {self._COLUMNS} FROM detections WHERE id = ?", (detection_id,)) as cursor:
            row = await cursor.fetchone()
        return self._detection(row) if row else None

    async def latest_detection_for_message(self, message_id: int) -> Detection | None:
        async with self.db.execute(
            f"SELECT {self._COLUMNS} FROM detections WHERE message_id = ? AND action != 'on-request' "
            "ORDER BY id DESC LIMIT 1",
            (message_id,),
        ) as cursor:
            row = await cursor.fetchone()
        return self._detection(row) if row else None

    # --- false positives and stats ------------------------------------------------------

    async def add_false_positive(self, detection_id: int, reporter_id: int) -> FalsePositiveResult:
        detection = await self.get_detection(detection_id)
        if detection is None:
            return FalsePositiveResult.UNKNOWN_DETECTION
        cursor = await self.db.execute(
            "INSERT OR IGNORE INTO false_positive_reports (detection_id, guild_id, reporter_id, created_at) "
            "VALUES (?, ?, ?, ?)",
            (detection_id, detection.guild_id, reporter_id, time.time()),
        )
        await self.db.commit()
        return FalsePositiveResult.RECORDED if cursor.rowcount == 1 else FalsePositiveResult.ALREADY_REPORTED

    async def stats(self, guild_id: int, since: float) -> dict[str, tuple[int, int]]:
        counts: dict[str, list[int]] = {}
        async with self.db.execute(
            "SELECT d.claim_ids, (SELECT COUNT(*) FROM false_positive_reports r WHERE r.detection_id = d.id) "
            "FROM detections d WHERE d.guild_id = ? AND d.created_at >= ? AND d.action != 'on-request'",
            (guild_id, since),
        ) as cursor:
            async for claims, reports in cursor:
                for claim in _ids(claims):
                    entry = counts.setdefault(claim, [0, 0])
                    entry[0] += 1
                    entry[1] += reports
        return {claim: (entry[0], entry[1]) for claim, entry in counts.items()}

    # --- forgetting -----------------------------------------------------------------

    async def purge_guild(self, guild_id: int) -> int:
        cursor = await self.db.execute("DELETE FROM detections WHERE guild_id = ?", (guild_id,))
        removed = cursor.rowcount
        await self.db.execute("DELETE FROM false_positive_reports WHERE guild_id = ?", (guild_id,))
        await self.db.execute("DELETE FROM guild_settings WHERE guild_id = ?", (guild_id,))
        await self.db.commit()
        return removed

    async def purge_member(self, guild_id: int, user_id: int) -> int:
        cursor = await self.db.execute(
            "DELETE FROM detections WHERE guild_id = ? AND author_id = ?", (guild_id, user_id)
        )
        removed = cursor.rowcount
        cursor = await self.db.execute(
            "DELETE FROM false_positive_reports WHERE guild_id = ? AND reporter_id = ?", (guild_id, user_id)
        )
        removed += cursor.rowcount
        await self.db.commit()
        return removed

    async def purge_older_than(self, cutoff: float) -> int:
        cursor = await self.db.execute("DELETE FROM detections WHERE created_at < ?", (cutoff,))
        removed = cursor.rowcount
        await self.db.execute("DELETE FROM false_positive_reports WHERE created_at < ?", (cutoff,))
        await self.db.commit()
        return removed
