import time

import pytest

from bot.core.normalise import normalise
from bot.core.spelling import TypoFixer, english_words, vocabulary_of


def test_two_swapped_letters_are_put_back_into_the_rules_words():
    fixer = TypoFixer({"safer", "hydrocodone", "withdrawal"}, english=frozenset())
    assert fixer.fix(b"kratom is sfaer than hydrocodnoe") == b"kratom is safer than hydrocodone"
    assert fixer.fix(b"helped my wihtdrawal") == b"helped my withdrawal"


def test_english_words_and_short_words_are_left_alone():
    fixer = TypoFixer({"quiet", "trail", "safe"}, english=frozenset({"quite", "trial"}))
    assert fixer.fix(b"quite a trial, sfae") == b"quite a trial, sfae"  # "sfae": under five letters
    assert "quite" in english_words()


def test_the_vocabulary_is_the_words_the_rules_spell_out():
    assert vocabulary_of([r"\b(?:safer|less dangerous) than (?:oxy\w*|hydrocodone)", "k r"]) == {"safer", "dangerous", "hydrocodone"}


def test_a_typo_no_longer_hides_a_claim_and_the_span_points_at_what_was_typed(engine):
    text = "Kratom is **way** sfaer than oxycodone"
    (finding,) = engine.detect(text)
    assert str(finding.claim) == "safer-than-opioids"
    assert text[finding.start : finding.end] == finding.matched and "sfaer" in finding.matched


def test_a_word_split_in_two_is_joined_when_a_part_is_not_a_word():
    fixer = TypoFixer({"depression", "anxiety", "addictive", "painless"}, english=frozenset({"pain", "less", "an", "add"}))
    assert fixer.fix(b"cured my dep.ression") == b"cured my depression"
    assert fixer.fix(b"my an xiety, not add-ictive") == b"my anxiety, not addictive"
    assert fixer.fix(b"pain less than before") == b"pain less than before"  # both parts are words


def test_joining_split_words_takes_linear_time():
    fixer = TypoFixer({"depression"}, english=frozenset())
    for hostile in (b"a" * 50_000, b"de pression " * 5_000, b"ab-" * 20_000):
        started = time.perf_counter()
        fixer.fix(hostile)
        assert time.perf_counter() - started < 0.5
    quoted = normalise("> de pression\n" * 20_000)
    started = time.perf_counter()
    assert len(fixer.fixed(quoted).quotes) == 20_000
    assert time.perf_counter() - started < 0.5


@pytest.mark.parametrize("text", ["kratom cured my dep.ression", "ｋｒａｔｏｍ cured my dep.ression 🙏", "> kratom cured my dep.ression"])
def test_a_split_word_no_longer_hides_a_claim_and_the_span_points_at_what_was_typed(engine, text):
    (finding,) = engine.detect(text)
    assert str(finding.claim) == "mood-treatment"
    assert finding.matched.endswith("dep.ression") and text[finding.start : finding.end] == finding.matched


def test_a_join_moves_the_block_quotes_with_it(engine):
    norm = engine.fix_typos(normalise("> my dep.ression\nkratom helps"))
    (quote,) = norm.quotes
    assert norm.data[quote[0] : quote[1]].strip() == b"my depression"


def test_leetspeak_at_a_word_s_edge_is_read_only_into_the_rules_words():
    fixer = TypoFixer({"harmless", "overdose", "opioids"}, english=frozenset())
    assert fixer.fix(b"harmle55, cant 0verdose, 0pi0ids") == b"harmless, cant overdose, opioids"
    assert fixer.fix(b"b12 and 10mg on win10, 4th time") == b"b12 and 10mg on win10, 4th time"


def test_a_dropped_letter_is_put_back_into_the_rules_longer_words_only():
    fixer = TypoFixer({"anxiety", "neuropathy", "safer", "painful", "paintul"}, english=frozenset({"anxity"}))
    assert fixer.fix(b"my neuropaty is gone") == b"my neuropathy is gone"
    assert fixer.fix(b"anxity") == b"anxity"  # an English word (here) is left alone
    assert fixer.fix(b"sfer") == b"sfer"  # "safer" is too short to be guessed from four letters
    assert fixer.fix(b"painul") == b"painul"  # "painful" or "paintul": no guess


@pytest.mark.parametrize("text", ["kratom cured my anxity", "ｋｒａｔｏｍ cured my anxity 🙏", "kratom cured my anxity and dep.ression"])
def test_a_dropped_letter_no_longer_hides_a_claim_and_the_span_points_at_what_was_typed(engine, text):
    finding = next(f for f in engine.detect(text) if str(f.claim) == "mood-treatment")
    assert text[finding.start : finding.end] == finding.matched and "anxity" in finding.matched


def test_a_dropped_letter_put_back_moves_the_block_quotes_after_it(engine):
    norm = engine.fix_typos(normalise("my anxity is gone\n> my neuropaty too\nkratom helps"))
    (quote,) = norm.quotes
    assert norm.data[quote[0] : quote[1]].strip() == b"my neuropathy too"


def test_the_vocabulary_reads_a_patterns_words_not_its_escapes_and_completes_its_groups():
    words = vocabulary_of([r"\bwould\b|\bhelped\s+me|oxy(?:codone|contin|s)?\b", "plain words, withdrawal"])
    assert {"would", "helped", "oxycodone", "oxycontin", "withdrawal", "plain", "words"} <= words
    assert "bwould" not in words and "bhelped" not in words and "oxys" not in words  # oxys: under five letters


def test_a_dropped_letter_in_an_opioid_named_through_a_group_is_put_back(engine):
    assert engine.fix_typos(normalise("kratom is so much safer than oxycdone")).text.endswith("oxycodone")
