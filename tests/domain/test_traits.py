"""Tests of insterm.domain.traits: character profile, normalisation, coherence, sex, birth dates."""

from __future__ import annotations

import contextlib
import re
from datetime import date, datetime, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from insterm.domain import traits
from insterm.domain.errors import BirthDateError, RuleWarning, TraitError
from insterm.domain.traits import (
    KINDS,
    BirthDate,
    Normalisation,
    check_birth_date,
    check_first_name_coherence,
    first_names_equivalent,
    format_birth_date,
    normalise,
    parse_birth_date,
    traits_equal,
    validate,
    validate_sex,
)

TODAY = date(2025, 6, 15)
NAME_KINDS = ("birth_name", "used_name")
FIRST_NAME_KINDS = ("first_name", "first_names", "used_first_name")

# Values in the profile, per the Padoa validator regex quoted in ins-rules.md 2.3 (a subset of
# what the SEL-MP-043 reading allows). Birth names may hold "--"; first names never.
valid_birth_names = st.from_regex(r"[A-Z]{1,8}(?:(?:-{1,2}|[' ])[A-Z]{1,8}){0,5}", fullmatch=True)
valid_first_names = st.from_regex(r"[A-Z]{1,8}(?:[-' ][A-Z]{1,8}){0,5}", fullmatch=True)
any_text = st.text(max_size=300) | st.text(alphabet=st.characters(codec="utf-8"), max_size=3000)


def refusal(value: str, kind: str) -> TraitError:
    with pytest.raises(TraitError) as caught:
        validate(value, kind)
    assert caught.value.field == kind
    return caught.value


# ------------------------------------------------------------------------------ normalise


def test_cnda_case_aeion_is_normalised_with_both_changes_listed() -> None:
    result = normalise("D’ÆION", "birth_name")
    assert result == Normalisation("D'AEION", result.changes)
    assert result.changed
    assert any("’" in change and "apostrophe" in change.lower() for change in result.changes)
    assert any("Æ" in change and "AE" in change for change in result.changes)
    assert validate(result.value, "birth_name") == "D'AEION"


def test_cnda_case_coeur_is_normalised_and_raw_forms_refused() -> None:
    result = normalise("CŒUR", "birth_name")
    assert result.value == "COEUR"
    assert result.changes == ("Ligature « Œ » transcrite en « OE ».",)
    assert "« Œ » (position 2)" in refusal("CŒUR", "birth_name").message
    assert "« ’ » (position 2)" in refusal("D’ÆION", "birth_name").message


def test_valid_value_is_returned_as_is_with_no_change() -> None:
    assert normalise("DE LA FONTAINE--MARTIN", "birth_name") == Normalisation(
        "DE LA FONTAINE--MARTIN", ()
    )
    assert not normalise("JEAN", "first_name").changed


def test_lowercase_gives_one_sentence() -> None:
    result = normalise("dupont", "birth_name")
    assert result == Normalisation("DUPONT", ("Lettres minuscules passées en majuscules.",))


@pytest.mark.parametrize(
    ("typed", "expected", "fragment"),
    [
        ("Hélène", "HELENE", "« é » remplacé par « E » (accent ou cédille retiré)"),
        ("FRANÇOIS", "FRANCOIS", "« Ç » remplacé par « C »"),
        ("Mu\u0308ller", "MULLER", "« u\u0308 » remplacé par « U »"),  # decomposed input (NFD)
        ("Straße", "STRASSE", "Ligature « ß » transcrite en « SS »"),
        ("cœur", "COEUR", "Ligature « œ » transcrite en « OE »"),
        ("læticia", "LAETICIA", "Ligature « æ » transcrite en « AE »"),
        ("ØSTERGAARD", "OSTERGAARD", "« Ø » remplacé par « O »"),
        ("ﬁlon", "FILON", "« ﬁ » remplacé par « FI »"),
        ("ＤＵＰＯＮＴ", "DUPONT", "« Ｄ » remplacé par « D »"),
    ],
)
def test_letters_are_transliterated_and_reported(typed: str, expected: str, fragment: str) -> None:
    result = normalise(typed, "birth_name")
    assert result.value == expected
    assert any(fragment in change for change in result.changes), result.changes


@pytest.mark.parametrize("mark", ["’", "‘", "ʼ", "´", "`"])
def test_typographic_apostrophes_become_ascii_39(mark: str) -> None:
    result = normalise(f"D{mark}ARC", "birth_name")
    assert result.value == "D'ARC"
    assert result.changes == (
        f"Apostrophe typographique « {mark} » remplacée par l'apostrophe droite « ' ».",
    )


