"""The ``claimcheck`` command line: check, scan, eval, corpus, rules, run."""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections import Counter
from pathlib import Path
from typing import IO, TYPE_CHECKING

import orjson
from pydantic import ValidationError

from bot.core import wording
from bot.core.claims import ClaimId
from bot.core.corpus import (
    PASSAGE_PARAGRAPHS,
    CorpusError,
    CorpusItem,
    Register,
    Split,
    corpus_stats,
    joined_passages,
    load_corpus,
    select,
    split_for,
)
from bot.core.engine import Engine
from bot.core.engine_choice import RULES_AND_MODEL, RULES_ONLY
from bot.core.evaluation import Counts, Report, agreement, evaluate, predict, report_of
from bot.core.messages import InputMessage, InputProblem, UnknownFormatError, read_messages
from bot.core.models import Conversation
from bot.core.reply import render_json, render_text
from bot.core.ruleset import load_ruleset
from bot.core.ruletests import lint, run_examples
from bot.core.yamlfile import RuleFileError
from bot.settings import CommonSettings

if TYPE_CHECKING:  # the model's stack and the storage drivers load only for the commands that use them
    from bot.core.hybrid import HybridEngine
    from bot.storage import Storage

DEFAULT_CORPUS = Path("corpus")
PROGRESS_MIN_BYTES = 256 * 1024  # show a progress bar for inputs larger than this
SCAN_BATCH = 1000  # scan results written, and the progress bar moved, this many at a time

EXIT_OK = 0
EXIT_FAILED = 1  # tests or lint failed
EXIT_USAGE = 2  # bad input, bad rules


class CliError(Exception):
    """An error with a message for the user; exits with EXIT_USAGE."""


def _settings() -> CommonSettings:
    try:
        return CommonSettings()
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        raise CliError(f"{error['loc'][0]}: {error['msg'].removeprefix('Value error, ')}") from None


def _rules_engine(args: argparse.Namespace) -> Engine:
    """The bundled rules, then CLAIMCHECK_RULES_DIRS, then each --rules-dir."""
    try:
        return Engine(load_ruleset([*_settings().rules_dirs, *args.rules_dir]))
    except RuleFileError as exc:
        raise CliError(f"broken rule file: {exc}") from None


def _engine(args: argparse.Namespace) -> Engine | HybridEngine:
    """The engine chosen with ``--engine``: the rules alone, or rules and the learned model."""
    rules = _rules_engine(args)
    if args.engine == RULES_ONLY:
        return rules  # numpy and onnxruntime are not even imported: a rules-only scan starts faster
    from bot.core.hybrid import HybridEngine
    from bot.core.learned import ClaimModel, ModelFileError

    try:
        return HybridEngine(rules, ClaimModel())
    except ModelFileError as exc:
        raise CliError(f"{exc} (or use --engine {RULES_ONLY})") from None


def _engines_to_compare(args: argparse.Namespace) -> dict[str, Engine | HybridEngine]:
    """The chosen engine, and the rules alone beside it when the model is in use, so the gain shows."""
    chosen = _engine(args)
    if not isinstance(chosen, Engine):
        return {RULES_ONLY: chosen.engine, RULES_AND_MODEL: chosen}
    return {RULES_ONLY: chosen}


def _emit_json(payload: object, stream: IO[str] = sys.stdout) -> None:
    json.dump(payload, stream, ensure_ascii=False, indent=2)
    stream.write("\n")


# --- check ---------------------------------------------------------------------------


def cmd_check(args: argparse.Namespace) -> int:
    text = args.text if args.text not in (None, "-") else sys.stdin.read()
    if not text.strip():
        raise CliError("nothing to check: give TEXT or pipe it on standard input")
    engine = _engine(args)
    conversation = Conversation.from_list(args.context or ())
    findings = engine.detect(text, conversation)
    if args.json:
        _emit_json(render_json(text, findings))
        return EXIT_OK
    explanations = _explanations(engine, text, conversation, findings) if args.explain else None
    print(render_text(findings, long=args.long, explanations=explanations))
    return EXIT_OK


