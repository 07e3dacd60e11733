"""The project's labelled corpus (``corpus/``): reading, validating, splitting and counting it.

Each ``*.jsonl`` file below the corpus folder holds items in the labelled format
of ``shared/spec/claims.md`` plus ``source`` (the page URL or the conversation an
item came from), ``register`` (``chat`` or ``web``) and ``split``. Splits are
assigned per source, never per item, so that the messages of one conversation,
the passages of one page and the contrast variants of an item all land in the
same split and near-copies cannot straddle train and test.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.core.claims import ClaimId
from bot.core.messages import parse_record
from bot.core.models import Conversation


class Split(StrEnum):
    TRAIN = "train"
    VALIDATION = "validation"
    TEST = "test"
    DEV = "dev"  # the shared development set, folded in whole


class Register(StrEnum):
    CHAT = "chat"
    WEB = "web"


class Edit(StrEnum):
    """How a contrast item was made from the positive it is a minimal edit of."""

    NEGATED = "negated"
    ASKED = "asked"
    QUOTED_REBUT = "quoted-rebut"
    REPORTED = "reported"
    SARCASTIC = "sarcastic"
    OTHER_SUBSTANCE = "other-substance"
    NO_HEALTH_CLAIM = "no-health-claim"


AUDIT_DIR = "audit"  # the blind relabelling of the label audit, not items of the corpus

# Shares of sources that go to each split; the rest is test.
SPLIT_SHARES = ((Split.TRAIN, 0.70), (Split.VALIDATION, 0.15))


class CorpusItem(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    text: str = Field(min_length=1)
    context: list[str] = Field(default_factory=list)
    claims: list[ClaimId]
    source: str = Field(min_length=1)
    register_: Register = Field(alias="register")  # "register" itself is taken by pydantic's metaclass
    split: Split
    note: str | None = None
    contrast_of: str | None = None
    edit: Edit | None = None

    @model_validator(mode="after")
    def _contrast_fields_go_together(self) -> CorpusItem:
        if (self.contrast_of is None) != (self.edit is None):
            raise ValueError("contrast_of and edit go together")
        return self

    @property
    def conversation(self) -> Conversation:
        return Conversation.from_list(self.context)


class CorpusError(ValueError):
    """A corpus file or item is malformed; the message names the file, line and field."""


def split_for(source: str) -> Split:
    """The split of every item from ``source``: a stable hash, so re-running never moves an item."""
    point = int.from_bytes(hashlib.sha256(source.encode("utf-8")).digest()[:8], "big") / 2**64
    for split, share in SPLIT_SHARES:
        if point < share:
            return split
        point -= share
    return Split.TEST


def corpus_files(root: Path) -> list[Path]:
    """The item files: every ``*.jsonl`` below ``root`` except the label audit's."""
    files = sorted(p for p in root.rglob("*.jsonl") if AUDIT_DIR not in p.relative_to(root).parts)
    if not files:
        raise CorpusError(f"{root}: no corpus files (*.jsonl) found")
    return files


def _read_file(path: Path) -> Iterator[CorpusItem]:
    with path.open(encoding="utf-8") as stream:
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            parsed = parse_record(line, CorpusItem)
            if isinstance(parsed, str):
                raise CorpusError(f"{path}:{number}: {parsed}")
            yield parsed


def load_corpus(root: Path) -> list[CorpusItem]:
    """Every item below ``root``, checked as a whole (unique ids, contrast links, one split per source)."""
    items: list[CorpusItem] = []
    where: dict[str, str] = {}
    for path in corpus_files(root):
        for number, item in enumerate(_read_file(path), start=1):
            if item.id in where:
                raise CorpusError(f"{path}: item {number}: id: {item.id!r} already used in {where[item.id]}")
            where[item.id] = str(path)
            items.append(item)
    by_id = {item.id: item for item in items}
    split_of_source: dict[str, Split] = {}
    for item in items:
        if item.contrast_of is not None:
            original = by_id.get(item.contrast_of)
            if original is None:
                raise CorpusError(f"{where[item.id]}: {item.id}: contrast_of: no item {item.contrast_of!r}")
            if original.source != item.source:
                raise CorpusError(f"{where[item.id]}: {item.id}: source: differs from that of {original.id}")
        if item.split != Split.DEV and item.split != split_for(item.source):
            raise CorpusError(f"{where[item.id]}: {item.id}: split: {item.source!r} belongs in {split_for(item.source)}")
        known = split_of_source.setdefault(item.source, item.split)
        if known != item.split:
            raise CorpusError(f"{where[item.id]}: {item.id}: split: {item.split} but {item.source!r} is in {known}")
    return items


def select(
    items: Iterable[CorpusItem], splits: Iterable[Split] = (), registers: Iterable[Register] = ()
) -> list[CorpusItem]:
    splits, registers = set(splits), set(registers)
    return [
        item
        for item in items
        if (not splits or item.split in splits) and (not registers or item.register_ in registers)
    ]


PASSAGE_PARAGRAPHS = 3


def joined_passages(items: Iterable[CorpusItem], paragraphs: int = PASSAGE_PARAGRAPHS) -> list[CorpusItem]:
    """Web text as long as a page's, for evaluation: each source's web items, ``paragraphs``
    at a time in corpus order, joined into one passage that makes the union of their claims.

    A corpus web item is one paragraph, shorter than much of what a page holds. Contrast
    variants, and the items they vary, are left out: an item beside its own rebuttal is
    not how a page reads.
    """
    items = [item for item in items if item.register_ == Register.WEB]
    varied = {item.contrast_of for item in items if item.contrast_of}
    by_source: dict[str, list[CorpusItem]] = defaultdict(list)
    for item in items:
        if item.contrast_of is None and item.id not in varied:
            by_source[item.source].append(item)
    passages = []
    for source, group in by_source.items():
        for start in range(0, len(group) - paragraphs + 1, paragraphs):
            run = group[start : start + paragraphs]
            claims = sorted({claim for item in run for claim in item.claims})
            passages.append(
                CorpusItem.model_validate(
                    {"id": "+".join(item.id for item in run), "text": "\n\n".join(item.text for item in run), "claims": claims,
                     "source": source, "register": Register.WEB, "split": run[0].split}  # fmt: skip
                )
            )
    return passages


@dataclass
class CorpusStats:
    """Counts for the datasheet."""

    items: Counter = field(default_factory=Counter)  # (split, register) -> items
    negatives: Counter = field(default_factory=Counter)  # (split, register) -> items with no claim
    positives: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))  # claim -> (split, register)
    contrast: Counter = field(default_factory=Counter)  # edit -> items
    positives_with_contrast: int = 0
    positive_items: int = 0
    sources: Counter = field(default_factory=Counter)  # (split, register) -> distinct sources


def corpus_stats(items: list[CorpusItem]) -> CorpusStats:
    stats = CorpusStats()
    contrasted = {item.contrast_of for item in items if item.contrast_of}
    seen_sources: set[tuple[str, Split, Register]] = set()
    for item in items:
        key = (item.split, item.register_)
        stats.items[key] += 1
        if (item.source, *key) not in seen_sources:
            seen_sources.add((item.source, *key))
            stats.sources[key] += 1
        if not item.claims:
            stats.negatives[key] += 1
        else:
            stats.positive_items += 1
            stats.positives_with_contrast += item.id in contrasted
        for claim in item.claims:
            stats.positives[str(claim)][key] += 1
        if item.edit is not None:
            stats.contrast[str(item.edit)] += 1
    return stats