@pytest.mark.parametrize("dash", ["‐", "‑", "–", "—"])
def test_typographic_dashes_become_hyphen(dash: str) -> None:
    result = normalise(f"JEAN{dash}PIERRE", "first_name")
    assert result.value == "JEAN-PIERRE"
    assert result.changes == (
        f"Tiret typographique « {dash} » remplacé par le trait d'union « - ».",
    )


def test_spaces_are_replaced_trimmed_and_collapsed() -> None:
    result = normalise("  DE\u00a0LA \t FONTAINE ", "birth_name")
    assert result.value == "DE LA FONTAINE"
    assert result.changes == (
        "Espace spéciale ou saut de ligne (U+00A0) remplacé par une espace.",
        "Espace spéciale ou saut de ligne (U+0009) remplacé par une espace.",
        "Espaces en début ou en fin de saisie retirées.",
        "Espaces consécutives réduites à une seule.",
    )


@pytest.mark.parametrize(
    "typed", ["DUPONT3", "DUP_ONT", "DUPONT!", "A/B", "Σ", "\u0301A", "A \u0301B"]
)
def test_characters_without_equivalent_are_kept_for_validate_to_refuse(typed: str) -> None:
    result = normalise(typed, "birth_name")
    assert result.value == typed
    assert result.changes == ()
    with pytest.raises(TraitError):
        validate(result.value, "birth_name")


def test_changes_are_listed_once_each() -> None:
    result = normalise("éeé’’e", "birth_name")
    assert result.value == "EEE''E"
    assert result.changes == (
        "Lettres minuscules passées en majuscules.",
        "« é » remplacé par « E » (accent ou cédille retiré).",
        "Apostrophe typographique « ’ » remplacée par l'apostrophe droite « ' ».",
    )


def test_unknown_kind_and_non_text_are_refused() -> None:
    with pytest.raises(TraitError, match="Type de trait inconnu"):
        normalise("DUPONT", "nickname")
    with pytest.raises(TraitError, match="Type de trait inconnu"):
        validate("DUPONT", None)  # type: ignore[arg-type]
    with pytest.raises(TraitError, match="texte"):
        normalise(None, "birth_name")  # type: ignore[arg-type]


@given(any_text, st.sampled_from(KINDS))
def test_normalise_never_raises_and_is_idempotent(text: str, kind: str) -> None:
    first = normalise(text, kind)
    assert isinstance(first.value, str)
    again = normalise(first.value, kind)
    assert again == Normalisation(first.value, ())


@given(st.text(alphabet="abcdeéèÉçœÆß’–  0123456789_!/-'ABCXYZ", max_size=60))
def test_normalise_never_deletes_characters_it_cannot_fix(text: str) -> None:
    kept = [c for c in text if c in "0123456789_!/"]
    assert [c for c in normalise(text, "birth_name").value if c in "0123456789_!/"] == kept


@given(valid_birth_names)
def test_valid_birth_names_pass_unchanged_and_survive_lowercase(value: str) -> None:
    assume(len(value) <= 100)
    assert validate(value, "birth_name") is value
    assert normalise(value, "birth_name") == Normalisation(value, ())
    assert normalise(value.lower(), "birth_name").value == value


@given(valid_first_names, st.sampled_from(FIRST_NAME_KINDS))
def test_valid_first_names_pass_unchanged(value: str, kind: str) -> None:
    assume(len(value) <= 100)
    assert validate(value, kind) is value
    assert validate(value, "birth_name") is value  # the first-name profile is stricter


# ------------------------------------------------------------------------------ validate


