"""The CLI through its real console entry point, as a user runs it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import CORPUS

DEV_FILE = CORPUS / "dev" / "dev.jsonl"

SCRIPT = Path(sys.executable).with_name("claimcheck")
CLAIMCHECK = str(SCRIPT) if SCRIPT.exists() else shutil.which("claimcheck")


def run(*args: str, stdin: str | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    assert CLAIMCHECK, "the claimcheck console script is not installed; run: pip install -e '.[test]'"
    return subprocess.run(
        [CLAIMCHECK, *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )


def test_help_for_every_command():
    for command in ([], ["check"], ["scan"], ["eval"], ["rules"], ["rules", "list"], ["rules", "lint"], ["rules", "test"],
                    ["db"], ["db", "migrate"], ["db", "copy"], ["run"]):  # fmt: skip
        result = run(*command, "--help")
        assert result.returncode == 0, result.stderr
        assert "usage: claimcheck" in result.stdout


def test_the_rules_commands_do_not_load_the_model_or_the_database_drivers():
    """A rules-only check or scan starts without numpy, onnxruntime, tokenizers or the storage drivers."""
    probe = (
        "import sys, bot.cli.main\n"
        "heavy = ('numpy', 'onnxruntime', 'tokenizers', 'aiosqlite', 'asyncpg', 'bot.core.hybrid', 'bot.core.behaviour')\n"
        "print(' '.join(m for m in heavy if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def test_check_prints_caveat_sources_and_reminder():
    result = run("check", "kratom is way safer than oxy")
    assert result.returncode == 0
    assert "safer-than-opioids" in result.stdout
    assert "https://" in result.stdout
    assert "not medical advice" in result.stdout


def test_check_long_prints_full_citations():
    result = run("check", "--long", "kratom is way safer than oxy")
    assert result.returncode == 0
    assert "- FDA, 2018: Statement from FDA Commissioner Scott Gottlieb" in result.stdout
    assert "https://www.cdc.gov/mmwr/volumes/68/wr/mm6814a2.htm" in result.stdout


def test_check_explain_says_what_found_each_claim():
    model = run("check", "--explain", "the leaf has been a lifesaver for my costochondritis")
    assert "Found by the learned model (score" in model.stdout and "the words that weighed most:" in model.stdout
    assert "costochondritis" in model.stdout.split("the words that weighed most:")[1]
    rule = run("--engine", "rules", "check", "--explain", "kratom is way safer than oxy")
    assert "Why: rule safer-than-opioids matched “kratom is way safer”" in rule.stdout


def test_check_reads_stdin_and_prints_json():
    # The rules engine: its findings and spans are fixed by the rule files, not by a model
    # retrained on a growing corpus (whose veto may doubt "it's just a leaf": 0.49, measured).
    result = run("--engine", "rules", "check", "--json", stdin="you can't OD on ketum, it's just a leaf")
    payload = json.loads(result.stdout)
    assert set(payload["claims"]) == {"no-overdose", "harmless"}
    finding = payload["findings"][0]
    assert payload["text"][finding["span"][0] : finding["span"][1]] == finding["matched"]
    assert payload["reminder"]


def test_check_with_context():
    result = run("--engine", "rules", "check", "--json", "--context", "should I try kratom for my back?", "yes, works for me every time")
    assert json.loads(result.stdout)["claims"] == ["chronic-pain"]


def test_check_without_claims():
    result = run("check", "happy friday everyone")
    assert result.returncode == 0 and "No kratom health claims found." in result.stdout


def test_scan_jsonl_keeps_going_after_a_bad_line(tmp_path):
    source = tmp_path / "chat.jsonl"
    source.write_text(
        '{"id": "a", "text": "kratom cured my arthritis"}\n'
        "this line is not json\n"
        '{"id": "b", "text": "nice weather"}\n'
        '{"text": "no id here"}\n'
        '{"id": "c", "text": "its just a leaf bro", "context": ["is kratom dangerous?"]}\n',
        encoding="utf-8",
    )
    out = tmp_path / "out.jsonl"
    result = run("scan", str(source), "--output", str(out))
    assert result.returncode == 0
    assert "chat.jsonl:2: not valid JSON" in result.stderr
    assert "chat.jsonl:4: field 'id'" in result.stderr
    assert "scanned 3 messages" in result.stderr and "2 unreadable records skipped" in result.stderr
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [row["id"] for row in rows] == ["a", "b", "c"]
    assert rows[0]["claims"] == ["chronic-pain"] and rows[1]["claims"] == [] and rows[2]["claims"] == ["harmless"]
    assert set(rows[0]) == {"id", "claims", "findings"}


def test_scan_discord_chat_exporter_uses_replies_as_context(tmp_path):
    export = {
        "guild": {"id": "1", "name": "Pain support"},
        "channel": {"id": "2", "name": "general"},
        "messages": [
            {"id": "10", "type": "Default", "content": "does kratom help with anxiety?", "author": {"id": "5", "name": "a"}},
            {"id": "11", "type": "Default", "content": "lunch time", "author": {"id": "6", "name": "b"}},
            {"id": "12", "type": "Default", "content": "anyone seen the game", "author": {"id": "7", "name": "c"}},
            {
                "id": "13",
                "type": "Reply",
                "content": "helps mine a ton, I can go to the store again",
                "author": {"id": "6", "name": "b"},
                "reference": {"messageId": "10", "channelId": "2", "guildId": "1"},
            },
        ],
    }
    source = tmp_path / "export.json"
    source.write_text(json.dumps(export, indent=2), encoding="utf-8")
    result = run("scan", str(source))
    assert result.returncode == 0, result.stderr
    rows = {row["id"]: row for row in map(json.loads, result.stdout.splitlines())}
    assert rows["13"]["claims"] == ["mood-treatment"]
    assert rows["10"]["claims"] == []


def test_scan_unknown_format_and_missing_file(tmp_path):
    weird = tmp_path / "notes.txt"
    weird.write_text("hello there\n", encoding="utf-8")
    result = run("scan", str(weird))
    assert result.returncode == 2 and "unknown format" in result.stderr
    result = run("scan", str(tmp_path / "missing.jsonl"))
    assert result.returncode == 2 and "missing.jsonl: cannot open" in result.stderr


def test_eval_prints_figures_and_json():
    result = run("eval", str(DEV_FILE))
    assert result.returncode == 0
    assert "message level (rules): precision" in result.stdout and "message level (rules+model)" in result.stdout and "chronic-pain" in result.stdout
    payload = json.loads(run("eval", "--json", str(DEV_FILE)).stdout)
    assert payload["messages"] == 320
    assert payload["message_level"]["precision"] >= 0.95


def test_eval_on_the_corpus_test_split_reports_each_register():
    payload = json.loads(run("eval", "--json", "--corpus", str(CORPUS)).stdout)
    assert set(payload) == {"all", "chat", "web"}
    assert payload["all"]["messages"] == payload["chat"]["messages"] + payload["web"]["messages"]
    text = run("eval", "--corpus", str(CORPUS), "--split", "validation", "--register", "web").stdout
    assert "corpus validation, web only" in text and "every register" not in text and "message level" in text


def test_eval_on_passages_joins_the_web_items_of_each_source():
    result = run("eval", "--corpus", str(CORPUS), "--split", "validation", "--passages")
    assert result.returncode == 0 and "corpus validation, web items joined 3 by 3" in result.stdout
    payload = json.loads(run("eval", "--json", "--corpus", str(CORPUS), "--split", "validation", "--passages").stdout)
    assert set(payload) == {"all"} and 0 < payload["all"]["messages"]
    assert all("+" in miss["id"] for miss in payload["all"]["misclassified"])  # ids of the items joined


def test_eval_behaviour_prints_a_rate_per_capability():
    result = run("eval", "--behaviour")
    assert result.returncode == 0
    for capability in ("found/chronic-pain", "invariant/typo", "directional/sarcastic"):
        assert capability in result.stdout


def test_corpus_stats_and_audit(tmp_path):
    stats = run("corpus", "--corpus", str(CORPUS), "stats")
    assert stats.returncode == 0 and "train/chat" in stats.stdout and "have a contrast variant" in stats.stdout
    relabelled = tmp_path / "relabelled.jsonl"
    relabelled.write_text(
        json.dumps({"id": "d0001", "text": "x", "claims": ["clinically-proven", "harmless"]}) + "\n"
        + json.dumps({"id": "d0002", "text": "x", "claims": []}) + "\n",
        encoding="utf-8",
    )
    audit = run("corpus", "--corpus", str(CORPUS), "audit", str(relabelled))
    assert audit.returncode == 0 and "2 items relabelled; identical label sets: 1 (50.0%)" in audit.stdout
    assert "no-overdose" in audit.stdout


def test_a_broken_corpus_names_file_line_and_field(tmp_path):
    (tmp_path / "bad.jsonl").write_text('{"id": "x1", "text": "hi", "claims": ["cures-all"], "source": "s", "register": "chat", "split": "dev"}\n')
    result = run("corpus", "--corpus", str(tmp_path), "stats")
    assert result.returncode == 2
    assert "bad.jsonl:1: field 'claims.0':" in result.stderr


def test_rules_list_lint_and_test():
    listing = run("rules", "list", "--json")
    assert len(json.loads(listing.stdout)) >= 13
    lint = run("rules", "lint")
    assert lint.returncode == 0 and "0 errors" in lint.stdout
    tested = run("rules", "test")
    assert tested.returncode == 0 and " 0 failed" in tested.stdout


def test_broken_extra_rule_dir_is_reported_with_file_and_line(tmp_path):
    (tmp_path / "oops.yaml").write_text("id: oops\nclaim: harmless\nwhatever: 1\n", encoding="utf-8")
    result = run("--rules-dir", str(tmp_path), "check", "kratom is fine")
    assert result.returncode == 2
    assert "oops.yaml:3: whatever" in result.stderr


def test_rules_test_reports_a_failing_example(tmp_path):
    rule = (Path(__file__).resolve().parents[2] / "rules" / "harmless.yaml").read_text(encoding="utf-8")
    rule = rule.replace("id: harmless", "id: local-harmless").replace("    - kratom is totally harmless, relax", "    - kratom tastes like grass")
    (tmp_path / "local-harmless.yaml").write_text(rule, encoding="utf-8")
    result = run("--rules-dir", str(tmp_path), "rules", "test", "local-harmless")
    assert result.returncode == 1
    assert "local-harmless.yaml" in result.stdout and "should match but did not: 'kratom tastes like grass'" in result.stdout


def test_scan_writes_one_line_per_message_in_order_with_a_skipped_reason(tmp_path):
    def message(id_: str, content: str, kind: str = "Default", **extra) -> dict:
        return {"id": id_, "type": kind, "content": content, "author": {"id": "5", "name": "a"}, **extra}

    export = {"guild": {"id": "1"}, "channel": {"id": "2"}, "messages": [
        message("1", "", "GuildMemberJoin"),
        message("2", "kratom is completely harmless"),
        message("3", "", attachments=[{"id": "9", "url": "https://cdn.example/x.png", "fileName": "x.png"}]),
        message("4", "Pinned a message.", "ChannelPinnedMessage"),
        message("5", "   "),
        message("6", "nice weather"),
    ]}  # fmt: skip
    source = tmp_path / "export.json"
    source.write_text(json.dumps(export, indent=2), encoding="utf-8")
    result = run("scan", str(source))
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [row["id"] for row in rows] == ["1", "2", "3", "4", "5", "6"]
    assert [row.get("skipped") for row in rows] == [
        "system message (GuildMemberJoin)", None, "attachments only", "system message (ChannelPinnedMessage)", "empty", None]
    assert rows[1]["claims"] == ["harmless"] and all(row["claims"] == [] for row in rows if row.get("skipped"))
    assert "scanned 6 messages" in result.stderr and "4 with no text to check" in result.stderr


def test_scan_jsonl_with_a_broken_first_line_warns_and_goes_on(tmp_path):
    source = tmp_path / "chat.jsonl"
    source.write_text('\n\n{"id": "a", "text": "kratom cured\n{"id": "b", "text": ""}\n{"id": "c", "text": "kratom is harmless"}\n',
                      encoding="utf-8")  # fmt: skip
    result = run("scan", str(source))
    assert result.returncode == 0, result.stderr
    assert "chat.jsonl:3: not valid JSON (Unterminated string starting at column 21)" in result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(row["id"], row.get("skipped"), row["claims"]) for row in rows] == [("b", "empty", []), ("c", None, ["harmless"])]


def test_every_command_honours_claimcheck_rules_dirs(tmp_path):
    rule = (Path(__file__).resolve().parents[2] / "rules" / "harmless.yaml").read_text(encoding="utf-8")
    (tmp_path / "local.yaml").write_text(rule.replace("id: harmless", "id: local-harmless"), encoding="utf-8")
    env = {**os.environ, "CLAIMCHECK_RULES_DIRS": str(tmp_path), "PYTHONIOENCODING": "utf-8"}
    listing = subprocess.run([CLAIMCHECK, "rules", "list", "--json"], capture_output=True, text=True, env=env, timeout=120)
    assert "local-harmless" in {row["id"] for row in json.loads(listing.stdout)}


def test_eval_shows_na_for_claim_ids_without_cases(tmp_path):
    source = tmp_path / "labelled.jsonl"
    source.write_text('{"id": "a", "text": "kratom is completely harmless", "claims": ["harmless"]}\n'
                      '{"id": "b", "text": "nice weather", "claims": []}\n', encoding="utf-8")  # fmt: skip
    result = run("eval", str(source))
    line = next(line for line in result.stdout.splitlines() if line.startswith("skin-benefit"))
    assert line.split()[1:3] == ["n/a", "n/a"] and "1.000" not in line
    harmless = next(line for line in result.stdout.splitlines() if line.startswith("harmless"))
    assert harmless.split()[1:3] == ["1.000", "1.000"]
    per_claim = json.loads(run("eval", "--json", str(source)).stdout)["per_claim"]
    assert per_claim["skin-benefit"]["precision"] is None and per_claim["harmless"]["recall"] == 1.0


def test_db_copy_moves_everything_from_sqlite_to_postgresql(tmp_path, postgres_url):
    import asyncio

    from bot.storage import Detection, GuildSettings, storage_for

    source_path = tmp_path / "old.db"

    async def fill() -> int:
        source = storage_for(str(source_path))
        await source.open()
        await source.save_settings(GuildSettings(guild_id=7, action="both", log_channel_id=8))
        detection_id = await source.add_detection(Detection(7, 8, 9, 10, ("harmless",), ("harmless",), "replied", 1.0))
        await source.add_false_positive(detection_id, 11)
        await source.close()
        return detection_id

    detection_id = asyncio.run(fill())
    result = run("db", "copy", "--from", f"sqlite:///{source_path}", "--to", postgres_url)
    assert result.returncode == 0, result.stderr
    assert "copied 1 guild settings rows, 1 detections rows, 1 false positive reports rows" in result.stdout

    async def check() -> None:
        target = storage_for(postgres_url)
        await target.open()
        assert (await target.get_settings(7)).action == "both"
        assert (await target.get_detection(detection_id)).message_id == 9
        assert await target.stats(7, 0) == {"harmless": (1, 1)}
        assert await target.add_detection(Detection(7, 8, 12, 10, ("harmless",), ("harmless",), "replied", 2.0)) > detection_id
        await target.close()

    asyncio.run(check())
    again = run("db", "copy", "--from", f"sqlite:///{source_path}", "--to", postgres_url)
    assert again.returncode == 2 and "already holds data" in again.stderr and "claimcheck-test" not in again.stderr
    migrated = run("db", "migrate", "--database", str(tmp_path / "new.db"))
    assert migrated.returncode == 0 and "schema version 1 (sqlite)" in migrated.stdout


def test_an_invalid_pattern_is_shown_as_written(tmp_path):
    rule = (Path(__file__).resolve().parents[2] / "rules" / "harmless.yaml").read_text(encoding="utf-8")
    first_pattern = rule.index("  - ", rule.index("patterns:"))
    end = rule.index("\n", first_pattern)
    rule = rule[:first_pattern] + "  - '{{subject}} is (totally harmless'" + rule[end:]
    (tmp_path / "bad.yaml").write_text(rule.replace("id: harmless", "id: bad"), encoding="utf-8")
    result = run("--rules-dir", str(tmp_path), "check", "kratom is fine")
    assert result.returncode == 2
    line = result.stderr.strip()
    assert line.endswith("patterns.0: invalid RE2 pattern, missing ): '{{subject}} is (totally harmless'"), line
    assert "bad.yaml:" in line and "\\\\b" not in line and len(line.splitlines()) == 1


def test_feedback_export_writes_reported_messages_as_corpus_lines_for_review(tmp_path):
    import asyncio
    from dataclasses import replace as with_fields

    from bot.storage import Detection, SQLiteStorage

    database = tmp_path / "claimcheck.db"

    async def fill() -> None:
        storage = SQLiteStorage(database)
        await storage.open()
        base = Detection(100, 200, 300, 400, ("harmless",), ("harmless",), "replied", 1000.0)
        with_text = await storage.add_detection(with_fields(base, message_text="kratom tea is just a drink I like"))
        without_text = await storage.add_detection(with_fields(base, message_id=301))
        for detection_id in (with_text, without_text):
            await storage.add_false_positive(detection_id, 7)
        await storage.close()

    asyncio.run(fill())
    out = tmp_path / "feedback.jsonl"
    result = run("feedback", "export", "--database", str(database), "--output", str(out))
    assert result.returncode == 0, result.stderr
    (line,) = [json.loads(text) for text in out.read_text(encoding="utf-8").splitlines()]
    assert line["text"] == "kratom tea is just a drink I like" and line["claims"] == []
    assert line["register"] == "chat" and line["split"] in ("train", "validation", "test")
    assert "1 'Not a claim' report(s)" in line["note"]
    assert "1 reported messages exported for review; 1 more have no stored text" in result.stderr
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "feedback.jsonl").write_text(out.read_text(encoding="utf-8"), encoding="utf-8")
    assert run("corpus", "--corpus", str(corpus), "stats").returncode == 0  # valid corpus lines
