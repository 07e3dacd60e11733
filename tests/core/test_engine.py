import pytest

from bot.core.claims import ClaimId
from bot.core.engine import Engine
from bot.core.models import Conversation
from tests.conftest import claims_of


@pytest.mark.parametrize(
    "text",
    [
        "kratom is way safer than oxy",
        "kr4tom is way safer than oxy",
        "k r a t o m is way safer than oxy",
        "k.r.a.t.o.m is way safer than oxy",
        "KRATOM is way safer than oxy",
        "**kratom** is way safer than oxy",
        "||kratom|| is way safer than oxy",
        "> kratom is way safer than oxy",
        "`kratom` is way safer than oxy",
        "kr\u0430tom is way safer than oxy",  # Cyrillic a
        "kra\u200btom is way safer than oxy",  # zero-width space
        "ketum is way safer than oxy",
        "kratum is way safer than oxy",
        "kakuam is way safer than oxy",
        "biak is way safer than oxy",
        "Mitragyna speciosa is way safer than oxy",
        "mitragynine is way safer than oxy",
        "7-OH is way safer than oxy",
        "maeng da is way safer than oxy",
        "kr4t0m is w4y s4f3r th4n oxy",  # leetspeak, the claim's words too ("0xy" stays: "4th", "3rd")
        "k r a t 0 m is way s a f 3 r than oxy",  # leetspeak spelt out
        "k@r@t@o@m is way s@fer than oxy",
        "cratom is way safer than oxy",  # spelt as it sounds
        "kraaatom is way safer than oxy",  # a letter drawn out
    ],
)
def test_aliases_and_obfuscations_are_recognised(engine, text):
    assert ClaimId.SAFER_THAN_OPIOIDS in claims_of(engine, text)


@pytest.mark.parametrize(
    "text",
    [
        "https://kratom-vendor.example/is-way-safer-than-oxy",
        "@kratomfan is way safer than oxy",
        "<@123456789> is way safer than oxy",
    ],
)
def test_kratom_inside_url_or_username_is_not_a_mention(engine, text):
    assert claims_of(engine, text) == set()


def test_implied_subject_from_context(engine):
    context = ["doc wants me on oxycodone for my back", "a friend keeps telling me to try kratom instead"]
    assert claims_of(engine, "it's way safer than oxy tbh", context) == {"safer-than-opioids"}
    assert claims_of(engine, "it's way safer than oxy tbh") == set()


def test_channel_talk_gives_a_subject_only_to_messages_that_point_back_or_answer(engine):
    """Outside a reply, kratom mentioned a few messages up is the subject only of a message
    that refers back to it or answers a question; ordinary pain chat stays ordinary."""
    talk = Conversation(("i started kratom last month",))
    assert engine.detect("physio is slowly helping my lower back", talk) == []
    assert {str(f.claim) for f in engine.detect("it's slowly helping my lower back", talk)} == {"chronic-pain"}
    asked = Conversation(("anyone here use kratom for anxiety?",))
    assert {str(f.claim) for f in engine.detect("helps mine a ton, I can finally go out again", asked)} == {"mood-treatment"}
    replied = Conversation((), "does kratom help with back pain?")
    assert {str(f.claim) for f in engine.detect("works great for me, my back is so much better", replied)} == {"chronic-pain"}
    assert engine.detect("just got home from work, my back is wrecked", replied) == []  # "work", the job


def test_context_about_another_substance_gives_no_subject(engine):
    assert claims_of(engine, "yeah it's way safer than oxy", ["anyone tried gabapentin for nerve pain?"]) == set()


@pytest.mark.parametrize(
    "text",
    [
        "kratom is NOT safer than opioids",
        "there's no way kratom is safer than oxy",
        "is kratom safer than oxy?",
        "anyone know if kratom is safer than oxy",
        "my uncle says kratom is safer than oxy",
        "this article claims kratom is safer than opioids lol",
        "the vendor's 'safer than opioids' line is nonsense",
        "gabapentin is safer than opioids",
    ],
)
def test_denials_questions_reports_and_other_substances_give_nothing(engine, text):
    assert ClaimId.SAFER_THAN_OPIOIDS not in claims_of(engine, text)


def test_reported_claim_endorsed_by_author_counts(engine):
    text = "the article says kratom can 'reduce reliance on prescription opioids' and that matches my experience"
    assert ClaimId.OPIOID_REPLACEMENT in claims_of(engine, text)


def test_agreement_reply_takes_on_the_claims_it_replies_to(engine):
    assert claims_of(engine, "facts 💯", ["you can't overdose on kratom, stop fearmongering"]) == {"no-overdose"}
    assert claims_of(engine, "source?", ["you can't overdose on kratom"]) == set()


def test_span_points_at_original_text(engine):
    text = "lol **KR4TOM** is def SAFER than oxy"
    (finding,) = engine.detect(text)
    assert text[finding.start : finding.end] == finding.matched
    assert "SAFER" in finding.matched


def test_span_with_zero_width_characters(engine):
    text = "k\u200bratom is completely harmless"
    (finding,) = engine.detect(text)
    assert text[finding.start : finding.end] == finding.matched
    assert finding.matched.endswith("harmless")


def test_each_claim_id_once_per_message(engine):
    text = "kratom is safer than oxy. kratom is safer than percs. kratom is safer than norco."
    findings = engine.detect(text)
    assert [str(f.claim) for f in findings] == ["safer-than-opioids"]
    assert findings[0].start == 0


