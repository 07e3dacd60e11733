"""The bot with the learned model on, end to end: replies, per-server engine, "Why?", and a free event loop."""

from __future__ import annotations

import time
from unittest.mock import create_autospec

import numpy as np
import pytest

from bot.core.claims import ClaimId
from bot.core.learned import Card, ClaimModel
from tests.discord.fake_discord import GENERAL, GUILD_ID, OFFTOPIC, is_callback, is_post_to, is_reply_to
from tests.discord.test_commands import callback_data, custom_id, reply_message
from tests.discord.test_watcher import embed_text

pytestmark = pytest.mark.asyncio

CLAIMS = tuple(str(c) for c in ClaimId)
# No rule matches these words; the shipped model reads them as a nerve-pain claim.
MODEL_ONLY_CLAIM = "the electric zaps down my legs from spinal stenosis are way quieter on kratom, first decent sleep in years"


@pytest.fixture(scope="module")
def shipped_model() -> ClaimModel:
    return ClaimModel()


def slow_model(seconds: float) -> ClaimModel:
    """A spec'd stand-in that takes ``seconds`` per batch (in the worker thread) and finds chronic-pain."""
    model = create_autospec(ClaimModel, instance=True)
    model.claims = CLAIMS
    model.card = Card(CLAIMS, "0" * 64, 128, {c: 0.7 for c in CLAIMS}, {c: 0.1 for c in CLAIMS}, {})

    def scores(batch, reader=None):
        time.sleep(seconds)
        return np.array([[0.95 if c == "chronic-pain" else 0.0 for c in CLAIMS] for _ in batch], dtype=np.float32)

    model.scores.side_effect = scores
    model.score.side_effect = lambda text, conversation=None, reader=None: dict(zip(CLAIMS, scores([text])[0]))
    return model


async def test_a_claim_only_the_model_finds_gets_a_reply_within_seconds(fake, start_bot, shipped_model):
    await start_bot(model=shipped_model)
    started = time.monotonic()
    message = await fake.post(MODEL_ONLY_CLAIM)
    reply = await fake.wait_for(is_reply_to(message), timeout=5.0)
    assert time.monotonic() - started < 5.0
    assert "nerve pain" in embed_text(reply).lower()


async def test_a_server_on_rules_alone_does_not_use_the_model(fake, start_bot, shipped_model):
    running = await start_bot(model=shipped_model)
    answer = await fake.admin("engine", [{"name": "value", "type": 3, "value": "rules"}])
    await fake.wait_for(is_callback(answer))
    assert (await running.bot.settings_for(GUILD_ID)).engine == "rules"
    after = fake.mark()
    await fake.post(MODEL_ONLY_CLAIM)
    await fake.quiet(is_post_to(GENERAL), 0.6, after=after)


async def test_why_shows_the_model_score_and_the_words_that_drove_it(fake, start_bot, shipped_model):
    await start_bot(model=shipped_model)
    message = await fake.post(MODEL_ONLY_CLAIM)
    reply = await fake.wait_for(is_reply_to(message), timeout=5.0)
    click = await fake.click(reply_message(fake, message), custom_id(reply, "why"))
    answer = await fake.wait_for(is_callback(click))
    text = "\n".join(e.get("description", "") for e in callback_data(answer)["embeds"])
    assert "The learned model found this claim (score 0." in text and "weighed most" in text


async def test_context_replies_and_edits_still_work_with_the_model(fake, start_bot, shipped_model):
    await start_bot(model=shipped_model)
    question = await fake.post("does kratom do anything for the nerve zaps from spinal stenosis?")
    after = fake.mark()
    answer = await fake.post("it quiets those zaps down my legs, first decent sleep in years", reference=question)
    await fake.wait_for(is_reply_to(answer), timeout=5.0, after=after)
    plain = await fake.post("kratom tea tastes like grass clippings", channel=OFFTOPIC)  # no cooldown there
    after = fake.mark()
    await fake.edit(plain, MODEL_ONLY_CLAIM)
    await fake.wait_for(is_reply_to(plain), timeout=5.0, after=after)


async def test_heartbeats_stay_on_time_while_a_batch_runs(fake, start_bot):
    fake.heartbeat_interval_ms = 100
    await start_bot(model=slow_model(1.5))
    beats_before = len(fake.heartbeats)
    started = time.monotonic()
    message = await fake.post("kratom means my costochondritis barely registers")
    await fake.wait_for(is_reply_to(message), timeout=10.0)
    assert time.monotonic() - started >= 1.5, "the stand-in model ran"
    beats = [t for t in fake.heartbeats[beats_before:] if t >= started]
    gaps = np.diff([started, *beats])
    assert len(beats) >= 10, f"only {len(beats)} heartbeats while the batch ran"
    assert gaps.max() < 0.35, f"a heartbeat came {gaps.max():.2f} s after the one before (interval 0.1 s)"
