"""Property tests: arbitrary Unicode never breaks or stalls the engine."""

import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bot.core.behaviour import build_suite
from bot.core.corpus import load_corpus
from bot.core.engine import CONTEXT_WINDOW
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


# --- the fast path is never stricter than the gate ---------------------------------------

REPO = Path(__file__).resolve().parents[2]
NAMES = ["kratom", "Kratom", "KRATOM", "kratum", "ketum", "kakuam", "7-OH", "7 hydroxy", "mitragynine",
         "m. speciosa", "maeng da", "red bali", "green malay", "white vein", "super thai", "reds", "greens",
         "k", "the leaf", "krat", "md", "wmd", "thang", "biak", "crattom", "kraytom"]  # fmt: skip
LOOK_ALIKES = {"a": "аɑα𝐚ａ4@", "o": "оο𝐨ｏ0", "e": "е𝐞ｅ3", "k": "ᴋκ𝐤ｋ", "m": "ᴍ𝐦ｍ", "t": "ᴛ𝐭ｔ7", "r": "ʀ𝐫ｒ", "i": "іɪ𝐢ｉ1",
               "s": "ѕ5"}  # fmt: skip
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufe0f", "\u00ad"]


@st.composite
def disguised_names(draw) -> str:
    """A kratom name as a member might disguise it, inside some chat."""
    name = draw(st.sampled_from(NAMES))
    letters = []
    for ch in name:
        kind = draw(st.sampled_from(["plain", "plain", "upper", "look-alike", "invisible", "markdown"]))
        if kind == "upper":
            ch = ch.upper()
        elif kind == "look-alike" and ch.lower() in LOOK_ALIKES:
            ch = draw(st.sampled_from(LOOK_ALIKES[ch.lower()]))
        elif kind == "invisible":
            ch += draw(st.sampled_from(INVISIBLE))
        elif kind == "markdown":
            ch = draw(st.sampled_from(["**", "_", "~~", "||", "`"])) + ch
        letters.append(ch)
    if draw(st.booleans()) and " " not in name:
        word = draw(st.sampled_from([" ", ".", "-", "_", "*"])).join(letters)  # spelt out
    else:
        word = "".join(letters)
    before = draw(st.sampled_from(["", "honestly ", "> ", "# ", "@everyone ", "lol ", "my "]))
    after = draw(st.sampled_from(["", " is safer than oxy", " fixed my back", "!!", " 🎉", " <@123>", "?"]))
    return before + word + after


@settings(max_examples=2000, deadline=None)
@given(text=disguised_names())
def test_the_fast_path_lets_through_every_disguise_the_gate_sees(engine, text):
    # ``assume``: hypothesis fails the test if too few generated disguises still name
    # kratom to the gate, so the generator is checked too.
    assume(engine.names_kratom(text))
    assert engine.might_name_kratom(text), text


@pytest.mark.parametrize("name", ["cr4tt0m", "kr4yt0m", "k3tum", "the l3af", "w0bbl3s", "r3d b4l1", "m1tr4gyn1n3",
                                  "gr33n m4l4y", "m43ng da", "pl@nts", "sp3c1osa", "l 3 a f", "k r 4 t 0 m", "k@r@t@o@m"])  # fmt: skip
def test_the_fast_path_lets_through_leetspeak_names(engine, name):
    text = f"my {name} is h4rml3ss"
    assert engine.names_kratom(text), text  # the normaliser reads the leetspeak
    assert engine.might_name_kratom(text), text  # and the fast path does not need it read


@settings(max_examples=300, deadline=None)
@given(text=messy_text)
def test_the_fast_path_lets_through_messy_text_the_gate_sees(engine, text):
    if engine.names_kratom(text):
        assert engine.might_name_kratom(text), text


def test_the_fast_path_lets_through_everything_the_engine_would_flag(engine):
    """On the corpus and the behavioural suite: whatever the rules find, and whatever the model's
    gate lets it read, passes the fast path of the message or of one of its recent messages."""
    items = [(item.text, item.conversation) for item in load_corpus(REPO / "corpus")]
    items += [(case.text, Conversation()) for case in build_suite()]
    stopped = []
    for text, conversation in items:
        might = engine.might_name_kratom(text) or any(
            engine.might_name_kratom(m) for m in conversation.messages[-CONTEXT_WINDOW:]
        )
        if might:
            continue
        if engine.names_kratom(text, conversation) or engine.detect(text, conversation):
            stopped.append(text)
    assert not stopped
    assert sum(engine.might_name_kratom(text) for text, _ in items) > len(items) // 3
