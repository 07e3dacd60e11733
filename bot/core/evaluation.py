"""Score the engine on labelled messages: message-level and per-claim figures."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from bot.core.claims import ClaimId
from bot.core.corpus import CorpusItem
from bot.core.engine import Engine
from bot.core.messages import InputMessage


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def has_found(self) -> bool:
        """Precision means something only if something was found."""
        return bool(self.tp + self.fp)

    @property
    def has_expected(self) -> bool:
        """Recall means something only if there were cases to find."""
        return bool(self.tp + self.fn)

    def as_dict(self) -> dict:
        """Figures for JSON; a ratio with nothing to divide by is null, not 1.0."""
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": round(self.precision, 4) if self.has_found else None,
            "recall": round(self.recall, 4) if self.has_expected else None,
            "f1": round(self.f1, 4) if self.has_found or self.has_expected else None,
        }


@dataclass
class Miss:
    id: str
    text: str
    expected: list[str]
    found: list[str]


@dataclass
class Report:
    messages: int = 0
    overall: Counts = field(default_factory=Counts)
    per_claim: dict[str, Counts] = field(default_factory=lambda: {str(c): Counts() for c in ClaimId})
    misclassified: list[Miss] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "messages": self.messages,
            "message_level": self.overall.as_dict(),
            "per_claim": {claim: counts.as_dict() for claim, counts in self.per_claim.items()},
            "misclassified": [miss.__dict__ for miss in self.misclassified],
        }


Labelled = InputMessage | CorpusItem


def evaluate(engine: Engine, messages: Iterable[Labelled]) -> Report:
    labelled = [message for message in messages if message.claims is not None]
    return report_of(labelled, predict(engine, labelled))


def predict(engine: Engine, messages: Sequence[Labelled]) -> list[set[str]]:
    """The claim ids the engine finds in each message (run once, then score any subset with ``report_of``)."""
    return [{str(f.claim) for f in engine.detect(m.text, m.conversation)} for m in messages]


def report_of(messages: Sequence[Labelled], predictions: Sequence[set[str]]) -> Report:
    """Figures for labelled ``messages`` given what was found in each."""
    report = Report()
    for message, found in zip(messages, predictions, strict=True):
        report.messages += 1
        expected = set(message.claims)
        if expected and found:
            report.overall.tp += 1
        elif found:
            report.overall.fp += 1
        elif expected:
            report.overall.fn += 1
        for claim, counts in report.per_claim.items():
            if claim in expected and claim in found:
                counts.tp += 1
            elif claim in found:
                counts.fp += 1
            elif claim in expected:
                counts.fn += 1
        if expected != found:
            report.misclassified.append(Miss(message.id, message.text, sorted(expected), sorted(found)))
    return report


@dataclass(frozen=True)
class Agreement:
    """Two labellings of the same items for one claim id."""

    items: int
    both: int  # items both labellings give the claim
    only_first: int
    only_second: int

    @property
    def observed(self) -> float:
        return (self.items - self.only_first - self.only_second) / self.items if self.items else 1.0

    @property
    def kappa(self) -> float | None:
        """Cohen's kappa; None when chance agreement is total (one labelling never or always uses the claim)."""
        if not self.items:
            return None
        first = (self.both + self.only_first) / self.items
        second = (self.both + self.only_second) / self.items
        expected = first * second + (1 - first) * (1 - second)
        if expected >= 1.0:
            return None
        return (self.observed - expected) / (1 - expected)


def agreement(first: dict[str, set[str]], second: dict[str, set[str]]) -> dict[str, Agreement]:
    """Per claim id, how two labellings of the same item ids agree (items in both only)."""
    ids = sorted(first.keys() & second.keys())
    result = {}
    for claim in (str(c) for c in ClaimId):
        both = sum(claim in first[i] and claim in second[i] for i in ids)
        only_first = sum(claim in first[i] and claim not in second[i] for i in ids)
        only_second = sum(claim not in first[i] and claim in second[i] for i in ids)
        result[claim] = Agreement(len(ids), both, only_first, only_second)
    return result
