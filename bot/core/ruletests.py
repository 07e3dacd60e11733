"""Run the examples embedded in rules, and lint rule sets (in the spirit of `semgrep --test`)."""

from __future__ import annotations

from dataclasses import dataclass

import re2

from bot.core.claims import ClaimId
from bot.core.engine import Engine
from bot.core.models import Conversation, ExampleCase, as_case
from bot.core.normalise import normalise
from bot.core.ruleset import LoadedRule, RuleSet

MAX_SOURCES_PER_CAVEAT = 3  # a reply stays short, and each source must support a sentence


@dataclass(frozen=True)
class ExampleFailure:
    rule_id: str
    path: str
    line: int | None
    expected: str  # "match" | "no_match"
    example: ExampleCase
    found: tuple[str, ...]  # rule ids that fired for the rule's claim

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        context = f" (context: {self.example.context!r})" if self.example.context else ""
        if self.expected == "match":
            return f"{where}: {self.rule_id}: should match but did not: {self.example.text!r}{context}"
        return (
            f"{where}: {self.rule_id}: should not match but {', '.join(self.found)} did: "
            f"{self.example.text!r}{context}"
        )


@dataclass(frozen=True)
class LintIssue:
    level: str  # "error" | "warning"
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.level}: {self.where}: {self.message}"


def run_examples(engine: Engine, rules: list[LoadedRule] | None = None) -> tuple[int, list[ExampleFailure]]:
    """Check every example; returns (examples run, failures).

    A ``match`` example must be found by that rule. A ``no_match`` example must
    not produce the rule's claim at all, whichever rule would give it.
    """
    failures: list[ExampleFailure] = []
    count = 0
    for loaded in rules if rules is not None else engine.ruleset.rules:
        rule = loaded.rule
        for expected, examples in (("match", rule.examples.match), ("no_match", rule.examples.no_match)):
            for index, example in enumerate(examples):
                count += 1
                case = as_case(example)
                findings = [f for f in engine.detect(case.text, Conversation.from_list(case.context)) if f.claim == rule.claim]
                ok = any(f.rule_id == rule.id for f in findings) if expected == "match" else not findings
                if not ok:
                    failures.append(
                        ExampleFailure(
                            rule.id,
                            str(loaded.path),
                            loaded.document.line_of(("examples", expected, index)),
                            expected,
                            case,
                            tuple(sorted({f.rule_id for f in findings})),
                        )
                    )
    return count, failures


def lint(ruleset: RuleSet, *, require_all_claims: bool = True) -> list[LintIssue]:
    """Problems that validation alone does not catch."""
    issues: list[LintIssue] = []
    claims_covered = {loaded.rule.claim for loaded in ruleset.rules}
    if require_all_claims:
        for claim in ClaimId:
            if claim not in claims_covered:
                issues.append(LintIssue("error", "rules", f"no rule declares claim id {claim!s}"))
    used_sources: set[str] = set()
    for loaded in ruleset.rules:
        rule, document = loaded.rule, loaded.document
        where = str(loaded.path)
        used_sources.update(rule.sources)
        if loaded.path.stem != rule.id:
            issues.append(LintIssue("warning", f"{where}:{document.line_of(('id',))}", f"file name should be {rule.id}.yaml"))
        if re2.search(r"\b(?:you should|try|start with|take it|recommended dose)\b", rule.caveat.lower()):
            issues.append(LintIssue("error", f"{where}:{document.line_of(('caveat',))}", "caveat reads like advice; state what the sources say"))
        if len(rule.sources) > MAX_SOURCES_PER_CAVEAT:
            issues.append(
                LintIssue(
                    "error",
                    f"{where}:{document.line_of(('sources',))}",
                    f"cites {len(rule.sources)} sources; a caveat cites at most {MAX_SOURCES_PER_CAVEAT}, each supporting a sentence",
                )
            )
        if len(set(rule.patterns)) != len(rule.patterns):
            issues.append(LintIssue("error", f"{where}:{document.line_of(('patterns',))}", "duplicate pattern"))
        # Every pattern should be exercised by at least one match example.
        texts = [as_case(example).text for example in rule.examples.match]
        folded = [normalise(t).text for t in texts]
        for index, pattern in enumerate(rule.patterns):
            regex = re2.compile(ruleset.expand(pattern))
            if not any(regex.search(text) for text in folded):
                issues.append(
                    LintIssue(
                        "warning",
                        f"{where}:{document.line_of(('patterns', index))}",
                        f"pattern {index} is not exercised by any 'match' example",
                    )
                )
    for source_id in sorted(set(ruleset.sources) - used_sources):
        issues.append(
            LintIssue(
                "warning",
                ruleset.source_locations[source_id],
                f"source {source_id} is not cited by any rule; cite it where it supports a sentence, or remove it",
            )
        )
    return issues
