"""The export and label use cases through `Clinic` on a real database: one audit event each
with the digest of what was written, the INS only for QUAL, nothing written on a refusal."""

from __future__ import annotations

import hashlib
import json
import os
from datetime import date
from pathlib import Path

import hl7
import pytest
from duplicate_override import create_anyway

from insterm.exchange.identity import ExportRefused
from insterm.store import audit
from insterm.usecases.errors import PermissionRefused
from insterm.usecases.exports import HL7Options
from tests.exchange.conftest import MATRICULE, Practice, traits
from tests.exchange.fr_core import problems


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    """An empty folder for what the exports write (the database is in tmp_path)."""
    folder = tmp_path / "sorties"
    folder.mkdir()
    return folder


def events(practice: Practice, action: str) -> list[audit.AuditEvent]:
    return [e for e in audit.events_page(practice.clinic.conn, action=action).events]


def test_fhir_export_of_one_qual_identity_to_a_file(practice: Practice, out_dir: Path) -> None:
    out = out_dir / "patient.json"
    result = practice.clinic.export_fhir("sophie", [practice.qual], out)
    data = out.read_bytes()
    resource = json.loads(data)
    assert problems(resource) == []
    assert resource["identifier"][0]["value"] == MATRICULE
    assert (result.count, result.with_ins) == (1, 1)
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    [event] = events(practice, "identities_exported")
    assert event.operator == "sophie"
    assert event.details["sha256"] == hashlib.sha256(data).hexdigest()
    assert event.details["destination"] == str(out)
    assert (event.details["count"], event.details["with_ins"], event.details["format"]) == (
        1, 1, "fhir")
    assert event.identity_id is not None and event.details["ipps"] == [practice.qual]
    assert practice.clinic.verify_audit().ok
    assert [p.name for p in out_dir.iterdir() if p.name.startswith(".")] == []


def test_fhir_ndjson_carries_the_ins_of_the_qual_identity_only(practice: Practice) -> None:
    result = practice.clinic.export_fhir("sophie", [practice.qual, practice.prov, practice.recup])
    lines = result.data.decode().splitlines()
    assert len(lines) == 3
    resources = [json.loads(line) for line in lines]
    assert all(problems(r) == [] for r in resources)
    ins = [any(i["system"].startswith("urn:oid:1.2.250.1.213.1.4.") for i in r["identifier"])
           for r in resources]
    assert ins == [True, False, False]
    recup_matricule = practice.clinic.get(practice.clinic.find(practice.recup).items[0].id).matricule
    assert recup_matricule and recup_matricule not in result.data.decode()
    [event] = events(practice, "identities_exported")
    assert event.details["destination"] == "sortie standard" and event.identity_id is None


def test_whole_base_is_for_administrators(practice: Practice) -> None:
    with pytest.raises(PermissionRefused, match="administrateur"):
        practice.clinic.export_fhir("sophie", None)
    result = practice.clinic.export_fhir("admin", None)
    assert result.count == 3 and result.with_ins == 1


def test_an_unknown_ipp_writes_nothing_and_audits_nothing(practice: Practice,
                                                           out_dir: Path) -> None:
    out = out_dir / "x.ndjson"
    with pytest.raises(ExportRefused, match="Aucun dossier n'a l'IPP « 999 »"):
        practice.clinic.export_fhir("sophie", [practice.qual, "999"], out)
    assert list(out_dir.iterdir()) == []
    assert events(practice, "identities_exported") == []


def test_a_failed_write_leaves_no_file_and_no_event(practice: Practice, out_dir: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from insterm import atomic_file

    def broken(temporary: Path, path: Path) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic_file, "commit", broken)
    with pytest.raises(OSError):
        practice.clinic.export_fhir("sophie", [practice.qual], out_dir / "p.json")
    assert list(out_dir.iterdir()) == []
    assert events(practice, "identities_exported") == []


