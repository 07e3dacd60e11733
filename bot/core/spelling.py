"""Two swapped letters put back ("sfaer", "hydrocodnoe"), leetspeak at a word's edge read
("harmle55", "0verdose"), and a word split in two joined ("dep.ression", "an xiety",
"add-ictive"), so that a typo or a disguise does not hide a claim.

Only into the rules' own words: a word of five or more letters that is not an
English word (``english_words.txt``) and that becomes a word of the rules'
vocabulary when two neighbouring letters (not the first) change places, is
replaced by that word; so is a word whose leading or trailing digits, read as
letters, make one of the rules' words (the normaliser reads only the digits between
two letters, so that "b12" and "win10" stay); two parts of two letters or more, one separator between
them, are joined when together they make a word of the rules' vocabulary and one
of them is not an English word ("pain less" stays). The offset map follows, so
spans still point at what the member typed. Other misspellings are left to the
learned model.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from bot.core.normalise import LEET, NormalisedText
from bot.core.ruleset import compiled

ENGLISH_WORDS = Path(__file__).with_name("english_words.txt")
MIN_LETTERS = 5
_WORD = re.compile(rb"[a-z]{%d,}" % MIN_LETTERS)
_LITERAL = re.compile(r"[a-z]{%d,}" % MIN_LETTERS)
_FIRST_SEPARATOR = re.compile(rb"[^a-z]")
_DIGIT_WORD = re.compile(rb"\b[a-z0-9]*[0-9][a-z0-9]*\b")
_LEET_DIGITS = "".join(d for d in LEET if d.isdigit())
_DIGITS_AS_LETTERS = bytes.maketrans(_LEET_DIGITS.encode(), "".join(LEET[d] for d in _LEET_DIGITS).encode())
SEPARATORS = r"[ .\-_*]"  # one of these between the two parts of a split word


def english_words(path: Path = ENGLISH_WORDS) -> frozenset[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def vocabulary_of(texts: Iterable[str]) -> set[str]:
    """The words of five or more letters in ``texts`` (rule patterns, examples): what the rules look for."""
    return {word for text in texts for word in _LITERAL.findall(text.lower())}


class TypoFixer:
    def __init__(self, vocabulary: Iterable[str], english: frozenset[str] | None = None) -> None:
        english = english_words() if english is None else english
        words = set(vocabulary)
        self._vocabulary = {word.encode() for word in words}
        # Every split of every word of the vocabulary that has a part that is not a word
        # itself, as one RE2 alternation: one linear scan finds them all.
        splits = sorted(
            f"{word[:i]}{SEPARATORS}{word[i:]}"
            for word in words
            for i in range(2, len(word) - 1)
            if word[:i] not in english or word[i:] not in english
        )
        self._split = compiled(rf"\b(?:{'|'.join(splits)})\b") if splits else None
        self._fixes: dict[bytes, bytes] = {}
        for word in sorted(words):
            for i in range(1, len(word) - 1):
                typo = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
                if typo not in words and typo not in english:
                    self._fixes.setdefault(typo.encode(), word.encode())
        self.fixed = lru_cache(maxsize=4096)(self.fixed)

    def fix(self, data: bytes) -> bytes:
        """``data`` with swapped letters put back and split words joined."""
        data = self._unswap(data)
        separators = self._separators(data)
        return bytes(b for i, b in enumerate(data) if i not in separators) if separators else data

    def _unswap(self, data: bytes) -> bytes:
        fixes = self._fixes
        data = _WORD.sub(lambda m: fixes.get(m.group(), m.group()), data)
        return _DIGIT_WORD.sub(self._read_digits, data) if _DIGIT_WORD.search(data) else data

    def _read_digits(self, match: re.Match) -> bytes:
        word = match.group()
        read = word.translate(_DIGITS_AS_LETTERS)
        return read if read in self._vocabulary else word

    def _separators(self, data: bytes) -> frozenset[int]:
        """Byte offsets of the separators inside split words (each an ASCII character)."""
        if self._split is None:
            return frozenset()
        return frozenset(_FIRST_SEPARATOR.search(data, *m.span()).start() for m in self._split.finditer(data))

    def fixed(self, norm: NormalisedText) -> NormalisedText:
        """``norm`` with its typos put back (the same object when there are none), its offset
        map and block quotes moved to match where a separator was taken out."""
        data = self._unswap(norm.data)
        separators = self._separators(data)
        if not separators:
            return norm if data == norm.data else replace(norm, text=data.decode("utf-8"), data=data)
        text = data.decode("utf-8")
        char_of_byte = _char_indices(text) if len(text) != len(data) else None
        removed = separators if char_of_byte is None else {char_of_byte[b] for b in separators}
        offsets = range(len(text)) if norm.offsets is None else norm.offsets
        cuts = sorted(separators)
        quotes = tuple((s0 - bisect_left(cuts, s0), s1 - bisect_left(cuts, s1)) for s0, s1 in norm.quotes)
        data = bytes(b for i, b in enumerate(data) if i not in separators)
        return replace(
            norm,
            text=data.decode("utf-8"),
            data=data,
            offsets=tuple(o for i, o in enumerate(offsets) if i not in removed),
            quotes=quotes,
        )


def _char_indices(text: str) -> dict[int, int]:
    """The character index of each ASCII byte of ``text`` in UTF-8 (separators are ASCII)."""
    indices, position = {}, 0
    for index, ch in enumerate(text):
        if ch.isascii():
            indices[position] = index
        position += len(ch.encode("utf-8"))
    return indices