@pytest.mark.parametrize(
    "value",
    ["D'ARC", "DE LA FONTAINE", "MARTIN--DURAND", "L'HUILLIER", "O'NEIL-SMITH", "A", "'T HOOFT"],
)
def test_birth_name_profile_accepts(value: str) -> None:
    for kind in NAME_KINDS:
        assert validate(value, kind) == value


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("", "est vide"),
        ("   ", "est vide"),
        ("DUPONT3", "Le caractère « 3 » (position 7) n'est pas admis dans un nom de naissance"),
        ("dupont", "Le caractère « d » (position 1)"),
        ("DUPONT_MARTIN", "« _ » (position 7)"),
        ("A\u00a0B", "invisible U+00A0 (position 2)"),
        ("A\x00B", "invisible U+0000 (position 2)"),
        ("A\u0301", "signe diacritique isolé U+0301 (position 2)"),
        (" DUPONT", "commencer par une espace"),
        ("-DUPONT", "commencer par un trait d'union"),
        ("DUPONT ", "terminer par une espace"),
        ("DUPONT-", "terminer par un trait d'union"),
        ("MARTIN---DURAND", "Trois traits d'union consécutifs ne sont pas admis (position 7)"),
        ("DE  LA", "Deux espaces consécutives (position 3)"),
        ("D''ARC", "Deux apostrophes consécutives (position 2)"),
        ("D 'ARC", "Une espace et une apostrophe ne peuvent pas se suivre (position 2)"),
        ("D' ARC", "Une apostrophe et une espace ne peuvent pas se suivre (position 2)"),
        ("X" * 101, "compte 101 caractères : 100 au plus"),
    ],
)
def test_birth_name_profile_refuses_with_a_precise_message(value: str, fragment: str) -> None:
    for kind in NAME_KINDS:
        assert fragment.replace("un nom de naissance", "un nom") in refusal(value, kind).message
    assert fragment in refusal(value, "birth_name").message


def test_refusal_suggests_the_fix() -> None:
    assert refusal("DUPONT3", "birth_name").message == (
        "Le caractère « 3 » (position 7) n'est pas admis dans un nom de naissance : lettres A à Z, "
        "espace, apostrophe et trait d'union seulement. Retirez le chiffre."
    )
    assert refusal("HÉLÈNE", "first_name").message.endswith("Remplacez-le par « E ».")
    assert refusal("A\u00a0B", "birth_name").message.endswith("par une espace ordinaire.")
    assert refusal("A!", "birth_name").message.endswith("Retirez-le.")


def test_earliest_sequence_error_is_reported() -> None:
    assert "Deux espaces consécutives (position 2)" in refusal("A  B''C", "birth_name").message
    assert "Deux apostrophes consécutives (position 2)" in refusal("A''B  C", "birth_name").message


def test_length_limit_is_100() -> None:
    assert validate("A" * 100, "birth_name") == "A" * 100
    refusal("A" * 101, "first_names")


@pytest.mark.parametrize(
    "value",
    ["JEAN-PIERRE", "ANNE SOPHIE", "JEAN PIERRE PAUL", "'ALI", "MARIE-O'NEIL"],
)
def test_first_name_profile_accepts(value: str) -> None:
    for kind in FIRST_NAME_KINDS:
        assert validate(value, kind) == value


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("JEAN--PIERRE", "Le double trait d'union (position 5) n'est admis que dans un nom"),
        ("JEAN-", "ne peut pas se terminer par un trait d'union"),
        ("JEAN'", "Le prénom « JEAN' » ne peut pas se terminer par une apostrophe"),
        ("JEAN' PAUL", "Une apostrophe et une espace ne peuvent pas se suivre"),
        ("JEAN- PAUL", "Le prénom « JEAN- » ne peut pas se terminer par un trait d'union"),
        ("JEAN -PAUL", "Le prénom « -PAUL » ne peut pas commencer par un trait d'union"),
        ("-JEAN", "ne peut pas commencer par un trait d'union"),
        ("JEAN2", "« 2 » (position 5) n'est pas admis dans un prénom"),
    ],
)
def test_first_name_profile_refuses(value: str, fragment: str) -> None:
    for kind in ("first_name", "used_first_name"):
        assert fragment in refusal(value, kind).message
    assert fragment.replace("dans un prénom", "dans une liste de prénoms") in refusal(
        value, "first_names"
    ).message


def test_birth_name_allows_what_first_names_refuse() -> None:
    for value in ("MARTIN--DURAND", "DUPONT'", "DUPONT -MARTIN"):
        assert validate(value, "birth_name") == value
        refusal(value, "first_name")


def test_empty_messages_agree_with_the_label() -> None:
    assert refusal("", "first_names").message.startswith(
        "La liste des prénoms de naissance est vide : saisissez-la telle qu'elle"
    )
    assert refusal("", "used_first_name").message.startswith(
        "Le prénom utilisé est vide : saisissez-le tel qu'il"
    )


def test_validate_refuses_non_text() -> None:
    assert "doit être un texte" in refusal(42, "birth_name").message  # type: ignore[arg-type]


@given(any_text, st.sampled_from(KINDS))
def test_validate_returns_the_value_or_raises_trait_error(text: str, kind: str) -> None:
    try:
        assert validate(text, kind) is text
    except TraitError as error:
        assert error.field == kind
        assert error.message


