"""Tests for insterm.domain.nir (ins-rules.md sections 5 and 2.6)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from insterm.domain.errors import DomainError, NirError, NirKeyError, RuleWarning
from insterm.domain.nir import Nir, check_consistency, compute_key, describe, parse_nir

# ins-rules.md 5.2 "Checked here" and insi-contract.md section 5 (13 + key as published there).
VALID_MATRICULES = [
    "279035121518989",  # ANS test patient PAT-TROIS DOMINIQUE
    "277076322082910",
    "275126322074974",  # ADRUN ZOE
    "109076322088835",  # CNDA NIA (PROVISOIRE MATRICULE)
    "180032B02040123",  # CORSE ANTHONY
    "253072A07300443",
    "253072B07300470",
    "295109912611193",
    "297022A02077878",  # ADRTROIS DOMINIQUE
    "160012B02077713",  # ADRTROIS TOUSSAINT (born 1960 yet coded 2B)
    "101066322075460",  # D'ARTAGNAN DE L'HERAULT PIERRE-ALAIN
    "109076322083489",  # ECETINSI PIERRE-ALAIN
    "209076322083439",  # ECETINSI INSHISTO
    "209066322012355",  # ECETINSI CNDA 2.04 INSHISTO
    "236066322083656",  # TCHITCHI CATARINA
    "110086322083060",  # NESSI MICHELANGELO
    "181016322075140",  # PATB-QUATRE verification sample
]

# Published with a wrong key; the expected keys were computed independently in
# insi-contract.md section 5 (HERMANN GATIEN: 76 and 26).
HERMANN_GATIEN_WRONG_KEYS = [
    ("181036322045660", "76"),
    ("281036322045610", "26"),
]

# ins-rules.md 5.2: public examples with wrong keys (and, for the first, an impossible month).
PUBLIC_WRONG_KEY_EXAMPLES = ["276037510669380", "260058815400244"]


def oracle_key(body: str) -> str:
    """Independent key computation (2A = 20 minus 1,000,000; 2B = 20 minus 2,000,000)."""
    shift = {"2A": 1_000_000, "2B": 2_000_000}.get(body[5:7], 0)
    number = int(body[:5] + ("20" if shift else body[5:7]) + body[7:]) - shift
    return f"{97 - number % 97:02d}"


@pytest.mark.parametrize("matricule", VALID_MATRICULES)
def test_published_valid_matricules_parse(matricule: str) -> None:
    nir = parse_nir(matricule)
    assert nir.value == matricule
    assert nir.key == oracle_key(matricule[:13]) == matricule[13:]
    assert compute_key(matricule[:13]) == matricule[13:]
    assert parse_nir(nir.formatted) == nir
    assert parse_nir(matricule[:13], require_key=False) == nir


@pytest.mark.parametrize(("matricule", "expected"), HERMANN_GATIEN_WRONG_KEYS)
def test_hermann_gatien_keys_are_wrong(matricule: str, expected: str) -> None:
    with pytest.raises(NirKeyError) as caught:
        parse_nir(matricule)
    assert caught.value.expected_key == expected
    assert caught.value.given_key == matricule[13:]
    assert f"la clé attendue est {expected}" in str(caught.value)
    assert caught.value.field == "matricule"


@pytest.mark.parametrize("matricule", PUBLIC_WRONG_KEY_EXAMPLES)
def test_public_examples_with_wrong_keys(matricule: str) -> None:
    with pytest.raises(NirKeyError) as caught:
        parse_nir(matricule)
    assert caught.value.expected_key == oracle_key(matricule[:13])
    assert caught.value.expected_key != matricule[13:]


def test_fr_core_example_is_refused_for_its_month() -> None:
    with pytest.raises(NirError) as caught:
        parse_nir("123456789012244")
    assert not isinstance(caught.value, NirKeyError)
    assert "Le mois (positions 4-5) « 45 »" in str(caught.value)


@pytest.mark.parametrize(
    "text",
    [
        "2 79 03 51 215 189 89",
        " 2.79.03.51.215.189.89 ",
        "279035121518989\n",
        "2\u00a079\u202f03 51 215 189 89",
    ],
)
def test_spaces_and_dots_are_accepted(text: str) -> None:
    assert parse_nir(text).value == "279035121518989"


def test_lowercase_corsica_is_accepted() -> None:
    assert parse_nir("1 80 03 2b 020 401 23").value == "180032B02040123"
    assert compute_key("253072a073004") == "43"


def test_require_key_false_computes_or_checks_the_key() -> None:
    assert parse_nir("2790351215189", require_key=False).key == "89"
    assert parse_nir("279035121518989", require_key=False).key == "89"
    with pytest.raises(NirKeyError):
        parse_nir("279035121518988", require_key=False)
    with pytest.raises(NirError, match=r"13 caractères .sans la clé. ou 15"):
        parse_nir("27903512151", require_key=False)


def test_thirteen_characters_need_a_key_by_default() -> None:
    with pytest.raises(NirError, match="15 caractères") as caught:
        parse_nir("2790351215189")
    assert "en comporte 13" in str(caught.value)


def with_key(body: str) -> str:
    return body + oracle_key(body)


@pytest.mark.parametrize(
    ("body", "part"),
    [
        ("5790351215189", "Le premier chiffre (sexe) « 5 »"),
        ("0790351215189", "Le premier chiffre (sexe) « 0 »"),
        ("6790351215189", "Le premier chiffre (sexe) « 6 »"),
        ("9790351215189", "Le premier chiffre (sexe) « 9 »"),
        ("A790351215189", "Le premier chiffre (sexe) « A »"),
        ("2A90351215189", "L'année (positions 2-3) « A9 »"),
        ("2790051215189", "Le mois (positions 4-5) « 00 »"),
        ("2791351215189", "Le mois (positions 4-5) « 13 »"),
        ("2791951215189", "Le mois (positions 4-5) « 19 »"),
        ("2794351215189", "Le mois (positions 4-5) « 43 »"),
        ("2794951215189", "Le mois (positions 4-5) « 49 »"),
        ("2790B51215189", "Le mois (positions 4-5) « 0B »"),
        ("2790300215189", "Le département (positions 6-7) « 00 »"),
        ("279033A215189", "Le département (positions 6-7) « 3A »"),
        ("27903A2215189", "Le département (positions 6-7) « A2 »"),
        ("2790351000189", "La commune (positions 8-10) « 000 »"),
        ("279035112A189", "La commune (positions 8-10) « 12A »"),
        ("2790399000189", "Le code pays (positions 8-10) « 000 »"),
        ("2790397A05189", "Le département d'outre-mer (positions 6-8) « 97A »"),
        ("2790397100189", "La commune d'outre-mer (positions 9-10) « 00 »"),
        ("27903971A0189", "La commune d'outre-mer (positions 9-10) « A0 »"),
        ("2790351215000", "Le numéro d'ordre (positions 11-13) « 000 »"),
        ("279035121500A", "Le numéro d'ordre (positions 11-13) « 00A »"),
    ],
)
def test_each_structural_error_names_its_part(body: str, part: str) -> None:
    assert len(body) == 13
    for text in (body, body + "01"):
        with pytest.raises(NirError) as caught:
            parse_nir(text, require_key=False)
        assert not isinstance(caught.value, NirKeyError)
        assert part in str(caught.value)


def test_month_message_is_the_documented_one() -> None:
    with pytest.raises(NirError) as caught:
        parse_nir("2791351215189", require_key=False)
    assert str(caught.value) == (
        "Le mois (positions 4-5) « 13 » n'existe pas : 01 à 12, ou 20 à 42 / 50 à 99 pour un "
        "mois inconnu."
    )


@pytest.mark.parametrize("month", ["01", "12", "20", "30", "42", "50", "99"])
def test_months_and_pseudo_months_accepted(month: str) -> None:
    nir = parse_nir(with_key(f"179{month}63220123"))
    assert nir.month == month
    assert nir.month_is_real == (int(month) <= 12)


def test_non_digit_key_is_a_format_error() -> None:
    with pytest.raises(NirError, match=r"La clé \(positions 14-15\) « AB »") as caught:
        parse_nir("2790351215189AB")
    assert not isinstance(caught.value, NirKeyError)


@pytest.mark.parametrize("key", ["00", "98", "99"])
def test_impossible_keys_give_the_expected_one(key: str) -> None:
    with pytest.raises(NirKeyError) as caught:
        parse_nir("2790351215189" + key)
    assert caught.value.expected_key == "89"


def test_empty_and_foreign_characters() -> None:
    with pytest.raises(NirError, match="vide"):
        parse_nir("  . ")
    with pytest.raises(NirError, match="« é »"):
        parse_nir("2790351215189é")
    with pytest.raises(NirError, match="U\\+0000"):
        parse_nir("27903512151\x008989")
    with pytest.raises(NirError, match="caractère non autorisé"):
        parse_nir("٢79035121518989")  # an Arabic-Indic digit is not an ASCII digit
    with pytest.raises(NirError, match="texte"):
        parse_nir(None)  # type: ignore[arg-type]


def test_long_input_is_shortened_in_the_message() -> None:
    with pytest.raises(NirError) as caught:
        parse_nir("1" * 500)
    assert "…" in str(caught.value)
    assert "en comporte 500" in str(caught.value)
    assert len(str(caught.value)) < 200


def test_nir_built_directly_is_checked() -> None:
    assert Nir("279035121518989").key == "89"
    for bad in ["2 79 03 51 215 189 89", "279035121518988", "180032b02040123", 279035121518989]:
        with pytest.raises(NirError):
            Nir(bad)  # type: ignore[arg-type]


def test_compute_key_checks_the_shape() -> None:
    assert compute_key("2 79 03 51 215 189") == "89"
    assert compute_key("1800 32B0 2040 1") == "23"
    for bad, message in [
        ("27903512151", "en comporte 11"),
        ("279035121518989", "en comporte 15"),
        ("2790A5121518A", "positions 6-7"),
        ("27903AB215189", "positions 6-7"),
        ("", "vide"),
        ("2790351215x89", "non autorisé"),
    ]:
        with pytest.raises(NirError, match=message):
            compute_key(bad)


def test_properties_metropolitan() -> None:
    nir = parse_nir("279035121518989")
    assert (nir.body, nir.key, nir.sex_digit, nir.sex) == ("2790351215189", "89", "2", "F")
    assert (nir.year2, nir.month, nir.department, nir.commune) == ("79", "03", "51", "215")
    assert (nir.place_code, nir.order, nir.born_abroad) == ("51215", "189", False)
    assert not nir.provisional
    assert nir.formatted == "2 79 03 51 215 189 89"


def test_properties_corsica_overseas_abroad() -> None:
    corsica = parse_nir("180032B02040123")
    assert (corsica.department, corsica.commune, corsica.place_code) == ("2B", "020", "2B020")
    assert corsica.sex == "M"
    overseas = parse_nir(with_key("1750397105123"))
    assert (overseas.department, overseas.commune, overseas.place_code) == ("971", "05", "97105")
    assert overseas.formatted.startswith("1 75 03 97 105 123 ")
    com = parse_nir(with_key("2750398801123"))
    assert (com.department, com.commune) == ("988", "01")
    abroad = parse_nir("295109912611193")
    assert abroad.born_abroad
    assert (abroad.department, abroad.commune, abroad.place_code) == ("99", "126", "99126")


@pytest.mark.parametrize(
    ("digit", "sex", "provisional"),
    [("1", "M", False), ("2", "F", False), ("3", "M", True), ("4", "F", True),
     ("7", "M", True), ("8", "F", True)],
)
def test_sex_digits(digit: str, sex: str, provisional: bool) -> None:
    nir = parse_nir(with_key(f"{digit}759963220123"))
    assert nir.sex == sex
    assert nir.provisional is provisional


def test_historical_department_96_is_accepted() -> None:
    assert parse_nir(with_key("1450396123001")).department == "96"


# --- describe -------------------------------------------------------------------------------


def test_describe_with_place_name() -> None:
    nir = parse_nir(with_key("1790363113042"))
    names = {"63113": "Clermont-Ferrand"}
    text = describe(nir, names.get)
    assert text.startswith("Homme ; né en 79 ")
    assert "le siècle n'est pas dans le matricule" in text
    assert "mois de naissance : mars" in text
    assert "né à Clermont-Ferrand (63113)" in text
    assert "provisoire" not in text


def test_describe_without_place_name() -> None:
    text = describe(parse_nir("279035121518989"))
    assert text.startswith("Femme ; née en 79 ")
    assert "née dans la commune de code 51215" in text


def test_describe_abroad_pseudo_month_and_provisional() -> None:
    nir = parse_nir(with_key("7855599134017"))
    text = describe(nir, {"99134": "Espagne"}.get)
    assert "né à l'étranger (pays 99134 : Espagne)" in text
    assert "mois non renseigné (code 55)" in text
    assert "Numéro provisoire (premier chiffre 7)" in text
    assert "né à l'étranger (pays 99134)" in describe(nir)


def test_describe_place_name_errors_are_tolerated() -> None:
    def unknown(code: str) -> str | None:
        raise DomainError(f"Code {code} inconnu")

    assert "commune de code 51215" in describe(parse_nir("279035121518989"), unknown)


def test_describe_historical_codes() -> None:
    algeria_or_essonne = parse_nir(with_key("1450391228011"))
    text = describe(algeria_or_essonne, {"91228": "Évry"}.get)
    assert "né à Évry (91228) ; ce code peut aussi désigner l'Algérie" in text
    morocco = describe(parse_nir(with_key("1450395001011")))
    assert "commune de code 95001 ; ce code peut aussi désigner le Maroc" in morocco
    tunisia = describe(parse_nir(with_key("2450396001011")), {"96001": "?"}.get)
    assert "née en Tunisie (code historique 96001)" in tunisia


# --- check_consistency ----------------------------------------------------------------------

ZOE = "275126322074974"  # F, 12/75, 63220


def codes(warnings: list[RuleWarning]) -> list[str]:
    return [w.code for w in warnings]


def test_consistent_traits_give_no_warning() -> None:
    nir = parse_nir(ZOE)
    assert check_consistency(nir) == []
    same = check_consistency(nir, sex="F", birth_date=date(1975, 12, 31), birth_place="63220")
    assert same == []
    loose = check_consistency(nir, sex=" f ", birth_date=date(2075, 12, 1), birth_place="63220 ")
    assert loose == []


def test_each_disagreement_is_a_warning() -> None:
    nir = parse_nir(ZOE)
    warnings = check_consistency(
        nir, sex="M", birth_date=date(1976, 11, 30), birth_place="63113"
    )
    assert codes(warnings) == [
        "nir_sex_mismatch", "nir_year_mismatch", "nir_month_mismatch", "nir_commune_mismatch"
    ]
    assert all(isinstance(w, RuleWarning) for w in warnings)
    assert "indique une femme" in warnings[0].message
    assert "1976" in warnings[1].message and "75" in warnings[1].message
    assert "(11)" in warnings[2].message and "(12)" in warnings[2].message
    assert "fusion de communes" in warnings[3].message
    male = check_consistency(parse_nir("180032B02040123"), sex="F")
    assert "indique un homme" in male[0].message


def test_pseudo_month_is_not_compared() -> None:
    nir = parse_nir(with_key("2755563220123"))
    assert check_consistency(nir, birth_date=date(1975, 7, 14)) == []


def test_datetime_is_compared_as_a_date() -> None:
    assert codes(check_consistency(parse_nir(ZOE), birth_date=datetime(1975, 1, 1))) == [
        "nir_month_mismatch"
    ]


def test_unusable_traits_are_not_compared() -> None:
    nir = parse_nir(ZOE)
    assert check_consistency(
        nir, sex="I", birth_date="31/12/1975", birth_place="6322"  # type: ignore[arg-type]
    ) == []
    assert check_consistency(nir, sex=1, birth_place=63220) == []  # type: ignore[arg-type]
    assert check_consistency(nir, birth_place="ABCDE") == []


def test_place_department_mismatch() -> None:
    warnings = check_consistency(parse_nir(ZOE), birth_place="2A004")
    assert codes(warnings) == ["nir_place_mismatch"]
    assert "(2A, lieu 2A004)" in warnings[0].message and "(63)" in warnings[0].message
    overseas = parse_nir(with_key("1750397105123"))
    assert check_consistency(overseas, birth_place="97105") == []
    assert codes(check_consistency(overseas, birth_place="97205")) == ["nir_place_mismatch"]
    assert codes(check_consistency(overseas, birth_place="97101")) == ["nir_commune_mismatch"]


def test_abroad_and_france() -> None:
    abroad = parse_nir("295109912611193")
    assert check_consistency(abroad, birth_place="99126") == []
    country = check_consistency(abroad, birth_place="99134")
    assert codes(country) == ["nir_country_mismatch"]
    assert "99134" in country[0].message and "99126" in country[0].message
    france = check_consistency(abroad, birth_place="63220")
    assert codes(france) == ["nir_place_mismatch"]
    assert "naissance à l'étranger" in france[0].message
    born_in_france = check_consistency(parse_nir(ZOE), birth_place="99134")
    assert codes(born_in_france) == ["nir_place_mismatch"]
    assert "naissance en France" in born_in_france[0].message


@pytest.mark.parametrize(
    ("body", "country"),
    [("1450391228011", "99352"), ("1450394001011", "99352"), ("1450395001011", "99350"),
     ("1450396001011", "99351")],
)
def test_historical_codes_match_their_country(body: str, country: str) -> None:
    nir = parse_nir(with_key(body))
    assert check_consistency(nir, birth_place=country) == []
    other = "99350" if country != "99350" else "99352"
    assert codes(check_consistency(nir, birth_place=other)) == ["nir_place_mismatch"]


def test_corsica_20_and_2a_2b_are_the_same_department() -> None:
    before_1976 = parse_nir(with_key("1600120020777"))
    assert check_consistency(before_1976, birth_place="2B020") == []
    assert check_consistency(before_1976, birth_place="2a020") == []
    assert codes(check_consistency(before_1976, birth_place="2B021")) == ["nir_commune_mismatch"]
    recoded = parse_nir("160012B02077713")
    assert check_consistency(recoded, birth_place="20020") == []
    assert codes(check_consistency(recoded, birth_place="2A020")) == ["nir_place_mismatch"]
    assert codes(check_consistency(recoded, birth_place="63220")) == ["nir_place_mismatch"]


# --- properties -----------------------------------------------------------------------------


def _digits(n: int, low: int, high: int) -> st.SearchStrategy[str]:
    return st.integers(low, high).map(lambda i: f"{i:0{n}d}")


_places = st.one_of(
    st.tuples(_digits(2, 1, 96), _digits(3, 1, 999)).map("".join),
    st.tuples(st.sampled_from(["2A", "2B"]), _digits(3, 1, 999)).map("".join),
    st.tuples(st.sampled_from(["97", "98"]), _digits(1, 0, 9), _digits(2, 1, 99)).map("".join),
    _digits(3, 1, 999).map(lambda c: "99" + c),
)
_months = st.one_of(_digits(2, 1, 12), _digits(2, 20, 42), _digits(2, 50, 99))
valid_bodies = st.tuples(
    st.sampled_from("123478"), _digits(2, 0, 99), _months, _places, _digits(3, 1, 999)
).map("".join)


@given(valid_bodies)
def test_round_trip_on_valid_bodies(body: str) -> None:
    key = compute_key(body)
    assert key == oracle_key(body)
    assert 1 <= int(key) <= 97
    nir = parse_nir(body + key)
    assert nir.value == body + key
    assert parse_nir(body, require_key=False) == nir
    assert parse_nir(nir.formatted) == nir
    assert parse_nir(nir.formatted.lower().replace(" ", ".")) == nir
    assert nir.place_code == body[5:10]
    assert nir.department + nir.commune == nir.place_code
    assert check_consistency(nir, sex=nir.sex, birth_place=nir.place_code) == []
    assert describe(nir)


@given(valid_bodies, st.integers(0, 99))
def test_any_other_key_is_refused_with_the_right_one(body: str, key: int) -> None:
    expected = oracle_key(body)
    if f"{key:02d}" == expected:
        return
    with pytest.raises(NirKeyError) as caught:
        parse_nir(body + f"{key:02d}")
    assert caught.value.expected_key == expected


@given(valid_bodies, st.integers(0, 12), st.integers(1, 9))
def test_one_changed_digit_is_always_detected(body: str, position: int, shift: int) -> None:
    valid = body + compute_key(body)
    if valid[position] not in "0123456789":
        return
    changed = valid[:position] + str((int(valid[position]) + shift) % 10) + valid[position + 1 :]
    with pytest.raises(NirError):
        parse_nir(changed)


@settings(max_examples=300)
@given(st.text(), st.booleans())
def test_any_text_raises_only_nir_error(text: str, require_key: bool) -> None:
    try:
        nir = parse_nir(text, require_key=require_key)
    except NirError:
        return
    assert len(nir.value) == 15


@settings(max_examples=300)
@given(st.text(alphabet="0123456789ABab .", max_size=20), st.booleans())
def test_near_miss_text_raises_only_nir_error(text: str, require_key: bool) -> None:
    try:
        nir = parse_nir(text, require_key=require_key)
    except NirError:
        return
    assert parse_nir(nir.formatted) == nir


@given(st.text())
def test_compute_key_raises_only_nir_error(text: str) -> None:
    try:
        key = compute_key(text)
    except NirError:
        return
    assert len(key) == 2


@given(st.text(max_size=2000))
def test_very_long_text(text: str) -> None:
    with pytest.raises(NirError):
        parse_nir(text * 3 + "x")


def test_a_stored_matricule_is_grouped_as_the_card_prints_it() -> None:
    from insterm.domain.nir import grouped, parse_nir

    assert grouped("275126322074974") == "2 75 12 63 220 749 74"
    assert grouped("2751263220749") == "2 75 12 63 220 749"
    assert grouped("279035121518989") == parse_nir("279035121518989").formatted