def test_several_claims_in_one_message(engine):
    text = "kratom is safer than oxy, it's not addictive, and you can't OD on it"
    assert claims_of(engine, text) == {"safer-than-opioids", "not-addictive", "no-overdose"}


def test_findings_carry_caveat_and_existing_sources(engine):
    for finding in engine.detect("kratom cured my neuropathy and it's completely harmless"):
        assert finding.caveat
        assert finding.sources and all(source.url.startswith("https://") for source in finding.sources)


def test_disabled_claims_and_rules(engine):
    text = "kratom is safer than oxy and totally harmless"
    assert {str(f.claim) for f in engine.detect(text, disabled_claims={"harmless"})} == {"safer-than-opioids"}
    assert {str(f.claim) for f in engine.detect(text, disabled_rules={"safer-than-opioids"})} == {"harmless"}


def test_failure_report_is_not_a_claim(engine):
    assert claims_of(engine, "tried kratom for my back, didn't help at all, waste of money") == set()


@pytest.mark.parametrize(
    "text",
    [
        "going to try kratom this week to come off my percs, fingers crossed",
        "was hoping the leaf would fix my tennis elbow. nope",
        "took kratom for a month to see if it helped my knees",
        "thinking about trying kratom to get off tramadol",
    ],
)
def test_a_plan_or_a_hope_is_not_a_claim(engine, text):
    assert claims_of(engine, text) == set()


def test_a_hedged_claim_is_still_a_claim(engine):
    assert claims_of(engine, "kratom might help your back pain, it did mine") == {"chronic-pain"}


def test_contrast_keeps_the_positive_half(engine):
    assert claims_of(engine, "kratom didn't help my anxiety but it fixed my back pain") == {"chronic-pain"}


def test_thang_as_slang_is_not_kratom(engine):
    assert claims_of(engine, "that thang is a lifesaver for my back") == set()
    assert claims_of(engine, "thang is my painkiller lol") == {"chronic-pain"}


def test_no_kratom_no_work(engine):
    assert engine.detect("what's for dinner tonight? thinking tacos") == []
    assert engine.detect("") == []


@pytest.mark.parametrize(
    "text",
    [
        "> red bali is the best thing for neuropathy\nplacebo. there is zero evidence for that",
        "someone said:\n> kratom is way safer than oxy\nand that's how people end up in the ER",
        "> you can't OD on kratom\n> it's just a leaf\n\nthe CDC counted overdose deaths where it was detected",
        "kratom tea cleared my jawline acne lmao, next they'll say it cures taxes /s",
        "kratom = less addictive than my morning coffee. said no one who tried to quit",
    ],
)
def test_block_quotes_answered_by_the_author_and_marked_sarcasm_make_no_claim(engine, text):
    assert claims_of(engine, text) == set()


@pytest.mark.parametrize(
    "text",
    [
        "my neighbour insists kratom is totally safe, i'm not convinced",
        "this guy on reddit swears k fixed his sciatica, press x to doubt",
        "vendors say red bali cures anxiety, but i'm highly skeptical",
    ],
)
def test_a_report_with_a_doubt_tag_asserts_nothing_so_the_model_is_not_asked(engine, text):
    assert claims_of(engine, text) == set()
    assert engine.asserts_nothing(text)


def test_a_claim_of_ones_own_beside_doubt_of_others_is_still_asserted(engine):
    assert not engine.asserts_nothing("kratom fixed my back, i'm skeptical of the haters")
    assert claims_of(engine, "kratom fixed my back, i'm skeptical of the haters") == {"chronic-pain"}


def test_a_block_quote_the_author_agrees_with_is_a_claim(engine):
    assert claims_of(engine, "> kratom is way safer than oxy\nthis. 100%") == {"safer-than-opioids"}
    assert claims_of(engine, "> kratom is way safer than oxy") == {"safer-than-opioids"}  # posted as their own
    assert claims_of(engine, ">>> kratom is way safer than oxy\nand you cant OD") == {"safer-than-opioids", "no-overdose"}


class _GivingUpSet:
    """An RE2 set whose DFA ran out of memory: RE2 then reports no match at all."""

    def Match(self, data):  # noqa: N802 - RE2's name
        return []


HOSTILE = ("kratom is safer than oxy and " + "k r a t o m " * 50 + "a" * 500 + " can't od on it ") * 40


@pytest.mark.parametrize("text", ["kratom is way safer than oxy", HOSTILE, HOSTILE[:900]])
def test_a_pattern_set_that_gives_up_falls_back_to_one_pattern_at_a_time(text):
    engine = Engine.load()
    expected = [(f.claim, f.rule_id, f.start) for f in engine.detect(text)]
    assert expected and engine.set_failures == 0
    engine._rule_sets = [(_GivingUpSet(), first, sentinel) for _, first, sentinel in engine._sets_per_rule()]
    assert [(f.claim, f.rule_id, f.start) for f in engine.detect(text)] == expected
    assert engine.set_failures > 0


def test_a_fast_gate_that_gives_up_says_maybe():
    engine = Engine.load()
    engine._might_name = _GivingUpSet()
    assert engine.might_name_kratom("good morning everyone")


def test_warm_up_changes_no_result(engine):
    fresh = Engine.load()
    fresh.warm_up()
    for text in ["kratom is way safer than oxy", "is kratom safer than oxy?", HOSTILE]:
        assert fresh.detect(text) == engine.detect(text)
