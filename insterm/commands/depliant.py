"""`insterm depliant [--sortie FICHIER]`: the patients' information leaflet on the INS, as a
PDF with the practice's name (the settings' `practice.name`), to print and hand out."""

from __future__ import annotations

import argparse


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sortie", dest="output", metavar="FICHIER", default=".",
                        help="le fichier PDF (ou le dossier) où l'écrire ; défaut : "
                             "depliant-information-ins.pdf ici")


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from insterm.commands._store_options import fail
    from insterm.config import SettingsError
    from insterm.usecases.leaflet import LeafletError, write_leaflet

    try:
        path = write_leaflet(Path(args.output))
    except (LeafletError, SettingsError) as error:
        return fail(str(error))
    print(f"Dépliant écrit : {path}")
    return 0
