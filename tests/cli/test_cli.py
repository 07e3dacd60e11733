"""The CLI through its real console entry point, as a user runs it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

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
    for command in ([], ["check"], ["scan"], ["eval"], ["rules"], ["rules", "list"], ["rules", "lint"], ["rules", "test"]):
        result = run(*command, "--help")
        assert result.returncode == 0, result.stderr
        assert "usage: claimcheck" in result.stdout


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


def test_check_reads_stdin_and_prints_json():
    result = run("check", "--json", stdin="you can't OD on ketum, it's just a leaf")
    payload = json.loads(result.stdout)
    assert set(payload["claims"]) == {"no-overdose", "harmless"}
    finding = payload["findings"][0]
    assert payload["text"][finding["span"][0] : finding["span"][1]] == finding["matched"]
    assert payload["reminder"]


def test_check_with_context():
    result = run("check", "--json", "--context", "should I try kratom for my back?", "yes, works for me every time")
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
    assert "message level: precision" in result.stdout and "chronic-pain" in result.stdout
    payload = json.loads(run("eval", "--json", str(DEV_FILE)).stdout)
    assert payload["messages"] == 320
    assert payload["message_level"]["precision"] >= 0.95


def test_eval_on_the_corpus_test_split_reports_each_register():
    payload = json.loads(run("eval", "--json", "--corpus", str(CORPUS)).stdout)
    assert set(payload) == {"all", "chat", "web"}
    assert payload["all"]["messages"] == payload["chat"]["messages"] + payload["web"]["messages"]
    text = run("eval", "--corpus", str(CORPUS), "--split", "validation", "--register", "web").stdout
    assert "corpus validation, every register" in text and "message level" in text


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
