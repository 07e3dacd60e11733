"""The learned claim model at run time: onnxruntime, tokenizers and numpy only (never torch).

A fine-tuned MiniLM encoder with one sigmoid output per claim id reads the
message together with the last messages of its conversation. The shipped
files live in ``bot/model/``: ``claims.onnx`` (int8), ``tokenizer.json`` and
``card.json`` (what it was trained on, its thresholds and the sha256 of the
model, checked on load).
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
import re2

from bot.core.claims import ClaimId
from bot.core.models import Conversation
from bot.core.normalise import NormalisedText, normalise_cached

MODEL_DIR = Path(__file__).resolve().parent.parent / "model"
MODEL_FILE = "claims.onnx"
TOKENIZER_FILE = "tokenizer.json"
CARD_FILE = "card.json"
CONTEXT_MESSAGES = 2  # the replied-to message and the one before it
CONTEXT_SEPARATOR = " | "
# A text longer than the model's token cap is read in windows of whole sentences, each
# overlapping the last by one sentence, and a claim's score is its best window's: truncated,
# a web passage of three paragraphs lost the claims of its later ones (claim recall 0.43 on
# the test split's web items joined three by three, below the rules' 0.52; measured).
MAX_WINDOWS = 16  # about 2,000 tokens; the rules still read all of a longer text
CHARS_PER_TOKEN = 8
SENTENCE_END = re2.compile(r"[.!?]+[\"')\]]*\s+|\n+")


class ModelFileError(RuntimeError):
    """The shipped model is missing, altered or unreadable; the message says which file and what to do."""


class Reader(Protocol):
    """How the rules read a text, so that the model reads it the same way (the engine is one)."""

    def fix_typos(self, norm: NormalisedText) -> NormalisedText:
        """Swapped letters put back into the rules' words."""

    def name_subject(self, text: str) -> str:
        """Every alias and disguise of kratom's name written "kratom"."""


def model_input(text: str, conversation: Conversation, reader: Reader | None = None) -> tuple[str, str | None]:
    """The text pair the model reads: the message, and the conversation it answers (or None).

    The conversation is the replied-to message and the one before it, as in the
    corpus (whose last context message is the replied-to one). A message that
    replies to nothing is read alone: the channel's other recent chat is mostly
    unrelated, and would triple what the model reads (its cost grows with length).
    Both normalised as the rules see them, so that markdown, look-alike letters and
    spelt-out words do not change what the model reads either; with ``reader``, also
    with the rules' typo fixes and with one name for kratom, so that the model need
    not learn from examples that mitragynine or ketum is kratom. Block-quoted lines
    are someone else's words, so they are read as conversation, not as the message
    (unless the message is nothing but a quote).
    """
    answered = () if conversation.replied_to is None else conversation.messages[-CONTEXT_MESSAGES:]
    if reader is None:
        folded, named = normalise_cached, str
    else:
        folded, named = (lambda message: reader.fix_typos(normalise_cached(message))), reader.name_subject
    recent = [named(folded(m).text) for m in answered if m.strip()]
    own, quoted = folded(text).split_quotes()
    if quoted and own:
        recent.append(named(quoted))
    else:
        own = own or quoted
    return named(own), CONTEXT_SEPARATOR.join(recent) if recent else None


def padded(encodings: Sequence) -> dict[str, np.ndarray]:
    """The model's three inputs for tokenizer encodings, padded to the longest (training pads the same way)."""
    width = max(len(e.ids) for e in encodings)
    ids = np.zeros((len(encodings), width), dtype=np.int64)
    mask = np.zeros_like(ids)
    types = np.zeros_like(ids)
    for row, encoding in enumerate(encodings):
        n = len(encoding.ids)
        ids[row, :n] = encoding.ids
        mask[row, :n] = 1
        types[row, :n] = encoding.type_ids
    return {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}


