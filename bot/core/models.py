"""Validated shapes of the files in ``rules/``: rules, sources and the lexicon."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from bot.core.claims import ClaimId

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
