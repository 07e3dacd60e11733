"""Benchmark the learned claim model beside the rules; prints figures, asserts nothing.

    python bench/bench_model.py            # full run (a few minutes)
    python bench/bench_model.py --quick    # fewer repeats

Figures (medians and percentiles, one process; these machines are noisy, so
read the ratios against the rules-only run of the same process):
- start-up: loading the model (sha256 check, tokenizer, onnxruntime session);
- resident memory before and after loading the model;
- latency of one chat-length candidate (a corpus chat message with its
  conversation), one thread: p50/p99 at batch 1, and per message at batch 8
  (what batching would buy; the engine runs pairs one by one, see ClaimModel.scores);
- the same stream as bench_engine.py (about 2% kratom talk) through the rules
  alone and through rules+model, messages per second and the ratio;
- kratom messages alone through both.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_engine import build_stream, percentile, rate  # noqa: E402
from bot.core.corpus import Register, load_corpus, select  # noqa: E402
from bot.core.engine import Engine  # noqa: E402
from bot.core.hybrid import HybridEngine  # noqa: E402
from bot.core.learned import ClaimModel, model_input  # noqa: E402

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


def rss_mib() -> float:
    """Current resident memory, from /proc (ru_maxrss is the peak)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    args = parser.parse_args()
    samples, repeats, size = (200, 3, 5_000) if args.quick else (1_000, 5, 20_000)

    rules = Engine.load()
    chat = select(load_corpus(CORPUS), registers=[Register.CHAT])
    before = rss_mib()
    started = time.perf_counter()
    model = ClaimModel(threads=1)
    startup_ms = (time.perf_counter() - started) * 1000
    after = rss_mib()
    hybrid = HybridEngine(rules, model)

    rng = random.Random(11)
    candidates = [(item.text, item.conversation) for item in rng.sample(chat, min(samples, len(chat)))]
    pairs = [model_input(text, conversation) for text, conversation in candidates]
    tokens = sorted(len(model.encode([pair])["input_ids"][0]) for pair in pairs)
    for pair in pairs[:20]:  # warm-up
        model.run([pair])
    single = []
    for pair in pairs:
        t = time.perf_counter()
        model.run([pair])
        single.append((time.perf_counter() - t) * 1000)
    batched = []
    for start in range(0, len(pairs) - 7, 8):
        t = time.perf_counter()
        model.run(pairs[start : start + 8])
        batched.append((time.perf_counter() - t) * 1000 / 8)

    kratom = [(item.text, item.conversation) for item in chat]
    stream = build_stream(size, 0.02, kratom)
    rules_rate = rate(rules.detect, stream, repeats)
    hybrid_rate = rate(hybrid.detect, stream, repeats)
    kratom_only = kratom[: max(200, size // 20)]
    rules_kratom = rate(rules.detect, kratom_only, repeats)
    hybrid_kratom = rate(hybrid.detect, kratom_only, repeats)
    candidate_share = sum(rules.names_kratom(t, c) for t, c in stream) / len(stream)

    print(f"model: {model.directory / 'claims.onnx'} ({(model.directory / 'claims.onnx').stat().st_size / 2**20:.1f} MiB, int8); "
          f"Python {sys.version.split()[0]}; repeats {repeats}")
    print(f"start-up (load and verify):        {startup_ms:8.0f} ms")
    print(f"resident memory: before {before:.0f} MiB, with the model {after:.0f} MiB (+{after - before:.0f} MiB); "
          f"peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    print(f"chat candidates: {len(pairs)}, tokens median {statistics.median(tokens):.0f}, p99 {percentile(tokens, 0.99):.0f}")
    single.sort()
    batched.sort()
    print(f"model latency, 1 thread, batch 1:  p50 {percentile(single, 0.5):.2f} ms, p99 {percentile(single, 0.99):.2f} ms")
    print(f"  batch 8, per message:            p50 {percentile(batched, 0.5):.2f} ms, p99 {percentile(batched, 0.99):.2f} ms")
    print(f"stream ({len(stream)} messages, {candidate_share:.1%} reach the model):")
    print(f"  rules:                           {rules_rate:8.0f} msg/s")
    print(f"  rules+model:                     {hybrid_rate:8.0f} msg/s ({rules_rate / hybrid_rate:.1f}x the time)")
    print(f"kratom messages only ({len(kratom_only)}):")
    print(f"  rules:                           {rules_kratom:8.0f} msg/s")
    print(f"  rules+model:                     {hybrid_kratom:8.0f} msg/s ({rules_kratom / hybrid_kratom:.1f}x the time)")


if __name__ == "__main__":
    main()
