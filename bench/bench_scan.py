"""Benchmark ``claimcheck scan`` against the floor of reading the file; prints figures, asserts nothing.

    python bench/bench_scan.py            # 100,000 messages, 5 alternating rounds
    python bench/bench_scan.py --quick    # 20,000 messages, 3 rounds

The input is a generated JSON Lines stream like a busy server's export: mostly
ordinary chat, about 2% kratom talk (from the corpus), some replies with
context. The floor is a plain Python loop over the same file in its own
process: parse each line, test one substring, write one JSON line. Both run as
separate processes (start-up included), alternating, and the figure is the
median messages per second and the ratio of the medians.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_engine import FILLER, ORDINARY  # noqa: E402
from bot.core.corpus import load_corpus  # noqa: E402

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
FLOOR = """
import json, sys
out = sys.stdout
for line in open(sys.argv[1], encoding="utf-8"):
    record = json.loads(line)
    hit = "kratom" in record["text"].lower()
    out.write(json.dumps({"id": record["id"], "claims": ["?"] if hit else []}) + "\\n")
"""


def write_stream(path: Path, size: int, seed: int = 5) -> int:
    rng = random.Random(seed)
    kratom = [item for item in load_corpus(CORPUS) if item.register_ == "chat"]
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for index in range(size):
            record: dict = {"id": f"m{index}"}
            if rng.random() < 0.02:
                item = rng.choice(kratom)
                record["text"] = item.text
                if item.context:
                    record["context"] = item.context
                count += 1
            else:
                text = rng.choice(ORDINARY)
                if rng.random() < 0.5:
                    text += " " + " ".join(rng.choice(FILLER) for _ in range(rng.randint(3, 25)))
                record["text"] = text
                if rng.random() < 0.3:
                    record["context"] = [rng.choice(ORDINARY)]
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return count


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20,000 messages, 3 rounds")
    parser.add_argument("--engine", default="rules+model", choices=["rules", "rules+model"])
    args = parser.parse_args()
    size, rounds = (20_000, 3) if args.quick else (100_000, 5)
    claimcheck = shutil.which("claimcheck") or str(Path(sys.executable).with_name("claimcheck"))
    with tempfile.TemporaryDirectory() as folder:
        stream = Path(folder) / "stream.jsonl"
        kratom = write_stream(stream, size)
        scan = [claimcheck, "--engine", args.engine, "scan", "--no-progress", str(stream), "-o", str(Path(folder) / "out.jsonl")]
        floor = [sys.executable, "-c", FLOOR, str(stream)]
        scan_times, floor_times = [], []
        for _ in range(rounds):
            floor_times.append(timed(floor))
            scan_times.append(timed(scan))
    scan_rate = size / statistics.median(scan_times)
    floor_rate = size / statistics.median(floor_times)
    print(f"stream: {size} messages, {kratom} kratom talk ({kratom / size:.1%}); {rounds} alternating rounds; engine {args.engine}")
    print(f"floor (parse, one substring test, write):  {floor_rate:9.0f} msg/s")
    print(f"claimcheck scan:                           {scan_rate:9.0f} msg/s")
    print(f"ratio (scan time / floor time):            {floor_rate / scan_rate:9.2f}x   (goal <= 2x)")


if __name__ == "__main__":
    main()
