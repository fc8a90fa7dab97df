"""Reading a patient file to import: CSV encoding and delimiter, the column mapping, the ANS
portability archives (IHE XDM zip, CDA header)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from insterm.exchange import import_csv, import_mapping
from insterm.exchange.import_csv import SourceError
from insterm.exchange.import_mapping import MappingError
from insterm.exchange.import_source import open_source

HEADER = "Nom;Prénoms;Date de naissance;Sexe"
BODY = "d\u2019ARC;Hélène;01/02/1980;F\r\nŒUVRE;Zoé;02/03/1990;F\r\n"


def write(tmp_path: Path, text: str, encoding: str, name: str = "patients.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize(("encoding", "found"), [
    ("utf-8-sig", "utf-8-sig"), ("utf-8", "utf-8"), ("cp1252", "cp1252")])
def test_the_encoding_is_found_and_every_letter_read_back(tmp_path: Path, encoding: str,
                                                          found: str) -> None:
    path = write(tmp_path, f"{HEADER}\r\n{BODY}", encoding)
    source = open_source(path)
    assert source.csv_format is not None and source.csv_format.encoding == found
    rows = list(source.rows())
    assert [r.values["birth_name"] for r in rows] == ["d\u2019ARC", "ŒUVRE"]
    assert rows[0].values["first_names"] == "Hélène" and rows[0].key == "2"


def test_latin1_bytes_that_cp1252_does_not_define(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_bytes(f"{HEADER}\nDUPONT;Zoé;01/02/1980;F\n".encode("latin-1") + b"X\x81;A;01/01/1990;F\n")
    assert import_csv.detect(path).encoding == "latin-1"


@pytest.mark.parametrize(("delimiter", "name"), [(";", "point-virgule"), (",", "virgule"),
                                                 ("\t", "tabulation")])
def test_the_delimiter_is_found_and_shown(tmp_path: Path, delimiter: str, name: str) -> None:
    text = f"{HEADER}\n{BODY}".replace(";", delimiter)
    source = open_source(write(tmp_path, text, "utf-8"))
    assert name in source.description and "UTF-8" in source.description


def test_a_file_without_columns_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="Séparateur introuvable"):
        open_source(write(tmp_path, "nom seulement\nDUPONT\n", "utf-8"))
    with pytest.raises(SourceError, match="vide"):
        open_source(write(tmp_path, "\n\n", "utf-8"))
    with pytest.raises(SourceError, match="octets nuls"):
        open_source(write(tmp_path, "a;b\x00\n", "utf-8"))
    with pytest.raises(SourceError, match="introuvable"):
        open_source(tmp_path / "absent.csv")


def test_a_row_with_extra_columns_is_one_refused_row_not_a_failed_file(tmp_path: Path) -> None:
    path = write(tmp_path, f"{HEADER}\nA;B;01/01/1990;F;en trop\nC;D;01/01/1990;M\n", "utf-8")
    rows = list(open_source(path).rows())
    assert rows[0].error is not None and "5 colonnes pour 4" in rows[0].error
    assert rows[1].error is None and rows[1].values["birth_name"] == "C"


def test_headers_are_recognised_whatever_their_spelling() -> None:
    mapping = import_mapping.recognise(["N° dossier", "NOM_NAISSANCE", "prénom", "DDN", "Sexe",
                                        "Nom d'usage", "Matricule INS"])
    assert {name: mapping.headers[i] for name, i in mapping.columns.items()} == {
        "source_id": "N° dossier", "birth_name": "NOM_NAISSANCE", "first_name": "prénom",
        "birth_date": "DDN", "sex": "Sexe", "used_name": "Nom d'usage", "ins": "Matricule INS"}


def test_a_nir_column_is_never_taken_for_the_ins() -> None:
    mapping = import_mapping.recognise(["Nom", "Prénom", "DDN", "Sexe", "NIR"])
    assert "ins" not in mapping.columns


def test_missing_columns_are_named(tmp_path: Path) -> None:
    with pytest.raises(MappingError, match="date de naissance, sexe") as refused:
        import_mapping.recognise(["Nom", "Prénom", "Téléphone"])
    assert "--correspondance" in refused.value.message and "Téléphone" in refused.value.message


def test_a_mapping_file_names_columns_formats_and_sex_codes(tmp_path: Path) -> None:
    csv_path = write(tmp_path, "ID|NOMJF|PNOMS|NE|S\n".replace("|", ";") +
                     "7;DUPONT;JEAN;19800201;1\n", "utf-8")
    mapping = tmp_path / "ancien.toml"
    mapping.write_text('[colonnes]\nidentifiant = "ID"\nnom_naissance = "NOMJF"\n'
                       'prenoms = "PNOMS"\ndate_naissance = "NE"\nsexe = "S"\n'
                       '[dates]\nformats = ["%Y%m%d"]\n[sexe]\nM = ["1"]\nF = ["2"]\n',
                       encoding="utf-8")
    source = open_source(csv_path, mapping)
    assert source.mapping is not None and source.mapping.source == "ancien.toml"
    assert source.mapping.date_formats == ("%Y%m%d",)
    assert source.mapping.sex_codes == {"1": "M", "2": "F"}
    (row,) = list(source.rows())
    assert row.source_id == "7" and row.values["birth_date"] == "19800201"


@pytest.mark.parametrize(("toml", "said"), [
    ('[colonnes]\nnom = "NOMJF"\n', "trait « nom » inconnu"),
    ('[colonnes]\nnom_naissance = "ABSENTE"\n', "colonne « ABSENTE » (nom_naissance) absente"),
    ('[colonnes]\nnom_naissance = "NOMJF"\n', "Colonnes introuvables"),
    ("[colonnes\n", "illisible"),
    ('[autre]\nx = 1\n', "section(s) inconnue(s) autre"),
    ('[colonnes]\nnom_naissance = "NOMJF"\nprenoms = "PNOMS"\ndate_naissance = "NE"\n'
     'sexe = "S"\n[dates]\nformats = "jj/mm"\n', "formats doit être une liste"),
    ('[colonnes]\nnom_naissance = "NOMJF"\nprenoms = "PNOMS"\ndate_naissance = "NE"\n'
     'sexe = "S"\n[sexe]\nH = ["1"]\n', "associe M, F ou I"),
])
def test_a_wrong_mapping_file_is_refused_with_the_reason(tmp_path: Path, toml: str,
                                                         said: str) -> None:
    mapping = tmp_path / "m.toml"
    mapping.write_text(toml, encoding="utf-8")
    with pytest.raises(MappingError, match=said.replace("(", r"\(").replace(")", r"\)")):
        import_mapping.load(mapping, ["NOMJF", "PNOMS", "NE", "S"])


CDA = """<?xml version="1.0" encoding="UTF-8"?>
<ClinicalDocument xmlns="urn:hl7-org:v3">
  <recordTarget><patientRole>
    <id root="1.2.250.1.213.1.4.8" extension="275126322074974"/>
    <id root="1.2.250.1.999.1" extension="IPP-42"/>
    <patient>
      <name><family qualifier="BR">ADRUN</family><family qualifier="SP">MARTIN</family>
        <given qualifier="BR">ZOE</given><given>ZOE</given><given>MARIE</given></name>
      <administrativeGenderCode code="F" codeSystem="2.16.840.1.113883.5.1"/>
      <birthTime value="19751231"/>
      <birthplace><place><addr><county>63220</county><city>CLERMONT</city></addr></place>
      </birthplace>
    </patient>
  </patientRole></recordTarget>
