"""The shipped claim model: it loads, it is the file its card describes, and it fails clearly otherwise."""

import json
import time
import shutil

import numpy as np
import pytest

from bot.core.claims import ClaimId
from bot.core.learned import CARD_FILE, MAX_WINDOWS, MODEL_DIR, MODEL_FILE, ClaimModel, ModelFileError, model_input
from bot.core.models import Conversation


@pytest.fixture(scope="module")
def model():
    return ClaimModel()


def test_the_shipped_model_scores_every_claim_id(model):
    assert set(model.claims) == {str(c) for c in ClaimId}
    scores = model.score("kratom got me off oxy and it's way safer")
    assert set(scores) == set(model.claims)
    assert all(0.0 <= value <= 1.0 for value in scores.values())


def test_a_batch_scores_exactly_like_single_messages(model):
    pairs = [
        ("kratom fixed my back", Conversation()),
        ("it helps my anxiety a ton", Conversation(replied_to="does kratom help anxiety?")),
        ("what's for dinner", Conversation()),
    ]
    batch = model.scores(pairs)
    singles = np.array([list(model.score(text, conversation).values()) for text, conversation in pairs])
    assert batch.shape == (3, len(model.claims))
    assert np.array_equal(batch, singles)


def test_the_model_reads_the_last_two_messages_of_the_conversation():
    conversation = Conversation(("oldest", "older"), "replied to")
    assert model_input("reply", conversation) == ("reply", "older | replied to")
    assert model_input("alone", Conversation()) == ("alone", None)


def test_block_quotes_are_read_as_conversation():
    assert model_input("> kratom is safer than oxy\nno it is not", Conversation()) == (
        "no it is not",
        "kratom is safer than oxy",
    )
    assert model_input("> kratom is safer than oxy", Conversation()) == ("kratom is safer than oxy", None)


def test_the_model_reads_text_normalised_as_the_rules_do():
    assert model_input("**ᴋʀᴀᴛᴏᴍ** is s a f e r", Conversation(replied_to="||Ketum||?")) == (
        "  kratom   is safer",
        "  ketum  ?",
    )


def test_the_card_records_how_the_model_was_made(model):
    card = model.card.data
    assert card["sha256"] and card["base_model"].startswith("sentence-transformers/all-MiniLM-L6-v2")
    layers = card.get("layers", 6)
    assert card["training"]["command"] == "claimcheck train" + (f" --layers {layers}" if layers != 6 else "")
    assert isinstance(card["training"]["seed"], int)
    assert set(card["thresholds"]) == set(card["vetoes"]) == set(model.claims)
    assert (MODEL_DIR / "MODEL_CARD.md").read_text(encoding="utf-8").count(card["sha256"]) == 1


def test_an_altered_model_file_is_refused_with_what_to_do(tmp_path):
    copy = tmp_path / "model"
    shutil.copytree(MODEL_DIR, copy)
    data = bytearray((copy / MODEL_FILE).read_bytes())
    data[len(data) // 2] ^= 0xFF
    (copy / MODEL_FILE).write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match=r"sha256 .* does not match the model card.*reinstall"):
        ClaimModel(copy)


def test_a_missing_model_file_or_card_is_refused(tmp_path):
    copy = tmp_path / "model"
    shutil.copytree(MODEL_DIR, copy)
    (copy / MODEL_FILE).unlink()
    with pytest.raises(ModelFileError, match="the model file is missing"):
        ClaimModel(copy)
    (copy / CARD_FILE).unlink()
    with pytest.raises(ModelFileError, match="the model card is missing"):
        ClaimModel(copy)


def test_a_card_with_unknown_claim_ids_is_refused(tmp_path):
    copy = tmp_path / "model"
    shutil.copytree(MODEL_DIR, copy)
    card = json.loads((copy / CARD_FILE).read_text(encoding="utf-8"))
    card["claims"].append("cures-everything")
    (copy / CARD_FILE).write_text(json.dumps(card), encoding="utf-8")
    with pytest.raises(ModelFileError, match="unknown claim ids"):
        ClaimModel(copy)


def test_the_model_reads_the_text_with_the_rules_typo_fixes_and_one_name_for_kratom(engine):
    conversation = Conversation(("older",), "kratum is sfaer?")
    assert model_input("it is way sfaer than oxycodone", conversation, engine) == (
        "it is way safer than oxycodone",
        "older | kratom is safer?",
    )
    assert model_input("Mitragyna speciosa and k r 4 t o m got me off percs", Conversation(), engine)[0] == (
        "kratom and kratom got me off percs"
    )
    assert model_input("that thang was loud, red bali too", Conversation(), engine)[0] == "that thang was loud, red bali too"
    assert model_input("it is way sfaer", Conversation())[0] == "it is way sfaer"  # without the rules, as typed


BACKGROUND = (
    "Some background first. I work nights at a bakery, I have two dogs, and I started running again in March. "
    "My brother lives across the country and we talk every Sunday about football and our parents. "
)


def _tokens(model, text):
    return len(model._whole.encode(text, add_special_tokens=False).ids)


def test_a_text_within_the_token_cap_is_read_whole(model):
    assert model.windows("kratom fixed my back") == ["kratom fixed my back"]


def test_a_long_text_is_read_in_overlapping_windows_of_whole_sentences(model):
    text = BACKGROUND * 6 + "Kratom took my nerve pain away completely."
    for context, budget in ((None, model.max_length - 2), ("does it help?", (model.max_length - 3) * 3 // 4)):
        windows = model.windows(text, context)
        assert len(windows) > 1
        assert all(_tokens(model, w) <= budget for w in windows)
        assert windows[0].startswith("Some background") and windows[-1].endswith("completely.")
        for earlier, later in zip(windows, windows[1:]):
            last_sentence = earlier.rstrip().rsplit(". ", 1)[-1]
            assert later.startswith(last_sentence)  # one sentence of overlap
        assert all(sentence.strip() in text for w in windows for sentence in w.split(". "))


def test_a_sentence_longer_than_a_window_is_cut_and_the_windows_are_capped(model):
    endless = "and then " * 2000
    windows = model.windows(endless)
    assert len(windows) == MAX_WINDOWS
    assert all(_tokens(model, w) <= model.max_length - 2 for w in windows)


def test_a_claim_after_the_token_cap_still_scores_as_it_does_alone(model):
    claim = "Kratom took my nerve pain away completely."
    alone = model.score(claim)["neuropathic-pain"]
    late = model.score(BACKGROUND * 6 + claim)["neuropathic-pain"]
    assert _tokens(model, BACKGROUND * 6) > model.max_length
    assert alone > 0.9 and late > 0.9


def test_a_huge_text_costs_no_more_than_the_windows_it_fills(model):
    for hostile in ("Kratom is a plant. " * 200_000, "x" * 1_000_000, " " * 100_000 + "kratom fixed my back", "." * 200_000):
        started = time.perf_counter()
        windows = model.windows(hostile)
        assert time.perf_counter() - started < 0.5
        assert 1 <= len(windows) <= MAX_WINDOWS
