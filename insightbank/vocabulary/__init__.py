"""The controlled vocabulary: codes with Swedish and English labels.

- :mod:`.terms`: terms, dimensions and matching (never folds å, ä, ö);
- :mod:`.standard`: the spec's terms, data in ``schema/vocabulary.yaml``;
- :mod:`.bank_terms`: the bank's ``term`` table, seeded on open, plus local terms;
- :mod:`.perspectives`: the Venn perspectives as a bit mask.
"""

from insightbank.vocabulary.bank_terms import add_local_term, load, seed_standard_terms, slug
from insightbank.vocabulary.perspectives import (
    PERSPECTIVE_BITS,
    VENN_REGIONS,
    perspective_mask,
    perspectives_of,
    venn_region,
)
from insightbank.vocabulary.standard import standard_dimensions, standard_hash, standard_terms, standard_vocabulary
from insightbank.vocabulary.terms import (
    CODE_RE,
    FIXED_DIMENSIONS,
    Dimension,
    TermInfo,
    Vocabulary,
    normalise,
    normalise_text,
    unknown_term_message,
)

__all__ = [
    "CODE_RE",
    "FIXED_DIMENSIONS",
    "PERSPECTIVE_BITS",
    "VENN_REGIONS",
    "Dimension",
    "TermInfo",
    "Vocabulary",
    "add_local_term",
    "load",
    "normalise",
    "normalise_text",
    "perspective_mask",
    "perspectives_of",
    "seed_standard_terms",
    "slug",
    "standard_dimensions",
    "standard_hash",
    "standard_terms",
    "standard_vocabulary",
    "unknown_term_message",
    "venn_region",
]
