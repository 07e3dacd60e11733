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
EXPORT_CHAT_TYPES = ("Default", "Reply", "ApplicationCommand", "ContextMenuCommand")  # the rest: joins, pins, calls, ...


class InputMessage(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str = Field(min_length=1)
    text: str
    context: list[str] = Field(default_factory=list)
    claims: list[ClaimId] | None = None
    note: str | None = None
    skipped: str | None = None  # why there is nothing to check (a join, an attachment alone)

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
        record = json.loads(line.rstrip("\r\n"))
    except json.JSONDecodeError as exc:
        return f"not valid JSON ({_json_problem(exc)})"
    if not isinstance(record, dict):
        return "expected a JSON object with 'id' and 'text'"
    try:
        return model.model_validate(_coerce_id(record))
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        field = ".".join(str(part) for part in error["loc"]) or "record"
        return f"field '{field}': {error['msg']}"


def read_jsonl(stream: Iterable[str], name: str, first_line: int = 1) -> Iterator[InputMessage | InputProblem]:
    validate_json = InputMessage.model_validate_json
    for number, line in enumerate(stream, start=first_line):
        try:
            # pydantic parses and validates a well-formed line in one pass, in Rust.
            yield validate_json(line)
            continue
        except ValidationError:
            if not line.strip():
                continue
        parsed = parse_record(line, InputMessage)  # again, to say what is wrong (or to accept a numeric id)
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
        message_id = str(raw["id"])
        content = raw.get("content") or ""
        if not isinstance(content, str):
            yield InputProblem(where, "'content' is not a string")
            yield InputMessage(id=message_id, text="", skipped="content is not text")
            continue
        skipped = _nothing_to_check(raw, content)
        if skipped:
            yield InputMessage(id=message_id, text=content, skipped=skipped)
            continue
        reference = raw.get("reference") or {}
        replied = by_id.get(str(reference.get("messageId"))) if isinstance(reference, dict) else None
        conversation = Conversation.of(recent, replied)
        yield InputMessage(id=message_id, text=content, context=list(conversation.messages))
        by_id[message_id] = content
        recent.append(content)


def _nothing_to_check(raw: dict, content: str) -> str | None:
    """Why an exported message has no text to check, or None if it has."""
    kind = raw.get("type", "Default")
    if kind not in EXPORT_CHAT_TYPES:
        return f"system message ({kind})"
    if content.strip():
        return None
    if raw.get("attachments"):
        return "attachments only"
    if raw.get("embeds") or raw.get("stickers"):
        return "embeds or stickers only"
    return "empty"


def _json_problem(exc: json.JSONDecodeError) -> str:
    # json's messages end in "at" ("Unterminated string starting at"), made for ": line 1 column 5"
    return f"{exc.msg.removesuffix(' at')} at column {exc.colno}"


def _starts_jsonl(lines: list[str]) -> bool:
    """Whether the first non-blank line is a JSON object (so the file is JSON Lines)."""
    line = next((line for line in lines if line.strip()), "")
    try:
        return isinstance(json.loads(line), dict)
    except json.JSONDecodeError:
        return False


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
        first, first_line = stream.readline(), 1
        while first and not first.strip():
            first, first_line = stream.readline(), first_line + 1
        if not first:
            return
        try:
            parsed = json.loads(first)
        except json.JSONDecodeError:
            parsed = None
        if isinstance(parsed, dict) and "messages" not in parsed:
            yield from read_jsonl(itertools.chain([first], stream), name, first_line)
            return
        rest = stream.read()
        try:
            data = json.loads(first + rest)
        except json.JSONDecodeError as exc:
            rest_lines = rest.splitlines(keepends=True)
            if not isinstance(parsed, dict) and _starts_jsonl(rest_lines):  # JSON Lines whose first line is broken
                yield from read_jsonl([first, *rest_lines], name, first_line)
                return
            if not first.lstrip().startswith("{"):
                raise UnknownFormatError(
                    f"{name}: unknown format: expected JSON Lines (one object with 'id' and 'text' per line) "
                    "or a DiscordChatExporter JSON export"
                ) from exc
            line = exc.lineno + first_line - 1
            raise UnknownFormatError(f"{name}:{line}: not valid JSON ({_json_problem(exc)})") from exc
        if not isinstance(data, dict) or "messages" not in data:
            raise UnknownFormatError(f"{name}: JSON but not a DiscordChatExporter export (no 'messages' list)")
        yield from read_discord_export(data, name)
    except UnicodeDecodeError as exc:
        raise UnknownFormatError(f"{name}: not UTF-8 text ({exc.reason})") from exc
    finally:
        if owned:
            stream.close()
