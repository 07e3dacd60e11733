"""Property tests: arbitrary Unicode never breaks or stalls the engine."""

import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.models import Conversation
from bot.core.normalise import normalise

# A hang guard, not a benchmark (bench/ measures speed): RE2 is linear, so even a
# slow CI machine finishes a 4,000-character message far inside this.
HANG_GUARD_SECONDS = 0.5

kratomish = st.sampled_from(
    ["kratom", "kr4tom", "k r a t o m", "ketum", "7-OH", "maeng da", " safer than oxy", " not ", "?", "'", '"',
     " can't OD", " helps my back", "\u200b", "**", "||", "@everyone", "https://x.example/kratom", "\u0430", "ﬁ", "≠"]
)
messy_text = st.lists(st.one_of(st.text(max_size=40), kratomish), max_size=60).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=messy_text, context=st.lists(messy_text, max_size=3))
def test_engine_never_raises_and_spans_point_into_the_text(engine, text, context):
    started = time.perf_counter()
    findings = engine.detect(text, Conversation.from_list(context))
    assert time.perf_counter() - started < HANG_GUARD_SECONDS
    assert len({f.claim for f in findings}) == len(findings)
    for finding in findings:
        assert 0 <= finding.start <= finding.end <= len(text)
        assert text[finding.start : finding.end] == finding.matched


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=300))
def test_normalise_offsets_stay_in_range(text):
    norm = normalise(text)
    if norm.offsets is not None:
        assert len(norm.offsets) == len(norm.text)
        assert all(0 <= offset < len(text) for offset in norm.offsets)
        assert list(norm.offsets) == sorted(norm.offsets)
    else:
        assert len(norm.text) == len(text)


@settings(max_examples=50, deadline=None)
@given(chunk=st.text(min_size=1, max_size=20))
def test_huge_repetitive_message_stays_fast(engine, chunk):
    text = (chunk + " kratom is safer than oxy? not ")[:4000] * 1
    text = (text * (4000 // max(len(text), 1) + 1))[:4000]
    started = time.perf_counter()
    engine.detect(text, Conversation(replied_to=text))
    assert time.perf_counter() - started < HANG_GUARD_SECONDS
