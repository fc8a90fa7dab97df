"""Request shaping and the refusals before sending (pure logic: no zeep, no network)."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest

from insterm.domain.status import Attribute, IdentityState, Status
from insterm.insi.errors import InsiRefused, InsiSettingsError
from insterm.insi.request import (
    TraitsQuery,
    check_traits_query,
    first_name_plan,
    header_values,
    new_message_id,
    soap_timestamp,
    traits_body,
)
from insterm.insi.settings import InsiSettings


def query(**changes: object) -> TraitsQuery:
    values: dict[str, object] = {
        "birth_name": "D'ARTAGNAN DE L'HERAULT",
        "first_names": ("PIERRE-ALAIN",),
        "sex": "M",
        "birth_date": dt.date(2001, 6, 17),
        "birth_place": "63220",
    }
    values.update(changes)
    return TraitsQuery(**values)  # type: ignore[arg-type]  # values of mixed types


def test_valid_traits_pass_unchanged() -> None:
    q = query()
    assert check_traits_query(q) is q


def test_cnda_2_03_cas_3_typographic_apostrophe_and_ligatures_are_refused() -> None:
    with pytest.raises(InsiRefused) as caught:
        check_traits_query(query(birth_name="D\u2019\u00c6ION", first_names=("C\u0152UR",)))
    assert caught.value.reason == "traits" and caught.value.field == "birth_name"
    assert "non envoyée" in str(caught.value) and "\u2019" in str(caught.value)
    with pytest.raises(InsiRefused) as caught:
        check_traits_query(query(first_names=("C\u0152UR",)))
    assert caught.value.field in ("first_name", "first_names")
    assert "OE" in str(caught.value)  # the domain's proposal is passed on


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"birth_name": "dupont"}, "birth_name"),
        ({"birth_name": ""}, "birth_name"),
        ({"birth_name": "DUPONT2"}, "birth_name"),
        ({"first_names": ()}, "first_names"),
        ({"first_names": ("JEAN", "")}, "first_names"),
        ({"first_names": ("JEAN--PAUL",)}, "first_name"),
        ({"first_names": ("ÉLODIE",)}, "first_name"),
        ({"sex": "I"}, "sex"),
        ({"sex": "X"}, "sex"),
        ({"sex": ""}, "sex"),
        ({"birth_date": dt.date.today() + dt.timedelta(days=1)}, "birth_date"),
        ({"birth_date": dt.date(1849, 12, 31)}, "birth_date"),
        ({"birth_date": None}, "birth_date"),
        ({"birth_place": "6322"}, "birth_place"),
        ({"birth_place": "PARIS"}, "birth_place"),
        ({"birth_place": "2C020"}, "birth_place"),
    ],
)
def test_traits_outside_the_insi_profile_are_refused(changes: dict, field: str) -> None:
    with pytest.raises(InsiRefused) as caught:
        check_traits_query(query(**changes))
    assert caught.value.field == field
    assert str(caught.value).startswith("Recherche INSi non envoyée")


@pytest.mark.parametrize("attribute", [Attribute.DOUT, Attribute.FICT])
def test_doubtful_or_fictitious_identities_are_refused(attribute: Attribute) -> None:
    state = IdentityState(Status.PROV, frozenset({attribute}))
    with pytest.raises(InsiRefused) as caught:
        check_traits_query(query(), state)
    assert caught.value.reason == "identity_state"


def test_a_plain_provisional_identity_may_call() -> None:
    check_traits_query(query(), IdentityState(Status.PROV))
    check_traits_query(query(), IdentityState(Status.VALI))


def test_first_name_plan_each_then_the_whole_list() -> None:
    assert first_name_plan(query(first_names=("PIERRE", "PAUL", "JACQUES"))) == [
        "PIERRE", "PAUL", "JACQUES", "PIERRE PAUL JACQUES"]
    assert first_name_plan(query(first_names=("LEONARDO",))) == ["LEONARDO"]


def test_from_traits_accepts_domain_like_objects_and_dicts() -> None:
    from insterm.domain.identity import StrictTraits

    traits = StrictTraits.build(
        birth_name="HOUILLES", first_name="PIERRE", first_names="PIERRE PAUL JACQUES",
        birth_date=dt.date(1993, 1, 27), sex="M", birth_place=None,
    )
    q = TraitsQuery.from_traits(traits)
    assert q.first_names == ("PIERRE", "PAUL", "JACQUES") and q.birth_place is None


def test_from_traits_dict_and_string_date() -> None:
    q = TraitsQuery.from_traits(
        {"birth_name": "NESSI", "first_names": "NATHALIE", "sex": "F", "birth_date": "1977-07-14"}
    )
    assert q.birth_date == dt.date(1977, 7, 14)
    with pytest.raises(InsiRefused):
        TraitsQuery.from_traits({"birth_name": "X", "first_names": "Y", "sex": "F",
                                 "birth_date": "14/07/1977"})


def test_traits_body_sends_one_prenom_and_optional_place() -> None:
    body = traits_body(query(), "PIERRE-ALAIN")
    assert body == {"NomNaissance": "D'ARTAGNAN DE L'HERAULT", "Prenom": ["PIERRE-ALAIN"],
                    "Sexe": "M", "DateNaissance": "2001-06-17", "LieuNaissance": "63220"}
    assert "LieuNaissance" not in traits_body(query(birth_place=None), "PIERRE-ALAIN")


def test_message_id_and_timestamp_formats() -> None:
    mid = new_message_id()
    assert mid.startswith("uuid:") and uuid.UUID(mid[5:]).version == 4
    assert mid != new_message_id()
    stamp = soap_timestamp(dt.datetime(2022, 3, 1, 10, 29, 58, 604123, tzinfo=dt.UTC))
    assert stamp == "2022-03-01T10:29:58.604Z"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", soap_timestamp())


def test_header_values_carry_the_lps_and_bam_contexts() -> None:
    settings = InsiSettings("https://127.0.0.1:1/lps", "IDAM12345678", str(uuid.uuid4()),
                            software_version="1.2.3")
    values = header_values(settings, emitter="10B0152872", message_id="uuid:x")
    lps = values["NO1_ContexteLPS"]
    assert lps["LPS"] == {"IDAM": {"_value_1": "IDAM12345678", "R": "4"}, "Version": "1.2.3",
                          "Instance": settings.installation_id, "Nom": "urn:lps:insterm:1.2.3"}
    assert (lps["Nature"], lps["Version"], lps["Emetteur"]) == ("CTXLPS", "01_00", "10B0152872")
    bam = values["NO1_ContexteBAM"]
    assert (bam["Version"], bam["COUVERTURE"], bam["Emetteur"]) == ("01_02", {}, "10B0152872")
    assert lps["Id"] != bam["Id"]
    assert values["NO1_MessageID"] == "uuid:x"


@pytest.mark.parametrize(
    ("changes", "setting"),
    [
        ({"endpoint_url": "http://127.0.0.1/lps"}, "endpoint_url"),
        ({"idam": " "}, "idam"),
        ({"installation_id": "pas-un-uuid"}, "installation_id"),
        ({"environment": "prod"}, "environment"),
        ({"timeout_seconds": 0}, "timeout_seconds"),
        ({"ca_file": "/nonexistent/ca.pem"}, "ca_file"),
    ],
)
def test_settings_are_checked_in_french(changes: dict, setting: str) -> None:
    values = {"endpoint_url": "https://127.0.0.1:1/lps", "idam": "X",
              "installation_id": str(uuid.uuid4())}
    values.update(changes)
    with pytest.raises(InsiSettingsError) as caught:
        InsiSettings(**values).check()
    assert caught.value.setting == setting


def test_settings_from_env() -> None:
    env = {"INSTERM_INSI_ENDPOINT": "https://127.0.0.1:8443/lps", "INSTERM_INSI_IDAM": "ID",
           "INSTERM_INSI_INSTALLATION_ID": str(uuid.uuid4()), "INSTERM_INSI_TIMEOUT": "12"}
    settings = InsiSettings.from_env(env)
    assert settings.timeout_seconds == 12 and settings.environment == "simulator"
    with pytest.raises(InsiSettingsError) as caught:
        InsiSettings.from_env({})
    assert "INSTERM_INSI_ENDPOINT" in str(caught.value)
    with pytest.raises(InsiSettingsError):
        InsiSettings.from_env({**env, "INSTERM_INSI_TIMEOUT": "trente"})
