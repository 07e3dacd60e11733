"""What int8, fewer layers and truncation each buy in model latency; prints figures, asserts nothing.

    pip install -e ".[train]"                 # torch, to export the variants
    python bench/bench_model_variants.py      # a few minutes
    python bench/bench_model_variants.py --quick

Latency does not depend on the weights' values, so the variants are exported from
the base encoder (all-MiniLM-L6-v2 with an untrained 13-way head, as
``claimcheck train`` builds it): fp32; int8 as shipped (dynamic quantisation of
every MatMul); int8 of the weight MatMuls only (attention's activation products
left in fp32); and the lower 4 and 3 of the 6 layers, int8. Each runs the same
chat-length candidates (corpus chat messages with their conversation, as the
engine reads them), one thread, batch 1, in alternating rounds; p50, p99 and the
ratio of medians to the shipped layout. Then the shipped layout at shorter token
caps, with the share of candidates each cap would cut.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_engine import percentile  # noqa: E402
from bot.core.corpus import Register, load_corpus, select  # noqa: E402
from bot.core.learned import TOKENIZER_FILE, inference_session, model_input, padded  # noqa: E402

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
NAMES = ("input_ids", "attention_mask", "token_type_ids")


def export(layers: int, target: Path) -> None:
    import torch

    from bot.training import classifier, export_onnx

    warnings.filterwarnings("ignore")  # the tracer's notes on export, which do not apply to this graph
    export_onnx(classifier(layers).eval(), tuple(torch.ones((2, 8), dtype=torch.int64) for _ in NAMES), target)


def timed(run, inputs, rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        for feed in inputs:
            started = time.perf_counter()
            run(feed)
            times.append((time.perf_counter() - started) * 1000)
    return sorted(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer candidates and rounds")
    args = parser.parse_args()
    samples, rounds = (200, 2) if args.quick else (600, 5)

    import logging

    from onnxruntime.quantization import QuantType, quantize_dynamic
    from tokenizers import Tokenizer

    from bot.training import MAX_LENGTH, _base_model_dir

    logging.getLogger().setLevel(logging.ERROR)  # the quantiser's advice to pre-process, once per file
    chat = select(load_corpus(CORPUS), registers=[Register.CHAT])
    pairs = [model_input(i.text, i.conversation) for i in random.Random(11).sample(chat, samples)]
    tokenizer = Tokenizer.from_file(str(_base_model_dir() / TOKENIZER_FILE))
    tokenizer.no_padding()

    def feeds(cap: int) -> list[dict]:
        tokenizer.enable_truncation(cap)
        return [padded([tokenizer.encode(a, b) if b else tokenizer.encode(a)]) for a, b in pairs]

    inputs = feeds(MAX_LENGTH)
    lengths = sorted(feed["input_ids"].shape[1] for feed in inputs)
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        files = {}
        for layers in (6, 4, 3):
            plain = folder / f"L{layers}.fp32.onnx"
            export(layers, plain)
            if layers == 6:
                files["6 layers, fp32"] = plain
            shipped = folder / f"L{layers}.int8.onnx"
            quantize_dynamic(str(plain), str(shipped), weight_type=QuantType.QInt8)
            files[f"{layers} layers, int8 (as shipped)" if layers == 6 else f"{layers} layers, int8"] = shipped
            if layers == 6:
                weights_only = folder / "L6.int8-weights.onnx"
                quantize_dynamic(str(plain), str(weights_only), weight_type=QuantType.QInt8,
                                 extra_options={"MatMulConstBOnly": True})  # fmt: skip
                files["6 layers, int8 weights only"] = weights_only
        sessions = {name: inference_session(path, threads=1) for name, path in files.items()}
        sizes = {name: path.stat().st_size / 2**20 for name, path in files.items()}
        for s in sessions.values():
            for feed in inputs[:20]:
                s.run(["logits"], feed)
        times = {name: [] for name in sessions}
        for _ in range(rounds):  # alternate, so drift on a noisy machine hits every variant alike
            for name, s in sessions.items():
                times[name].extend(timed(lambda feed, s=s: s.run(["logits"], feed), inputs, 1))
        baseline = statistics.median(times["6 layers, int8 (as shipped)"])
        print(f"{len(inputs)} chat candidates, tokens median {statistics.median(lengths):.0f}, "
              f"p99 {percentile(lengths, 0.99):.0f}; 1 thread, batch 1, {rounds} rounds")  # fmt: skip
        for name, values in times.items():
            values.sort()
            print(f"  {name:<30} p50 {percentile(values, 0.5):6.2f} ms  p99 {percentile(values, 0.99):6.2f} ms  "
                  f"{statistics.median(values) / baseline:4.2f}x  {sizes[name]:5.1f} MiB")  # fmt: skip
        shipped_session = sessions["6 layers, int8 (as shipped)"]
        print("token cap (6 layers, int8):")
        for cap in (MAX_LENGTH, 64, 48, 32):
            capped = timed(lambda feed: shipped_session.run(["logits"], feed), feeds(cap), rounds)
            cut = sum(length > cap for length in lengths) / len(lengths)
            print(f"  {cap:>3} tokens: p50 {percentile(capped, 0.5):6.2f} ms  p99 {percentile(capped, 0.99):6.2f} ms  "
                  f"({cut:.1%} of candidates cut)")  # fmt: skip


if __name__ == "__main__":
    main()