def _explanations(engine, text: str, conversation: Conversation, findings) -> dict[str, str]:
    """How each finding was found: the rule and its words, or the model's score and the words that drove it."""
    scores = {} if isinstance(engine, Engine) else engine.score(text, conversation)
    explained = {}
    for finding in findings:
        claim = str(finding.claim)
        if finding.basis == "model":
            explained[claim] = wording.explain_model(finding.score, engine.drivers(text, conversation, claim))
        else:
            explained[claim] = wording.explain_rule(finding.rule_id, finding.matched, scores.get(claim))
    return explained


# --- scan ----------------------------------------------------------------------------


def _progress(path: Path, enabled: bool):
    """A tqdm bar for large files, else None."""
    if not enabled or str(path) == "-":
        return None
    try:
        if path.stat().st_size < PROGRESS_MIN_BYTES:
            return None
    except OSError:
        return None
    from tqdm import tqdm

    return tqdm(unit=" msg", desc=f"scanning {path.name}", file=sys.stderr, leave=False)


def _open_input(path_arg: str) -> tuple[Path, IO[str] | None]:
    if path_arg == "-":
        return Path("<stdin>"), sys.stdin
    return Path(path_arg), None


def _records(path: Path, stream: IO[str] | None):
    """read_messages, with an unreadable or unknown file turned into a CliError."""
    try:
        yield from read_messages(path, stream)
    except (OSError, UnknownFormatError) as exc:
        raise CliError(str(exc)) from None


def cmd_scan(args: argparse.Namespace) -> int:
    engine = _engine(args)
    rules = engine if isinstance(engine, Engine) else engine.engine
    path, stream = _open_input(args.file)
    out: IO[bytes] = sys.stdout.buffer
    if args.output:
        try:
            out = open(args.output, "wb")  # noqa: SIM115 - closed below
        except OSError as exc:
            raise CliError(f"{args.output}: cannot write: {exc.strerror or exc}") from None
    bar = _progress(path, not args.no_progress)
    started = time.perf_counter()
    scanned = flagged = nothing_to_check = 0
    per_claim: Counter[str] = Counter()
    problems: list[InputProblem] = []
    lines: list[bytes] = []
    try:
        for item in _records(path, stream):
            if isinstance(item, InputProblem):
                problems.append(item)
                print(f"warning: {item}", file=sys.stderr)
                continue
            scanned += 1
            skipped = item.skipped or (None if item.text.strip() else "empty")
            if not skipped and rules.nothing_to_find(item.text, item.context):
                lines.append(b'{"id":%s,"claims":[],"findings":[]}\n' % orjson.dumps(item.id))  # most chat
            else:
                findings = [] if skipped else engine.detect(item.text, item.conversation)
                claims = [str(f.claim) for f in findings]
                if claims:
                    flagged += 1
                    per_claim.update(claims)
                result = {"id": item.id, "claims": claims, "findings": [f.to_dict() for f in findings]}
                if skipped:
                    result["skipped"] = skipped  # every input message gets its line, so results join back
                    nothing_to_check += 1
                lines.append(orjson.dumps(result, option=orjson.OPT_APPEND_NEWLINE))
            if len(lines) == SCAN_BATCH:
                out.write(b"".join(lines))
                lines.clear()
                if bar is not None:
                    bar.update(SCAN_BATCH)
        out.write(b"".join(lines))
        if bar is not None:
            bar.update(len(lines))
    finally:
        if bar is not None:
            bar.close()
        if out is not sys.stdout.buffer:
            out.close()
        else:
            out.flush()
    elapsed = time.perf_counter() - started
    summary = f"scanned {scanned} messages in {elapsed:.2f}s: {flagged} with claims"
    if nothing_to_check:
        summary += f", {nothing_to_check} with no text to check"
    if per_claim:
        summary += " (" + ", ".join(f"{claim} {count}" for claim, count in per_claim.most_common()) + ")"
    if problems:
        summary += f"; {len(problems)} unreadable record{'s' if len(problems) != 1 else ''} skipped"
    print(summary, file=sys.stderr)
    return EXIT_OK


# --- eval ----------------------------------------------------------------------------


def _labelled_file(path_arg: str) -> list[InputMessage]:
    path, stream = _open_input(path_arg)
    messages: list[InputMessage] = []
    unlabelled = 0
    for item in _records(path, stream):
        if isinstance(item, InputProblem):
            print(f"warning: {item}", file=sys.stderr)
        elif item.claims is None:
            unlabelled += 1
        else:
            messages.append(item)
    if not messages:
        raise CliError(f"{path}: no labelled messages (each line needs a 'claims' list)")
    if unlabelled:
        print(f"warning: {unlabelled} messages without 'claims' were skipped", file=sys.stderr)
    return messages


