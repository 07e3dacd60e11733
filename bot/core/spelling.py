"""Two swapped letters put back ("sfaer", "hydrocodnoe"), a dropped letter put back
("anxity", "neuropaty"), leetspeak at a word's edge read ("harmle55", "0verdose"), and a
word split in two joined ("dep.ression", "an xiety", "add-ictive"), so that a typo or a
disguise does not hide a claim.

Only into the rules' own words (their vocabulary: words of five letters or more in
patterns and examples), and never where the typed word is English (``english_words.txt``):

- a word that becomes a word of the vocabulary when two neighbouring letters (not the
  first) change places;
- a word whose leading or trailing digits, read as letters, make a word of the
  vocabulary (the normaliser reads only digits between two letters, so "b12" stays);
- a word of the vocabulary of six letters or more typed with one inner letter left
  out, when no other word of the vocabulary gives the same;
- two parts of two letters or more with one separator between them, when together
  they make a word of the vocabulary and one part is not English ("pain less" stays).

The offset map follows, so spans still point at what the member typed. Other
misspellings are left to the learned model.
"""

from __future__ import annotations

import itertools
import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from bot.core.normalise import LEET, NormalisedText
from bot.core.ruleset import compiled

ENGLISH_WORDS = Path(__file__).with_name("english_words.txt")
MIN_LETTERS = 5
MIN_DROPPED_FROM = 6  # a shorter word with a letter left out is too often another word
_WORD = re.compile(rb"[a-z]{%d,}" % MIN_LETTERS)
_LITERAL = re.compile(r"[a-z]{%d,}" % MIN_LETTERS)
_ESCAPE = re.compile(r"\\[A-Za-z]")
_STEM_AND_ENDINGS = re.compile(r"(?<![a-z])([a-z]+)\(\?:((?:[a-z]*\|)+[a-z]*)\)")  # "oxy(?:codone|contin|s)"
_FIRST_SEPARATOR = re.compile(rb"[^a-z]")
_DIGIT_WORD = re.compile(rb"\b[a-z0-9]*[0-9][a-z0-9]*\b")
_LEET_DIGITS = "".join(d for d in LEET if d.isdigit())
_DIGITS_AS_LETTERS = bytes.maketrans(_LEET_DIGITS.encode(), "".join(LEET[d] for d in _LEET_DIGITS).encode())
SEPARATORS = r"[ .\-_*]"  # one of these between the two parts of a split word


