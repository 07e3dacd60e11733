"""The quality bar on the shared development set."""

import pytest

from bot.core.claims import ClaimId
from bot.core.evaluation import evaluate
from bot.core.messages import InputMessage, read_messages
from tests.conftest import DEV_SET

pytestmark = pytest.mark.skipif(not DEV_SET.exists(), reason=f"{DEV_SET} is absent (it lives in ../shared)")


@pytest.fixture(scope="module")
def report(engine):
    messages = [m for m in read_messages(DEV_SET) if isinstance(m, InputMessage)]
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