def _corpus(args: argparse.Namespace) -> list[CorpusItem]:
    try:
        return load_corpus(args.corpus)
    except CorpusError as exc:
        raise CliError(f"broken corpus: {exc}") from None
    except OSError as exc:
        raise CliError(f"{args.corpus}: cannot read the corpus: {exc.strerror or exc}") from None


def _print_report(reports: dict[str, Report], title: str) -> None:
    """Figures of one or more engines on the same messages, side by side."""
    first = next(iter(reports.values()))
    print(f"{title}: {first.messages} labelled messages")
    for name, report in reports.items():
        overall = report.overall
        print(
            f"message level ({name}): precision {overall.precision:.3f}  recall {overall.recall:.3f}"
            f"  f1 {overall.f1:.3f}  (tp {overall.tp}, fp {overall.fp}, fn {overall.fn})"
        )
    print()
    print(f"{'claim id':<22}" + "".join(f"{name + ' P':>18}{'R':>7}" for name in reports) + f"{'tp':>5}{'fp':>5}{'fn':>5}")
    last = list(reports.values())[-1]
    for claim in first.per_claim:
        cells = "".join(f"{cell:>18}{recall:>7}" for cell, recall in (_ratios(r.per_claim[claim]) for r in reports.values()))
        counts = last.per_claim[claim]
        print(f"{claim:<22}{cells}{counts.tp:>5}{counts.fp:>5}{counts.fn:>5}")


def _print_misses(report: Report) -> None:
    if report.misclassified:
        print(f"\n{len(report.misclassified)} misclassified:")
        for miss in report.misclassified:
            expected = ",".join(miss.expected) or "-"
            found = ",".join(miss.found) or "-"
            print(f"  {miss.id}: expected {expected} | found {found} | {miss.text[:100]}")


def cmd_eval(args: argparse.Namespace) -> int:
    engines = _engines_to_compare(args)
    chosen = list(engines)[-1]
    if args.behaviour:
        return _eval_behaviour(engines, args)
    if args.file is not None:
        messages = _labelled_file(args.file)
        reports = {name: evaluate(engine, messages) for name, engine in engines.items()}
        if args.json:
            _emit_json(reports[chosen].as_dict())
            return EXIT_OK
        _print_report(reports, args.file)
        _print_misses(reports[chosen])
        return EXIT_OK
    items = _corpus(args)
    splits = args.split or [Split.TEST]
    selected = select(items, splits, args.register or ())
    if args.passages:
        selected = joined_passages(selected)
    if not selected:
        raise CliError(f"{args.corpus}: no items in split {'/'.join(splits)}")
    # Each engine reads every item once; the per-register figures are subsets of that run.
    predictions = {name: predict(engine, selected) for name, engine in engines.items()}
    parts = {"all": list(range(len(selected)))}
    registers = sorted({item.register_ for item in selected})
    if len(registers) > 1:
        parts.update({str(r): [i for i, item in enumerate(selected) if item.register_ == r] for r in registers})
    reports = {
        part: {
            name: report_of([selected[i] for i in indices], [found[i] for i in indices])
            for name, found in predictions.items()
        }
        for part, indices in parts.items()
    }
    if args.json:
        _emit_json({part: by_engine[chosen].as_dict() for part, by_engine in reports.items()})
        return EXIT_OK
    for part, by_engine in reports.items():
        if args.passages:
            what = f"web items joined {PASSAGE_PARAGRAPHS} by {PASSAGE_PARAGRAPHS}"
        elif part == "all":
            what = f"{registers[0]} only" if args.register and len(registers) == 1 else "every register"
        else:
            what = part
        _print_report(by_engine, f"corpus {'+'.join(splits)}, {what}")
        print()
    if args.misses:
        _print_misses(reports["all"][chosen])
    return EXIT_OK