def english_words(path: Path = ENGLISH_WORDS) -> frozenset[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def vocabulary_of(texts: Iterable[str]) -> set[str]:
    """The words of five or more letters in ``texts`` (rule patterns, examples): what the rules look for.

    A pattern's escapes are not letters of its words ("\\bwould" is "would", not "bwould"), and a
    word that a group of letters completes ("oxy(?:codone|contin)") is each word it makes.
    """
    words = set()
    for text in texts:
        text = _ESCAPE.sub(" ", text).lower()
        words.update(_LITERAL.findall(text))
        for stem, endings in _STEM_AND_ENDINGS.findall(text):
            words.update(w for w in (stem + ending for ending in endings.split("|")) if len(w) >= MIN_LETTERS)
    return words


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
        # A word of six letters or more with one inner letter left out ("anxity", "neuropaty"),
        # when no other word of the vocabulary gives the same and it is not a word. Not the
        # last letter: "opiate" is a word, if not in the list, and "opiates" is another.
        dropped: dict[str, str | None] = {}
        for word in words:
            if len(word) >= MIN_DROPPED_FROM:
                for i in range(1, len(word) - 1):
                    typo = word[:i] + word[i + 1 :]
                    if typo not in words and typo not in english:
                        dropped[typo] = word if dropped.get(typo, word) == word else None
        dropped = {typo: word for typo, word in dropped.items() if word}
        self._dropped = {typo.encode(): word.encode() for typo, word in dropped.items()}
        self._dropped_letter = compiled(rf"\b(?:{'|'.join(sorted(dropped))})\b") if dropped else None
        self._fixes: dict[bytes, bytes] = {}
        for word in sorted(words):
            for i in range(1, len(word) - 1):
                typo = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
                if typo not in words and typo not in english:
                    self._fixes.setdefault(typo.encode(), word.encode())
        self.fixed = lru_cache(maxsize=4096)(self.fixed)

    def fix(self, data: bytes) -> bytes:
        """``data`` with its typos put back: swapped letters, leet digits, split words, a dropped letter."""
        data = self._unswap(data)
        pieces, last = [], 0
        for start, end, replacement in self._edits(data):
            pieces += (data[last:start], replacement)
            last = end
        return b"".join(pieces) + data[last:]

    def _unswap(self, data: bytes) -> bytes:
        fixes = self._fixes
        data = _WORD.sub(lambda m: fixes.get(m.group(), m.group()), data)
        return _DIGIT_WORD.sub(self._read_digits, data) if _DIGIT_WORD.search(data) else data

    def _read_digits(self, match: re.Match) -> bytes:
        word = match.group()
        read = word.translate(_DIGITS_AS_LETTERS)
        return read if read in self._vocabulary else word

    def _edits(self, data: bytes) -> list[tuple[int, int, bytes]]:
        """(start, end, replacement) byte spans that change length, in order, none overlapping:
        split words joined, and words missing one letter given it back."""
        edits = []
        if self._split is not None:
            for match in self._split.finditer(data):
                word = match.group()
                cut = _FIRST_SEPARATOR.search(word).start()
                edits.append((match.start(), match.end(), word[:cut] + word[cut + 1 :]))
        if self._dropped_letter is not None:
            edits += [(m.start(), m.end(), self._dropped[m.group()]) for m in self._dropped_letter.finditer(data)]
        edits.sort(key=lambda edit: (edit[0], -edit[1]))  # of two at one place, the longer: "overdo se", not "overdo"
        kept, last = [], 0
        for edit in edits:
            if edit[0] >= last:
                kept.append(edit)
                last = edit[1]
        return kept

    def fixed(self, norm: NormalisedText) -> NormalisedText:
        """``norm`` with its typos put back (the same object when there are none), its offset
        map and block quotes moved to match: a changed word's first and last letters still
        point at the first and last letters the member typed."""
        data = self._unswap(norm.data)
        edits = self._edits(data)
        if not edits:
            return norm if data == norm.data else replace(norm, text=data.decode("utf-8"), data=data)
        text = data.decode("utf-8")
        char_of_byte = _char_indices(text) if len(text) != len(data) else None
        offsets = range(len(text)) if norm.offsets is None else norm.offsets
        pieces, mapped, last = [], [], 0
        for start, end, replacement in edits:
            first, stop = (start, end) if char_of_byte is None else (char_of_byte[start], char_of_byte[end - 1] + 1)
            pieces.append(text[last:first])
            mapped.extend(offsets[last:first])
            typed, word = offsets[first:stop], replacement.decode("ascii")
            pieces.append(word)
            mapped.extend(typed[min(k, len(typed) - 2)] for k in range(len(word) - 1))
            mapped.append(typed[-1])
            last = stop
        pieces.append(text[last:])
        mapped.extend(offsets[last:])
        ends = [end for _, end, _ in edits]
        shifts = list(itertools.accumulate(len(r) - (e - s) for s, e, r in edits))

        def moved(position: int) -> int:
            done = bisect_right(ends, position)  # edits that end at or before this byte
            return position + (shifts[done - 1] if done else 0)

        new_text = "".join(pieces)
        return replace(
            norm,
            text=new_text,
            data=new_text.encode("utf-8"),
            offsets=tuple(mapped),
            quotes=tuple((moved(s0), moved(s1)) for s0, s1 in norm.quotes),
        )


def _char_indices(text: str) -> dict[int, int]:
    """The character index of each ASCII byte of ``text`` in UTF-8 (separators are ASCII)."""
    indices, position = {}, 0
    for index, ch in enumerate(text):
        if ch.isascii():
            indices[position] = index
        position += len(ch.encode("utf-8"))
    return indices
