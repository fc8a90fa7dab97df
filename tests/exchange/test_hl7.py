"""HL7 v2 PAM France: the ER7 writer's escaping (parsed back by python-hl7), golden messages,
and the INS in PID-3 only for a QUAL identity."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import hl7
import pytest
from hypothesis import given
from hypothesis import strategies as st

from insterm.exchange import er7, pam
from insterm.exchange.identity import ExportRefused, Ins
from tests.exchange.conftest import MATRICULE, NIR_OID, exchange_identity

GOLDEN = Path(__file__).parent / "golden"
ENVELOPE = pam.Envelope(control_id="20250601120000000100001", at=datetime(2025, 6, 1, 12, 0, 0),
                        receiving_application="LOGICIEL_MEDICAL", finess="630000001")


def parse(message: str) -> hl7.Message:
    return hl7.parse(message)


@given(st.text(min_size=1, max_size=60))
def test_any_text_survives_escaping(text: str) -> None:
    """Delimiters, backslashes, CR/LF and control characters cannot break out of a field."""
    message = er7.message([er7.msh("A"), er7.segment("PID", "1", None, None, None,
                                                     er7.Comp(text, "X"))])
    parsed = parse(message)
    assert len(parsed) == 2
    assert str(parsed.segment("PID")[5][0][1]) == "X"
    assert parsed.unescape(str(parsed.segment("PID")[5][0][0])) == text


@given(st.text(max_size=60))
def test_unescape_reverses_escape(text: str) -> None:
    assert er7.unescape(er7.escape(text)) == text


def test_escape_sequences() -> None:
    assert er7.escape("A|B^C~D\\E&F\rG") == "A\\F\\B\\S\\C\\R\\D\\E\\E\\T\\F\\X0D\\G"


def test_a28_of_a_qualified_identity_matches_its_golden_file() -> None:
    message = pam.build("A28", exchange_identity(), ENVELOPE)
    assert message.encode() == (GOLDEN / "a28-qual.hl7").read_bytes()
    pid = parse(message).segment("PID")
    ids = {str(rep[4]): rep for rep in pid[3]}
    assert str(ids["INS"][0]) == MATRICULE
    assert str(ids["INS"][3]) == "ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.8&ISO"
    assert str(ids["PI"][0]) == "100000001"
    assert str(pid[32]) == "VALI"
    assert str(pid[5]) == "ADRUN^ZOE^ZOE^^^^L"
    assert str(pid[11]) == "^^^^^FRA^BDL^^63220"
    zfd = parse(message).segment("ZFD")
    assert [str(zfd[i]) for i in range(4, 9)] == ["N", "INSI", "20250601", "PA", "20300101"]


def test_a31_of_a_provisional_identity_matches_its_golden_file_and_carries_no_ins() -> None:
    identity = exchange_identity(
        ipp="100000002", birth_name="MARTIN", first_name="JEAN", first_names="JEAN PAUL",
        sex="M", birth_date=date(1980, 2, 1), birth_place="99134", used_name="DURAND",
        used_first_name="JP", status="PROV", ins=None, channel="SM", insi_date=None,
        document_type=None, document_expiry=None, document_date=None,
        attributes=frozenset({"DOUT", "HOMA"}))
    message = pam.build("A31", identity, ENVELOPE)
    assert message.encode() == (GOLDEN / "a31-prov.hl7").read_bytes()
    pid = parse(message).segment("PID")
    assert [str(rep[4]) for rep in pid[3]] == ["PI"]
    assert [str(rep) for rep in pid[32]] == ["PROV", "HOMA", "DOUT"]
    assert [str(rep[6]) for rep in pid[5]] == ["L", "D"]
    assert str(pid[11]) == "^^^^^^BDL^^99134"
    assert str(parse(message).segment("MSH")[9]) == "ADT^A31^ADT_A05"


@pytest.mark.parametrize("status", ["PROV", "RECUP", "VALI"])
def test_no_ins_in_any_message_for_a_non_qualified_identity(status: str) -> None:
    identity = exchange_identity(status=status, ins=None)
    for event in ("A28", "A31"):
        message = pam.build(event, identity, ENVELOPE)
        assert MATRICULE not in message and "ASIP-SANTE-INS" not in message
        assert [str(rep[4]) for rep in parse(message).segment("PID")[3]] == ["PI"]
        expected = "VALI" if status == "VALI" else "PROV"
        assert str(parse(message).segment("PID")[32]) == expected


def test_a40_names_the_absorbed_record_in_mrg() -> None:
    message = parse(pam.build("A40", exchange_identity(), ENVELOPE, merged_ipp="100000007"))
    assert str(message.segment("MSH")[9]) == "ADT^A40^ADT_A39"
    assert str(message.segment("MRG")[1]) == "100000007^^^INSTERM&630000001&M^PI"


def test_a47_has_the_new_ins_in_pid_and_the_old_one_in_mrg() -> None:
    old = Ins("175126322074971", NIR_OID)
    message = parse(pam.build("A47", exchange_identity(), ENVELOPE, old_ins=old))
    assert str(message.segment("MSH")[9]) == "ADT^A47^ADT_A30"
    assert str(message.segment("MRG")[1][0][0]) == "175126322074971"
    assert MATRICULE in str(message.segment("PID")[3])
    with pytest.raises(ExportRefused, match="ancien INS"):
        pam.build("A47", exchange_identity(), ENVELOPE)


def test_a47_removing_an_ins_sends_the_hl7_null_with_the_oid() -> None:
    identity = exchange_identity(status="PROV", ins=None)
    message = pam.build("A47", identity, ENVELOPE, old_ins=Ins(MATRICULE, NIR_OID),
                        removed_ins_oid=NIR_OID)
    assert '""^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.8&ISO^INS' in message


def test_msh_declares_pam_france_and_utf8() -> None:
    msh = parse(pam.build("A28", exchange_identity(), ENVELOPE)).segment("MSH")
    assert str(msh[12]) == "2.5^FRA^2.11"
    assert str(msh[18]) == "UNICODE UTF-8"
    assert str(msh[21]) == "2.11^IHE_FRANCE-2.11-PAM"
    assert str(msh[10]) == ENVELOPE.control_id


def test_unknown_event_is_refused() -> None:
    with pytest.raises(ExportRefused, match="A28, A31, A40 ou A47"):
        pam.build("A08", exchange_identity(), ENVELOPE)
