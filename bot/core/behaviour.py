"""Behavioural tests of detection (CheckList, Ribeiro et al. 2020), generated from ``behaviour.yaml``.

Three kinds of capability, each scored as a failure rate:

- ``found/<claim>``: minimum functionality, the claim is found in many phrasings;
- ``invariant/<change>``: a typo, a disguise, leetspeak, markdown, emoji, another condition
  of the same kind or another name for kratom changes nothing that is found;
- ``directional/<change>``: denying, asking, quoting to rebut, reporting at a
  distance, sarcasm or another substance removes the claim.

Generation is seeded, so a suite is the same on every run and every machine.
"""

from __future__ import annotations

import random
import re
import string
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field

from bot.core.claims import ClaimId
from bot.core.models import Conversation, Finding
from bot.core.yamlfile import YamlDocument

SUITE_FILE = Path(__file__).with_name("behaviour.yaml")
FILLS_PER_TEMPLATE = 8
SEED = 20261201

_SLOT = re.compile(r"\{(\w+)\}")
DIRECTIONAL = ("negated", "asked", "quoted-rebut", "reported", "sarcastic")
DISGUISES: tuple[Callable[[str], str], ...] = (
    lambda word: " ".join(word),  # k r a t o m
    lambda word: ".".join(word),  # k.r.a.t.o.m
    lambda word: "\u200b".join(word),  # zero-width spaces
    lambda word: word.translate(str.maketrans("aeiop", "\u0430\u0435\u0456\u043e\u0440")),  # Cyrillic
    lambda word: word.translate(str.maketrans(string.ascii_lowercase, "ᴀʙᴄᴅᴇꜰɢʜɪᴊᴋʟᴍɴᴏᴘǫʀꜱᴛᴜᴠᴡxʏᴢ")),  # small capitals
    lambda word: "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in word),  # full-width
)


class _Templates(BaseModel):
    model_config = ConfigDict(extra="forbid")
    statements: list[str] = Field(min_length=1)
    propositions: list[str] = Field(min_length=1)


class _Invariance(BaseModel):
    model_config = ConfigDict(extra="forbid")
    markdown: list[str] = Field(min_length=1)
    emoji: list[str] = Field(min_length=1)
    passage: list[str] = Field(min_length=1)


class SuiteFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    vocab: dict[str, list[str]]
    claims: dict[ClaimId, _Templates]
    conditions: list[str]
    invariance: _Invariance
    directional: dict[str, list[str]]


@dataclass(frozen=True)
class Case:
    """One test message and what must hold for it."""

    capability: str
    text: str
    must_find: frozenset[str] = frozenset()  # claim ids that must be found
    must_not_find: frozenset[str] = frozenset()  # claim ids that must not be found
    same_as: str | None = None  # invariance: must find exactly what this text finds

    def describe(self, found: set[str]) -> str:
        expected = (
            f"same as {self.same_as!r}" if self.same_as is not None else
            f"find {sorted(self.must_find)}" if self.must_find else f"not {sorted(self.must_not_find)}"
        )
        return f"{self.text!r}: expected {expected}, found {sorted(found)}"


@dataclass
class CapabilityResult:
    tests: int = 0
    failed: int = 0
    failures: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.failed / self.tests if self.tests else 0.0

    def as_dict(self) -> dict:
        return {"tests": self.tests, "failed": self.failed, "rate": round(self.rate, 4), "failures": self.failures}


@dataclass(frozen=True)
class _Filled:
    claim: str
    template: str
    values: dict[str, str]
    proposition: bool

    @property
    def text(self) -> str:
        return _SLOT.sub(lambda m: self.values[m.group(1)], self.template)

    def with_value(self, slot: str, value: str) -> str:
        return _SLOT.sub(lambda m: value if m.group(1) == slot else self.values[m.group(1)], self.template)


@cache
def load_suite(path: Path = SUITE_FILE) -> SuiteFile:
    document = YamlDocument(path)
    suite = document.validated(SuiteFile)
    for claim, templates in suite.claims.items():
        for index, template in enumerate(templates.statements + templates.propositions):
            for slot in _SLOT.findall(template):
                if slot not in suite.vocab:
                    raise document.error(("claims", str(claim)), f"template {index}: unknown slot {{{slot}}}")
    return suite


def _fills(suite: SuiteFile, rng: random.Random) -> list[_Filled]:
    filled = []
    for claim, templates in suite.claims.items():
        for proposition, group in ((False, templates.statements), (True, templates.propositions)):
            for template in group:
                for _ in range(FILLS_PER_TEMPLATE):
                    values = {slot: rng.choice(suite.vocab[slot]) for slot in _SLOT.findall(template)}
                    filled.append(_Filled(str(claim), template, values, proposition))
    return filled


def _longer_words(text: str, protected: str, letters: int) -> list[tuple[int, str]]:
    """(start, word) of the words of ``letters`` letters or more that are not the subject."""
    return [(m.start(), m.group()) for m in re.finditer(rf"[A-Za-z]{{{letters},}}", text) if m.group() not in protected]


def _typo(text: str, rng: random.Random, protected: str) -> str:
    """Swap two inner letters of one longer word that is not the subject."""
    words = _longer_words(text, protected, 5)
    if not words:
        return text
    start, word = rng.choice(words)
    i = rng.randrange(1, len(word) - 2)
    swapped = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return text[:start] + swapped + text[start + len(word) :]


_LEET = str.maketrans("aeioAEIO", "43104310")


