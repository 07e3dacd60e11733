"""The quality bar on the development set, read from the corpus copy (corpus/dev/), so nothing skips."""

import pytest

from bot.core.claims import ClaimId
from bot.core.corpus import Split, load_corpus, select
from bot.core.evaluation import evaluate
from tests.conftest import CORPUS


@pytest.fixture(scope="module")
def report(engine):
    messages = select(load_corpus(CORPUS), [Split.DEV])
    assert len(messages) >= 300
    return evaluate(engine, messages)


def test_message_level_precision_and_recall(report):
    assert report.overall.precision >= 0.95
    assert report.overall.recall >= 0.92


@pytest.mark.parametrize("claim", [str(c) for c in ClaimId])
def test_per_claim_precision_and_recall(report, claim):
    counts = report.per_claim[claim]
    assert counts.tp > 0, f"{claim} never found on the dev set"
    assert counts.precision >= 0.85, f"{claim} precision {counts.precision:.2f}"
    assert counts.recall >= 0.85, f"{claim} recall {counts.recall:.2f}"
