"""Rule files are data: bad ones are refused with the file, line and field."""

from pathlib import Path

import pytest

from bot.core.engine import Engine
from bot.core.ruleset import load_ruleset
from bot.core.ruletests import lint
from bot.core.yamlfile import RuleFileError

VALID_RULE = """\
id: local-cure-all
claim: harmless
description: Kratom called a cure-all.
patterns:
  - '{{subject}}[^.!?]{0,20}cures? (?:everything|anything)'
caveat: >-
  Being plant-derived does not make kratom safe: it has been linked to rare but serious liver injury.
sources: [livertox-kratom]
examples:
  match: [kratom cures everything, ketum cures anything, kratom literally cures everything,
          maeng da cures everything, mitragynine cures anything]
  no_match: ["does kratom cure everything?", kratom cures nothing, nothing cures everything,
             kratom is a tree, my uncle says kratom cures everything]
"""


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def test_bundled_rules_cover_every_claim_id():
    ruleset = load_ruleset()
    from bot.core.claims import ClaimId

    assert {loaded.rule.claim for loaded in ruleset.rules} == set(ClaimId)


def test_extra_directory_adds_rules(tmp_path):
    write(tmp_path, "local-cure-all.yaml", VALID_RULE)
    engine = Engine.load([tmp_path])
    findings = engine.detect("honestly kratom cures everything")
    assert any(f.rule_id == "local-cure-all" for f in findings)


def test_unknown_key_names_file_line_and_field(tmp_path):
    write(tmp_path, "bad.yaml", VALID_RULE.replace("description:", "severity: high\ndescription:"))
    with pytest.raises(RuleFileError) as caught:
        load_ruleset([tmp_path])
    error = caught.value
    assert error.path.endswith("bad.yaml") and error.line == 3 and error.field == "severity"
    assert "bad.yaml:3: severity:" in str(error)


def test_invalid_regex_is_refused(tmp_path):
    write(tmp_path, "bad.yaml", VALID_RULE.replace("cures? (?:everything|anything)'", "cures? (?:everything'"))
    with pytest.raises(RuleFileError) as caught:
        load_ruleset([tmp_path])
    assert caught.value.field == "patterns.0" and caught.value.line == 5
    assert "RE2" in str(caught.value)


def test_backreferences_are_refused_because_re2_is_linear_time(tmp_path):
    write(tmp_path, "bad.yaml", VALID_RULE.replace("cures? (?:everything|anything)'", r"(a+)\1'"))
    with pytest.raises(RuleFileError, match="invalid RE2 pattern"):
        load_ruleset([tmp_path])


def test_unknown_source_is_refused(tmp_path):
    write(tmp_path, "bad.yaml", VALID_RULE.replace("sources: [livertox-kratom]", "sources: [made-up-study]"))
    with pytest.raises(RuleFileError, match="unknown source 'made-up-study'") as caught:
        load_ruleset([tmp_path])
    assert caught.value.line == 8


def test_unknown_claim_id_is_refused(tmp_path):
    write(tmp_path, "bad.yaml", VALID_RULE.replace("claim: harmless", "claim: cures-cancer"))
    with pytest.raises(RuleFileError) as caught:
        load_ruleset([tmp_path])
    assert caught.value.field == "claim" and caught.value.line == 2


def test_unknown_term_is_refused(tmp_path):
    write(tmp_path, "bad.yaml", VALID_RULE.replace("{{subject}}", "{{nonsense}}"))
    with pytest.raises(RuleFileError, match=r"unknown term \{\{nonsense\}\}"):
        load_ruleset([tmp_path])


def test_too_few_examples_is_refused(tmp_path):
    text = VALID_RULE.replace(
        "  match: [kratom cures everything, ketum cures anything, kratom literally cures everything,\n"
        "          maeng da cures everything, mitragynine cures anything]",
        "  match: [kratom cures everything]",
    )
    write(tmp_path, "bad.yaml", text)
    with pytest.raises(RuleFileError) as caught:
        load_ruleset([tmp_path])
    assert caught.value.field == "examples.match"


def test_dosing_amounts_in_a_caveat_are_refused(tmp_path):
    write(tmp_path, "bad.yaml", VALID_RULE.replace("liver injury.", "liver injury. Stay under 5 g."))
    with pytest.raises(RuleFileError, match="dosing"):
        load_ruleset([tmp_path])


def test_duplicate_rule_id_is_refused(tmp_path):
    write(tmp_path, "harmless.yaml", VALID_RULE.replace("id: local-cure-all", "id: harmless"))
    with pytest.raises(RuleFileError, match="already used"):
        load_ruleset([tmp_path])


def test_broken_yaml_names_the_line(tmp_path):
    write(tmp_path, "bad.yaml", "id: x\nclaim: [unclosed\n")
    with pytest.raises(RuleFileError) as caught:
        load_ruleset([tmp_path])
    assert caught.value.line is not None and "invalid YAML" in str(caught.value)


def test_missing_directory_is_refused(tmp_path):
    with pytest.raises(RuleFileError, match="does not exist"):
        load_ruleset([tmp_path / "nope"])


LOCAL_SOURCE = """\
sources:
  - id: local-study
    label: Local study, 2024
    title: A local study
    publisher: A journal
    year: 2024
    url: https://example.org/local-study
"""


def test_a_source_label_already_used_is_refused(tmp_path):
    write(tmp_path, "sources.yaml", LOCAL_SOURCE.replace("Local study, 2024", "FDA, 2018"))
    with pytest.raises(RuleFileError, match="label already used by source fda-2018-opioid-compounds-statement") as caught:
        load_ruleset([tmp_path])
    assert caught.value.field == "sources.0.label" and caught.value.line == 3


def test_a_source_needs_a_short_label_without_brackets(tmp_path):
    for label in ("", "[FDA], 2018", "x" * 41):
        write(tmp_path, "sources.yaml", LOCAL_SOURCE.replace("Local study, 2024", repr(label)))
        with pytest.raises(RuleFileError) as caught:
            load_ruleset([tmp_path])
        assert caught.value.field == "sources.0.label"


def test_bundled_rules_lint_clean():
    assert lint(load_ruleset()) == []


def test_lint_warns_about_an_uncited_source_where_it_is_defined(tmp_path):
    write(tmp_path, "sources.yaml", LOCAL_SOURCE)
    issues = lint(load_ruleset([tmp_path]))
    assert [(i.level, i.where) for i in issues] == [("warning", f"{tmp_path / 'sources.yaml'}:2")]
    assert "local-study is not cited by any rule" in issues[0].message


def test_lint_refuses_more_than_three_sources_per_caveat(tmp_path):
    write(tmp_path, "sources.yaml", LOCAL_SOURCE)
    four = "sources: [livertox-kratom, local-study, post-2019-poison-centers, tanna-2023-cpt-clinical-ddi]"
    write(tmp_path, "local-cure-all.yaml", VALID_RULE.replace("sources: [livertox-kratom]", four))
    errors = [i for i in lint(load_ruleset([tmp_path])) if i.level == "error"]
    assert len(errors) == 1 and "cites 4 sources" in errors[0].message and errors[0].where.endswith("local-cure-all.yaml:8")
