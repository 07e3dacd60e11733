from bot.core.normalise import normalise


def test_ascii_folds_case_and_markdown_without_changing_length():
    norm = normalise("**KRATOM** is ||great|| `ok` > quoted")
    assert norm.offsets is None
    assert len(norm.text) == len(norm.original)
    assert "kratom" in norm.text and "*" not in norm.text and "|" not in norm.text and "`" not in norm.text


def test_zero_width_characters_are_removed_and_spans_map_back():
    text = "k\u200br\u200ba\u200bt\u200bo\u200bm heals"
    norm = normalise(text)
    assert norm.text.startswith("kratom")
    start, end = norm.to_original(0, 6)
    assert text[start:end] == text[:11]


def test_cyrillic_and_greek_look_alikes_become_latin():
    # Cyrillic а, о and Greek κ
    norm = normalise("\u03bar\u0430t\u043em")
    assert norm.text == "kratom"


def test_nfkc_folds_fullwidth_and_strips_accents():
    assert normalise("ｋｒａｔｏｍ").text == "kratom"
    assert normalise("krátöm").text == "kratom"


def test_not_equal_sign_is_kept():
    # Decomposing ≠ would give '=', turning a denial into a claim.
    assert "≠" in normalise("plant ≠ harmless").text


def test_urls_and_mentions_are_blanked():
    text = "see https://kratom.example/safe and <@123456> and @kratomfan"
    norm = normalise(text)
    assert "kratom" not in norm.text
    assert len(norm.text) == len(text)


def test_curly_quotes_become_straight():
    assert normalise("\u201cnon-addictive\u201d").text == '"non-addictive"'


def test_span_maps_through_multi_character_folds():
    text = "ﬁne: ｋｒａｔｏｍ is safe"
    norm = normalise(text)
    index = norm.text.index("kratom")
    start, end = norm.to_original(index, index + 6)
    assert text[start:end] == "ｋｒａｔｏｍ"
