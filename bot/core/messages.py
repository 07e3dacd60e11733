"""Reading messages to scan: JSON Lines (shared/spec/claims.md) and DiscordChatExporter JSON.

Readers never stop at a bad record: they yield an ``InputProblem`` naming the
place and carry on with the rest of the file.
"""

from __future__ import annotations

import itertools
import json
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.core.claims import ClaimId
from bot.core.models import Conversation

EXPORT_CONTEXT_MESSAGES = 2  # channel messages before a message that count as its context


class InputMessage(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str = Field(min_length=1)
    text: str
    context: list[str] = Field(default_factory=list)
    claims: list[ClaimId] | None = None
    note: str | None = None

    @property
    def conversation(self) -> Conversation:
        return Conversation.from_list(self.context)


@dataclass(frozen=True)
class InputProblem:
    """A record that could not be read; ``where`` is e.g. 'chat.jsonl:12'."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class UnknownFormatError(ValueError):
    pass


def _coerce_id(record: dict) -> dict:
    if isinstance(record.get("id"), int):
        record = {**record, "id": str(record["id"])}
    return record


R = TypeVar("R", bound=BaseModel)


def parse_record(line: str, model: type[R]) -> R | str:
    """One JSON Lines record as ``model``, or what is wrong with it (naming the field)."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        return f"not valid JSON ({exc.msg} at column {exc.colno})"
    if not isinstance(record, dict):
        return "expected a JSON object with 'id' and 'text'"
    try:
        return model.model_validate(_coerce_id(record))
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        field = ".".join(str(part) for part in error["loc"]) or "record"
        return f"field '{field}': {error['msg']}"


def read_jsonl(stream: Iterable[str], name: str) -> Iterator[InputMessage | InputProblem]:
    for number, line in enumerate(stream, start=1):
        if line.strip():
            parsed = parse_record(line, InputMessage)
            yield InputProblem(f"{name}:{number}", parsed) if isinstance(parsed, str) else parsed


def read_discord_export(data: dict, name: str) -> Iterator[InputMessage | InputProblem]:
    """Messages of a DiscordChatExporter JSON export; replies get the replied-to message as context."""
    messages = data.get("messages")
    if not isinstance(messages, list):
        yield InputProblem(name, "DiscordChatExporter export has no 'messages' list")
        return
    by_id: dict[str, str] = {}
    recent: deque[str] = deque(maxlen=EXPORT_CONTEXT_MESSAGES)
    for index, raw in enumerate(messages):
        where = f"{name}: messages[{index}]"
        if not isinstance(raw, dict) or "id" not in raw:
            yield InputProblem(where, "message without an 'id'")
            continue
        content = raw.get("content") or ""
        if not isinstance(content, str):
            yield InputProblem(where, "'content' is not a string")
            continue
        message_id = str(raw["id"])
        reference = raw.get("reference") or {}
        replied = by_id.get(str(reference.get("messageId"))) if isinstance(reference, dict) else None
        if content.strip():
            conversation = Conversation.of(recent, replied)
            yield InputMessage(id=message_id, text=content, context=list(conversation.messages))
            by_id[message_id] = content
            recent.append(content)


def read_messages(path: Path | str, stream: IO[str] | None = None) -> Iterator[InputMessage | InputProblem]:
    """Read a JSON Lines file or a DiscordChatExporter export, told apart by their first line.

    Raises OSError if the file cannot be opened and UnknownFormatError if it is
    neither format; problems with single records are yielded, not raised.
    """
    name = str(path)
    owned = stream is None
    if stream is None:
        try:
            stream = open(path, encoding="utf-8")  # noqa: SIM115 - closed in finally
        except OSError as exc:
            raise OSError(f"{name}: cannot open: {exc.strerror or exc}") from exc
    try:
        first = stream.readline()
        while first and not first.strip():
            first = stream.readline()
        if not first:
            return
        try:
            parsed = json.loads(first)
        except json.JSONDecodeError:
            parsed = None
        if isinstance(parsed, dict) and "messages" not in parsed:
            yield from read_jsonl(itertools.chain([first], stream), name)
            return
        if parsed is None and not first.lstrip().startswith("{"):
            raise UnknownFormatError(
                f"{name}: unknown format: expected JSON Lines (one object with 'id' and 'text' per line) "
                "or a DiscordChatExporter JSON export"
            )
        text = first + stream.read()
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise UnknownFormatError(f"{name}:{exc.lineno}: not valid JSON ({exc.msg})") from exc
        if not isinstance(data, dict) or "messages" not in data:
            raise UnknownFormatError(f"{name}: JSON but not a DiscordChatExporter export (no 'messages' list)")
        yield from read_discord_export(data, name)
    except UnicodeDecodeError as exc:
        raise UnknownFormatError(f"{name}: not UTF-8 text ({exc.reason})") from exc
    finally:
        if owned:
            stream.close()
