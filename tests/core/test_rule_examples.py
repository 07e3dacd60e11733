"""Every example embedded in a rule file, run as its own test (like `semgrep --test`)."""

import pytest

from bot.core.models import Conversation, as_case
from bot.core.ruleset import load_ruleset
from bot.core.ruletests import lint, run_examples

RULESET = load_ruleset()
CASES = [
    pytest.param(loaded.rule.id, expected, as_case(example), id=f"{loaded.rule.id}-{expected}-{index}")
    for loaded in RULESET.rules
    for expected, examples in (("match", loaded.rule.examples.match), ("no_match", loaded.rule.examples.no_match))
    for index, example in enumerate(examples)
]


@pytest.mark.parametrize(("rule_id", "expected", "case"), CASES)
def test_rule_example(engine, rule_id, expected, case):
    rule = RULESET.rule(rule_id).rule
    findings = [f for f in engine.detect(case.text, Conversation.from_list(case.context)) if f.claim == rule.claim]
    if expected == "match":
        assert any(f.rule_id == rule_id for f in findings), f"{rule_id} should match {case.text!r}"
    else:
        assert not findings, f"{rule.claim} should not be found in {case.text!r}"


def test_run_examples_reports_no_failures(engine):
    count, failures = run_examples(engine)
    assert count >= 10 * len(RULESET.rules)
    assert failures == []


def test_bundled_rules_lint_without_errors():
    assert [issue for issue in lint(RULESET) if issue.level == "error"] == []
