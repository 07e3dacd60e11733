"""The 13 claim ids of ``shared/spec/claims.md``: a public interface."""

from __future__ import annotations

from enum import StrEnum


class ClaimId(StrEnum):
    SAFER_THAN_OPIOIDS = "safer-than-opioids"
    NO_OVERDOSE = "no-overdose"
    NOT_ADDICTIVE = "not-addictive"
    NEUROPATHIC_PAIN = "neuropathic-pain"
    CHRONIC_PAIN = "chronic-pain"
    CLINICALLY_PROVEN = "clinically-proven"
    OPIOID_REPLACEMENT = "opioid-replacement"
    STRAIN_ADVICE = "strain-advice"
    DOSING_ADVICE = "dosing-advice"
    HARMLESS = "harmless"
    MOOD_TREATMENT = "mood-treatment"
    ANTI_INFLAMMATORY = "anti-inflammatory"
    SKIN_BENEFIT = "skin-benefit"


# The claim in plain words, as a reply shows it to members.
CLAIM_SUMMARIES: dict[ClaimId, str] = {
    ClaimId.SAFER_THAN_OPIOIDS: "Kratom is safer than opioids or prescription painkillers",
    ClaimId.NO_OVERDOSE: "You cannot overdose on kratom",
    ClaimId.NOT_ADDICTIVE: "Kratom is not addictive",
    ClaimId.NEUROPATHIC_PAIN: "Kratom treats neuropathy or nerve pain",
    ClaimId.CHRONIC_PAIN: "Kratom treats chronic pain or works as a painkiller",
    ClaimId.CLINICALLY_PROVEN: "Research proves kratom works or is safe",
    ClaimId.OPIOID_REPLACEMENT: "Kratom can replace opioids or treat opioid withdrawal",
    ClaimId.STRAIN_ADVICE: "A particular strain or vein colour is best for a medical use",
    ClaimId.DOSING_ADVICE: "Dosing instructions for a medical use",
    ClaimId.HARMLESS: "Kratom is safe or harmless (for example because it is natural)",
    ClaimId.MOOD_TREATMENT: "Kratom treats anxiety, depression or other mood problems",
    ClaimId.ANTI_INFLAMMATORY: "Kratom reduces inflammation",
    ClaimId.SKIN_BENEFIT: "Kratom is good for the skin or clears hyperpigmentation",
}
