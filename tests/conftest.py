"""Shared fixtures. The engine is expensive to build, so tests share one."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from bot.core.engine import Engine
from bot.core.models import Conversation, Finding, as_case

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus"


@pytest.fixture(scope="session")
def engine() -> Engine:
    return Engine.load()


def claims_of(engine: Engine, text: str, context: list[str] | tuple[str, ...] = ()) -> set[str]:
    return {str(f.claim) for f in engine.detect(text, Conversation.from_list(context))}


def finding_for(engine: Engine, rule_id: str) -> Finding:
    """A finding as ``rule_id`` would report it, built from the rule itself, so that
    layout tests do not depend on which words the detection rules match."""
    rule = engine.ruleset.rule(rule_id).rule
    sources = tuple(engine.ruleset.sources[source_id] for source_id in rule.sources)
    matched = as_case(rule.examples.match[0]).text
    return Finding(rule.claim, rule.id, 0, len(matched), matched, rule.caveat, sources)


def every_rule_and_pair(engine: Engine) -> list[tuple[str, ...]]:
    ids = [loaded.rule.id for loaded in engine.ruleset.rules]
    return [(rule_id,) for rule_id in ids] + list(itertools.combinations(ids, 2))
