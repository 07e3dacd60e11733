"""How rules and the model combine, with a spec'd stand-in for the model so each decision is exact."""

from unittest.mock import create_autospec

import numpy as np
import pytest

from bot.core.claims import ClaimId
from bot.core.hybrid import MODEL_RULE_ID, Cutoffs, HybridEngine, choose_cutoffs, decide
from bot.core.learned import Card, ClaimModel
from bot.core.models import Conversation

CLAIMS = tuple(str(c) for c in ClaimId)


def stand_in(scores: dict[str, float], threshold: float = 0.7, veto: float = 0.1):
    model = create_autospec(ClaimModel, instance=True)
    model.claims = CLAIMS
    model.card = Card(CLAIMS, "0" * 64, 128, {c: threshold for c in CLAIMS}, {c: veto for c in CLAIMS}, {})
    row = np.array([[scores.get(c, 0.0) for c in CLAIMS]], dtype=np.float32)
    model.scores.side_effect = lambda batch, reader=None: np.repeat(row, len(batch), axis=0)
    return model


def claims(findings):
    return {str(f.claim) for f in findings}


def test_a_rule_hit_the_model_agrees_with_is_kept(engine):
    hybrid = HybridEngine(engine, stand_in({"safer-than-opioids": 0.5}))
    (finding,) = hybrid.detect("kratom is way safer than oxy")
    assert finding.rule_id == "safer-than-opioids" and finding.basis == "message"


def test_a_rule_hit_the_model_reads_as_no_claim_is_vetoed(engine):
    hybrid = HybridEngine(engine, stand_in({"safer-than-opioids": 0.01}))
    assert hybrid.detect("kratom is way safer than oxy") == []


def test_the_model_finds_what_no_rule_matches_with_the_rules_caveat(engine):
    hybrid = HybridEngine(engine, stand_in({"chronic-pain": 0.93}))
    (finding,) = hybrid.detect("kratom means my costochondritis barely registers now")
    rule = next(r for r in engine.rules if r.claim == "chronic-pain")
    assert (finding.rule_id, finding.basis, finding.score) == (MODEL_RULE_ID, "model", pytest.approx(0.93, abs=1e-3))
    assert finding.caveat == rule.caveat and [s.id for s in finding.sources] == rule.sources


def test_the_model_never_sees_a_conversation_that_does_not_name_kratom(engine):
    model = stand_in({"chronic-pain": 0.99})
    hybrid = HybridEngine(engine, model)
    assert hybrid.detect("turmeric has been a lifesaver for my flares") == []
    model.scores.assert_not_called()
    assert claims(hybrid.detect("same for me", Conversation(replied_to="k helps my flares"))) == {"chronic-pain"}


def test_disabled_claims_stay_off_for_the_model_too(engine):
    hybrid = HybridEngine(engine, stand_in({"chronic-pain": 0.99, "harmless": 0.99}))
    found = hybrid.detect("kratom is the best for my back", disabled_claims={"harmless"})
    assert claims(found) == {"chronic-pain"}


def test_a_batch_is_scored_in_one_model_run(engine):
    model = stand_in({"mood-treatment": 0.9})
    hybrid = HybridEngine(engine, model)
    batch = [("kratom calms me", Conversation()), ("lunch?", Conversation()), ("ketum calms me", Conversation())]
    results = hybrid.detect_many(batch)
    assert [claims(r) for r in results] == [{"mood-treatment"}, set(), {"mood-treatment"}]
    assert model.scores.call_count == 1 and len(model.scores.call_args.args[0]) == 2


def test_decide_uses_threshold_and_veto():
    cutoffs = Cutoffs(threshold=0.7, veto=0.1)
    assert decide(False, 0.7, cutoffs) and not decide(False, 0.69, cutoffs)
    assert decide(True, 0.1, cutoffs) and not decide(True, 0.09, cutoffs)


def test_cutoffs_are_chosen_for_precision_first():
    labels = np.array([True] * 10 + [False] * 10)
    scores = np.array([0.9] * 8 + [0.4] * 2 + [0.5] * 2 + [0.05] * 8)
    rule_hits = np.array([False] * 8 + [True] * 2 + [False] * 2 + [True] * 8)
    cutoffs = choose_cutoffs(rule_hits, scores, labels)
    found = (scores >= cutoffs.threshold) | (rule_hits & (scores >= cutoffs.veto))
    assert not (found & ~labels).any(), "no false positive when a precise choice exists"
    assert found[labels].all(), "and among the precise choices, full recall"


def test_a_claim_whose_rules_are_often_wrong_counts_a_rule_hit_only_with_the_model_behind_it():
    labels = np.array([True] * 10 + [False] * 10)
    scores = np.array([0.8] * 10 + [0.25] * 10)
    rule_hits = np.array([True] * 5 + [False] * 5 + [True] * 10)  # the rule is right half the time
    cutoffs = choose_cutoffs(rule_hits, scores, labels)
    assert 0.25 < cutoffs.veto <= cutoffs.threshold <= 0.8
    found = (scores >= cutoffs.threshold) | (rule_hits & (scores >= cutoffs.veto))
    assert found[labels].all() and not found[~labels].any()


def test_a_rule_finding_whose_subject_only_the_channel_implies_is_vetted_by_the_model(engine):
    channel = Conversation(("anyone tried kratom for back pain?", "lunch was great"))
    assert claims(engine.detect("it really helps my back", channel)) == {"chronic-pain"}
    doubted = stand_in({"chronic-pain": 0.01})
    assert HybridEngine(engine, doubted).detect("it really helps my back", channel) == []
    (pairs,), _ = doubted.scores.call_args
    assert pairs == [("it really helps my back", Conversation(replied_to="anyone tried kratom for back pain?"))]
    backed = HybridEngine(engine, stand_in({"chronic-pain": 0.5, "mood-treatment": 0.99}))
    assert claims(backed.detect("it really helps my back", channel)) == {"chronic-pain"}, "vetted, never added to"


def test_the_words_that_drove_a_model_finding_are_the_claim_s_words(hybrid):
    text = "the leaf has been a lifesaver for my costochondritis, honestly"
    (finding,) = [f for f in hybrid.detect(text) if f.rule_id == MODEL_RULE_ID]
    words = [word for word, _ in hybrid.drivers(text, Conversation(), str(finding.claim))]
    assert words and set(words) & {"lifesaver", "costochondritis,", "leaf"}


def test_in_a_long_text_the_words_come_from_the_window_that_makes_the_claim(hybrid):
    background = "Some background first. I work nights at a bakery and I started running again in March. " * 8
    text = background + "These days the leaf is a lifesaver for my costochondritis."
    words = [word for word, _ in hybrid.drivers(text, Conversation(), "chronic-pain")]
    assert words and all(word in "These days the leaf is a lifesaver for my costochondritis." for word in words)
