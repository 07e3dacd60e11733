import time

import pytest

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


@pytest.mark.parametrize(
    "disguised",
    [
        "ᴋʀᴀᴛᴏᴍ is sᴀꜰᴇʀ",  # small capitals
        "ｋｒａｔｏｍ is ｓａｆｅｒ",  # full-width
        "𝐤𝐫𝐚𝐭𝐨𝐦 is 𝒔𝒂𝒇𝒆𝒓",  # mathematical bold and bold italic
        "Ⓚⓡⓐⓣⓞⓜ is ⓢⓐⓕⓔⓡ",  # circled
        "🅺🆁🅰🆃🅾🅼 is safer",  # negative squared
        "кrатом is ѕаfеr",  # Cyrillic look-alikes
        "κrαtom is safer",  # Greek look-alikes
        "k r a t o m is s a f e r",  # spelt out with spaces
        "k.r.a.t.o.m is s.a.f.e.r",  # ... with dots
        "k-r-a-t-o-m is s-a-f-e-r",  # ... with hyphens
        "kr\u200ba\u200btom is sa\u200cfer",  # zero-width characters
        "kr4t0m is s4f3r",  # leetspeak
        "KR470M is s@F3R",  # ... with a symbol and a run of digits
        "k r 4 t 0 m is s 4 f 3 r",  # leetspeak spelt out
        "ｋｒ４ｔ０ｍ is ｓ４ｆ３ｒ",  # full-width leetspeak
    ],
)
def test_disguises_fold_to_plain_words_and_spans_map_back(disguised):
    norm = normalise(disguised)
    assert norm.text == "kratom is safer"
    start, end = norm.to_original(norm.text.index("safer"), len(norm.text))
    assert normalise(disguised[start:end]).text == "safer"


def test_spelt_out_words_keep_short_abbreviations_and_articles():
    assert normalise("e.g. at 9 a.m. it was fine").text == "e.g. at 9 a.m. it was fine"
    assert normalise("i am a k r a t o m fan").text == "i am a kratom fan"


def test_leetspeak_is_read_inside_words_only():
    assert normalise("h4rml3ss n4tur4l m3d1c1n3, you c4n7 0verd0se").text == "harmless natural medicine, you cant overdose"
    # Numbers with units, vertebrae, codes and plain counts keep their digits.
    kept = "10mg 4g 2.5g b12 l4 l5 c7 24/7 7-oh 7oh mp3 a1c2 3rd 1st 5htp 1 3 5 x 0d"
    assert normalise(kept).text == kept


def test_a_symbol_between_every_letter_is_a_separator_not_leetspeak():
    assert normalise("k@r@t@o@m is great").text == "krtom is great"  # the rules know "krtom"


def test_leetspeak_keeps_the_length_so_spans_need_no_map():
    norm = normalise("the l3af is saf3r than any opi0id")
    assert norm.text == "the leaf is safer than any opioid" and norm.offsets is None


def test_long_runs_of_digits_and_letters_fold_in_linear_time():
    for hostile in ("a" + "1" * 20_000, "a1" * 10_000 + "2", "a 1 " * 5_000, "> quoted line\n" * 20_000, "> ｋｒａｔｏｍ\n" * 20_000):
        started = time.perf_counter()
        normalise(hostile)
        assert time.perf_counter() - started < 0.5


def test_emoji_and_symbols_keep_their_meaning():
    assert normalise("kratom 😀 ≠ safe").text == "kratom 😀 ≠ safe"


def test_the_pill_syringe_and_vs_emoji_read_as_words_and_spans_map_back():
    text = "kratom got me off the 💊 🆚 the 💉"
    norm = normalise(text)
    assert norm.text.split() == ["kratom", "got", "me", "off", "the", "pills", "vs", "the", "needles"]
    index = norm.text.index("pills")
    start, end = norm.to_original(index, index + len("pills"))
    assert text[start:end] == "💊"


def test_block_quotes_are_found_line_by_line_and_to_the_end_after_three_marks():
    text = "> one\nmine\n>>> two\n> three\nfour"
    norm = normalise(text)
    quoted = [norm.data[a:b].decode().strip() for a, b in norm.quotes]
    assert quoted == ["one", "two\n  three\nfour"]


def test_a_quote_mark_is_blanked_but_a_comparison_keeps_its_sign():
    norm = normalise("kratom > oxy, leaf >>> lean\n> quoted k > x\n  >>> rest")
    assert norm.offsets is None and len(norm.text) == len(norm.original)
    lines = norm.text.split("\n")
    assert lines[0] == "kratom > oxy, leaf >>> lean"
    assert lines[1] == "  quoted k > x"  # the mark goes, the comparison inside the quote stays
    assert lines[2] == "      rest"
    assert normalise("\uff4b\uff52\uff41\uff54\uff4f\uff4d \uff1e oxy").text == "kratom > oxy"  # full-width sign
