"""Text normalisation that remembers where every character came from.

Rules match against a folded copy of the message: lower case, compatibility
forms and accents removed, look-alike letters folded to the Latin letter they
imitate, zero-width and control characters dropped, Discord markdown and curly
quotes flattened, URLs and mentions blanked out, words spelt out letter by
letter ("s a f e r", "k.r.a.t.o.m", "k r a t 0 m") joined up again, and
leetspeak inside a word ("h4rml3ss", "saf3r", "opi0id") read as the letters
it stands for.

Look-alikes are folded by ``decancer`` (a maintained table of Unicode
confusables, UTS #39 and more, built for Discord names): small capitals,
full-width, mathematical alphanumerics, circled and squared letters, Cyrillic
and Greek homoglyphs. It is consulted for letters only: symbols such as "≠" or
emoji keep their meaning, and the pill, syringe and "VS" emoji are read as words.

Findings must point at the words the member actually typed, so the folded copy
keeps an offset map back into the original text. Plain ASCII messages (the
common case) usually fold without changing length, so they need no map at all.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import decancer_py

# Markdown and formatting characters become spaces: bold/italic (*, _),
# strikethrough (~), spoilers (||), inline code (`), headings (#) and escapes (\).
# Same length, so offsets stay valid. A block quote's ">" goes too (``_blank_quote_marks``);
# any other ">" stays, because chat writes comparisons with it ("kratom > oxy").
_MARKDOWN = "*_~|`#\\"
_ASCII_TABLE = str.maketrans({c: " " for c in _MARKDOWN})

_PUNCTUATION = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u00ab": '"', "\u00bb": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
    "\u2015": "-", "\u2212": "-",
    "\u00a0": " ", "\u2028": "\n", "\u2029": "\n",
}

# Emoji that chat writes for a word of the claims ("got me off the 💊", "kratom 🆚 oxy"),
# read as that word; every other emoji stays as it is.
_EMOJI_WORDS = {"\U0001f48a": " pills ", "\U0001f489": " needles ", "\U0001f19a": " vs "}

# URLs, Discord mentions (users, roles, channels), custom emoji, @everyone and
# plain @handles: a name inside them is not a mention of kratom.
_OPAQUE = re.compile(
    r"https?://\S+|www\.\S+|<@[!&]?\d+>|<#\d+>|<a?:\w+:\d+>|<t:\d+(?::\w)?>|(?:^|(?<=\s))@[\w.]+"
)


_NON_ASCII = re.compile(r"[^\x00-\x7f]")
# Discord block quotes: "> " quotes the rest of its line, ">>> " the rest of the message.
_QUOTE_LINE = re.compile(r"^[ \t]*(?:(>>>)|>)[ \t]", re.MULTILINE)


# Leetspeak: the digits and symbols that stand for letters, and what they stand for.
# "1" reads as "i" ("m3d1c1n3"), the commoner of its two readings. "$" is left out: at
# the start of a word ("$afe") it would need a word boundary that a symbol does not have.
LEET = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a"}
_LEET_TABLE = str.maketrans(LEET)
_LEET_CHARS = re.escape("".join(LEET))
# A word is written in leetspeak when some of these sit between two letters ("saf3r",
# "kr470m"); a number with a unit ("10mg", "4g", "b12") or a code ("24/7", "7-oh") has none.
_LEET_INSIDE = re.compile(rf"[a-z][{_LEET_CHARS}]+[a-z]")
# A word for that test; one with another digit in it ("a1c2", "mp3s8") is not leetspeak.
_LEET_WORD = re.compile(r"[0-9a-z@]+")

# A word spelt out with one separator between its letters: "s a f e r",
# "k.r.a.t.o.m", "s-a-f-e", "k@r@t@o@m", "k r a t 0 m". Three letters or leet
# characters at least, the first and last letters, so "e.g.", "a.m." and "1 2 3" stay.
_SPELT_OUT = re.compile(rf"(?<![a-z0-9])[a-z]([ .\-_*@])(?:[a-z{_LEET_CHARS}]\1)+[a-z](?![a-z0-9])")


def _looks_like_letter(ch: str) -> bool:
    """Letters and digits, and the symbols that are letters in disguise (🅺, Ⓚ)."""
    category = unicodedata.category(ch)
    if category[0] in "LN":
        return True
    return category == "So" and "LATIN" in unicodedata.name(ch, "") and "LETTER" in unicodedata.name(ch, "")


def _fold_letter(ch: str) -> str:
    """The Latin letters a non-ASCII letter imitates, or the letter without its accents."""
    cured = str(decancer_py.parse(ch))
    if cured and cured.isascii() and cured.isalnum():
        return cured.lower()
    bare = "".join(p for p in unicodedata.normalize("NFKD", ch) if unicodedata.category(p) not in ("Mn", "Me"))
    return bare.lower()


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    """What one non-ASCII character becomes in the folded text ('' = dropped)."""
    if ch in _PUNCTUATION:
        return _PUNCTUATION[ch]
    if ch in _EMOJI_WORDS:
        return _EMOJI_WORDS[ch]
    category = unicodedata.category(ch)
    if category in ("Cf", "Cc", "Mn", "Me", "Cs", "Co"):
        # Zero-width joiners, bidi marks, soft hyphens, variation selectors,
        # combining accents, control characters.
        return "\n" if ch in "\n\r\v\f\x85" else (" " if ch == "\t" else "")
    if category.startswith("Z"):
        return " "
    out = []
    for part in unicodedata.normalize("NFKC", ch):
        if not part.isascii() and _looks_like_letter(part):
            part = _fold_letter(part)
        elif part.isascii():
            part = part.lower()
        # Symbols keep their meaning: decomposing "≠" would give "=".
        out.append("".join(" " if piece in _MARKDOWN else piece for piece in part))
    return "".join(out)


class _FoldTable(dict):
    """``str.translate`` table of what each character folds to; non-ASCII entries filled on first use."""

    def __missing__(self, code: int) -> str:
        folded = self[code] = _fold_char(chr(code))
        return folded


_FOLD_TABLE = _FoldTable({code: chr(code).lower().translate(_ASCII_TABLE) for code in range(128)})


_ASCII_BYTES = bytes(ord(chr(code).lower().translate(_ASCII_TABLE)) for code in range(128)) + bytes(range(128, 256))


def fold(text: str) -> bytes:
    """The folded letters of ``text`` as ``normalise`` folds them, in UTF-8, in one C-level
    pass and with no offset map; URLs and mentions are not blanked and spelt-out words
    are not joined.

    A cheap test for "could this name kratom?" runs on it: everything ``normalise`` does
    beyond it only ever removes text or joins letters that are already there.
    """
    if text.isascii():
        return text.encode("ascii").translate(_ASCII_BYTES)
    return text.translate(_FOLD_TABLE).encode("utf-8")


@dataclass(frozen=True, slots=True)
class NormalisedText:
    """The folded text plus, when lengths differ, the original index of each folded character."""

    original: str
    text: str
    offsets: tuple[int, ...] | None  # None: identity mapping
    data: bytes  # ``text`` in UTF-8: what the RE2 patterns run on, so no call re-encodes it
    quotes: tuple[tuple[int, int], ...] = ()  # byte spans of ``data`` that Discord shows as block quotes

    @classmethod
    def build(cls, original: str, text: str, offsets: tuple[int, ...] | None) -> NormalisedText:
        data = text.encode("utf-8")
        if ">" not in original:
            return cls(original, text, offsets, data)
        return cls(original, text, offsets, data, _quote_spans(original, text, offsets))

    def split_quotes(self) -> tuple[str, str]:
        """The folded text outside block quotes (the author's own words) and inside them."""
        if not self.quotes:
            return self.text, ""
        own, quoted = outside_and_inside(self.data, self.quotes)
        return b" ".join(own).decode("utf-8", "ignore"), b" ".join(quoted).decode("utf-8", "ignore")

    def byte_span_to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a [start, end) byte span of ``data`` to the original text."""
        if len(self.data) != len(self.text):
            start = len(self.data[:start].decode("utf-8", "ignore"))
            end = len(self.data[:end].decode("utf-8", "ignore"))
        return self.to_original(start, end)

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a [start, end) span of the folded text to the original text."""
        if self.offsets is None:
            return start, end
        if start >= len(self.offsets):
            return len(self.original), len(self.original)
        o_start = self.offsets[start]
        o_end = self.offsets[end - 1] + 1 if end > start else o_start
        # Swallow the rest of a multi-code-point original character.
        while o_end < len(self.original) and unicodedata.category(self.original[o_end]) in ("Mn", "Me", "Cf"):
            o_end += 1
        return o_start, o_end


def outside_and_inside(data: bytes, spans: tuple[tuple[int, int], ...]) -> tuple[list[bytes], list[bytes]]:
    """The non-blank parts of ``data`` outside the sorted ``spans``, and those inside them, stripped."""
    outside, inside, start = [], [], 0
    for s0, s1 in spans:
        outside.append(data[start:s0])
        inside.append(data[s0:s1])
        start = s1
    outside.append(data[start:])
    return [p.strip() for p in outside if p.strip()], [p.strip() for p in inside if p.strip()]


def _quote_spans(original: str, text: str, offsets: tuple[int, ...] | None) -> tuple[tuple[int, int], ...]:
    """Where the block quotes of ``original`` ("> " to the end of its line, ">>> " to the end
    of the message) lie in the folded text, as byte spans of its UTF-8 form."""
    quoted = []
    for match in _QUOTE_LINE.finditer(original):
        line_end = original.find("\n", match.start())
        end = len(original) if match.group(1) or line_end < 0 else line_end
        quoted.append((match.start(), end))
    if not quoted:
        return ()
    merged: list[tuple[int, int]] = []  # a ">>> " quote runs over the "> " lines after it
    for q0, q1 in quoted:
        if merged and q0 <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], q1))
        else:
            merged.append((q0, q1))
    # The folded text's original indices never decrease, so one pass over both lists will do.
    originals = offsets if offsets is not None else range(len(text))
    spans, start, k = [], None, 0
    for index, origin in enumerate(originals):
        while k < len(merged) and merged[k][1] <= origin:
            k += 1
        inside = k < len(merged) and merged[k][0] <= origin
        if inside and start is None:
            start = index
        elif not inside and start is not None:
            spans.append((start, index))
            start = None
    if start is not None:
        spans.append((start, len(text)))
    if text.isascii():
        return tuple(spans)
    byte_at = [0, *itertools.accumulate(len(ch.encode("utf-8")) for ch in text)]
    return tuple((byte_at[s], byte_at[e]) for s, e in spans)


