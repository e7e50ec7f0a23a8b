from __future__ import annotations

import pytest
import yaml

from insightbank import vocabulary
from insightbank.errors import ValidationError, VocabularyError
from insightbank.vocabulary import normalise, standard_vocabulary

SPEC_COUNTS = {
    "perspective": 3,
    "subpopulation": 8,
    "shift": 22,
    "theme": 4,
    "cross_cutting": 6,
    "organisation_type": 8,
    "method": 10,
    "sensitivity": 3,
    "status": 4,
}


def test_every_spec_term_is_there_with_both_labels_and_descriptions() -> None:
    vocab = standard_vocabulary()
    assert {d: len(vocab.codes(d)) for d in SPEC_COUNTS} == SPEC_COUNTS
    for terms in vocab.terms.values():
        for term in terms.values():
            assert term.label_sv and term.label_en and term.description_sv and term.description_en


@pytest.mark.parametrize(
    ("dim", "value", "code"),
    [
        ("perspective", "Riskgrupper", "risk_groups"),
        ("perspective", "RISK GROUPS", "risk_groups"),
        ("perspective", "risk_groups", "risk_groups"),
        ("subpopulation", "äldre", "older_adults"),
        ("subpopulation", "ÄLDRE", "older_adults"),
        ("subpopulation", "Föräldrar och vårdnadshavare", "parents"),
        ("shift", "från akut till förebyggande", "acute_to_preventive"),
        ("shift", "From acute to preventive", "acute_to_preventive"),
        ("theme", "  Tillgänglighet   och tillit ", "accessibility_trust"),
    ],
)
def test_match_accepts_code_swedish_and_english_case_insensitively(dim: str, value: str, code: str) -> None:
    assert standard_vocabulary().match(dim, value) == code


def test_match_never_folds_swedish_letters() -> None:
    vocab = standard_vocabulary()
    assert vocab.lookup("subpopulation", "Aldre") is None  # "Äldre" without its Ä is another word
    assert normalise("Äldre") == "äldre"


def test_unknown_term_names_value_and_nearest_terms() -> None:
    with pytest.raises(VocabularyError) as err:
        standard_vocabulary().match("perspective", "Riskgruper")
    assert "'Riskgruper'" in str(err.value)
    assert "risk_groups (Riskgrupper)" in str(err.value)


def test_local_terms_are_marked_and_matched(bank) -> None:
    with bank.transaction() as conn:
        vocab = vocabulary.load(conn)
        term = vocabulary.add_local_term(conn, vocab, "subpopulation", "Nyanlända", "Newly arrived")
    with bank.reading() as conn:
        vocab = vocabulary.load(conn)
    assert term.is_local and term.code == "nyanlända"
    assert vocab.match("subpopulation", "newly arrived") == "nyanlända"
    assert vocab.term("subpopulation", "nyanlända").is_local


def test_perspectives_are_fixed_for_the_venn(bank) -> None:
    with bank.transaction() as conn, pytest.raises(ValidationError):
        vocabulary.add_local_term(conn, vocabulary.load(conn), "perspective", "Personal")


def test_local_term_cannot_shadow_a_standard_one(bank) -> None:
    with bank.transaction() as conn, pytest.raises(ValidationError):
        vocabulary.add_local_term(conn, vocabulary.load(conn), "subpopulation", "Barn")


def test_venn_regions_are_seven_and_exclusive() -> None:
    assert len(set(vocabulary.VENN_REGIONS)) == 7
    assert vocabulary.venn_region(vocabulary.perspective_mask(["risk_groups", "clients"])) == "clients+risk_groups"


def test_vocabulary_file_is_plain_yaml_with_unique_labels() -> None:
    from importlib import resources

    doc = yaml.safe_load((resources.files("insightbank.schema") / "vocabulary.yaml").read_text("utf-8"))
    for dim, spec in doc["dimensions"].items():
        for key in ("code", "sv", "en"):
            values = [normalise(t[key]) for t in spec["terms"]]
            assert len(values) == len(set(values)), (dim, key)