def _eval_behaviour(engines: dict[str, Engine | HybridEngine], args: argparse.Namespace) -> int:
    from bot.core.behaviour import build_suite, run_suite

    cases = build_suite()
    by_engine = {name: run_suite(engine, cases) for name, engine in engines.items()}
    results = list(by_engine.values())[-1]
    if args.json:
        _emit_json({name: result.as_dict() for name, result in results.items()})
        return EXIT_OK
    print(f"{'capability':<34}{'tests':>7}" + "".join(f"{name + ' failed':>20}{'rate':>8}" for name in by_engine))
    for name, result in results.items():
        cells = "".join(f"{r[name].failed:>20}{r[name].rate:>8.1%}" for r in by_engine.values())
        print(f"{name:<34}{result.tests:>7}{cells}")
    if args.misses:
        for name, result in results.items():
            for failure in result.failures[:5]:
                print(f"  {name}: {failure}")
    return EXIT_OK


# --- corpus --------------------------------------------------------------------------


def cmd_corpus_stats(args: argparse.Namespace) -> int:
    items = _corpus(args)
    stats = corpus_stats(items)
    columns = sorted(stats.items, key=lambda key: (list(Split).index(key[0]), key[1]))
    header = [f"{split}/{register}" for split, register in columns]
    rows = [["items", *(stats.items[c] for c in columns), sum(stats.items.values())]]
    rows.append(["sources", *(stats.sources[c] for c in columns), sum(stats.sources.values())])
    rows.append(["no claim", *(stats.negatives[c] for c in columns), sum(stats.negatives.values())])
    for claim in (str(c) for c in ClaimId):
        counts = stats.positives[claim]
        rows.append([claim, *(counts[c] for c in columns), sum(counts.values())])
    if args.markdown:
        print("| | " + " | ".join(header) + " | total |")
        print("|---" * (len(header) + 2) + "|")
        for row in rows:
            print("| " + " | ".join(str(cell) for cell in row) + " |")
    else:
        print(f"{'':<22}" + "".join(f"{h:>18}" for h in header) + f"{'total':>8}")
        for row in rows:
            print(f"{row[0]:<22}" + "".join(f"{cell:>18}" for cell in row[1:-1]) + f"{row[-1]:>8}")
    total = len(items)
    negatives = sum(stats.negatives.values())
    print(
        f"\n{total} items, {negatives} without a claim ({negatives / total:.1%}); "
        f"{stats.positives_with_contrast} of {stats.positive_items} positives "
        f"({stats.positives_with_contrast / max(stats.positive_items, 1):.1%}) have a contrast variant; "
        "contrast items by edit: " + ", ".join(f"{edit} {n}" for edit, n in sorted(stats.contrast.items()))
    )
    return EXIT_OK


def cmd_corpus_audit(args: argparse.Namespace) -> int:
    items = {item.id: set(map(str, item.claims)) for item in _corpus(args)}
    relabelled = {m.id: set(map(str, m.claims)) for m in _labelled_file(args.relabelled)}
    unknown = sorted(relabelled.keys() - items.keys())
    if unknown:
        raise CliError(f"{args.relabelled}: ids not in the corpus: {', '.join(unknown[:5])}")
    results = agreement(items, relabelled)
    exact = sum(items[i] == relabelled[i] for i in relabelled)
    print(f"{len(relabelled)} items relabelled; identical label sets: {exact} ({exact / len(relabelled):.1%})")
    print(f"{'claim id':<22}{'kappa':>7}{'agree':>8}{'both':>6}{'first':>7}{'second':>8}")
    for claim, result in results.items():
        kappa = "n/a" if result.kappa is None else f"{result.kappa:.3f}"
        print(
            f"{claim:<22}{kappa:>7}{result.observed:>8.3f}{result.both:>6}{result.only_first:>7}{result.only_second:>8}"
        )
    return EXIT_OK


def _ratios(counts: Counts) -> tuple[str, str]:
    """Precision and recall for the table; "n/a" where there is nothing to divide by."""
    return (
        f"{counts.precision:.3f}" if counts.has_found else "n/a",
        f"{counts.recall:.3f}" if counts.has_expected else "n/a",
    )


# --- rules ---------------------------------------------------------------------------


