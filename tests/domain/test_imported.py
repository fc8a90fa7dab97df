"""The rules for one imported row (`insterm.domain.imported.read_row`)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from insterm.domain.imported import FIELDS, RowRefused, read_row

TODAY = date(2026, 1, 15)
ROW = {"birth_name": "ADRUN", "first_names": "ZOE", "birth_date": "31/12/1975", "sex": "F",
       "birth_place": "63220"}


def row(**changes: str) -> dict[str, str]:
    return {**ROW, **changes}


def test_a_clean_row_needs_no_proposal() -> None:
    read = read_row(ROW, today=TODAY)
    assert (read.traits.birth_name, read.traits.first_name, read.traits.first_names) == (
        "ADRUN", "ZOE", "ZOE")
    assert read.traits.birth_date == date(1975, 12, 31) and read.traits.sex == "F"
    assert read.proposals == () and read.received_ins is None and read.attributes == frozenset()


def test_lowercase_accents_and_curly_apostrophes_get_the_capture_forms_proposals() -> None:
    read = read_row(row(birth_name="d\u2019ârc", first_names="hélène  marie"), today=TODAY)
    assert read.traits.birth_name == "D'ARC" and read.traits.first_names == "HELENE MARIE"
    assert read.traits.first_name == "HELENE"
    text = " | ".join(read.proposals)
    assert "Nom de naissance : Lettres minuscules passées en majuscules." in text
    assert "Apostrophe typographique" in text and "accent ou cédille retiré" in text
    assert "Espaces consécutives réduites" in text


@pytest.mark.parametrize(("typed", "said"), [
    ("31/02/1987", "n'existe pas"),
    ("1987-13-01", "Le mois « 13 » n'existe pas"),
    ("12/05", "n'est pas une date"),
    ("01/01/2027", "dans le futur"),
    ("", "Date de naissance absente"),
])
def test_impossible_dates_are_refused_in_french(typed: str, said: str) -> None:
    with pytest.raises(RowRefused, match=said) as refused:
        read_row(row(birth_date=typed), today=TODAY)
    assert refused.value.field == "birth_date"


def test_the_mappings_date_formats_come_first() -> None:
    read = read_row(row(birth_date="19751231"), date_formats=("%Y%m%d",), today=TODAY)
    assert read.traits.birth_date == date(1975, 12, 31)
    with pytest.raises(RowRefused, match="formats attendus : %Y%m%d"):
        read_row(row(birth_date="1975-31-12"), date_formats=("%Y%m%d",), today=TODAY)


def test_an_incomplete_date_is_completed_flagged_and_said() -> None:
    read = read_row(row(birth_date="00/00/1950"), today=TODAY)
    assert read.traits.birth_date == date(1950, 12, 31) and read.traits.birth_date_corrected
    assert read.birth_date_raw == "00/00/1950"
    assert any("empêche la qualification" in p for p in read.proposals)


@pytest.mark.parametrize("missing", ["birth_name", "sex"])
def test_a_missing_strict_trait_is_refused(missing: str) -> None:
    with pytest.raises(RowRefused, match="trait strict est obligatoire"):
        read_row(row(**{missing: "  "}), today=TODAY)


def test_a_first_name_is_needed_from_either_column() -> None:
    with pytest.raises(RowRefused, match="Prénom de naissance absent"):
        read_row(row(first_names=""), today=TODAY)
    assert read_row(row(first_names="", first_name="zoé"), today=TODAY).traits.first_name == "ZOE"


def test_characters_outside_the_profile_are_refused_never_cut() -> None:
    with pytest.raises(RowRefused, match="Nom de naissance 'ADRUN3' refusé"):
        read_row(row(birth_name="ADRUN3"), today=TODAY)


def test_sex_codes() -> None:
    assert read_row(row(sex="h"), today=TODAY).traits.sex == "M"
    assert read_row(row(sex="2"), today=TODAY).traits.sex == "F"
    assert read_row(row(sex="X"), sex_codes={"X": "M"}, today=TODAY).traits.sex == "M"
    with pytest.raises(RowRefused, match="Sexe « Z » inconnu"):
        read_row(row(sex="Z"), today=TODAY)


def test_an_imported_identity_never_takes_over_a_status() -> None:
    read = read_row(row(status="QUAL"), today=TODAY)
    assert any("Statut d'origine QUAL non repris" in p for p in read.proposals)
    assert read_row(row(status="DOUT"), today=TODAY).attributes == {"DOUT"}
    assert read_row(row(attributes="fictive"), today=TODAY).attributes == {"FICT"}
    with pytest.raises(RowRefused, match="à la fois douteuse"):
        read_row(row(attributes="DOUT, FICT"), today=TODAY)
    with pytest.raises(RowRefused, match="Statut d'origine « GOLD » inconnu"):
        read_row(row(status="gold"), today=TODAY)


def test_a_received_ins_is_kept_apart_checked_and_dropped_when_unusable() -> None:
    read = read_row(row(ins="2 75 12 63 220 749 74"), today=TODAY)
    assert read.received_ins is not None
    assert (read.received_ins.matricule, read.received_ins.oid) == (
        "275126322074974", "1.2.250.1.213.1.4.8")
    wrong_key = read_row(row(ins="275126322074975"), today=TODAY)
    assert wrong_key.received_ins is None
    assert any(p.startswith("INS reçu écarté") and "clé" in p for p in wrong_key.proposals)
    bad_oid = read_row(row(ins="275126322074974", ins_oid="1.2.3"), today=TODAY)
    assert bad_oid.received_ins is None and "OID « 1.2.3 » inconnu" in bad_oid.proposals[-1]
    doubtful = read_row(row(ins="275126322074974", status="DOUT"), today=TODAY)
    assert doubtful.received_ins is None
    assert "une identité DOUT ne porte pas d'INS" in doubtful.proposals[-1]


@given(st.dictionaries(st.sampled_from(sorted(FIELDS)), st.text(max_size=40), max_size=12))
def test_any_row_is_read_or_refused_in_french(values: dict[str, str]) -> None:
    try:
        read = read_row(values, today=TODAY)
    except RowRefused as refused:
        assert refused.message.strip()
        return
    assert read.traits.birth_name and read.traits.first_name
    assert all(p.strip() for p in read.proposals)
