"""The three Venn perspectives as a bit mask: the mask of an insight *is* its Venn region."""

from __future__ import annotations

from insightbank.errors import ValidationError

PERSPECTIVE_BITS = {"clients": 1, "risk_groups": 2, "general_public": 4}


def perspective_mask(codes: list[str] | set[str] | tuple[str, ...]) -> int:
    mask = 0
    for code in codes:
        mask |= PERSPECTIVE_BITS[code]
    if mask == 0:
        raise ValidationError("Minst ett perspektiv krävs / at least one perspective is required")
    return mask


def perspectives_of(mask: int) -> list[str]:
    return [code for code, bit in PERSPECTIVE_BITS.items() if mask & bit]


def venn_region(mask: int) -> str:
    """The code of one of the seven exclusive Venn regions, e.g. ``clients+risk_groups``."""
    return "+".join(perspectives_of(mask))


VENN_REGIONS = [venn_region(mask) for mask in range(1, 8)]
