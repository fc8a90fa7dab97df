"""`insterm export fhir|hl7|csv`: identities out of insterm, each run one audit event.

- `insterm export fhir [IPP...] [--tout] [--sortie FICHIER]`: FR Core Patient, one JSON for one
  IPP, NDJSON (one resource a line) for several or for the whole base (`--tout`,
  administrators); standard output by default.
- `insterm export hl7 IPP... --dossier DOSSIER [--evenement A28|A31|A40|A47]`: one HL7 v2 IHE
  PAM France message a file in a drop folder (written under a temporary name, then renamed).
- `insterm export csv RECHERCHE [--sortie FICHIER]`: the identities a search returns.
- `insterm export flux-hl7 [--mllp HÔTE:PORT | --arret]`: the HL7 feed (every change of an
  identity queued for MLLP, `insterm.usecases.hl7_feed`), shown, set or stopped.

The matricule INS leaves only for a qualified (QUAL) identity. Exit 0 done, 1 refused (French
message, nothing written), 2 database or settings unusable.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from insterm.commands._store_options import add_db_option, add_operator_option

if TYPE_CHECKING:
    from insterm.clinic import Clinic
    from insterm.usecases.exports import ExportResult, HL7Options


def _subparser(sub: argparse._SubParsersAction[argparse.ArgumentParser], name: str,
               summary: str) -> argparse.ArgumentParser:
    parser = sub.add_parser(name, help=summary, description=summary, add_help=False)
    parser.add_argument("-h", "--help", action="help", help="afficher cette aide et quitter")
    add_db_option(parser)
    add_operator_option(parser, "exporte")
    return parser


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="export_command", metavar="FORMAT", title="formats")
    sub.required = True
    fhir = _subparser(sub, "fhir", "identités en FHIR R4 (FR Core Patient) : JSON, ou NDJSON "
                                   "pour plusieurs")
    fhir.add_argument("ipps", nargs="*", metavar="IPP", help="IPP des dossiers à exporter")
    fhir.add_argument("--tout", action="store_true",
                      help="toute la base (dossiers non fusionnés), en NDJSON ; administrateurs")
    fhir.add_argument("--sortie", metavar="FICHIER", default=None,
                      help="fichier à écrire (par défaut : la sortie standard)")
    fhir.add_argument("--systeme-ipp", dest="ipp_system", metavar="URI",
                      default="urn:insterm:ipp",
                      help="système (URI) des IPP du cabinet dans l'identifiant FHIR")
    hl7 = _subparser(sub, "hl7", "messages HL7 v2.5 (IHE PAM France), un fichier par message "
                                 "dans un dossier de dépôt")
    hl7.add_argument("ipps", nargs="+", metavar="IPP",
                     help="IPP des dossiers (A40 : IPP des dossiers absorbés par une fusion)")
    way = hl7.add_mutually_exclusive_group(required=True)
    way.add_argument("--dossier", metavar="DOSSIER",
                     help="dossier de dépôt lu par le logiciel destinataire")
    way.add_argument("--mllp", metavar="HÔTE:PORT", type=_host_port,
                     help="envoi MLLP au logiciel destinataire, par la file d'attente (rien "
                          "n'est perdu s'il ne répond pas : « insterm export envoyer » "
                          "réessaie)")
    hl7.add_argument("--evenement", default="A28", choices=("A28", "A31", "A40", "A47"),
                     help="A28 création (défaut), A31 mise à jour, A40 fusion, A47 changement "
                          "d'INS")
    _add_envelope_options(hl7)
    send = _subparser(sub, "envoyer", "envoyer les messages HL7 en attente (MLLP), avec "
                                      "reprise espacée")
    send.add_argument("--attendre", action="store_true",
                      help="continuer jusqu'à ce que la file soit vide (Ctrl+C arrête)")
    send.add_argument("--delai", type=float, default=10.0, metavar="S",
                      help="délai d'attente de l'accusé de réception, en secondes (10)")
    feed = _subparser(sub, "flux-hl7", "envoyer automatiquement chaque création, modification "
                                       "et fusion d'identité (HL7 MLLP) ; sans option : le "
                                       "réglage actuel")
    feed_way = feed.add_mutually_exclusive_group()
    feed_way.add_argument("--mllp", metavar="HÔTE:PORT", type=_host_port,
                          help="le logiciel destinataire (administrateurs)")
    feed_way.add_argument("--arret", action="store_true", help="ne plus rien envoyer")
    _add_envelope_options(feed)
    csv = _subparser(sub, "csv", "les identités d'une recherche, en CSV (séparateur « ; »)")
    csv.add_argument("query", nargs="+", metavar="RECHERCHE",
                     help="matricule, IPP, NOM [prénom] [JJ/MM/AAAA] ou date de naissance")
    csv.add_argument("--sortie", metavar="FICHIER", default=None,
                     help="fichier à écrire (par défaut : la sortie standard)")


def _add_envelope_options(parser: argparse.ArgumentParser) -> None:
    """The HL7 envelope's options (MSH and the IPPs' assigning authority)."""
    parser.add_argument("--application", default="INSTERM", help="MSH-3 application émettrice")
    parser.add_argument("--etablissement", default="", help="MSH-4 établissement émetteur")
    parser.add_argument("--destinataire", default="", help="MSH-5 application destinataire")
    parser.add_argument("--autorite-ipp", dest="ipp_authority", default="INSTERM",
                        help="autorité d'affectation des IPP (PID-3)")
    parser.add_argument("--finess", default="", help="FINESS du cabinet (autorité des IPP)")
    parser.add_argument("--test", action="store_true", help="messages de test (MSH-11 = T)")


def _envelope(args: argparse.Namespace, event: str = "A28") -> HL7Options:
    """The HL7Options of the envelope options of `args`, for `event`."""
    from insterm.usecases.exports import HL7Options

    return HL7Options(event=event, sending_application=args.application,
                      sending_facility=args.etablissement,
                      receiving_application=args.destinataire,
                      ipp_authority=args.ipp_authority, finess=args.finess,
                      processing_id="T" if args.test else "P")


def _host_port(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    if not host.strip() or not port.isascii() or not port.isdigit() \
            or not 1 <= int(port) <= 65535:
        raise argparse.ArgumentTypeError(f"« {text} » : attendu HÔTE:PORT, par exemple "
                                         "192.168.1.20:2575")
    return host.strip().strip("[]"), int(port)


def run(args: argparse.Namespace) -> int:
    from insterm.commands._store_options import CommandFailed, acting_operator, fail
    from insterm.domain.errors import InstermError

    try:
        with acting_operator(args, announce=False) as (clinic, actor):
            if args.export_command == "flux-hl7":
                return _feed(clinic, actor, args)
            if args.export_command == "envoyer" or getattr(args, "mllp", None):
                return _mllp(clinic, actor, args)
            try:
                result = _export(clinic, actor, args)
            except InstermError as error:
                return fail(str(error), 1)
            except OSError as error:
                return fail(f"Écriture impossible : {error}. Rien n'a été exporté.", 1)
    except CommandFailed as failure:
        return failure.exit_code()
    if result.paths or result.format == "hl7":
        print(result.message)
    else:
        sys.stdout.buffer.write(result.data)
        sys.stdout.flush()
        print(result.message, file=sys.stderr)
    return 0


def _export(clinic: Clinic, actor: str, args: argparse.Namespace) -> ExportResult:
    from insterm.exchange.identity import ExportRefused

    output = Path(args.sortie) if getattr(args, "sortie", None) else None
    if args.export_command == "fhir":
        if args.tout and args.ipps:
            raise ExportRefused("Donnez des IPP ou --tout, pas les deux.")
        if not args.tout and not args.ipps:
            raise ExportRefused("Indiquez au moins un IPP, ou --tout pour toute la base.")
        return clinic.export_fhir(actor, None if args.tout else args.ipps, output,
                                    ipp_system=args.ipp_system)
    elif args.export_command == "hl7":
        return clinic.export_hl7(actor, args.ipps, Path(args.dossier),
                                 _envelope(args, args.evenement))
    return clinic.export_csv(actor, " ".join(args.query), output)


def _feed(clinic: Clinic, actor: str, args: argparse.Namespace) -> int:
    """Show, set or stop the HL7 feed."""
    from insterm.commands._store_options import fail
    from insterm.domain.errors import InstermError

    try:
        if args.arret:
            clinic.configure_hl7_feed(actor, None)
        elif args.mllp:
            host, port = args.mllp
            clinic.configure_hl7_feed(actor, host, port, _envelope(args))
    except InstermError as error:
        return fail(str(error), 1)
    current = clinic.hl7_feed()
    if current is None:
        print("Flux HL7 : aucun (les changements d'identité ne sont pas envoyés).")
    else:
        host, port, options = current
        print(f"Flux HL7 : chaque création, modification, fusion ou changement d'INS est mis "
              f"en file pour {host}:{port} (application {options.sending_application}, "
              f"autorité des IPP {options.ipp_authority}). « insterm export envoyer "
              "--attendre » les remet.")
    return 0


def _mllp(clinic: Clinic, actor: str, args: argparse.Namespace) -> int:
    """Queue the messages (with --mllp), then deliver what is due; with --attendre, keep
    delivering as the back-off allows until the outbox is empty."""
    import time

    from insterm.commands._store_options import fail
    from insterm.domain.errors import InstermError
    from insterm.store.errors import StoreError

    try:
        if args.export_command == "hl7":
            host, port = args.mllp
            queued = clinic.queue_hl7(actor, args.ipps, host, port,
                                      _envelope(args, args.evenement))
            print(f"{queued} message(s) HL7 mis en file pour {host}:{port}.")
        timeout = getattr(args, "delai", 10.0)
        while True:
            report = clinic.deliver_hl7(actor, timeout=timeout)
            print(report.message, flush=True)
            if not getattr(args, "attendre", False) or report.pending == 0:
                break
            time.sleep(min(max(clinic.next_hl7_attempt_in(), 1.0), 60.0))
    except KeyboardInterrupt:
        print("Arrêt demandé : les messages non remis restent dans la file.", file=sys.stderr)
        return 1
    except (InstermError, StoreError) as error:
        return fail(str(error), 1)
    return 0 if report.pending == 0 and not report.refused else 1
