"""What ClaimCheck says about a message: which claims it shows in full, as plain
text and as JSON-ready data.

The Discord embed builds on ``plan_reply`` too, so members and CLI users see the
same claims, in the same order, with the same sources. The words are in
``bot.core.wording``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.core import wording
from bot.core.claims import CLAIMS_BY_RISK
from bot.core.models import Finding, Source

# A reply shows this many claims with their caveat; the rest get one line each
# (summary and sources) so that a long message still gets a reply that reads
# well on a phone. "Why?" and ``check --long`` show every caveat.
CLAIMS_IN_FULL = 2


@dataclass(frozen=True)
class ReplyPlan:
    in_full: tuple[Finding, ...]
    in_brief: tuple[Finding, ...]


def by_risk(findings: Sequence[Finding]) -> tuple[Finding, ...]:
    return tuple(sorted(findings, key=lambda finding: CLAIMS_BY_RISK.index(finding.claim)))


def plan_reply(findings: Sequence[Finding], *, everything_in_full: bool = False) -> ReplyPlan:
    """The riskiest claims first (``CLAIMS_BY_RISK``); the first ``CLAIMS_IN_FULL`` in full."""
    ranked = by_risk(findings)
    if everything_in_full:
        return ReplyPlan(ranked, ())
    return ReplyPlan(ranked[:CLAIMS_IN_FULL], ranked[CLAIMS_IN_FULL:])


def unique_sources(findings: Sequence[Finding]) -> list[Source]:
    seen: dict[str, Source] = {}
    for finding in findings:
        for source in finding.sources:
            seen.setdefault(source.id, source)
    return list(seen.values())


def render_text(
    findings: Sequence[Finding], *, long: bool = False, explanations: Mapping[str, str] | None = None
) -> str:
    """The reply the bot would give, for a terminal; ``long`` shows every caveat and full citations,
    ``explanations`` (by claim id) how each finding was found."""
    if not findings:
        return wording.NO_CLAIMS
    plan = plan_reply(findings, everything_in_full=long)
    lines = [wording.reply_intro(len(findings)), ""]
    shown = [(finding, True) for finding in plan.in_full] + [(finding, False) for finding in plan.in_brief]
    for number, (finding, with_caveat) in enumerate(shown, start=1):
        lines.append(f"{number}. {finding.summary}  [{finding.claim}]")
        if finding.basis == "model":
            lines.append("   " + wording.MODEL_FOUND.format(score=finding.score))
        else:
            lines.append("   " + wording.MATCHED.format(words=finding.matched))
        if explanations and str(finding.claim) in explanations:
            lines.append("   " + explanations[str(finding.claim)])
        if with_caveat:
            lines.append(f"   {finding.caveat}")
        for source in finding.sources:
            detail = wording.full_citation(source) + " " if long else ""
            lines.append(f"   - {source.label}: {detail}{source.url}")
        lines.append("")
    if plan.in_brief:
        lines += [wording.LONG_HINT, ""]
    lines.append(wording.REMINDER)
    return "\n".join(lines)


def render_json(text: str, findings: Sequence[Finding]) -> dict:
    return {
        "text": text,
        "claims": [str(f.claim) for f in findings],
        "findings": [f.to_dict() for f in findings],
        "sources": [source.model_dump() for source in unique_sources(findings)],
        "reminder": wording.REMINDER if findings else None,
    }
