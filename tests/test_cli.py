"""The small CLI of the foundation: --version, nir, places (in process, through main())."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from insterm import __version__
from insterm.cli import main


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"insterm {__version__}"


def test_python_dash_m_runs_the_same_entry_point() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "insterm", "--version"], capture_output=True, text=True
    )
    assert done.returncode == 0
    assert done.stdout.strip() == f"insterm {__version__}"


def test_nir_valid_describes_in_french(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["nir", "2 79 03 51 215 189 89"]) == 0
    out = capsys.readouterr().out
    assert "279035121518989".replace(" ", "") in out.replace(" ", "")
    assert "femme" in out.lower() or "féminin" in out.lower()
    assert "mars" in out.lower()
    assert "51215" in out  # the birth place code, with its name when known


def test_nir_corsica_names_the_commune(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["nir", "180032B02040123"]) == 0
    out = capsys.readouterr().out
    assert "2B020" in out
    assert "Aregno" in out


def test_nir_wrong_key_gives_the_expected_key(capsys: pytest.CaptureFixture[str]) -> None:
    # CNDA case HERMANN GATIEN: the fixture's key 60 is wrong, 76 is right.
    assert main(["nir", "181036322045660"]) == 1
    err = capsys.readouterr().err
    assert "76" in err
    assert "clé" in err.lower()


def test_nir_malformed_says_what_is_wrong(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["nir", "12345"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Matricule refusé")
    assert "15" in err


def test_places_finds_a_commune_by_name_without_accents(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["places", "clermont-ferr"]) == 0
    assert "63113  Clermont-Ferrand" in capsys.readouterr().out


def test_places_finds_a_country(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["places", "espagne"]) == 0
    assert "99134" in capsys.readouterr().out


def test_places_nothing_found_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["places", "zzzzqqq"]) == 1
    assert "Aucun lieu" in capsys.readouterr().err


def test_unknown_command_is_refused_in_french(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["frobnicate"])
    assert exit_.value.code == 2
    assert "erreur" in capsys.readouterr().err


# ---------------------------------------------------------------- the plain lookup path

_WORD = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZéè0123456789/'", min_size=1, max_size=12)


@given(words=st.lists(_WORD, min_size=1, max_size=4),
       db=st.one_of(st.none(), st.sampled_from(["base.db", "/tmp/x y.db", "~/cabinet.db"])),
       db_at=st.integers(min_value=0, max_value=4), equals=st.booleans())
def test_plain_lookup_reads_what_the_parser_reads(words, db, db_at, equals) -> None:
    from insterm.cli import build_parser, plain_lookup

    argv = ["lookup", *words]
    if db is not None:
        option = [f"--db={db}"] if equals else ["--db", db]
        position = 1 + min(db_at, len(words))
        argv[position:position] = option
    plain = plain_lookup(argv)
    interleaved = db is not None and 0 < db_at < len(words)
    if interleaved:  # query words on both sides of --db: the parser refuses, so does the path
        assert plain is None
        with pytest.raises(SystemExit):
            build_parser(argv).parse_args(argv)
        return
    parsed = build_parser(argv).parse_args(argv)
    assert plain is not None
    assert ("lookup", *plain, 1, 20) == (
        parsed.command, parsed.query, parsed.db, parsed.page, parsed.page_size)


@pytest.mark.parametrize("argv", [
    [], ["nir", "279035121518989"], ["lookup"], ["lookup", "--db", "x.db"],
    ["lookup", "-h"], ["lookup", "DUPONT", "--page", "2"], ["lookup", "--", "DUPONT"],
    ["lookup", "DUPONT", "--db"], ["lookup", "DUPONT", "--db="], ["--version"],
])
def test_any_other_command_line_goes_to_the_parser(argv) -> None:
    from insterm.cli import plain_lookup

    assert plain_lookup(argv) is None