@given(any_text)
def test_valid_values_hold_only_profile_characters(text: str) -> None:
    try:
        value = validate(text, "birth_name")
    except TraitError:
        return
    assert set(value) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ '-")
    assert 0 < len(value) <= 100


# ------------------------------------------------------------------------------ coherence


@pytest.mark.parametrize(
    ("first_name", "first_names"),
    [
        ("JEAN-CHRISTOPHE", "JEAN CHRISTOPHE PIERRE"),
        ("JEAN CHRISTOPHE", "JEAN-CHRISTOPHE PIERRE"),
        ("JEAN-CHRISTOPHE-PIERRE", "JEAN CHRISTOPHE PIERRE"),
        ("JEAN", "JEAN-CHRISTOPHE PAUL"),  # token boundaries: decided coherent (module docstring)
        ("MARIE", "MARIE"),
        ("D'ARTAGNAN", "D ARTAGNAN LOUIS"),
        ("Jérôme", "JEROME PAUL"),
    ],
)
def test_coherent_first_names(first_name: str, first_names: str) -> None:
    assert check_first_name_coherence(first_name, first_names) is None


@pytest.mark.parametrize(
    ("first_name", "first_names"),
    [
        ("CHRISTOPHE", "JEAN CHRISTOPHE PIERRE"),
        ("ANNE", "ANNETTE"),
        ("ANNETTE", "ANNE"),
        ("PIERRE", "JEAN CHRISTOPHE PIERRE"),
        ("JEAN PAUL", "JEAN"),
    ],
)
def test_incoherent_first_names(first_name: str, first_names: str) -> None:
    with pytest.raises(TraitError) as caught:
        check_first_name_coherence(first_name, first_names)
    assert caught.value.field == "first_name"
    assert f"« {first_name} »" in caught.value.message
    assert "équivalents" in caught.value.message


def test_coherence_needs_both_values() -> None:
    with pytest.raises(TraitError) as caught:
        check_first_name_coherence(" - ", "JEAN")
    assert caught.value.field == "first_name"
    with pytest.raises(TraitError) as caught:
        check_first_name_coherence("JEAN", "")
    assert caught.value.field == "first_names"
    with pytest.raises(TraitError):
        check_first_name_coherence(None, "JEAN")  # type: ignore[arg-type]


@given(valid_first_names, valid_first_names)
def test_a_first_name_is_coherent_with_any_list_it_starts(first: str, rest: str) -> None:
    check_first_name_coherence(first, f"{first} {rest}")
    check_first_name_coherence(first.replace("-", " "), first.replace(" ", "-"))


@given(any_text, any_text)
def test_coherence_only_raises_trait_error(first: str, names: str) -> None:
    with contextlib.suppress(TraitError):
        check_first_name_coherence(first, names)


# ------------------------------------------------------------------------------ comparisons


def test_traits_equal_compares_normalised_forms_exactly() -> None:
    assert traits_equal("Hélène", "HELENE")
    assert traits_equal(" de  la Fontaine", "DE LA FONTAINE")
    assert traits_equal("D’ARC", "D'ARC")
    assert not traits_equal("DUPONT", "DUPOND")
    assert not traits_equal("DE LA FONTAINE", "DELAFONTAINE")
    assert not traits_equal("MARTIN-DURAND", "MARTIN DURAND")
    with pytest.raises(TraitError):
        traits_equal("A", 1)  # type: ignore[arg-type]


def test_first_names_equivalent_treats_separators_alike() -> None:
    assert first_names_equivalent("JEAN-PIERRE", "jean pierre")
    assert first_names_equivalent("D'ALEMBERT", "D ALEMBERT")
    assert not first_names_equivalent("JEAN-PIERRE", "JEANPIERRE")
    assert not first_names_equivalent("JEAN", "JEAN PIERRE")
    with pytest.raises(TraitError):
        first_names_equivalent(None, "A")  # type: ignore[arg-type]


@given(any_text, any_text)
def test_comparisons_are_symmetric_and_never_raise(a: str, b: str) -> None:
    assert traits_equal(a, b) == traits_equal(b, a)
    assert first_names_equivalent(a, b) == first_names_equivalent(b, a)
    assert traits_equal(a, a) and first_names_equivalent(a, a)
    if traits_equal(a, b):
        assert first_names_equivalent(a, b)


# ------------------------------------------------------------------------------ sex


