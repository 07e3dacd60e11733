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


# Which claims a reply shows in full when a message makes many: those whose
# belief most directly risks physical harm first.
CLAIMS_BY_RISK: tuple[ClaimId, ...] = (
    ClaimId.NO_OVERDOSE,
    ClaimId.SAFER_THAN_OPIOIDS,
    ClaimId.HARMLESS,
    ClaimId.OPIOID_REPLACEMENT,
    ClaimId.DOSING_ADVICE,
    ClaimId.NOT_ADDICTIVE,
    ClaimId.MOOD_TREATMENT,
    ClaimId.CLINICALLY_PROVEN,
    ClaimId.CHRONIC_PAIN,
    ClaimId.NEUROPATHIC_PAIN,
    ClaimId.STRAIN_ADVICE,
    ClaimId.ANTI_INFLAMMATORY,
    ClaimId.SKIN_BENEFIT,
)