def _blank_opaque(text: str) -> str:
    if "http" not in text and "www." not in text and "@" not in text and "<" not in text:
        return text
    return _OPAQUE.sub(lambda m: " " * len(m.group()), text)


def _join_spelt_out(folded: str, offsets: list[int] | None) -> tuple[str, list[int] | None]:
    """Drop the separators inside spelt-out words, keeping the offset map in step."""
    if offsets is None:
        offsets = list(range(len(folded)))
    keep = [True] * len(folded)
    for match in _SPELT_OUT.finditer(folded):
        start = match.start()
        if match.group(1) == " " and folded[start] in "ai" and match.end() - start >= 7:
            start += 2  # "a k r a t o m": the article is a word of its own
        for index in range(start + 1, match.end(), 2):
            keep[index] = False
    joined = "".join(ch for ch, kept in zip(folded, keep) if kept)
    return joined, [offset for offset, kept in zip(offsets, keep) if kept]


_LEET_FOR = {letter: "".join(c for c, read in LEET.items() if read == letter) for letter in set(LEET.values())}


def leet_tolerant(pattern: str) -> str:
    """``pattern`` with each letter also matching the leet characters that read as it
    ("a" becomes "[a4@]", "[ou]" becomes "[ou0]"), for searching text before
    ``normalise`` has read its leetspeak. Escapes, group syntax, quantifiers and
    negated classes are left as they are (a negated class stays as loose as it was).
    """
    out, i = [], 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            out.append(pattern[i : i + 2])
            i += 2
        elif ch == "[":
            end = i + 1 + (pattern[i + 1] == "^") + (pattern[i + 1 : i + 2] == "]" or pattern[i + 1 : i + 3] == "^]")
            while pattern[end] != "]":
                end += 2 if pattern[end] == "\\" else 1
            body = pattern[i + 1 : end]
            wanted = "" if body.startswith("^") else "".join(_LEET_FOR.get(c, "") for c in sorted(_letters_of_class(body)))
            extra = "".join(dict.fromkeys(c for c in wanted if c not in body))
            out.append(f"[{body}{re.escape(extra)}]" if extra else pattern[i : end + 1])
            i = end + 1
        elif ch == "(" and pattern.startswith("(?", i):
            end = i + 2
            while pattern[end] not in ":)>=!":
                end += 1
            out.append(pattern[i : end + 1])
            i = end + 1
        elif ch == "{":
            end = pattern.index("}", i)
            out.append(pattern[i : end + 1])
            i = end + 1
        else:
            out.append(f"[{ch}{re.escape(_LEET_FOR[ch])}]" if ch in _LEET_FOR else ch)
            i += 1
    return "".join(out)


