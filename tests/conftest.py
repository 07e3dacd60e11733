"""Shared fixtures. The engine is expensive to build, so tests share one.

Storage tests run on SQLite and on a real PostgreSQL server, named by
CLAIMCHECK_TEST_POSTGRES (``.ci/run`` starts one with ``.ci/postgres``; see
README, Development). Without it the PostgreSQL cases are skipped, saying so.
"""

from __future__ import annotations

import itertools
import os
import uuid
from pathlib import Path

import asyncpg
import pytest
import pytest_asyncio

from bot.core.engine import Engine
from bot.core.engine_choice import RULES_AND_MODEL, RULES_ONLY
from bot.core.hybrid import HybridEngine
from bot.core.learned import ClaimModel
from bot.core.models import Conversation, Finding, as_case

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus"
POSTGRES_VARIABLE = "CLAIMCHECK_TEST_POSTGRES"


@pytest.fixture(scope="session")
def engine() -> Engine:
    return Engine.load()


@pytest.fixture(scope="session")
def hybrid(engine: Engine) -> HybridEngine:
    """The default engine: the rules and the shipped learned model."""
    return HybridEngine(engine, ClaimModel())


@pytest.fixture(scope="session", params=[RULES_ONLY, RULES_AND_MODEL])
def each_engine(request) -> tuple[str, Engine | HybridEngine]:
    """Both engines, by name, for figures that are kept for each."""
    name = request.param
    return name, request.getfixturevalue("engine" if name == RULES_ONLY else "hybrid")


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


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The URL of the test PostgreSQL server's maintenance database; skips if none is configured."""
    url = os.environ.get(POSTGRES_VARIABLE)
    if not url:
        pytest.skip(f"{POSTGRES_VARIABLE} is not set (start a server with: bash .ci/postgres start DIR)")
    return url


@pytest_asyncio.fixture
async def postgres_url(postgres_server: str):
    """A new, empty database on the test server for one test, dropped afterwards."""
    name = f"claimcheck_test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(postgres_server)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    base, _, _ = postgres_server.rpartition("/")
    yield f"{base}/{name}"
    admin = await asyncpg.connect(postgres_server)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path: Path) -> str:
    """A fresh database of each backend, as CLAIMCHECK_DATABASE would name it."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'claimcheck.db'}"
    return request.getfixturevalue("postgres_url")