def cmd_rules_list(args: argparse.Namespace) -> int:
    engine = _rules_engine(args)
    rows = [
        {
            "id": loaded.rule.id,
            "claim": str(loaded.rule.claim),
            "description": loaded.rule.description,
            "patterns": len(loaded.rule.patterns) + len(loaded.rule.context_patterns),
            "examples": len(loaded.rule.examples.match) + len(loaded.rule.examples.no_match),
            "sources": list(loaded.rule.sources),
            "file": str(loaded.path),
        }
        for loaded in engine.ruleset.rules
    ]
    if args.json:
        _emit_json(rows)
        return EXIT_OK
    print(f"{'rule':<22}{'claim':<22}{'patterns':>9}{'examples':>9}  description")
    for row in rows:
        print(f"{row['id']:<22}{row['claim']:<22}{row['patterns']:>9}{row['examples']:>9}  {row['description']}")
    print(f"\n{len(rows)} rules from {', '.join(str(d) for d in engine.ruleset.directories)}")
    return EXIT_OK


def cmd_rules_lint(args: argparse.Namespace) -> int:
    engine = _rules_engine(args)  # loading validates schema, patterns and source ids
    issues = lint(engine.ruleset)
    for issue in issues:
        print(issue)
    errors = sum(1 for issue in issues if issue.level == "error")
    warnings = len(issues) - errors
    print(f"{len(engine.ruleset.rules)} rules checked: {errors} errors, {warnings} warnings")
    return EXIT_FAILED if errors else EXIT_OK


def cmd_rules_test(args: argparse.Namespace) -> int:
    engine = _rules_engine(args)
    rules = engine.ruleset.rules
    if args.rule:
        rules = [loaded for loaded in rules if loaded.rule.id in args.rule]
        unknown = set(args.rule) - {loaded.rule.id for loaded in rules}
        if unknown:
            raise CliError(f"unknown rule id: {', '.join(sorted(unknown))}")
    count, failures = run_examples(engine, rules)
    for failure in failures:
        print(failure)
    print(f"{count - len(failures)} passed, {len(failures)} failed")
    return EXIT_FAILED if failures else EXIT_OK


# --- db ------------------------------------------------------------------------------


async def _opened(url: str) -> Storage:
    from bot.storage import StorageError, check_database_url, storage_for

    try:
        storage = storage_for(check_database_url(url))
    except ValueError as exc:
        raise CliError(f"{url}: {exc}") from None
    try:
        await storage.open()  # applies pending migrations
    except StorageError as exc:
        raise CliError(str(exc)) from None
    return storage


def _run(coroutine):
    import asyncio

    return asyncio.run(coroutine)


def cmd_db_migrate(args: argparse.Namespace) -> int:
    async def migrate() -> str:
        storage = await _opened(args.database or _settings().database)
        try:
            return f"{storage}: schema version {await storage.schema_version()} ({storage.dialect})"
        finally:
            await storage.close()

    print(_run(migrate()))
    return EXIT_OK


def cmd_feedback_export(args: argparse.Namespace) -> int:
    """Detections that members reported as "Not a claim", as corpus lines to review before adding them."""

    async def reported() -> list:
        storage = await _opened(args.database or _settings().database)
        try:
            return await storage.reported_detections()
        finally:
            await storage.close()

    lines, without_text = [], 0
    for detection, reports in _run(reported()):
        if not detection.message_text:
            without_text += 1
            continue
        source = f"feedback:{detection.guild_id}:{detection.channel_id}"
        lines.append(
            {
                "id": f"feedback-{detection.id}",
                "text": detection.message_text,
                "claims": [],
                "source": source,
                "register": "chat",
                "split": str(split_for(source)),
                "note": wording.feedback_note(reports, detection.claim_ids, detection.rule_ids),
            }
        )
    out = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout  # noqa: SIM115
    try:
        for line in lines:
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
    finally:
        if args.output:
            out.close()
    print(wording.feedback_summary(len(lines), without_text), file=sys.stderr)
    return EXIT_OK


def cmd_db_copy(args: argparse.Namespace) -> int:
    if args.source == args.target:
        raise CliError("--from and --to name the same database")

    from bot.storage import StorageError
    from bot.storage.copy import copy_database

    async def copy() -> dict[str, int]:
        source = await _opened(args.source)
        try:
            target = await _opened(args.target)
            try:
                return await copy_database(source, target)
            except StorageError as exc:
                raise CliError(str(exc)) from None
            finally:
                await target.close()
        finally:
            await source.close()

    copied = _run(copy())
    print("copied " + ", ".join(f"{rows} {table.replace('_', ' ')} rows" for table, rows in copied.items()))
    return EXIT_OK


