"""Lower tests/behaviour/baseline.json to today's failure rates, for each engine (a rate never goes up here)."""

import json
import math
from pathlib import Path

from bot.core.behaviour import build_suite, run_suite
from bot.core.engine import Engine
from bot.core.engine_choice import RULES_AND_MODEL, RULES_ONLY
from bot.core.hybrid import HybridEngine
from bot.core.learned import ClaimModel

BASELINE = Path(__file__).with_name("baseline.json")


def main() -> None:
    rules = Engine.load()
    engines = {RULES_ONLY: rules, RULES_AND_MODEL: HybridEngine(rules, ClaimModel())}
    cases = build_suite()
    stored = json.loads(BASELINE.read_text(encoding="utf-8")) if BASELINE.exists() else {}
    for name, engine in engines.items():
        results = run_suite(engine, cases)
        old = stored.get(name, {})
        # Rounded up, so that the stored rate is never below the measured one.
        stored[name] = {cap: min(math.ceil(r.rate * 1e4) / 1e4, old.get(cap, 1.0)) for cap, r in results.items()}
        for cap in sorted(stored[name]):
            print(f"{name:<12}{cap:<34}{old.get(cap, float('nan')):>8.3f} -> {stored[name][cap]:.3f}")
    BASELINE.write_text(json.dumps(stored, indent=2, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
