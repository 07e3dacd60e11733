"""Shared fixtures. The engine is expensive to build, so tests share one."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.engine import Engine
from bot.core.models import Conversation

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus"


@pytest.fixture(scope="session")
def engine() -> Engine:
    return Engine.load()


def claims_of(engine: Engine, text: str, context: list[str] | tuple[str, ...] = ()) -> set[str]:
    return {str(f.claim) for f in engine.detect(text, Conversation.from_list(context))}