def _letters_of_class(body: str) -> set[str]:
    """The ASCII letters a character class body names, ranges included; escapes skipped."""
    letters, i = set(), 0
    while i < len(body):
        if body[i] == "\\":
            i += 2
        elif i + 2 < len(body) and body[i + 1] == "-":
            letters.update(chr(c) for c in range(ord(body[i]), ord(body[i + 2]) + 1) if chr(c).isalpha())
            i += 3
        else:
            if body[i].isalpha():
                letters.add(body[i])
            i += 1
    return letters


def _read_leetspeak(folded: str) -> str:
    """Put letters for the digits and symbols of words written in leetspeak; same length."""
    if not _LEET_INSIDE.search(folded):
        return folded
    pieces, last = [], 0
    for match in _LEET_WORD.finditer(folded):
        word = match.group()
        if not _LEET_INSIDE.search(word) or not all(c.isalpha() or c in LEET for c in word):
            continue
        pieces += (folded[last : match.start()], word.translate(_LEET_TABLE))
        last = match.end()
    return "".join(pieces) + folded[last:]


def _blank_quote_marks(folded: str) -> str:
    """The ">" or ">>>" that opens a block quote, as spaces (same length); the quote's
    extent is kept apart (``NormalisedText.quotes``)."""
    if ">" not in folded:
        return folded
    return _QUOTE_LINE.sub(lambda m: " " * len(m.group()), folded)


