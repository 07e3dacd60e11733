"""Text normalisation that remembers where every character came from.

Rules match against a folded copy of the message: lower case, compatibility
forms and accents removed, Cyrillic and Greek look-alikes mapped to Latin,
zero-width and control characters dropped, Discord markdown and curly quotes
flattened, URLs and mentions blanked out. Findings must point at the words the
member actually typed, so the folded copy keeps an offset map back into the
original text. Plain ASCII messages (the common case) fold without changing
length, so they need no map at all.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Markdown and formatting characters become spaces: bold/italic (*, _),
# strikethrough (~), spoilers (||), inline code (`), block quotes (>),
# headings (#) and escapes (\). Same length, so offsets stay valid.
_MARKDOWN = "*_~|`>#\\"
_ASCII_TABLE = str.maketrans({c: " " for c in _MARKDOWN})

# Letters that look like Latin letters (Cyrillic and Greek, both cases after
# lower-casing). Only shapes a reader would take for the Latin letter.
_CONFUSABLES = {
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h",
    "о": "o", "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s",
    "і": "i", "ї": "i", "ј": "j", "ԁ": "d", "ԛ": "q", "ԝ": "w", "һ": "h",
    "ʀ": "r", "ɑ": "a", "ο": "o", "α": "a", "κ": "k", "τ": "t", "ρ": "p",
    "ν": "v", "ι": "i", "υ": "u", "ε": "e", "χ": "x", "μ": "m", "η": "n",
    "γ": "y", "β": "b", "ω": "w", "ϲ": "c", "ℓ": "l",
}

_PUNCTUATION = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u00ab": '"', "\u00bb": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
    "\u2015": "-", "\u2212": "-",
    "\u00a0": " ", "\u2028": "\n", "\u2029": "\n",
}

# URLs, Discord mentions (users, roles, channels), custom emoji, @everyone and
# plain @handles: a name inside them is not a mention of kratom.
_OPAQUE = re.compile(
    r"https?://\S+|www\.\S+|<@[!&]?\d+>|<#\d+>|<a?:\w+:\d+>|<t:\d+(?::\w)?>|(?:^|(?<=\s))@[\w.]+"
)


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    """What one non-ASCII character becomes in the folded text ('' = dropped)."""
    if ch in _PUNCTUATION:
        return _PUNCTUATION[ch]
    category = unicodedata.category(ch)
    if category in ("Cf", "Cc", "Mn", "Me", "Cs", "Co"):
        # Zero-width joiners, bidi marks, soft hyphens, variation selectors,
        # combining accents, control characters.
        return "\n" if ch in "\n\r\v\f\x85" else (" " if ch == "\t" else "")
    if category.startswith("Z"):
        return " "
    out = []
    for part in unicodedata.normalize("NFKC", ch):
        # Strip accents from letters only: decomposing symbols would turn
        # "≠" into "=" and invert what the member wrote.
        if unicodedata.category(part).startswith("L"):
            part = "".join(p for p in unicodedata.normalize("NFKD", part) if unicodedata.category(p) not in ("Mn", "Me"))
        for piece in part.lower():
            if unicodedata.category(piece) in ("Mn", "Me"):
                continue
            piece = _CONFUSABLES.get(piece, piece)
            out.append(" " if piece in _MARKDOWN else piece)
    return "".join(out)


@dataclass(frozen=True, slots=True)
class NormalisedText:
    """The folded text plus, when lengths differ, the original index of each folded character."""

    original: str
    text: str
    offsets: tuple[int, ...] | None  # None: identity mapping
    data: bytes  # ``text`` in UTF-8: what the RE2 patterns run on, so no call re-encodes it

    @classmethod
    def build(cls, original: str, text: str, offsets: tuple[int, ...] | None) -> NormalisedText:
        return cls(original, text, offsets, text.encode("utf-8"))

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


def _blank_opaque(text: str) -> str:
    if "http" not in text and "www." not in text and "@" not in text and "<" not in text:
        return text
    return _OPAQUE.sub(lambda m: " " * len(m.group()), text)


def normalise(text: str) -> NormalisedText:
    """Fold ``text`` for matching; see the module docstring for what changes."""
    if text.isascii():
        folded = text.lower().translate(_ASCII_TABLE)
        return NormalisedText.build(text, _blank_opaque(folded), None)

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
    folded = _blank_opaque("".join(pieces))
    if same_shape:
        return NormalisedText.build(text, folded, None)
    offsets: list[int] = []
    for start, length, folded_length in runs:
        if length == folded_length:
            offsets.extend(range(start, start + length))
        else:
            offsets.extend([start] * folded_length)
    return NormalisedText.build(text, folded, tuple(offsets))


@lru_cache(maxsize=2048)
def normalise_cached(text: str) -> NormalisedText:
    """Normalise text that is seen repeatedly, such as conversation context."""
    return normalise(text)
