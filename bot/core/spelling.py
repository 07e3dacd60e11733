"""Two swapped letters put back ("sfaer", "hydrocodnoe"), so that a typo does not hide a claim.

Only into the rules' own words: a word of five or more letters that is not an
English word (``english_words.txt``) and that becomes a word of the rules'
vocabulary when two neighbouring letters (not the first) change places, is
replaced by that word. The length stays the same, so spans still point at what
the member typed. Other misspellings are left to the learned model.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from bot.core.normalise import NormalisedText

ENGLISH_WORDS = Path(__file__).with_name("english_words.txt")
MIN_LETTERS = 5
_WORD = re.compile(rb"[a-z]{%d,}" % MIN_LETTERS)
_LITERAL = re.compile(r"[a-z]{%d,}" % MIN_LETTERS)


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
        self._fixes: dict[bytes, bytes] = {}
        for word in sorted(words):
            for i in range(1, len(word) - 1):
                typo = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
                if typo not in words and typo not in english:
                    self._fixes.setdefault(typo.encode(), word.encode())
        self.fixed = lru_cache(maxsize=4096)(self.fixed)

    def fix(self, data: bytes) -> bytes:
        fixes = self._fixes
        return _WORD.sub(lambda m: fixes.get(m.group(), m.group()), data)

    def fixed(self, norm: NormalisedText) -> NormalisedText:
        """``norm`` with its typos put back (the same object when there are none)."""
        data = self.fix(norm.data)
        if data == norm.data:
            return norm
        return replace(norm, text=data.decode("utf-8"), data=data)
