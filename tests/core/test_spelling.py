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
