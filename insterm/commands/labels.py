"""`insterm etiquettes IPP [--format 3x8|89x36] [--nombre N] (--sortie FICHIER.pdf |
--imprimante NOM)`: INS datamatrix labels of a qualified (QUAL) identity, as a PDF or sent to a
CUPS printer (`lp`). Without either option the PDF is written in the current folder
(`etiquettes-IPP.pdf`) and the command says where. Exit 0 done, 1 refused (French message,
nothing written), 2 database unusable.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from insterm.commands._store_options import add_db_option, add_operator_option


def configure(parser: argparse.ArgumentParser) -> None:
    from insterm.exchange.labels import FORMATS

    parser.add_argument("ipp", metavar="IPP", help="IPP du dossier (identité qualifiée)")
    parser.add_argument("--format", dest="format_name", default="3x8", choices=tuple(FORMATS),
                        help="; ".join(f"{k} : {v.label}" for k, v in FORMATS.items())
                             + " (défaut : 3x8)")
    parser.add_argument("--nombre", type=int, default=None, metavar="N",
                        help="nombre d'étiquettes (défaut : une page)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--sortie", metavar="FICHIER", default=None,
                       help="PDF à écrire (défaut : etiquettes-IPP.pdf dans le dossier courant)")
    where.add_argument("--imprimante", metavar="NOM", default=None,
                       help="imprimante CUPS à laquelle envoyer les étiquettes (lp)")
    add_db_option(parser)
    add_operator_option(parser, "imprime les étiquettes")


def run(args: argparse.Namespace) -> int:
    from insterm.commands._store_options import CommandFailed, acting_operator, fail
    from insterm.domain.errors import InstermError

    output = None
    if args.imprimante is None:
        output = Path(args.sortie or f"etiquettes-{args.ipp.strip()}.pdf")
    try:
        with acting_operator(args, announce=False) as (clinic, actor):
            try:
                result = clinic.print_labels(actor, args.ipp, format_name=args.format_name,
                                             count=args.nombre, output=output,
                                             printer=args.imprimante)
            except InstermError as error:
                return fail(str(error), 1)
            except OSError as error:
                return fail(f"Écriture impossible : {error}. Aucune étiquette n'a été écrite.",
                            1)
    except CommandFailed as failure:
        return failure.exit_code()
    print(result.message)
    return 0