def inference_session(path: Path, threads: int):
    """An onnxruntime CPU session on ``threads`` threads (the benchmarks time exactly this)."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class Card:
    """What ``card.json`` says about the model (written by ``claimcheck train``)."""

    claims: tuple[str, ...]
    sha256: str
    max_length: int
    thresholds: dict[str, float]  # a model score at or above this finds the claim
    vetoes: dict[str, float]  # a rule hit with a model score below this is dropped
    data: dict

    @classmethod
    def read(cls, path: Path) -> Card:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            card = cls(
                tuple(data["claims"]),
                data["sha256"],
                int(data["max_length"]),
                {k: float(v) for k, v in data["thresholds"].items()},
                {k: float(v) for k, v in data["vetoes"].items()},
                data,
            )
        except FileNotFoundError:
            raise ModelFileError(f"{path}: the model card is missing; reinstall claimcheck or run 'claimcheck train'") from None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ModelFileError(f"{path}: unreadable model card ({exc}); reinstall claimcheck or run 'claimcheck train'") from None
        unknown = set(card.claims) - {str(c) for c in ClaimId}
        if unknown:
            raise ModelFileError(f"{path}: claims: unknown claim ids {sorted(unknown)}")
        return card


class ClaimModel:
    """Scores for every claim id, for a batch of (message, conversation) pairs."""

    def __init__(self, directory: Path = MODEL_DIR, *, threads: int = 1) -> None:
        from tokenizers import Tokenizer

        self.directory = directory
        self.card = Card.read(directory / CARD_FILE)
        model_path = directory / MODEL_FILE
        if not model_path.exists():
            raise ModelFileError(f"{model_path}: the model file is missing; reinstall claimcheck or run 'claimcheck train'")
        actual = sha256_of(model_path)
        if actual != self.card.sha256:
            raise ModelFileError(
                f"{model_path}: sha256 {actual[:12]}… does not match the model card ({self.card.sha256[:12]}…); "
                "the file was altered or replaced: reinstall claimcheck or run 'claimcheck train'"
            )
        try:
            self.tokenizer = Tokenizer.from_file(str(directory / TOKENIZER_FILE))
        except Exception as exc:  # tokenizers raises its own exception type
            raise ModelFileError(f"{directory / TOKENIZER_FILE}: cannot load the tokenizer ({exc})") from None
        self.tokenizer.no_padding()
        self._whole = Tokenizer.from_str(self.tokenizer.to_str())  # counts the tokens of a text of any length
        self._whole.no_truncation()
        self.tokenizer.enable_truncation(self.card.max_length)
        self.session = inference_session(model_path, threads)
        self.claims = self.card.claims

    @property
    def max_length(self) -> int:
        return self.card.max_length

    def encode(self, pairs: Sequence[tuple[str, str | None]]) -> dict[str, np.ndarray]:
        """Token ids, attention mask and segment ids, padded to the longest pair of the batch."""
        return padded([self._encoded(first, second) for first, second in pairs])

    def _encoded(self, first: str, second: str | None):
        return self.tokenizer.encode(first, second) if second else self.tokenizer.encode(first)

    def _probabilities(self, encodings: Sequence) -> np.ndarray:
        (logits,) = self.session.run(["logits"], padded(encodings))
        return 1.0 / (1.0 + np.exp(-logits))

    def run(self, pairs: Sequence[tuple[str, str | None]]) -> np.ndarray:
        """Probabilities for text pairs run as one padded batch (see ``scores`` for why that is rare)."""
        return self._probabilities([self._encoded(first, second) for first, second in pairs])

    def scores(self, batch: Sequence[tuple[str, Conversation]], *, reader: Reader | None = None) -> np.ndarray:
        """Probabilities, one row per pair and one column per claim id of ``self.claims``.

        Each pair runs on its own: int8 dynamic quantisation takes its activation
        range over the whole input tensor, so a padded batch scores a message up to
        0.03 differently from the message alone (measured), and a claim near its
        cutoff would be found or not depending on its neighbours. A pair too long for
        the token cap is scored window by window (``windows``), each claim by its best.
        """
        rows = []
        for text, conversation in batch:
            message, context = model_input(text, conversation, reader)
            whole = self._encoded(message, context)
            if not whole.overflowing and whole.sequence_ids.count(0) <= self._budget(context):
                rows.append(self._probabilities([whole])[0])  # the common case, tokenised once
            else:
                rows.append(np.max([self.run([(window, context)])[0] for window in self.windows(message, context)], axis=0))
        return np.array(rows, dtype=np.float32).reshape(len(batch), len(self.claims))

    def _budget(self, context: str | None) -> int:
        """Tokens of the message one read holds: all but the special tokens, or three quarters
        of that beside a conversation (which truncation trims first)."""
        return self.max_length - 2 if context is None else (self.max_length - 3) * 3 // 4

    def windows(self, message: str, context: str | None = None) -> list[str]:
        """``message`` whole if it fits the token cap beside ``context``, else its windows:
        runs of whole sentences (a sentence longer than a window is cut between tokens),
        each starting with the previous window's last sentence, at most ``MAX_WINDOWS``."""
        budget = self._budget(context)
        # The windows hold MAX_WINDOWS * budget tokens at most, and a token is rarely longer
        # than CHARS_PER_TOKEN characters: a huge text costs no more than that to read.
        readable = MAX_WINDOWS * budget * CHARS_PER_TOKEN
        tokens = self._whole.encode(message[:readable], add_special_tokens=False).offsets
        if not tokens or (len(tokens) <= budget and len(message) <= readable):
            return [message]
        tokens = tokens[: MAX_WINDOWS * budget]
        pieces = []  # (start, end, tokens) of sentences, long ones cut into window-sized parts
        first = 0
        for end in itertools.chain((m.end() for m in SENTENCE_END.finditer(message)), [len(message)]):
            last = first
            while last < len(tokens) and tokens[last][0] < end:
                last += 1
            for cut in range(first, last, budget):
                part = tokens[cut : min(cut + budget, last)]
                pieces.append((part[0][0], part[-1][1], len(part)))
            first = last
            if first == len(tokens):
                break
        windows, current, used = [], [], 0
        for piece in pieces:
            if current and used + piece[2] > budget:
                windows.append(current)
                current = [current[-1]] if current[-1][2] + piece[2] <= budget and len(current) > 1 else []
                used = sum(p[2] for p in current)
            current.append(piece)
            used += piece[2]
        windows.append(current)
        return [message[w[0][0] : w[-1][1]] for w in windows[:MAX_WINDOWS]]

    def score(self, text: str, conversation: Conversation = Conversation(), *, reader: Reader | None = None) -> dict[str, float]:
        row = self.scores([(text, conversation)], reader=reader)[0]
        return {claim: float(value) for claim, value in zip(self.claims, row)}
