"""The HL7 feed: with a destination configured, every creation, change, merge and INS change of
an identity queues its IHE PAM France message in the same transaction, and the outbox delivers
it to a real MLLP receiver on 127.0.0.1; without one, nothing is queued."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import hl7
import pytest
from duplicate_override import create_anyway

from insterm.cli import main
from insterm.clinic import Clinic
from insterm.domain.identity import UsedNames
from insterm.store import outbox
from insterm.usecases.errors import PermissionRefused
from insterm.usecases.exports import HL7Options
from tests.exchange.conftest import MATRICULE, PASSPORT, outcome, traits
from tests.exchange.mllp_receiver import MllpReceiver


@pytest.fixture
def receiver() -> Iterator[MllpReceiver]:
    with MllpReceiver() as running:
        yield running


def queued(clinic: Clinic) -> list[tuple[str, str]]:
    """(event, PID-3 identifiers) of every queued message, oldest first."""
    found = []
    for message in outbox.all_messages(clinic.conn):
        pid = hl7.parse(message.message).segment("PID")
        found.append((message.event, str(pid[3])))
    return found


def test_without_a_feed_nothing_is_queued(clinic: Clinic) -> None:
    assert clinic.hl7_feed() is None
    create_anyway(clinic, "sophie", traits())
    assert outbox.all_messages(clinic.conn) == []


def test_every_change_of_an_identity_goes_out(clinic: Clinic, receiver: MllpReceiver) -> None:
    with pytest.raises(PermissionRefused, match="régler le flux HL7"):
        clinic.configure_hl7_feed("sophie", "127.0.0.1", receiver.port)
    clinic.configure_hl7_feed("admin", "127.0.0.1", receiver.port,
                              HL7Options(sending_application="CABINET"))
    zoe = create_anyway(clinic, "sophie", traits()).record
    zoe = clinic.edit_traits("sophie", zoe.id, zoe.version, {"used_name": "MARTIN"}).record
    zoe = clinic.check_document("sophie", zoe.id, zoe.version, PASSPORT).record
    zoe = clinic.apply_insi_outcome("sophie", zoe.id, zoe.version, outcome(),
                                    accepted=True).saved.record
    assert zoe.status == "QUAL"
    twin = create_anyway(clinic, "sophie", traits(first_names="ZOE MARIE"),
                         UsedNames.build(used_name="MARTIN")).record
    clinic.merge("admin", zoe.id, zoe.version, twin.id, twin.version)
    events = queued(clinic)
    assert [e for e, _ in events] == ["A28", "A31", "A31", "A31", "A28", "A40"]
    # the INS goes out only once the identity is qualified
    assert [MATRICULE in pid for _, pid in events] == [False, False, False, True, False, True]
    report = clinic.deliver_hl7("admin", timeout=5)
    assert (report.sent, report.pending) == (6, 0)
    parsed = [hl7.parse(m) for m in receiver.received]
    assert [str(m.segment("MSH")[9]) for m in parsed][:2] == ["ADT^A28^ADT_A05",
                                                              "ADT^A31^ADT_A05"]
    assert str(parsed[0].segment("MSH")[3]) == "CABINET"
    merge = parsed[-1]
    assert str(merge.segment("MRG")[1]).startswith(twin.ipp)
    assert clinic.verify_audit().ok


def test_a_change_and_its_message_are_one_transaction(clinic: Clinic,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    clinic.configure_hl7_feed("admin", "127.0.0.1", 2575)

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("disque plein")

    monkeypatch.setattr(outbox, "add", broken)
    before = clinic.conn.execute("SELECT count(*) FROM identity").fetchone()[0]
    with pytest.raises(OSError):
        create_anyway(clinic, "sophie", traits(birth_name="DURAND"))
    assert clinic.conn.execute("SELECT count(*) FROM identity").fetchone()[0] == before


def test_an_import_does_not_flood_the_receiver(clinic: Clinic, tmp_path: Path) -> None:
    clinic.configure_hl7_feed("admin", "127.0.0.1", 2575)
    path = tmp_path / "p.csv"
    path.write_text("Nom;Prénom;DDN;Sexe\nDURAND;LUC;01/02/1980;M\n", encoding="utf-8")
    report = clinic.run_import("admin", clinic.inspect_import("admin", path))
    assert report.counts["imported"] == 1 and outbox.all_messages(clinic.conn) == []


def test_the_command_line_shows_sets_and_stops_the_feed(clinic: Clinic, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]
                                                        ) -> None:
    clinic.set_operator_role("admin", "sophie", "admin")  # sophie: this OS account
    db = str(tmp_path / "cabinet.db")
    assert main(["export", "flux-hl7", "--db", db]) == 0
    assert "Flux HL7 : aucun" in capsys.readouterr().out
    assert main(["export", "flux-hl7", "--mllp", "192.168.1.20:2575", "--db", db,
                 "--operateur", "sophie"]) == 0
    assert "mis en file pour 192.168.1.20:2575" in capsys.readouterr().out
    assert clinic.hl7_feed() is not None
    assert main(["export", "flux-hl7", "--arret", "--db", db, "--operateur", "sophie"]) == 0
    assert "Flux HL7 : aucun" in capsys.readouterr().out
    with pytest.raises(SystemExit) as refused:
        main(["export", "flux-hl7", "--mllp", "nulle-part", "--db", db])
    assert refused.value.code == 2 and "attendu HÔTE:PORT" in capsys.readouterr().err