# --- run ------------------------------------------------------------------------------


def cmd_train(args: argparse.Namespace) -> int:
    from bot.core.learned import MODEL_DIR, ModelFileError

    out = args.out or MODEL_DIR
    items = _corpus(args)  # validate before spending half an hour
    if args.cutoffs_only:
        from bot.training import fit_cutoffs

        try:
            card = fit_cutoffs(args.corpus, out, threads=args.threads)
        except ModelFileError as exc:
            raise CliError(str(exc)) from None
    else:
        try:
            import torch  # noqa: F401 - only to say clearly that the extra is missing

            from bot.training import train
        except ImportError as exc:
            raise CliError(f"training needs the train extra: pip install -e '.[train]' ({exc.name} is missing)") from None
        print(f"training on {args.corpus} ({len(items)} items) into {out}; this takes a while", file=sys.stderr)
        card = train(args.corpus, out, epochs=args.epochs, seed=args.seed, threads=args.threads, layers=args.layers)
    for split, engines in card["figures"].items():
        for engine, counts in engines.items():
            print(f"{split:<11}{engine:<13}precision {counts['precision']:.3f}  recall {counts['recall']:.3f}  f1 {counts['f1']:.3f}")
    if args.cutoffs_only:
        print(f"cutoffs chosen again; {out / 'card.json'} and MODEL_CARD.md rewritten")
    else:
        print(f"model written to {out} ({card['training']['seconds']} s of training)")
    return EXIT_OK


def cmd_run(args: argparse.Namespace) -> int:
    from bot.discord.runner import run_bot

    return run_bot(extra_rules_dirs=args.rules_dir)