def _leetspeak(text: str, protected: str) -> str:
    """Write up to two longer words that are not the subject in leetspeak ("s4f3r").

    Seeded by the text itself, so that adding this case left every other case as it was.
    """
    words = _longer_words(text, protected, 5)
    chosen = sorted(random.Random(text).sample(words, min(2, len(words))))
    for start, word in reversed(chosen):
        text = text[:start] + word.translate(_LEET) + text[start + len(word) :]
    return text


def _respelt(text: str, protected: str, seed: str, respell: Callable[[str, random.Random], str]) -> str:
    """``text`` with one word of six letters or more that is not the subject respelt by
    ``respell``; seeded by the text itself, so that each such case leaves the others as they were."""
    words = _longer_words(text, protected, 6)
    if not words:
        return text
    rng = random.Random(seed + text)
    start, word = rng.choice(words)
    return text[:start] + respell(word, rng) + text[start + len(word) :]


def _dropped_letter(text: str, protected: str) -> str:
    """Leave one inner letter out ("anxity", "neuropaty"), the commonest slip of the thumb."""

    def drop(word: str, rng: random.Random) -> str:
        cut = rng.randrange(1, len(word))
        return word[:cut] + word[cut + 1 :]

    return _respelt(text, protected, "drop ", drop)


def _split_word(text: str, protected: str) -> str:
    """Split a word in two ("dep.ression", "an xiety", "add-ictive"), as a disguise or a slip."""

    def split(word: str, rng: random.Random) -> str:
        cut = rng.randrange(2, len(word) - 1)
        return word[:cut] + rng.choice(".- ") + word[cut:]

    return _respelt(text, protected, "split ", split)


def build_suite(path: Path = SUITE_FILE) -> list[Case]:
    suite = load_suite(path)
    rng = random.Random(SEED)
    cases: list[Case] = []
    for number, item in enumerate(_fills(suite, rng)):
        text, claim = item.text, frozenset({item.claim})
        cases.append(Case(f"found/{item.claim}", text, must_find=claim))
        cases.extend(_invariants(suite, item, rng))
        passage = suite.invariance.passage[number % len(suite.invariance.passage)]  # not drawn: the other cases stay as they were
        cases.append(Case("invariant/long-passage", passage.replace("{text}", text), same_as=text))
        if item.proposition:
            cases.extend(_directionals(suite, item, rng))
    return cases


def _invariants(suite: SuiteFile, item: _Filled, rng: random.Random) -> Iterator[Case]:
    text = item.text
    subject_slot = "subject" if "subject" in item.values else "strain" if "strain" in item.values else None
    subject = item.values.get(subject_slot, "") if subject_slot else ""
    yield Case("invariant/typo", _typo(text, rng, subject), same_as=text)
    yield Case("invariant/leetspeak", _leetspeak(text, subject), same_as=text)
    yield Case("invariant/split-word", _split_word(text, subject), same_as=text)
    yield Case("invariant/dropped-letter", _dropped_letter(text, subject), same_as=text)
    if subject_slot:
        word = max(subject.split(), key=len)
        disguised = rng.choice(DISGUISES)(word)
        yield Case("invariant/obfuscation", item.with_value(subject_slot, subject.replace(word, disguised)), same_as=text)
        others = [s for s in suite.vocab[subject_slot] if s != subject]
        yield Case("invariant/alias-swap", item.with_value(subject_slot, rng.choice(others)), same_as=text)
    yield Case("invariant/markdown", rng.choice(suite.invariance.markdown).format(text=text), same_as=text)
    emoji = rng.choice(suite.vocab["emoji"])
    yield Case("invariant/emoji", rng.choice(suite.invariance.emoji).format(text=text, emoji=emoji), same_as=text)
    condition = next((slot for slot in suite.conditions if slot in item.values), None)
    if condition:
        others = [c for c in suite.vocab[condition] if c != item.values[condition]]
        yield Case("invariant/condition-swap", item.with_value(condition, rng.choice(others)), same_as=text)


def _directionals(suite: SuiteFile, item: _Filled, rng: random.Random) -> Iterator[Case]:
    claim = frozenset({item.claim})
    for kind in DIRECTIONAL:
        wrapper = rng.choice(suite.directional[kind])
        yield Case(f"directional/{kind}", wrapper.replace("{p}", item.text), must_not_find=claim)
    subject_slot = "subject" if "subject" in item.values else "strain" if "strain" in item.values else None
    if subject_slot:
        other = item.with_value(subject_slot, rng.choice(suite.vocab["other"]))
        yield Case("directional/other-substance", other, must_not_find=claim)


class Detector(Protocol):
    def detect(self, text: str, conversation: Conversation = ...) -> list[Finding]: ...


def run_suite(detector: Detector, cases: list[Case]) -> dict[str, CapabilityResult]:
    """Failure rates per capability, in a stable order."""
    memo: dict[str, set[str]] = {}

    def found(text: str) -> set[str]:
        if text not in memo:
            memo[text] = {str(f.claim) for f in detector.detect(text, Conversation())}
        return memo[text]

    results: dict[str, CapabilityResult] = {}
    for case in sorted(cases, key=lambda c: c.capability):
        result = results.setdefault(case.capability, CapabilityResult())
        got = found(case.text)
        if case.same_as is not None:
            ok = got == found(case.same_as)
        else:
            ok = case.must_find <= got and not (case.must_not_find & got)
        result.tests += 1
        if not ok:
            result.failed += 1
            result.failures.append(case.describe(got))
    return results