def test_hl7_files_failing_half_way_leave_none(practice: Practice, out_dir: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """The second message's rename fails: the first, already renamed, is removed too, and no
    event says they were sent."""
    from insterm import atomic_file

    real = atomic_file.commit
    renamed: list[Path] = []

    def second_fails(temporary: Path, path: Path) -> None:
        if renamed:
            raise OSError(28, "No space left on device")
        real(temporary, path)
        renamed.append(path)

    monkeypatch.setattr(atomic_file, "commit", second_fails)
    with pytest.raises(OSError):
        practice.clinic.export_hl7("sophie", [practice.qual, practice.prov], out_dir,
                                   HL7Options(event="A28", finess="630000001"))
    assert len(renamed) == 1 and list(out_dir.iterdir()) == []
    assert events(practice, "identities_exported") == []


def test_hl7_drop_folder_one_file_per_message(practice: Practice, out_dir: Path) -> None:
    result = practice.clinic.export_hl7("sophie", [practice.qual, practice.prov], out_dir,
                                        HL7Options(event="A28", finess="630000001"))
    written = sorted(out_dir.iterdir())
    assert [p.suffix for p in written] == [".hl7", ".hl7"] and len(result.paths) == 2
    assert {oct(p.stat().st_mode & 0o777) for p in written} == {"0o640"}
    first, second = (hl7.parse(p.read_bytes().decode("utf-8")) for p in written)
    assert MATRICULE in str(first.segment("PID")[3])
    assert [str(r[4]) for r in second.segment("PID")[3]] == ["PI"]
    assert str(first.segment("MSH")[10]) != str(second.segment("MSH")[10])
    [event] = events(practice, "identities_exported")
    joined = b"".join(p.read_bytes() for p in written)
    assert event.details["sha256"] == hashlib.sha256(joined).hexdigest()
    assert (event.details["event"], event.details["files"], event.details["with_ins"]) == (
        "A28", 2, 1)


def test_hl7_a47_refused_for_a_non_qualified_identity(practice: Practice, out_dir: Path) -> None:
    with pytest.raises(ExportRefused, match="qualifiée"):
        practice.clinic.export_hl7("sophie", [practice.recup], out_dir, HL7Options(event="A47"))
    with pytest.raises(ExportRefused, match="ancien INS"):
        practice.clinic.export_hl7("sophie", [practice.qual], out_dir, HL7Options(event="A47"))
    with pytest.raises(ExportRefused, match="n'a pas été fusionné"):
        practice.clinic.export_hl7("sophie", [practice.prov], out_dir, HL7Options(event="A40"))
    assert list(out_dir.iterdir()) == []


def test_hl7_a40_for_a_merged_record(practice: Practice, out_dir: Path) -> None:
    clinic = practice.clinic
    survivor = clinic.get(clinic.find(practice.prov).items[0].id)
    twin = create_anyway(clinic, "sophie", traits(
        birth_name="MARTIN", first_name="JEAN", first_names="JEAN PAUL", sex="M",
        birth_date=date(1980, 2, 1), birth_place="75056")).record
    clinic.merge("admin", survivor.id, survivor.version, twin.id, twin.version)
    clinic.export_hl7("sophie", [twin.ipp], out_dir, HL7Options(event="A40"))
    [path] = out_dir.iterdir()
    message = hl7.parse(path.read_bytes().decode("utf-8"))
    assert str(message.segment("PID")[3][0][0]) == survivor.ipp
    assert str(message.segment("MRG")[1][0][0]) == twin.ipp
    with pytest.raises(ExportRefused, match="fusionné dans le dossier"):
        clinic.export_fhir("sophie", [twin.ipp])


def test_csv_of_a_search(practice: Practice, out_dir: Path) -> None:
    out = out_dir / "liste.csv"
    result = practice.clinic.export_csv("sophie", "adrun", out)
    text = out.read_text(encoding="utf-8-sig")
    assert result.count == 1 and MATRICULE in text
    result = practice.clinic.export_csv("sophie", "houilles", out)
    assert result.count == 1 and result.with_ins == 0
    [newest, _] = events(practice, "identities_exported")
    assert newest.details["query"] == "houilles"


def test_labels_for_a_qual_identity(practice: Practice, out_dir: Path) -> None:
    out = out_dir / "etiquettes.pdf"
    result = practice.clinic.print_labels("sophie", practice.qual, format_name="89x36",
                                          count=3, output=out)
    assert out.read_bytes().startswith(b"%PDF-") and result.count == 3
    [event] = events(practice, "ins_labels_printed")
    assert event.details["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert event.describe() == f"3 étiquette(s) INS (89x36) vers {out}"


@pytest.mark.parametrize("which", ["prov", "recup"])
def test_labels_refused_for_a_non_qual_identity(practice: Practice, out_dir: Path,
                                                which: str) -> None:
    out = out_dir / "etiquettes.pdf"
    with pytest.raises(ExportRefused) as refused:
        practice.clinic.print_labels("sophie", getattr(practice, which), output=out)
    assert "n'est imprimé que pour une identité qualifiée (QUAL)" in str(refused.value)
    assert not out.exists() and events(practice, "ins_labels_printed") == []


def test_labels_to_a_cups_printer_through_lp(practice: Practice, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """A stand-in `lp` on PATH (CUPS is not on the test machine) records what it is given."""
    spool = tmp_path / "spool"
    spool.mkdir()
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    lp = bin_dir / "lp"
    lp.write_text(f"#!/bin/sh\necho \"$@\" > {spool}/args\ncp \"$6\" {spool}/job.pdf\n"
                  "echo 'request id is etiquettes-1 (1 file(s))'\n")
    lp.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    result = practice.clinic.print_labels("sophie", practice.qual, printer="Dymo")
    assert result.printer == "Dymo"
    assert (spool / "args").read_text().startswith("-d Dymo -t ")
    assert (spool / "job.pdf").read_bytes().startswith(b"%PDF-")
    lp.write_text("#!/bin/sh\necho 'lp: The printer or class does not exist.' >&2\nexit 1\n")
    with pytest.raises(ExportRefused, match="a refusé le travail : lp: The printer"):
        practice.clinic.print_labels("sophie", practice.qual, printer="Absente")
    assert len(events(practice, "ins_labels_printed")) == 1
