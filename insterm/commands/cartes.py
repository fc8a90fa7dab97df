"""`insterm cartes`: the card readers this machine reaches, and the card in each; `--vitale`
reads a carte Vitale 2 and lists its beneficiaries. Useful over SSH to check a forwarded
socket (`ssh -R`): the PC/SC socket in use is printed first, with where it comes from
(PCSCLITE_CSOCK_NAME, or libpcsclite's default when it is unset).

Exit codes: 0 done; 3 no card support here (pyscard missing, pcscd not answering or its link
lost during the read); 4 no reader;
5 no card, or a card that cannot be read (removed, mute, not a Vitale 2, refused status word).
"""

from __future__ import annotations

import argparse
import sys

EXIT_OK, EXIT_UNAVAILABLE, EXIT_NO_READER, EXIT_CARD = 0, 3, 4, 5


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Liste les lecteurs de cartes et les cartes insérées. Codes de sortie : 0 fait, "
        "3 lecture des cartes indisponible (pyscard ou pcscd), 4 aucun lecteur, 5 pas de "
        "carte ou carte illisible.")
    parser.add_argument("--vitale", action="store_true",
                        help="lire la carte Vitale 2 et lister ses bénéficiaires")
    parser.add_argument("--lecteur", metavar="NOM", default=None,
                        help="le lecteur à lire (par défaut : le premier qui contient une carte)")


def run(args: argparse.Namespace) -> int:
    from insterm.cards.errors import (
        CardsUnavailable,
        NoReader,
        PcscdNotRunning,
        UnknownReader,
    )
    from insterm.domain.errors import InstermError, echoed
    from insterm.usecases.vitale_card import pcsc_socket, read_vitale_card, reader_states

    print(f"Socket PC/SC : {pcsc_socket().describe()}")
    try:
        states = reader_states()
    except (CardsUnavailable, PcscdNotRunning) as error:
        print(f"insterm cartes : {error.message}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    except InstermError as error:
        print(f"insterm cartes : {error.message}", file=sys.stderr)
        return EXIT_CARD
    if not states:
        from insterm.cards.transport import no_reader_error

        print(f"insterm cartes : {no_reader_error().message}", file=sys.stderr)
        return EXIT_NO_READER
    print(f"Lecteurs ({len(states)}) :")
    for state in states:
        print(f"  {echoed(state.name)} : {state.card_text()}")  # a name from a far pcscd
    if not args.vitale:
        return EXIT_OK
    try:
        read = read_vitale_card(args.lecteur)
    except PcscdNotRunning as error:  # the link to pcscd lost during the read (ssh -R closed)
        print(f"insterm cartes : {error.message}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    except (NoReader, UnknownReader) as error:
        print(f"insterm cartes : {error.message}", file=sys.stderr)
        return EXIT_NO_READER
    except InstermError as error:
        print(f"insterm cartes : {error.message}", file=sys.stderr)
        return EXIT_CARD
    print(f"Carte Vitale lue dans « {read.reader} » en {read.seconds * 1000:.0f} ms, "
          f"{len(read.beneficiaries)} bénéficiaire(s) :")
    for person in read.beneficiaries:
        role = "assuré" if person.rank == 1 else "ayant droit"
        print(f"  {person.rank}. {person.birth_name} {person.first_name}, né(e) le "
              f"{person.birth_date_french} ({role})")
        print(f"     NIR de la carte : {person.card_nir or '-'}")
    print("Données à confirmer par l'opérateur ; le NIR de la carte n'est pas un INS.")
    return EXIT_OK