def test_sex_values() -> None:
    assert [validate_sex(v) for v in ("M", "F", "I")] == ["M", "F", "I"]
    assert [validate_sex(v, for_insi=True) for v in ("M", "F")] == ["M", "F"]
    with pytest.raises(TraitError, match="INSi") as caught:
        validate_sex("I", for_insi=True)
    assert caught.value.field == "sex"


@pytest.mark.parametrize("value", ["m", "U", "", " M", "MF", None, 1])
def test_sex_refusals_list_the_accepted_values(value: object) -> None:
    with pytest.raises(TraitError, match="I \\(indéterminé\\)") as caught:
        validate_sex(value)  # type: ignore[arg-type]
    assert caught.value.field == "sex"
    with pytest.raises(TraitError) as caught:
        validate_sex(value, for_insi=True)  # type: ignore[arg-type]
    assert "indéterminé" not in caught.value.message


# ------------------------------------------------------------------------------ birth date


@pytest.mark.parametrize(
    "text",
    [
        "12/03/1980", "12-03-1980", "12.03.1980", "12031980", "1980-03-12", " 12/3/1980 ",
        "12.3.1980\n",
    ],
)
def test_accepted_formats(text: str) -> None:
    parsed = parse_birth_date(text, today=TODAY)
    assert parsed == BirthDate(date(1980, 3, 12), False, text.strip(), ())


@pytest.mark.parametrize(
    ("text", "expected", "missing"),
    [
        ("00/03/1980", date(1980, 3, 1), "jour inconnu"),
        ("15/00/1980", date(1980, 1, 15), "mois inconnu"),
        ("31/00/1980", date(1980, 1, 31), "mois inconnu"),
        ("00/00/1980", date(1980, 12, 31), "jour et mois inconnus"),
        ("00001980", date(1980, 12, 31), "jour et mois inconnus"),
        ("1980-00-00", date(1980, 12, 31), "jour et mois inconnus"),
        ("0/2/1980", date(1980, 2, 1), "jour inconnu"),
    ],
)
def test_incomplete_dates_are_completed_and_flagged(
    text: str, expected: date, missing: str
) -> None:
    parsed = parse_birth_date(text, today=TODAY)
    assert parsed.value == expected
    assert parsed.corrected is True
    assert parsed.raw == text
    assert [w.code for w in parsed.warnings] == ["birth_date_corrected"]
    assert missing in parsed.warnings[0].message
    assert format_birth_date(expected) in parsed.warnings[0].message


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "est vide"),
        ("  ", "est vide"),
        ("12/03/80", "n'est pas une date au format JJ/MM/AAAA"),
        ("12/03-1980", "n'est pas une date"),
        ("1980/03/12", "n'est pas une date"),
        ("١٢/٠٣/١٩٨٠", "n'est pas une date"),  # non-ASCII digits
        ("12/13/1980", "Le mois « 13 » n'existe pas"),
        ("32/01/1980", "Le jour « 32 » n'existe pas"),
        ("31/04/1980", "Le 31/04/1980 n'existe pas : avril 1980 compte 30 jours"),
        ("29/02/1981", "février 1981 compte 28 jours"),
        ("29/02/1900", "février 1900 compte 28 jours"),
        ("00/00/0000", "L'année de naissance est inconnue"),
        ("31/12/1849", "L'année 1849 est antérieure à 1850"),
        ("16/06/2025", "est dans le futur"),
        ("00/00/2025", "La date complétée 31/12/2025 (jour et mois inconnus) serait dans le futur"),
    ],
)
def test_refused_dates(text: str, fragment: str) -> None:
    with pytest.raises(BirthDateError) as caught:
        parse_birth_date(text, today=TODAY)
    assert fragment in caught.value.message
    assert caught.value.field == "birth_date"


def test_leap_days() -> None:
    assert parse_birth_date("29/02/2000", today=TODAY).value == date(2000, 2, 29)
    assert parse_birth_date("29/02/1984", today=TODAY).value == date(1984, 2, 29)


def test_today_is_the_limit() -> None:
    assert parse_birth_date("15/06/2025", today=TODAY).value == TODAY
    assert parse_birth_date("00/06/2025", today=TODAY).value == date(2025, 6, 1)
    tomorrow = date.today() + timedelta(days=1)
    with pytest.raises(BirthDateError, match="futur"):
        parse_birth_date(format_birth_date(tomorrow))
    assert parse_birth_date(format_birth_date(date.today())).value == date.today()


