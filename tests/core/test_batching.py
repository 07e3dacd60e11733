"""Detection off the event loop: candidates are batched into one worker thread; the loop keeps running."""

import asyncio
import time
from unittest.mock import create_autospec

import numpy as np
import pytest

from bot.core.batching import BatchedDetector
from bot.core.claims import ClaimId
from bot.core.hybrid import HybridEngine
from bot.core.learned import Card, ClaimModel
from bot.core.models import Conversation

CLAIMS = tuple(str(c) for c in ClaimId)


def stand_in(score_of, delay: float = 0.0):
    """A spec'd ClaimModel whose scores come from ``score_of(text)``: {claim: score}."""
    model = create_autospec(ClaimModel, instance=True)
    model.claims = CLAIMS
    model.card = Card(CLAIMS, "0" * 64, 128, {c: 0.7 for c in CLAIMS}, {c: 0.1 for c in CLAIMS}, {})

    def scores(batch, reader=None):
        time.sleep(delay)
        return np.array([[score_of(text).get(c, 0.0) for c in CLAIMS] for text, _ in batch], dtype=np.float32)

    model.scores.side_effect = scores
    return model


@pytest.fixture
def detector_for(engine):
    made = []

    def make(model, **kwargs):
        detector = BatchedDetector(HybridEngine(engine, model), **kwargs)
        made.append(detector)
        return detector

    yield make
    for detector in made:
        detector.close()


@pytest.mark.asyncio
async def test_ordinary_chat_and_rules_only_servers_never_reach_the_worker(detector_for):
    model = stand_in(lambda text: {"chronic-pain": 0.99})
    detector = detector_for(model)
    assert await detector.detect("lunch anyone?", Conversation(), use_model=True) == []
    found = await detector.detect("kratom fixed my back", Conversation(), use_model=False)
    assert {str(f.claim) for f in found} == {"chronic-pain"}
    assert detector.batches == 0
    model.scores.assert_not_called()


@pytest.mark.asyncio
async def test_candidates_arriving_together_are_scored_in_one_batch(detector_for):
    model = stand_in(lambda text: {"mood-treatment": 0.9} if "calm" in text else {})
    detector = detector_for(model, window=0.05)
    texts = ["kratom keeps me calm", "ketum is a plant", "kratom calms me down", "kratum grows in asia"]
    results = await asyncio.gather(*(detector.detect(t, Conversation(), use_model=True) for t in texts))
    assert [{str(f.claim) for f in r} for r in results] == [{"mood-treatment"}, set(), {"mood-treatment"}, set()]
    assert detector.batches == 1


@pytest.mark.asyncio
async def test_a_full_batch_goes_at_once(detector_for):
    detector = detector_for(stand_in(lambda text: {}), window=10.0, max_batch=3)
    started = time.perf_counter()
    await asyncio.gather(*(detector.detect(f"kratom {i}", Conversation(), use_model=True) for i in range(3)))
    assert time.perf_counter() - started < 5.0
    assert detector.batches == 1


@pytest.mark.asyncio
async def test_the_event_loop_keeps_running_while_a_batch_is_scored(detector_for):
    detector = detector_for(stand_in(lambda text: {}, delay=0.6), window=0.0)
    gaps, last = [], time.perf_counter()

    async def ticker():
        nonlocal last
        for _ in range(40):
            await asyncio.sleep(0.02)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    await asyncio.gather(ticker(), detector.detect("kratom is great", Conversation(), use_model=True))
    assert max(gaps) < 0.25, f"the loop stalled for {max(gaps):.2f} s while the model ran"


@pytest.mark.asyncio
async def test_a_model_failure_reaches_every_waiting_message(detector_for):
    def broken(text):
        raise RuntimeError("onnxruntime fell over")

    detector = detector_for(stand_in(broken), window=0.01)
    results = await asyncio.gather(
        *(detector.detect(t, Conversation(), use_model=True) for t in ("kratom a", "kratom b")), return_exceptions=True
    )
    assert all(isinstance(r, RuntimeError) for r in results)
