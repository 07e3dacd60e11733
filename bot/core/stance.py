"""Does the author assert what a pattern matched, or deny, ask, quote or report it?

All cue lists live in ``rules/lexicon.yaml`` so that they can be tuned like
rules; this module only decides where to look for them.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from functools import cached_property

import re2

from bot.core.normalise import outside_and_inside
from bot.core.ruleset import RE2_OPTIONS, compiled

# Sentence ends, and the words that start a new clause inside a sentence.
_SENTENCE_END = re2.compile(r"[.!?]+(?:\s|$)|\n+")
# Contrast ends the scope of a failure report: "didn't help my anxiety but it fixed my back".
_CONTRAST_BREAK = re2.compile(r"[.!?]+(?:\s|$)|\n+|;|,?\s(?:but|though|however|although|whereas)\s")
_CLAUSE_BREAK = re2.compile(r"[.!?]+(?:\s|$)|\n+|;|\s-+\s|,?\s(?:but|though|however|although|whereas)\s|[:,]\s|\(\d\)")
_TRAILING = b" \t\n\r\f\"')]*~|>"  # closing quotes, brackets and markdown after a sentence's "?"
# Quoted passages: 'like this' or "like this", opened after a space or start.
_QUOTED = re2.compile(r"(?:^|[\s(\[:])(\"[^\"\n]{1,300}\"|'(?:[^'\n]|\w'\w){1,300}?'(?:$|[\s.,!?;:)\]-]))")

NEGATION_WINDOW = 40  # characters before a match searched for a negation
# Cues looked for in a window or clause before each match. One set search over the
# message says which of them occur in it at all, so a message without, say, a negation
# costs no per-match negation search (disbelief is not among them: its anchors are
# sentence ends, which the whole message does not have).
WINDOWED_CUES = ("negation", "negation_exception", "reported_speech", "own_voice", "failure", "intention")
_SENTINEL = r"\z"  # matches every text: a set that reports no sentinel gave up


STANCE_TERMS = (
    "negation",
    "negation_exception",
    "question_opening",
    "reported_speech",
    "own_voice",
    "endorsement",
    "agreement",
    "failure",
    "sarcasm",
    "disbelief",
    "intention",
)


@dataclass(frozen=True)
class Cues:
    negation: re2._Regexp
    negation_exception: re2._Regexp
    question_opening: re2._Regexp
    reported_speech: re2._Regexp
    own_voice: re2._Regexp
    endorsement: re2._Regexp
    agreement: re2._Regexp
    failure: re2._Regexp
    sarcasm: re2._Regexp
    disbelief: re2._Regexp
    intention: re2._Regexp
    windowed: re2.Set  # WINDOWED_CUES in order, then the sentinel

    @classmethod
    def from_terms(cls, terms: dict[str, str]) -> Cues:
        missing = [name for name in STANCE_TERMS if name not in terms]
        if missing:
            raise ValueError(f"lexicon is missing stance terms: {', '.join(missing)}")
        windowed = re2.Set.SearchSet(RE2_OPTIONS)
        for name in WINDOWED_CUES:
            windowed.Add(terms[name])
        windowed.Add(_SENTINEL)
        windowed.Compile()
        return cls(**{name: compiled(terms[name]) for name in STANCE_TERMS}, windowed=windowed)


def _spans(pattern: re2._Regexp, text: bytes) -> list[tuple[int, int]]:
    return [m.span() for m in pattern.finditer(text)]


def _segments(breaks: list[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    segments, start = [], 0
    for b_start, b_end in breaks:
        if b_start > start:
            segments.append((start, b_start))
        start = max(start, b_end)
    if start < length:
        segments.append((start, length))
    return segments or [(0, length)]


class MessageStance:
    """Stance facts about one folded message (as UTF-8 bytes), computed lazily and once."""

    def __init__(self, text: bytes, cues: Cues, quotes: tuple[tuple[int, int], ...] = ()) -> None:
        self.text = text
        self.cues = cues
        self.block_quotes = quotes  # Discord "> " quotes: someone else's words

    @cached_property
    def windowed_cues(self) -> frozenset[str]:
        """The WINDOWED_CUES that occur somewhere in the message (all of them if the set gave up)."""
        hits = self.cues.windowed.Match(self.text)
        if len(WINDOWED_CUES) not in hits:
            return frozenset(WINDOWED_CUES)
        return frozenset(WINDOWED_CUES[index] for index in hits if index < len(WINDOWED_CUES))

    def _cue_spans(self, name: str, text: bytes) -> list[tuple[int, int]]:
        """Spans of cue ``name`` in ``text``, a part of the message: none if the message lacks it."""
        return _spans(getattr(self.cues, name), text) if name in self.windowed_cues else []

    @cached_property
    def sentences(self) -> list[tuple[int, int, bytes]]:
        """(start, end, terminator) for each sentence; terminator is the punctuation that closed it."""
        out, start = [], 0
        for m_start, m_end in _spans(_SENTENCE_END, self.text):
            if m_start > start:
                out.append((start, m_start, self.text[m_start:m_end].strip()))
            start = m_end
        if start < len(self.text):
            out.append((start, len(self.text), b""))
        return out or [(0, len(self.text), b"")]

    @cached_property
    def clauses(self) -> list[tuple[int, int]]:
        return _segments(_spans(_CLAUSE_BREAK, self.text), len(self.text))

    @cached_property
    def contrast_segments(self) -> list[tuple[int, int]]:
        return _segments(_spans(_CONTRAST_BREAK, self.text), len(self.text))

    @cached_property
    def quoted(self) -> list[tuple[int, int]]:
        return [m.span(1) for m in _QUOTED.finditer(self.text)]

    @cached_property
    def endorsed(self) -> bool:
        # "anyone know if that's legit?" asks; it does not endorse.
        return any(not self.is_question(m.start()) for m in self.cues.endorsement.finditer(self.text))

    @cached_property
    def quotes_endorsed(self) -> bool:
        """The author's own lines around a block quote agree with it ("> claim" then "this. 100%"),
        or there are none: a message that is all quote is posted as the author's own."""
        own, _ = outside_and_inside(self.text, self.block_quotes)
        return not own or self.endorsed or any(_starts_at(self.cues.agreement, part) for part in own)

    @cached_property
    def sarcastic(self) -> bool:
        """Marked as sarcasm ("/s", "said no one ever"): none of it is asserted."""
        return self.cues.sarcasm.search(self.text) is not None

    def sentence_at(self, position: int) -> tuple[int, int, bytes]:
        return _containing(self.sentences, position)

    def contrast_segment_at(self, position: int) -> tuple[int, int]:
        return _containing(self.contrast_segments, position)

    def clause_at(self, position: int) -> tuple[int, int]:
        return _containing(self.clauses, position)

    # --- the checks -----------------------------------------------------------------

    def is_question(self, position: int) -> bool:
        start, end, terminator = self.sentence_at(position)
        if b"?" in terminator:
            return True
        body = self.text[start:end]
        if body.rstrip(_TRAILING).endswith(b"?"):
            return True
        # Chat questions often drop the question mark: "anyone tried kratom for x"
        return terminator == b"" and _starts_at(self.cues.question_opening, body.lstrip())

    def is_negated(self, start: int) -> bool:
        clause_start, _ = self.clause_at(start)
        window_start = max(clause_start, start - NEGATION_WINDOW)
        window = self.text[window_start:start]
        hits = self._cue_spans("negation", window)
        return bool(hits) and bool(uncovered(hits, self._cue_spans("negation_exception", window)))

    def is_disbelieved(self, position: int) -> bool:
        """The sentence frames what it says as untrue: "i don't believe that...", "the idea that
        ... is a myth", "it's not true that..." (a negation far from the claim's own words)."""
        start, end, _ = self.sentence_at(position)
        return self.cues.disbelief.search(self.text[start:end]) is not None

    def is_reported(self, start: int, end: int) -> bool:
        """Quoted, or said by someone else ("my uncle says...") and not endorsed."""
        if any(q0 <= start < q1 for q0, q1 in self.block_quotes) and not self.quotes_endorsed:
            return True
        if self.endorsed:
            return False
        if any(q0 <= start and end <= q1 + 1 for q0, q1 in self.quoted):
            return True
        clause_start, _ = self.clause_at(start)
        before = self.text[clause_start:start]
        reports = self._cue_spans("reported_speech", before)
        # "i'd say", "i think": the author's own view, not someone else's
        return bool(reports) and bool(uncovered(reports, self._cue_spans("own_voice", before)))

    def reports_failure(self, position: int) -> bool:
        """The clause says it did not work ("didn't touch the pain", "all it did was...")."""
        if "failure" not in self.windowed_cues:
            return False
        start, end = self.contrast_segment_at(position)
        return self.cues.failure.search(self.text[start:end]) is not None

    def is_intended(self, start: int) -> bool:
        """The clause, up to the match, is a plan, a hope or a test ("gonna try kratom to get off
        methadone", "hoping it would fix my shoulder"): it says what may happen, not what did."""
        if "intention" not in self.windowed_cues:
            return False
        clause_start, _ = self.clause_at(start)
        return self.cues.intention.search(self.text[clause_start:start]) is not None

    def agreement_opening(self) -> bool:
        """The message opens by agreeing ("facts", "this. 100%", "co-sign, ...", "yes!!")."""
        return _starts_at(self.cues.agreement, self.text.lstrip())


def uncovered(spans: list[tuple[int, int]], covers: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The spans that no span of ``covers`` contains (cue words inside an exception phrase)."""
    return [(s0, s1) for s0, s1 in spans if not any(c0 <= s0 and s1 <= c1 for c0, c1 in covers)]


def _containing(segments: list[tuple], position: int) -> tuple:
    """The segment (start, end, ...) of a sorted, gap-free list that holds ``position``."""
    index = bisect.bisect_right(segments, (position, float("inf"))) - 1
    return segments[max(index, 0)]


def _starts_at(pattern: re2._Regexp, text: bytes) -> bool:
    return pattern.match(text) is not None