def test_age_of_120_years_or_more_is_warned_not_refused() -> None:
    parsed = parse_birth_date("15/06/1905", today=TODAY)
    assert [w.code for w in parsed.warnings] == ["birth_date_over_120_years"]
    assert parse_birth_date("16/06/1905", today=TODAY).warnings == ()
    both = parse_birth_date("00/00/1850", today=TODAY)
    assert [w.code for w in both.warnings] == ["birth_date_over_120_years", "birth_date_corrected"]
    assert all(isinstance(w, RuleWarning) for w in both.warnings)


def test_non_text_date_is_refused() -> None:
    with pytest.raises(BirthDateError):
        parse_birth_date(19800312)  # type: ignore[arg-type]


def test_check_birth_date() -> None:
    assert check_birth_date(date(1980, 3, 12), today=TODAY) == ()
    assert check_birth_date(datetime(1980, 3, 12, 10, 30), today=TODAY) == ()
    with pytest.raises(BirthDateError, match="futur"):
        check_birth_date(datetime(2025, 6, 16, 0, 0), today=TODAY)
    with pytest.raises(BirthDateError, match="1849"):
        check_birth_date(date(1849, 1, 1), today=TODAY)
    with pytest.raises(BirthDateError):
        check_birth_date("1980-03-12", today=TODAY)  # type: ignore[arg-type]


def test_format_birth_date() -> None:
    assert format_birth_date(date(1975, 12, 31)) == "31/12/1975"
    assert format_birth_date(date(5, 1, 2)) == "02/01/0005"
    with pytest.raises(BirthDateError):
        format_birth_date("31/12/1975")  # type: ignore[arg-type]


@given(any_text)
def test_parse_birth_date_only_raises_birth_date_error(text: str) -> None:
    try:
        parsed = parse_birth_date(text, today=TODAY)
    except BirthDateError as error:
        assert error.message
        return
    assert date(1850, 1, 1) <= parsed.value <= TODAY
    assert parsed.raw == text.strip()


@given(st.text(alphabet="0123456789/-.", max_size=12))
def test_parse_birth_date_on_date_like_text(text: str) -> None:
    try:
        parsed = parse_birth_date(text, today=TODAY)
    except BirthDateError:
        return
    if len(text) == 8:
        day, month = text[:2], text[2:4]
    elif len(text) == 10 and text[4] == "-":
        month, day = text[5:7], text[8:]
    else:
        day, month = re.split(r"[/.-]", text)[:2]
    assert parsed.corrected == (int(day) == 0 or int(month) == 0)
    if int(day):
        assert parsed.value.day == int(day)
    if int(month):
        assert parsed.value.month == int(month)


@given(st.dates(min_value=date(1850, 1, 1), max_value=TODAY))
def test_format_then_parse_is_the_identity(day: date) -> None:
    parsed = parse_birth_date(format_birth_date(day), today=TODAY)
    assert (parsed.value, parsed.corrected) == (day, False)
    assert parse_birth_date(day.isoformat(), today=TODAY).value == day
    assert parse_birth_date(day.strftime("%d%m") + f"{day.year:04d}", today=TODAY).value == day


@given(st.dates(min_value=date(1850, 1, 1), max_value=date(2024, 12, 31)), st.sampled_from("/-."))
def test_unknown_parts_always_complete_to_a_flagged_real_date(day: date, sep: str) -> None:
    for typed, expected in (
        (f"00{sep}{day.month:02d}{sep}{day.year}", date(day.year, day.month, 1)),
        (f"{day.day:02d}{sep}00{sep}{day.year}", date(day.year, 1, day.day)),
        (f"00{sep}00{sep}{day.year}", date(day.year, 12, 31)),
    ):
        parsed = parse_birth_date(typed, today=TODAY)
        assert (parsed.value, parsed.corrected) == (expected, True)


def test_module_constants_are_what_the_rules_say() -> None:
    assert traits.MAX_LENGTH == 100
    assert traits.EARLIEST_YEAR == 1850
    assert set(KINDS) == {"birth_name", "first_name", "first_names", "used_name", "used_first_name"}


def test_very_long_inputs_are_handled() -> None:
    long_text = "é" * 50_000 + "\x00" + "A" * 50_000
    assert len(normalise(long_text, "birth_name").value) == 100_001
    assert "compte 100001 caractères" in refusal(long_text, "birth_name").message
    with pytest.raises(BirthDateError, match="…"):
        parse_birth_date("1" * 100_000, today=TODAY)
    with pytest.raises(TraitError) as caught:
        check_first_name_coherence(long_text, "JEAN")
    assert len(caught.value.message) < 400