def _finish(original: str, folded: str, offsets: list[int] | None) -> NormalisedText:
    folded = _blank_opaque(_blank_quote_marks(folded))
    if _SPELT_OUT.search(folded):
        folded, offsets = _join_spelt_out(folded, offsets)
    folded = _read_leetspeak(folded)
    return NormalisedText.build(original, folded, None if offsets is None else tuple(offsets))


def normalise(text: str) -> NormalisedText:
    """Fold ``text`` for matching; see the module docstring for what changes."""
    if text.isascii():
        return _finish(text, text.lower().translate(_ASCII_TABLE), None)

    # ASCII runs fold in bulk; only the non-ASCII characters go one by one.
    pieces: list[str] = []
    runs: list[tuple[int, int, int]] = []  # (original start, original length, folded length)
    same_shape = True
    position = 0
    for match in _NON_ASCII.finditer(text):
        index = match.start()
        if index > position:
            pieces.append(text[position:index].lower().translate(_ASCII_TABLE))
            runs.append((position, index - position, index - position))
        folded_ch = _fold_char(text[index])
        if len(folded_ch) != 1:
            same_shape = False
        pieces.append(folded_ch)
        runs.append((index, 1, len(folded_ch)))
        position = index + 1
    if position < len(text):
        pieces.append(text[position:].lower().translate(_ASCII_TABLE))
        runs.append((position, len(text) - position, len(text) - position))
    folded = "".join(pieces)
    if same_shape:
        return _finish(text, folded, None)
    offsets: list[int] = []
    for start, length, folded_length in runs:
        if length == folded_length:
            offsets.extend(range(start, start + length))
        else:
            offsets.extend([start] * folded_length)
    return _finish(text, folded, offsets)


@lru_cache(maxsize=2048)
def normalise_cached(text: str) -> NormalisedText:
    """Normalise text that is seen repeatedly, such as conversation context."""
    return normalise(text)
