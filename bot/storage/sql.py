"""Every query of the bot, written once for both SQL backends.

Queries use ``?`` placeholders and SQL that SQLite and PostgreSQL both accept
(``ON CONFLICT``, ``RETURNING``); a backend supplies only the connection:
reading rows, running writes in one transaction, and inserting with an id back.
"""

from __future__ import annotations

import abc
import asyncio
import logging
import time
from collections.abc import AsyncIterator, Sequence

from bot.storage.base import Detection, FalsePositiveResult, GuildSettings, Storage, StorageError
from bot.storage.schema import TABLES

Statement = tuple[str, Sequence[object]]
COPY_BATCH_ROWS = 1000
RECORD_FLUSH_SECONDS = 1.0  # recorded detections wait at most this long for their write
RECORD_FLUSH_ROWS = 100  # ... or until this many are waiting
_INSERT_DETECTION = (
    "INSERT INTO detections (guild_id, channel_id, message_id, author_id, claim_ids, rule_ids, action, "
    "reply_message_id, alert_message_id, message_text, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)

log = logging.getLogger(__name__)
_DETECTION_COLUMNS = ", ".join(TABLES["detections"])


def _ids(text: str) -> tuple[str, ...]:
    return tuple(part for part in text.split(",") if part)


def _detection_values(detection: Detection) -> tuple:
    return (
        detection.guild_id, detection.channel_id, detection.message_id, detection.author_id,
        ",".join(detection.claim_ids), ",".join(detection.rule_ids), detection.action,
        detection.reply_message_id, detection.alert_message_id, detection.message_text, detection.created_at,
    )  # fmt: skip


def _detection(row: Sequence) -> Detection:
    (id_, guild_id, channel_id, message_id, author_id, claims, rules, action, reply_id, alert_id, text, created) = row
    return Detection(
        guild_id, channel_id, message_id, author_id, _ids(claims), _ids(rules), action, created,
        id_, reply_id, alert_id, text,
    )  # fmt: skip


class SQLStorage(Storage):
    """The ``Storage`` queries over three primitives that each backend implements."""

    dialect: str

    def __init__(self) -> None:
        self.writes = 0  # write statements committed, for the metrics
        self._recorded: list[Detection] = []  # by record_detection, not yet written
        self._record_timer: asyncio.TimerHandle | None = None
        self._flush_lock = asyncio.Lock()
        self._flush_tasks: set[asyncio.Task] = set()

    @abc.abstractmethod
    async def _fetch(self, sql: str, *args: object) -> list[tuple]:
        """All rows of a query."""

    @abc.abstractmethod
    async def _run(self, statements: Sequence[Statement]) -> list[int]:
        """Run write statements in one transaction; their row counts."""

    @abc.abstractmethod
    async def _insert_returning_id(self, sql: str, *args: object) -> int:
        """Run an ``INSERT ... RETURNING id`` and commit it."""

    async def _write(self, statements: Sequence[Statement]) -> list[int]:
        counts = await self._run(statements)
        self.writes += len(statements)
        return counts

    async def _fetch_one(self, sql: str, *args: object) -> tuple | None:
        rows = await self._fetch(sql, *args)
        return rows[0] if rows else None

    async def ping(self) -> None:
        await self._fetch("SELECT 1")

    # --- settings -------------------------------------------------------------------

    async def get_settings(self, guild_id: int) -> GuildSettings:
        row = await self._fetch_one("SELECT data FROM guild_settings WHERE guild_id = ?", guild_id)
        if row is None:
            return GuildSettings(guild_id=guild_id)
        return GuildSettings.model_validate_json(row[0])

    async def save_settings(self, settings: GuildSettings) -> None:
        await self._write([(
            "INSERT INTO guild_settings (guild_id, data, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (guild_id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at",
            (settings.guild_id, settings.model_dump_json(), time.time()),
        )])  # fmt: skip

    # --- detections -----------------------------------------------------------------

    async def add_detection(self, detection: Detection) -> int:
        detection_id = await self._insert_returning_id(f"{_INSERT_DETECTION} RETURNING id", *_detection_values(detection))
        self.writes += 1
        return detection_id

    def record_detection(self, detection: Detection) -> None:
        """Record a detection that nobody needs the id of (a reply held back by the cooldown or
        the reply cap, a server with replies off), written with others in one transaction
        within RECORD_FLUSH_SECONDS. Every read and purge writes what is waiting first."""
        self._recorded.append(detection)
        if len(self._recorded) >= RECORD_FLUSH_ROWS:
            self._start_flush()
        elif self._record_timer is None:
            self._record_timer = asyncio.get_running_loop().call_later(RECORD_FLUSH_SECONDS, self._start_flush)

    def _start_flush(self) -> None:
        task = asyncio.get_running_loop().create_task(self._flush_or_warn("yet"))
        self._flush_tasks.add(task)
        task.add_done_callback(self._flush_tasks.discard)

    async def _flush_or_warn(self, when: str) -> None:
        """``flush``, with a failure logged instead of raised (a failed batch keeps its rows)."""
        try:
            await self.flush()
        except Exception as exc:
            log.warning("could not write %d recorded detections %s: %s", len(self._recorded), when, exc)

    async def flush(self) -> None:
        """Write the recorded detections now."""
        async with self._flush_lock:
            if self._record_timer is not None:
                self._record_timer.cancel()
                self._record_timer = None
            rows, self._recorded = self._recorded, []
            if not rows:
                return
            try:
                await self._write([(_INSERT_DETECTION, _detection_values(d)) for d in rows])
            except BaseException:
                self._recorded[:0] = rows
                raise

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
        await self._write([(f"UPDATE detections SET {assignments} WHERE id = ?", (*changes.values(), detection_id))])

    async def get_detection(self, detection_id: int) -> Detection | None:
        row = await self._fetch_one(f"SELECT {_DETECTION_COLUMNS} FROM detections WHERE id = ?", detection_id)
        return _detection(row) if row else None

    async def latest_detection_for_message(self, message_id: int) -> Detection | None:
        await self.flush()
        row = await self._fetch_one(
            f"SELECT {_DETECTION_COLUMNS} FROM detections WHERE message_id = ? AND action != 'on-request' "
            "ORDER BY id DESC LIMIT 1",
            message_id,
        )
        return _detection(row) if row else None

    # --- false positives and stats ------------------------------------------------------

    async def add_false_positive(self, detection_id: int, reporter_id: int) -> FalsePositiveResult:
        detection = await self.get_detection(detection_id)
        if detection is None:
            return FalsePositiveResult.UNKNOWN_DETECTION
        (inserted,) = await self._write([(
            "INSERT INTO false_positive_reports (detection_id, guild_id, reporter_id, created_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (detection_id, detection.guild_id, reporter_id, time.time()),
        )])  # fmt: skip
        return FalsePositiveResult.RECORDED if inserted == 1 else FalsePositiveResult.ALREADY_REPORTED

    async def reported_detections(self) -> list[tuple[Detection, int]]:
        await self.flush()
        columns = ", ".join(f"d.{column}" for column in TABLES["detections"])
        rows = await self._fetch(
            f"SELECT {columns}, (SELECT COUNT(*) FROM false_positive_reports r WHERE r.detection_id = d.id) "
            "FROM detections d WHERE EXISTS (SELECT 1 FROM false_positive_reports r WHERE r.detection_id = d.id) "
            "ORDER BY d.id"
        )
        return [(_detection(row[:-1]), int(row[-1])) for row in rows]

    async def stats(self, guild_id: int, since: float) -> dict[str, tuple[int, int]]:
        await self.flush()
        counts: dict[str, list[int]] = {}
        rows = await self._fetch(
            "SELECT d.claim_ids, (SELECT COUNT(*) FROM false_positive_reports r WHERE r.detection_id = d.id) "
            "FROM detections d WHERE d.guild_id = ? AND d.created_at >= ? AND d.action != 'on-request'",
            guild_id,
            since,
        )
        for claims, reports in rows:
            for claim in _ids(claims):
                entry = counts.setdefault(claim, [0, 0])
                entry[0] += 1
                entry[1] += reports
        return {claim: (entry[0], entry[1]) for claim, entry in counts.items()}

    # --- forgetting -----------------------------------------------------------------

    async def purge_guild(self, guild_id: int) -> int:
        await self.flush()
        removed, _, _ = await self._write([
            ("DELETE FROM detections WHERE guild_id = ?", (guild_id,)),
            ("DELETE FROM false_positive_reports WHERE guild_id = ?", (guild_id,)),
            ("DELETE FROM guild_settings WHERE guild_id = ?", (guild_id,)),
        ])  # fmt: skip
        return removed

    async def purge_member(self, guild_id: int, user_id: int) -> int:
        await self.flush()
        detections, reports = await self._write([
            ("DELETE FROM detections WHERE guild_id = ? AND author_id = ?", (guild_id, user_id)),
            ("DELETE FROM false_positive_reports WHERE guild_id = ? AND reporter_id = ?", (guild_id, user_id)),
        ])  # fmt: skip
        return detections + reports

    async def purge_older_than(self, cutoff: float) -> int:
        await self.flush()
        removed, _ = await self._write([
            ("DELETE FROM detections WHERE created_at < ?", (cutoff,)),
            ("DELETE FROM false_positive_reports WHERE created_at < ?", (cutoff,)),
        ])  # fmt: skip
        return removed

    # --- moving between databases (claimcheck db copy) ------------------------------

    async def is_empty(self) -> bool:
        await self.flush()
        for table in TABLES:
            if await self._fetch_one(f"SELECT 1 FROM {table} LIMIT 1"):
                return False
        return True

    async def table_rows(self, table: str) -> AsyncIterator[list[tuple]]:
        """Every row of ``table`` (columns as in ``TABLES``), in batches, in key order."""
        await self.flush()
        columns = TABLES[table]
        key = ", ".join(columns[:2]) if table == "false_positive_reports" else columns[0]
        offset = 0
        while True:
            rows = await self._fetch(
                f"SELECT {', '.join(columns)} FROM {table} ORDER BY {key} LIMIT ? OFFSET ?", COPY_BATCH_ROWS, offset
            )
            if not rows:
                return
            yield rows
            offset += len(rows)

    async def insert_rows(self, table: str, rows: Sequence[Sequence[object]]) -> None:
        """Insert rows read by ``table_rows`` from another database, ids included."""
        if table not in TABLES:
            raise StorageError(f"unknown table {table}")
        columns = TABLES[table]
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
        await self._write([(sql, tuple(row)) for row in rows])
