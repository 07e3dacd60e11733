"""What ClaimCheck says about a message, as plain text and as JSON-ready data.

The Discord embed and the CLI both build on these, so members and moderators
read the same words everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.models import Finding
from bot.core.models import Source

REMINDER = (
    "This is general information, not medical advice. Talk to a doctor or pharmacist "
    "before using kratom or changing any medicine."
)
NO_CLAIMS = "No kratom health claims found."


def unique_sources(findings: Sequence[Finding]) -> list[Source]:
    seen: dict[str, Source] = {}
    for finding in findings:
        for source in finding.sources:
            seen.setdefault(source.id, source)
    return list(seen.values())


def render_text(findings: Sequence[Finding]) -> str:
    """The reply the bot would give, for a terminal."""
    if not findings:
        return NO_CLAIMS
    noun = "claim" if len(findings) == 1 else "claims"
    lines = [f"ClaimCheck found {len(findings)} kratom health {noun}:", ""]
    for number, finding in enumerate(findings, start=1):
        lines.append(f"{number}. {finding.summary}  [{finding.claim}]")
        lines.append(f"   Matched: \"{finding.matched}\"")
        lines.append(f"   {finding.caveat}")
        for source in finding.sources:
            lines.append(f"   - {source.citation} {source.url}")
        lines.append("")
    lines.append(REMINDER)
    return "\n".join(lines)


def render_json(text: str, findings: Sequence[Finding]) -> dict:
    return {
        "text": text,
        "claims": [str(f.claim) for f in findings],
        "findings": [f.to_dict() for f in findings],
        "sources": [source.model_dump() for source in unique_sources(findings)],
        "reminder": REMINDER if findings else None,
    }