</ClinicalDocument>"""


def xdm(path: Path, *documents: str) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("README.TXT", "Portabilité")
        for number, document in enumerate(documents, start=1):
            archive.writestr(f"IHE_XDM/SUBSET01/DOC{number:04d}.XML", document)
    return path


def test_the_cda_header_of_an_xdm_archive(tmp_path: Path) -> None:
    source = open_source(xdm(tmp_path / "patient1.zip", CDA, CDA))
    assert source.kind == "xdm" and "1 archive" in source.description
    (row,) = list(source.rows())
    assert row.error is None and row.key == "patient1.zip"
    assert row.values == {"ins": "275126322074974", "ins_oid": "1.2.250.1.213.1.4.8",
                          "birth_name": "ADRUN", "first_name": "ZOE", "first_names": "ZOE MARIE",
                          "sex": "F", "birth_date": "31/12/1975", "birth_place": "63220"}


def test_a_folder_of_archives_one_row_each_and_a_broken_one_is_one_refused_row(
        tmp_path: Path) -> None:
    folder = tmp_path / "portabilite"
    folder.mkdir()
    xdm(folder / "a.zip", CDA)
    (folder / "b.zip").write_bytes(b"not a zip")
    xdm(folder / "c.zip", CDA.replace("<!-- -->", "").replace(
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'))
    xdm(folder / "d.zip", CDA, CDA.replace("ADRUN", "MARTIN"))
    rows = list(open_source(folder).rows())
    assert [r.key for r in rows] == ["a.zip", "b.zip", "c.zip", "d.zip"]
    assert rows[0].error is None
    assert rows[1].error is not None and "pas une archive zip" in rows[1].error
    assert rows[2].error is not None and "DTD ou des entités" in rows[2].error
    assert rows[3].error is not None and "pas le même patient" in rows[3].error


@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=400))
def test_any_bytes_are_read_or_refused_in_french(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "any.csv"
    path.write_bytes(data)
    try:
        source = open_source(path)
        rows = list(source.rows())
    except (SourceError, MappingError) as refused:
        assert refused.message.strip()
        return
    assert all(isinstance(r.values, dict) for r in rows)