# --- parser ----------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="claimcheck",
        description="Find kratom health claims in text and answer them with short, sourced caveats.",
    )
    parser.add_argument(
        "--rules-dir",
        action="append",
        type=Path,
        default=[],
        metavar="DIR",
        help="extra rule directory loaded on top of the bundled rules (repeatable)",
    )
    parser.add_argument(
        "--engine",
        choices=[RULES_ONLY, RULES_AND_MODEL],
        default=RULES_AND_MODEL,
        help=f"the rules alone, or rules and the learned claim model (default: {RULES_AND_MODEL})",
    )
    parser.add_argument(
        "--log-level",
        default="WARNING",
        type=str.upper,
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="logging level (default: WARNING)",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = commands.add_parser("check", help="check one message and print the reply the bot would give")
    check.add_argument("text", nargs="?", help="the message text; omit or '-' to read standard input")
    check.add_argument("--context", action="append", metavar="TEXT", help="an earlier message, oldest first (repeatable)")
    check.add_argument("--json", action="store_true", help="print JSON instead of text")
    check.add_argument(
        "--explain", action="store_true", help="say how each claim was found: the rule and its words, or the model and the words that drove it"
    )
    check.add_argument("--long", action="store_true", help="every caveat in full, with full citations")
    check.set_defaults(handler=cmd_check)

    scan = commands.add_parser(
        "scan", help="scan a JSON Lines file or a DiscordChatExporter JSON export; write JSON Lines"
    )
    scan.add_argument("file", help="input file, or '-' for standard input")
    scan.add_argument("-o", "--output", help="write results here instead of standard output")
    scan.add_argument("--no-progress", action="store_true", help="never show a progress bar")
    scan.set_defaults(handler=cmd_scan)

    ev = commands.add_parser(
        "eval", help="score detection on labelled JSON Lines, on the corpus, or on the behavioural suite"
    )
    ev.add_argument("file", nargs="?", help="labelled JSON Lines, or '-' for standard input (default: the corpus)")
    ev.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, metavar="DIR", help="corpus folder (default: ./corpus)")
    ev.add_argument("--split", action="append", type=Split, choices=list(Split), help="corpus split (default: test; repeatable)")
    ev.add_argument("--register", action="append", type=Register, choices=list(Register), help="only this register (repeatable)")
    ev.add_argument(
        "--passages", action="store_true", help=f"the web items joined {PASSAGE_PARAGRAPHS} paragraphs at a time, as long as a page's text"
    )
    ev.add_argument("--behaviour", action="store_true", help="run the behavioural suite: failure rate per capability")
    ev.add_argument("--misses", action="store_true", help="with the corpus or --behaviour: list the misclassified items")
    ev.add_argument("--json", action="store_true", help="print JSON instead of tables")
    ev.set_defaults(handler=cmd_eval)

    corpus = commands.add_parser("corpus", help="the labelled corpus: counts and label audit")
    corpus.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, metavar="DIR", help="corpus folder (default: ./corpus)")
    corpus_commands = corpus.add_subparsers(dest="corpus_command", required=True, metavar="ACTION")
    stats = corpus_commands.add_parser("stats", help="validate the corpus and count items per split, register and claim id")
    stats.add_argument("--markdown", action="store_true", help="print a Markdown table (for corpus/README.md)")
    stats.set_defaults(handler=cmd_corpus_stats)
    audit = corpus_commands.add_parser("audit", help="agreement (Cohen's kappa per claim id) with a blind relabelling")
    audit.add_argument("relabelled", help="JSON Lines with 'id' and 'claims' for the relabelled items")
    audit.set_defaults(handler=cmd_corpus_audit)

    rules = commands.add_parser("rules", help="list, lint and test rules")
    rule_commands = rules.add_subparsers(dest="rules_command", required=True, metavar="ACTION")
    listing = rule_commands.add_parser("list", help="list the loaded rules")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(handler=cmd_rules_list)
    rule_commands.add_parser("lint", help="validate rules and report problems").set_defaults(handler=cmd_rules_lint)
    testing = rule_commands.add_parser("test", help="run the examples embedded in the rules")
    testing.add_argument("rule", nargs="*", help="only these rule ids")
    testing.set_defaults(handler=cmd_rules_test)
    db = commands.add_parser("db", help="database upkeep: apply migrations, or copy to another database")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    migrate = db_commands.add_parser("migrate", help="apply pending schema migrations (claimcheck run does too)")
    migrate.add_argument("--database", metavar="URL", help="database path or URL (default: CLAIMCHECK_DATABASE)")
    migrate.set_defaults(handler=cmd_db_migrate)
    copy = db_commands.add_parser(
        "copy", help="copy settings, detections and reports into a new, empty database (e.g. SQLite to PostgreSQL)"
    )
    copy.add_argument("--from", dest="source", required=True, metavar="URL", help="the database to read")
    copy.add_argument("--to", dest="target", required=True, metavar="URL", help="an empty database to fill")
    copy.set_defaults(handler=cmd_db_copy)

    training = commands.add_parser("train", help="rebuild the learned claim model from the corpus (needs the train extra)")
    training.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, metavar="DIR", help="corpus folder (default: ./corpus)")
    training.add_argument("--out", type=Path, metavar="DIR", help="where the model goes (default: the package's)")
    training.add_argument("--epochs", type=int, default=9, help="passes over the train split (default: 9)")
    training.add_argument("--seed", type=int, default=1234, help="random seed (default: 1234)")
    training.add_argument("--threads", type=int, default=2, help="CPU threads (default: 2)")
    training.add_argument("--layers", type=int, default=6, help="encoder layers kept, of the base model's 6 (default: 6)")
    training.add_argument(
        "--cutoffs-only", action="store_true", help="keep the model; choose its cutoffs again (after a change to the rules)"
    )
    training.set_defaults(handler=cmd_train)
    feedback = commands.add_parser("feedback", help="what members reported with the \"Not a claim\" button")
    feedback_commands = feedback.add_subparsers(dest="feedback_command", required=True, metavar="ACTION")
    export = feedback_commands.add_parser("export", help="write reported messages as corpus lines for review")
    export.add_argument("--database", metavar="URL", help="database path or URL (default: CLAIMCHECK_DATABASE)")
    export.add_argument("-o", "--output", help="write here instead of standard output")
    export.set_defaults(handler=cmd_feedback_export)
    run = commands.add_parser(
        "run", help="start the Discord bot (settings from the environment or a .env file; see README)"
    )
    run.set_defaults(handler=cmd_run)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        return args.handler(args)
    except CliError as exc:
        print(f"claimcheck: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        return EXIT_OK
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
