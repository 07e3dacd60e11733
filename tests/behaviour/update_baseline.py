"""Lower tests/behaviour/baseline.json to today's failure rates (a rate never goes up here)."""

import json
import math
from pathlib import Path

from bot.core.behaviour import build_suite, run_suite
from bot.core.engine import Engine

BASELINE = Path(__file__).with_name("baseline.json")


def main() -> None:
    results = run_suite(Engine.load(), build_suite())
    old = json.loads(BASELINE.read_text(encoding="utf-8")) if BASELINE.exists() else {}
    # Rounded up, so that the stored rate is never below the measured one.
    new = {name: min(math.ceil(result.rate * 1e4) / 1e4, old.get(name, 1.0)) for name, result in results.items()}
    BASELINE.write_text(json.dumps(new, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    for name in sorted(new):
        print(f"{name:<34}{old.get(name, float('nan')):>8.3f} -> {new[name]:.3f}")


if __name__ == "__main__":
    main()
