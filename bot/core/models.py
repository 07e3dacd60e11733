"""The core's data: validated shapes of the files in ``rules/`` (rules, sources, the lexicon),
the conversation a message belongs to, and the findings the engine returns."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from bot.core.claims import ClaimId
from bot.core.wording import CLAIM_SUMMARIES

MAX_CAVEAT_CHARS = 320
MAX_LABEL_CHARS = 40
MAX_URL_CHARS = 300
MIN_EXAMPLES = 5

Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9._-]*$", max_length=80)]
OneLine = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=r"^[^\n]+$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Source(_Strict):
    """One bibliography entry; rules cite it by id.

    Members see ``label`` linked to ``url`` under each caveat; the full citation
    (title, authors, publisher, year, note) is for "Why?" and ``check --long``.
    """

    id: Identifier
    # No brackets: the label is the text of a markdown link.
    label: Annotated[str, StringConstraints(min_length=1, max_length=MAX_LABEL_CHARS, pattern=r"^[^\n\[\]]+$")]
    title: str = Field(min_length=1)
    publisher: str | None = None
    authors: str | None = None
    year: int | None = Field(default=None, ge=1900, le=2100)
    # Bounded so that any three links fit in one Discord embed field.
    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$", max_length=MAX_URL_CHARS)]
    note: OneLine | None = Field(default=None, description="e.g. that the cited copy is not the publisher's own page")

    @model_validator(mode="after")
    def _has_origin(self) -> Source:
        if not (self.publisher or self.authors):
            raise ValueError("a source needs a publisher or authors")
        return self


class SourcesFile(_Strict):
    sources: list[Source] = Field(min_length=1)


class LexiconFile(_Strict):
    """Named pattern fragments that rules use as ``{{name}}``."""

    terms: dict[Identifier, str] = Field(min_length=1)


class ExampleCase(_Strict):
    """An example message, with the conversation before it when it matters."""

    text: str = Field(min_length=1)
    context: list[str] = Field(default_factory=list)


Example = str | ExampleCase


def as_case(example: Example) -> ExampleCase:
    return example if isinstance(example, ExampleCase) else ExampleCase(text=example)


class Examples(_Strict):
    match: list[Example] = Field(min_length=MIN_EXAMPLES)
    no_match: list[Example] = Field(min_length=MIN_EXAMPLES)


class ContextPattern(_Strict):
    """A message pattern that counts only when an earlier message matches ``context``.

    For replies whose meaning comes from the question: "helps mine a ton"
    answering "does kratom help with anxiety?".
    """

    message: str = Field(min_length=1)
    context: str = Field(min_length=1)


class Rule(_Strict):
    id: Identifier
    claim: ClaimId
    description: OneLine
    patterns: list[str] = Field(default_factory=list)
    context_patterns: list[ContextPattern] = Field(default_factory=list)
    requires: str | None = Field(
        default=None, description="pattern that must occur in the message or its context"
    )
    unless_before: str | None = Field(
        default=None, description="pattern that cancels a match when it occurs just before it"
    )
    unless: str | None = Field(
        default=None, description="pattern that cancels a match when it occurs in the same clause"
    )
    negatable: bool = Field(default=True, description="a negation just before the match cancels it")
    caveat: str = Field(min_length=20, max_length=MAX_CAVEAT_CHARS)
    sources: list[Identifier] = Field(min_length=1)
    examples: Examples

    @field_validator("patterns")
    @classmethod
    def _patterns_not_blank(cls, value: list[str]) -> list[str]:
        for index, pattern in enumerate(value):
            if not pattern.strip():
                raise ValueError(f"pattern {index} is empty")
        return value

    @field_validator("caveat")
    @classmethod
    def _no_dosing_in_caveat(cls, value: str) -> str:
        if re.search(r"\b\d+(\.\d+)?\s*(g|mg|grams?)\b", value, re.IGNORECASE):
            raise ValueError("a caveat must never give amounts (no dosing advice)")
        return value

    @model_validator(mode="after")
    def _has_patterns(self) -> Rule:
        if not self.patterns and not self.context_patterns:
            raise ValueError("a rule needs at least one entry in patterns or context_patterns")
        return self


@dataclass(frozen=True, slots=True)
class Conversation:
    """The messages before one message: earlier channel messages, oldest first, and the one it replies to.

    Built by ``of`` wherever a conversation is assembled (the bot's channel
    buffer, the DiscordChatExporter reader), so both see the same shape.
    """

    earlier: tuple[str, ...] = ()
    replied_to: str | None = None

    @classmethod
    def of(cls, earlier: Iterable[str], replied_to: str | None = None) -> Conversation:
        """Blank messages dropped; the replied-to message moved out of ``earlier`` to the end."""
        kept = tuple(text for text in earlier if text.strip() and text != replied_to)
        if replied_to is not None and not replied_to.strip():
            replied_to = None
        return cls(kept, replied_to)

    @classmethod
    def from_list(cls, context: Sequence[str]) -> Conversation:
        """The JSON Lines ``context`` convention: oldest first, the last one is replied to."""
        if not context:
            return cls()
        return cls.of(context[:-1], context[-1])

    @property
    def messages(self) -> tuple[str, ...]:
        """Oldest first, the replied-to message (if any) last."""
        return self.earlier if self.replied_to is None else (*self.earlier, self.replied_to)

    def __bool__(self) -> bool:
        return bool(self.earlier) or self.replied_to is not None


@dataclass(frozen=True, slots=True)
class Finding:
    """One claim found in a message: what, by which rule, where, and the caveat."""

    claim: ClaimId
    rule_id: str
    start: int  # span in the ORIGINAL message text
    end: int
    matched: str
    caveat: str
    sources: tuple[Source, ...]
    basis: str = "message"  # message | context | agreement | model
    score: float | None = None  # the learned model's probability, for findings it made

    @property
    def summary(self) -> str:
        return CLAIM_SUMMARIES[self.claim]

    def to_dict(self) -> dict:
        return {
            "claim": str(self.claim),
            "rule": self.rule_id,
            "span": [self.start, self.end],
            "matched": self.matched,
            "basis": self.basis,
            "caveat": self.caveat,
            "sources": [source.id for source in self.sources],
            **({"score": self.score} if self.score is not None else {}),
        }
