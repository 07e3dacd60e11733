"""The detection engine: normalise, match, decide. No Discord, no database.

``Engine.detect(text, conversation)`` returns at most one finding per claim id. All
rules' patterns run as one linear-time RE2 set pass over the folded text; only
the patterns that hit are searched again to find where they matched and whether
the author actually asserts it (stance) about kratom (subject). Messages that
mention kratom neither themselves nor in their context stop after one search,
and ``might_name_kratom`` says "no" for most of them before any normalising.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import re2

from bot.core.claims import ClaimId
from bot.core.models import Conversation, Finding, Rule, Source, as_case
from bot.core.normalise import NormalisedText, fold, leet_tolerant, normalise_cached
from bot.core.ruleset import RE2_OPTIONS, RuleSet, compiled, load_ruleset
from bot.core.spelling import TypoFixer, vocabulary_of
from bot.core.stance import Cues, MessageStance, uncovered

CONTEXT_WINDOW = 3  # earlier messages that can supply an implied subject
CONTEXT_CONDITION_WINDOW = 2  # earlier messages that can supply the condition of a reply
MAX_MATCHES_PER_PATTERN = 50  # stance checks per pattern before giving up on it
SHORT_REPLY_WORDS = 6  # an agreeing reply this short adopts the claims it replies to
# A spelt-out word ("k r a t o m", "k.r.a.t.o.m", "k@r@t@o@m", "l 3 a f") in folded text: normalise joins
# its letters. Looser than the normaliser's own pattern (separators may differ, leet
# characters may stand anywhere), so never stricter.
SPELT_OUT = r"(?:^|[^a-z0-9])[a-z0-9@][ .\-_*@][a-z0-9@](?:[ .\-_*@][a-z0-9@])+(?:[^a-z0-9]|$)"
GATE_SENTINEL = 1  # index of SENTINEL in the fast gate's set
# Always matches, at the very end: a set run that reports no sentinel ran out of DFA
# memory and reported nothing (RE2 sets fail silently), so the patterns run one by one.
SENTINEL = r"\z"
WARM_UP_EXAMPLES_PER_TEXT = 40  # rule examples per warm-up text: about 3,000 characters
ENGINE_TERMS = ("subject", "kratom_alias", "chat_name", "subject_exclusion", "other_substance", "comparison_before", "anaphor")


@dataclass(frozen=True, slots=True)
class _Pattern:
    rule: Rule
    regex: re2._Regexp
    context: re2._Regexp | None  # set for context_patterns
    claim_group: int  # index of the optional ``(?P<claim>...)`` group, 0 when there is none


@dataclass
class _Message:
    """Per-call working state, built lazily."""

    norm: NormalisedText
    stance: MessageStance
    subjects: list[tuple[int, int]]
    context: list[NormalisedText]
    context_has_subject: bool
    others: list[tuple[int, int]] | None = None
    requires_cache: dict[str, bool] = field(default_factory=dict)


class Engine:
    def __init__(self, ruleset: RuleSet) -> None:
        self.ruleset = ruleset
        terms = ruleset.terms
        missing = [name for name in ENGINE_TERMS if name not in terms]
        if missing:
            raise ValueError(f"lexicon is missing engine terms: {', '.join(missing)}")
        self.cues = Cues.from_terms(terms)

        self._subject = compiled(terms["subject"])
        self._alias = compiled(terms["kratom_alias"])
        self._chat_name = compiled(terms["chat_name"])
        self._subject_exclusion = compiled(terms["subject_exclusion"])
        self._other = compiled(terms["other_substance"])
        self._comparison_before = compiled(f"(?:{terms['comparison_before']})$")
        self._refers_back = compiled(f"{terms['anaphor']}|{terms['chat_name']}")
        self._mentions_kratom = lru_cache(maxsize=4096)(self._mentions_kratom)
        # A context message was a message of its own a moment ago: asked again, not searched again.
        self._context_might_name = lru_cache(maxsize=4096)(self.might_name_kratom)
        # A message is read again as the context of the next ones and by the learned model.
        self.fix_typos = lru_cache(maxsize=4096)(self.fix_typos)

        # Says yes to anything that could fold into a kratom name: the message itself
        # or its conversation can only then pass the gate (``names_kratom``). A set,
        # because a set answers yes or no without building a match object. The raw
        # text's leetspeak is not read yet ("cr4t0m"), so the names take it as letters.
        self._might_name = re2.Set.SearchSet(RE2_OPTIONS)
        self._might_name.Add(f"{leet_tolerant(terms['subject'] + '|' + terms['chat_name'])}|{SPELT_OUT}")
        self._might_name.Add(SENTINEL)
        self._might_name.Compile()

        self._requires: dict[str, re2._Regexp] = {}
        self._unless_before: dict[str, re2._Regexp] = {}
        self._unless: dict[str, re2._Regexp] = {}
        self._sources: dict[str, tuple[Source, ...]] = {}
        # One RE2 set per rule says which of its patterns can match at all. One set over
        # every rule's patterns was 7x faster on messages it had seen before, but its DFA
        # is too large to keep: on 10,000 corpus messages it never warmed up (about 200 µs
        # a message, throughout) where the sets per rule settle at about 60 µs.
        self._patterns: list[_Pattern] = []
        for loaded in ruleset.rules:
            rule = loaded.rule
            self._sources[rule.id] = tuple(ruleset.sources[s] for s in rule.sources)
            if rule.requires:
                self._requires[rule.id] = compiled(ruleset.expand(rule.requires))
            if rule.unless_before:
                self._unless_before[rule.id] = compiled(f"(?:{ruleset.expand(rule.unless_before)})\\W*$")
            if rule.unless:
                self._unless[rule.id] = compiled(ruleset.expand(rule.unless))
            entries = [(p, None) for p in rule.patterns] + [(c.message, c.context) for c in rule.context_patterns]
            for message_pattern, context_pattern in entries:
                expanded = ruleset.expand(message_pattern)
                context = compiled(ruleset.expand(context_pattern)) if context_pattern else None
                regex = compiled(expanded)
                self._patterns.append(_Pattern(rule, regex, context, regex.groupindex.get("claim", 0)))
        self._rule_sets = self._sets_per_rule()
        examples = [
            as_case(example).text
            for loaded in ruleset.rules
            for example in loaded.rule.examples.match
        ]
        vocabulary = [ruleset.expand(t) for t in terms.values()] + [p.regex.pattern for p in self._patterns] + examples
        self._typos = TypoFixer(vocabulary_of(vocabulary))
        self.set_failures = 0  # set runs that ran out of memory (and fell back to one pattern at a time)

    @classmethod
    def load(cls, extra_dirs: Sequence[Path] = ()) -> Engine:
        return cls(load_ruleset(list(extra_dirs)))

    @property
    def rules(self) -> list[Rule]:
        return [loaded.rule for loaded in self.ruleset.rules]

    # --- public API ---------------------------------------------------------------

    def detect(
        self,
        text: str,
        conversation: Conversation = Conversation(),
        *,
        disabled_claims: frozenset[str] | set[str] = frozenset(),
        disabled_rules: frozenset[str] | set[str] = frozenset(),
        _answering: bool = False,
    ) -> list[Finding]:
        """Claims that ``text`` makes in ``conversation``, the messages before it.

        ``_answering`` treats a question as a statement, to read a "yes" that answers it.
        """
        context = conversation.messages
        if self.nothing_to_find(text, context):
            return []
        recent_texts = [c for c in context[-CONTEXT_WINDOW:] if c]
        norm = self.fix_typos(normalise_cached(text))  # cached: the gate and the model fold the same text
        subjects = self._subject_spans(norm.data)
        context_has_subject = any(self._mentions_kratom(c) for c in recent_texts)
        # A reply, or the next message after a question, answers what came before; any
        # other message takes its subject from the channel's talk only if it points back
        # ("it", "this stuff", "the leaf"): "PT is helping my back" after kratom talk is about PT.
        answers = conversation.replied_to is not None or (bool(recent_texts) and self._asks(recent_texts[-1]))
        if context_has_subject and not subjects and not answers:
            context_has_subject = self._refers_back.search(norm.data) is not None
        if not subjects and not context_has_subject:
            return []
        recent = [self.fix_typos(normalise_cached(c)) for c in recent_texts]
        stance = MessageStance(norm.data, self.cues, norm.quotes)
        message = _Message(norm, stance, subjects, recent, context_has_subject)

        best: dict[ClaimId, Finding] = {}
        best_starts: dict[ClaimId, int] = {}  # byte offsets of best[...] in the folded text
        for index in self._matching_patterns(norm.data):
            pattern = self._patterns[index]
            rule = pattern.rule
            if rule.id in disabled_rules or rule.claim in disabled_claims:
                continue
            if rule.id in self._requires and not self._required_present(message, rule.id):
                continue
            if pattern.context is not None and not (answers and self._context_supports(message, pattern.context)):
                continue
            # Only a match that starts earlier can improve on a finding we have.
            limit = best_starts.get(rule.claim)
            found = self._first_asserted(message, pattern, _answering, limit)
            if found:
                best[rule.claim] = found[1]
                best_starts[rule.claim] = found[0]

        if context and message.stance.agreement_opening():
            for finding in self._adopted(message, context, disabled_claims, disabled_rules):
                best.setdefault(finding.claim, finding)
        return sorted(best.values(), key=lambda f: (f.start, f.claim))

    def warm_up(self, rounds: int = 3) -> None:
        """Build the RE2 DFA states that chat needs now, not on the first long messages.

        RE2 builds DFA states lazily, so a fresh engine takes several times longer on its
        first long messages. Detection over long texts made of the rules' own examples
        (claims, denials, questions; a few hundred milliseconds) builds most of them.
        """
        examples = [
            as_case(example)
            for loaded in self.ruleset.rules
            for example in (*loaded.rule.examples.match, *loaded.rule.examples.no_match)
        ]
        texts = [case.text for case in examples]
        for shift in range(rounds):
            rotated = texts[shift::rounds] + texts[:shift]
            for start in range(0, len(rotated), WARM_UP_EXAMPLES_PER_TEXT):
                self.detect(" ".join(rotated[start : start + WARM_UP_EXAMPLES_PER_TEXT]), Conversation(("kratom",)))

    def fix_typos(self, norm: NormalisedText) -> NormalisedText:
        """``norm`` with two swapped letters put back into the rules' words (``bot.core.spelling``)."""
        return self._typos.fixed(norm)

    def name_subject(self, text: str) -> str:
        """``text`` (normalised) with every alias and disguise of kratom's name written "kratom"
        (strain names stay: they say more). What the learned model reads."""
        spans = uncovered([m.span() for m in self._alias.finditer(text)], [m.span() for m in self._subject_exclusion.finditer(text)])
        if not spans:
            return text
        pieces, last = [], 0
        for start, end in spans:
            pieces += (text[last:start], "kratom")
            last = end
        return "".join(pieces) + text[last:]

    def might_name_kratom(self, text: str) -> bool:
        """False only if ``text`` cannot name kratom, an alias, a strain or a chat name for
        it in any disguise: one search of the cheaply folded raw text, no normalising.

        Never stricter than the gate: whatever ``names_kratom`` finds in a message, this
        finds in it too (``tests/core/test_properties.py`` checks it).
        """
        hits = self._might_name.Match(fold(text))
        return hits != [GATE_SENTINEL]  # [] is a set whose DFA gave up: that is no "no"

    def nothing_to_find(self, text: str, context: Sequence[str]) -> bool:
        """True if neither engine can find a claim in ``text`` after ``context`` (oldest first):
        nothing in the message or its recent messages could name kratom."""
        return not self.might_name_kratom(text) and not any(self._context_might_name(c) for c in context[-CONTEXT_WINDOW:])

    def names_kratom(self, text: str, conversation: Conversation = Conversation()) -> bool:
        """Whether the message, or the message it replies to, names kratom: the learned model's gate.

        Wider than the rules' subject (chat names such as "k" or "the leaf" count), but
        narrower in time: the channel's other recent messages give the rules an implied
        subject, and cost the model a read only when the message answers one of them.
        """
        replied_to = conversation.replied_to
        return self._names_kratom(text) or (replied_to is not None and self._names_kratom(replied_to))

    @lru_cache(maxsize=4096)  # noqa: B019 - one engine per process; context messages recur
    def _names_kratom(self, text: str) -> bool:
        if not self.might_name_kratom(text):
            return False
        data = normalise_cached(text).data
        return bool(self._subject_spans(data)) or self._chat_name.search(data) is not None

    def asserts_nothing(self, text: str) -> bool:
        """Marked as sarcasm ("/s", "yeah right, ..."), or every sentence framed as untrue ("i don't
        believe that ..."): the rules assert nothing in it, and the model is not asked."""
        norm = normalise_cached(text)
        stance = MessageStance(norm.data, self.cues, norm.quotes)
        return stance.sarcastic or all(stance.is_disbelieved(start) for start, _, _ in stance.sentences)

    def sources_of(self, rule_id: str) -> tuple[Source, ...]:
        return self._sources[rule_id]

    def _matching_patterns(self, data: bytes) -> list[int]:
        """Indices of the patterns that match somewhere in ``data``, in rule order."""
        found = []
        for index, (rule_set, first, sentinel) in enumerate(self._rule_sets):
            end = self._rule_sets[index + 1][1] if index + 1 < len(self._rule_sets) else len(self._patterns)
            found.extend(self._set_hits(rule_set, sentinel, first, end, data))
        return found

    def _sets_per_rule(self) -> list[tuple[re2.Set, int, int]]:
        """(set, index of its first pattern, its sentinel) for each rule, in rule order."""
        sets = []
        for first, pattern in enumerate(self._patterns):
            if first and self._patterns[first - 1].rule is pattern.rule:
                continue
            rule_set = re2.Set.SearchSet(RE2_OPTIONS)
            for later in self._patterns[first:]:
                if later.rule is not pattern.rule:
                    break
                rule_set.Add(later.regex.pattern)
            sentinel = rule_set.Add(SENTINEL)
            rule_set.Compile()
            sets.append((rule_set, first, sentinel))
        return sets

    def _set_hits(self, pattern_set: re2.Set, sentinel: int, first: int, end: int, data: bytes) -> list[int]:
        """The hits of the set of patterns ``first`` to ``end`` as pattern indices; pattern by
        pattern if its DFA gave up."""
        hits = pattern_set.Match(data)
        if sentinel not in hits:
            self.set_failures += 1
            return [index for index in range(first, end) if self._patterns[index].regex.search(data)]
        return sorted(first + index for index in hits if index != sentinel)

    # --- subject ------------------------------------------------------------------

    def _subject_spans(self, text: bytes) -> list[tuple[int, int]]:
        spans = [m.span() for m in self._subject.finditer(text)]
        if not spans:
            return spans
        return uncovered(spans, [m.span() for m in self._subject_exclusion.finditer(text)])

    def _mentions_kratom(self, text: str) -> bool:
        """Whether a context message names kratom; memoised, because a channel's
        recent messages are the context of every message that follows them."""
        return bool(self._subject_spans(normalise_cached(text).data))

    @lru_cache(maxsize=4096)  # noqa: B019 - one engine per process; context messages recur
    def _asks(self, text: str) -> bool:
        """Whether a message is a question ("anyone here use kratom for anxiety?")."""
        data = normalise_cached(text).data
        return b"?" in data or self.cues.question_opening.match(data.lstrip()) is not None

    def _other_subjects(self, message: _Message) -> list[tuple[int, int]]:
        """Other substances named as a subject (not as the thing kratom is compared with)."""
        if message.others is None:
            text = message.norm.data
            message.others = [
                (start, end)
                for start, end in (m.span() for m in self._other.finditer(text))
                if not self._comparison_before.search(text[max(0, start - 24) : start])
            ]
        return message.others

    def _about_kratom(self, message: _Message, start: int) -> bool:
        clause_start, clause_end = message.stance.clause_at(start)
        if any(s < clause_end and e > clause_start for s, e in message.subjects):
            return True
        others = self._other_subjects(message)
        if any(s < clause_end and e > clause_start for s, e in others):
            return False
        if message.subjects:
            return True
        return message.context_has_subject and not others

    # --- context ------------------------------------------------------------------

    def _context_supports(self, message: _Message, regex: re2._Regexp) -> bool:
        return any(regex.search(c.data) for c in message.context[-CONTEXT_CONDITION_WINDOW:])

    def _required_present(self, message: _Message, rule_id: str) -> bool:
        if rule_id not in message.requires_cache:
            regex = self._requires[rule_id]
            message.requires_cache[rule_id] = regex.search(message.norm.data) is not None or any(
                regex.search(c.data) for c in message.context
            )
        return message.requires_cache[rule_id]

    def _adopted(self, message: _Message, context: Sequence[str], disabled_claims, disabled_rules) -> list[Finding]:
        """Claims of the replied-to message, when this one only agrees with it."""
        data = message.norm.data
        opening = self.cues.agreement.search(data)
        clause_end = message.stance.clause_at(opening.start())[1]
        rest = data[opening.end() :]
        short = len(data.split()) <= SHORT_REPLY_WORDS
        if not (short or clause_end <= opening.end() + 3 or not rest[:3].strip(b" ,!.")):
            return []
        replied_to = self.detect(
            context[-1],
            Conversation.from_list(context[:-1]),
            disabled_claims=disabled_claims,
            disabled_rules=disabled_rules,
            _answering=True,
        )
        start, end = message.norm.byte_span_to_original(*opening.span())
        return [
            Finding(f.claim, f.rule_id, start, end, message.norm.original[start:end], f.caveat, f.sources, "agreement")
            for f in replied_to
        ]

    # --- stance -------------------------------------------------------------------

    def _first_asserted(
        self, message: _Message, pattern: _Pattern, answering: bool, before: int | None
    ) -> tuple[int, Finding] | None:
        """The first match the author asserts, starting before byte ``before``; with its byte start."""
        rule = pattern.rule
        text = message.norm.data
        position = 0
        for _ in range(MAX_MATCHES_PER_PATTERN):
            match = pattern.regex.search(text, position)
            if match is None or (before is not None and match.start() >= before):
                return None
            start, end = match.span()
            if pattern.claim_group and match.start(pattern.claim_group) >= 0:
                # The pattern marks which part of its match is the claim itself.
                start, end = match.span(pattern.claim_group)
            resume_at = self._rejected(message, rule, start, end, answering)
            if resume_at is None:
                break
            # Search again from where the reason for rejecting ends, not from the end
            # of the match: "didn't help my anxiety but it fixed my back" must not lose
            # "fixed my back" to the rejected match that began at "help".
            position = max(resume_at, match.start() + 1)
        else:
            return None
        o_start, o_end = message.norm.byte_span_to_original(start, end)
        basis = "context" if pattern.context is not None or not message.subjects else "message"
        finding = Finding(
            rule.claim,
            rule.id,
            o_start,
            o_end,
            message.norm.original[o_start:o_end],
            rule.caveat,
            self._sources[rule.id],
            basis,
        )
        return start, finding

    def _rejected(self, message: _Message, rule: Rule, start: int, end: int, answering: bool) -> int | None:
        """None if the author asserts this match; else where the reason to reject it ends."""
        stance = message.stance
        text = message.norm.data
        if end == start:
            return start + 1
        if stance.sarcastic:
            return len(text)
        if not answering and stance.is_question(start):
            return stance.sentence_at(start)[1]
        clause_end = stance.clause_at(start)[1]
        if rule.negatable and stance.is_negated(start):
            return clause_end
        unless_before = self._unless_before.get(rule.id)
        if unless_before and unless_before.search(text[max(0, start - 30) : start]):
            return start + 1
        if stance.is_reported(start, end):
            return clause_end
        if stance.is_disbelieved(start):
            return stance.sentence_at(start)[1]
        if stance.reports_failure(start):
            return stance.contrast_segment_at(start)[1]
        if stance.is_intended(start):
            return clause_end
        unless = self._unless.get(rule.id)
        if unless:
            clause_start, _ = stance.clause_at(start)
            if unless.search(text[clause_start:clause_end]):
                return clause_end
        if not self._about_kratom(message, start):
            return clause_end
        return None
