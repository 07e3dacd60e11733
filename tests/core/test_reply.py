"""The reply as text (``claimcheck check``) and the choice of claims shown in full."""

from __future__ import annotations

import json

from bot.core import wording
from bot.core.claims import CLAIMS_BY_RISK, ClaimId
from bot.core.reply import CLAIMS_IN_FULL, plan_reply, render_json, render_text
from tests.conftest import every_rule_and_pair, finding_for


def test_every_claim_has_words_and_a_rank():
    assert set(wording.CLAIM_SUMMARIES) == set(ClaimId)
    assert sorted(CLAIMS_BY_RISK) == sorted(ClaimId)


def test_every_rule_alone_and_every_pair_prints_every_cited_source(engine):
    for combination in every_rule_and_pair(engine):
        findings = [finding_for(engine, rule_id) for rule_id in combination]
        text = render_text(findings)
        for finding in findings:
            assert finding.caveat in text
            for source in finding.sources:
                assert f"- {source.label}: {source.url}" in text
        assert text.endswith(wording.REMINDER)


def test_many_claims_show_the_riskiest_in_full_and_every_source_of_the_rest(engine):
    findings = [finding_for(engine, rule_id) for rule_id in ("skin-benefit", "chronic-pain", "no-overdose", "harmless")]
    plan = plan_reply(findings)
    assert [f.rule_id for f in plan.in_full] == ["no-overdose", "harmless"] and len(plan.in_full) == CLAIMS_IN_FULL
    assert [f.rule_id for f in plan.in_brief] == ["chronic-pain", "skin-benefit"]
    text = render_text(findings)
    assert findings[0].caveat not in text and findings[2].caveat in text
    assert all(f"- {source.label}: {source.url}" in text for finding in findings for source in finding.sources)
    assert wording.LONG_HINT in text


def test_long_shows_every_caveat_and_full_citation(engine):
    findings = [finding_for(engine, loaded.rule.id) for loaded in engine.ruleset.rules]
    text = render_text(findings, long=True)
    for finding in findings:
        assert finding.caveat in text
        for source in finding.sources:
            assert f"- {source.label}: {wording.full_citation(source)} {source.url}" in text
    assert wording.LONG_HINT not in text


def test_full_citation_names_authors_title_publisher_year_and_how_the_copy_was_read(engine):
    mmwr = engine.ruleset.sources["cdc-mmwr-2019-kratom-overdose-deaths"]
    assert wording.full_citation(mmwr).startswith("Olsen EO, O'Donnell J, Mattson CL, Schier JG, Wilson N (CDC). Notes from")
    assert wording.full_citation(mmwr).endswith("U.S. Centers for Disease Control and Prevention, MMWR, 2019.")
    metals = wording.full_citation(engine.ruleset.sources["fda-2018-heavy-metals-statement"])
    assert "fda.gov address could not be confirmed" in metals


def test_no_output_carries_placeholder_authors(engine):
    findings = [finding_for(engine, loaded.rule.id) for loaded in engine.ruleset.rules]
    outputs = render_text(findings, long=True) + json.dumps(render_json("text", findings))
    assert "Not confirmed" not in outputs and "api.fda.gov" not in outputs
