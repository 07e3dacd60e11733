"""Every word of ClaimCheck's replies, in one place.

The caveats and source labels are data in ``rules/``; everything else around
them is here: the reply's intro and reminder, the claim summaries, the check
command and menu, the buttons and their answers, the "Why?" answer, the alerts
in the log channel and the CLI's reply. Layout and Discord's limits are elsewhere:
``bot/core/reply.py`` for text, ``bot/discord/embeds.py`` for embeds.

The tone: say what research says, never that the member is wrong, and speak to
people who already use kratom, for whom stopping suddenly can bring withdrawal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # models imports claims, which takes its summaries from here
    from bot.core.models import Source

# The claim in plain words, keyed by claim id (bot.core.claims.ClaimId).
CLAIM_SUMMARIES: dict[str, str] = {
    "safer-than-opioids": "Kratom is safer than opioids or prescription painkillers",
    "no-overdose": "You cannot overdose on kratom",
    "not-addictive": "Kratom is not addictive",
    "neuropathic-pain": "Kratom treats neuropathy or nerve pain",
    "chronic-pain": "Kratom treats chronic pain or works as a painkiller",
    "clinically-proven": "Research proves kratom works or is safe",
    "opioid-replacement": "Kratom can replace opioids or treat opioid withdrawal",
    "strain-advice": "A particular strain or vein colour is best for a medical use",
    "dosing-advice": "Dosing instructions for a medical use",
    "harmless": "Kratom is safe or harmless (for example because it is natural)",
    "mood-treatment": "Kratom treats anxiety, depression or other mood problems",
    "anti-inflammatory": "Kratom reduces inflammation",
    "skin-benefit": "Kratom is good for the skin or clears hyperpigmentation",
}

# --- the reply ----------------------------------------------------------------------

REMINDER = (
    "General information, not medical advice. Talk to a doctor or pharmacist before "
    "starting, stopping or changing kratom or any medicine."
)
NO_CLAIMS = "No kratom health claims found."
BRIEF_HEADING_WITHOUT_WHY = "Also mentioned"
BRIEF_HEADING = f"{BRIEF_HEADING_WITHOUT_WHY} (tap Why? for the detail)"


def reply_intro(claim_count: int) -> str:
    claims = "a kratom health claim" if claim_count == 1 else "kratom health claims"
    return f"This message mentions {claims}. What research says so far:"


def full_citation(source: Source) -> str:
    """'Authors. Title. Publisher, 2019. Note.', for "Why?" and ``check --long``."""
    published = ", ".join(str(part) for part in (source.publisher, source.year) if part)
    parts = (source.authors, source.title, published, source.note)
    return " ".join(part if part.endswith((".", "?", "!")) else part + "." for part in parts if part)


# --- command line -------------------------------------------------------------------


def feedback_note(reports: int, claims: tuple[str, ...], rules: tuple[str, ...]) -> str:
    return (
        f"{reports} 'Not a claim' report(s); the bot found {', '.join(claims)} (by {', '.join(rules)}). "
        "Proposed label: no claim. Review it, and add the conversation as context if it matters, "
        "before moving the line into corpus/."
    )


def feedback_summary(exported: int, without_text: int) -> str:
    summary = f"{exported} reported messages exported for review"
    if without_text:
        summary += (
            f"; {without_text} more have no stored text (their servers have store-text off: "
            "/claimcheck-admin store-text enabled:true keeps it for future reports)"
        )
    return summary

MATCHED = 'Matched: "{words}"'
LONG_HINT = "Every caveat in full, with full citations: claimcheck check --long"

# --- Discord: commands --------------------------------------------------------------

COMMAND_DESCRIPTION = "Check a text for kratom health claims"
TEXT_OPTION = "The text to check"
PUBLIC_OPTION = "Post the result in the channel (default: only you see it)"
MENU_NAME = "Check claims"
NOTHING_FOUND = f"{NO_CLAIMS} (ClaimCheck only knows the claims listed in its rules.)"
NO_TEXT = "That message has no text to check."

# --- Discord: buttons under a reply -------------------------------------------------

WHY_BUTTON = "Why?"
NOT_A_CLAIM_BUTTON = "Not a claim"
REMOVE_BUTTON = "Remove"
CHECK_GONE = "This check is no longer on record."
NOTHING_TO_EXPLAIN = "The message has changed or is gone, so there is nothing left to explain."
REPORT_RECORDED = "Thanks. Your report is recorded and the moderators will see it."
REPORT_ALREADY_MADE = "You have already reported this one. Thanks!"
REMOVE_REFUSED = "Only the author of the message or a moderator can remove this reply."
REMOVE_FAILED = "I could not remove the reply (missing permission?)."
REMOVED = "Removed."


MODEL_FOUND = "Found by the learned model (score {score:.2f})"
RULE_AGREED = "model score {score:.2f}"


def drivers(words: list[tuple[str, float]]) -> str:
    """The words whose removal lowered the model's score most: 'safer' 0.41, 'oxy' 0.20."""
    if not words:
        return "no single word stands out"
    return ", ".join(f"“{word}” {weight:.2f}" for word, weight in words)


def explain_rule(rule_id: str, words: str, score: float | None) -> str:
    agreed = f" ({RULE_AGREED.format(score=score)})" if score is not None else ""
    return f"Why: rule {rule_id} matched “{words}”{agreed}"


def explain_model(score: float, words: list[tuple[str, float]]) -> str:
    return f"Why: the learned model, score {score:.2f}; the words that weighed most: {drivers(words)}"


def why_model(score: float, words: list[tuple[str, float]]) -> str:
    """``words`` must already be made safe for Discord."""
    return (
        f"The learned model found this claim (score {score:.2f}, from 0 to 1). "
        f"The words that weighed most: {drivers(words)}."
    )


def why_matched(rule_id: str, words: str, *, from_context: bool) -> str:
    """``words`` must already be made safe for Discord."""
    basis = " (read with the conversation before it)" if from_context else ""
    return f"Rule `{rule_id}` matched “{words}”{basis}."


# --- Discord: alerts in the moderators' log channel ---------------------------------

ALERT_TITLE = "Kratom health claim detected"


def alert_where(channel: str, author: str, jump_url: str) -> str:
    return f"In {channel} by {author} · [jump to message]({jump_url})"


def alert_rule(rule_id: str, quoted: str | None) -> str:
    """``quoted`` must already be made safe for Discord."""
    return f"rule `{rule_id}`" + (f": “{quoted}”" if quoted else "")


def alert_footer(message_id: int) -> str:
    return f"message {message_id}"
