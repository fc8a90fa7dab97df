"""The card failures an operator can meet, each with a French message that says what to do.

Every one is a `CardError` (an `InstermError`): the screens and `insterm cartes` show its
message as they show any refusal. Status words are given as four hex digits ("6A82")."""

from __future__ import annotations

from insterm.cards.pcsc_socket import ENV, PcscSocket
from insterm.domain.errors import InstermError

README_READERS = "la liste des lecteurs qui fonctionnent dans le README (« Lecteur de cartes »)"

# USB id many SESAM-Vitale readers present in PC/SC mode; libccid does not list it.
UNKNOWN_SESAM_READER = "0b00:0090"


class CardError(InstermError):
    """A card or reader failure; the message is French."""


class CardsUnavailable(CardError):
    """The `cards` extra (pyscard) is not installed."""

    def __init__(self) -> None:
        super().__init__(
            "Lecture des cartes non disponible : le module pyscard n'est pas installé "
            "(pip install 'insterm[cards]', qui demande gcc et libpcsclite-dev). "
            "Le reste d'insterm fonctionne sans lecteur.")


class PcscdNotRunning(CardError):
    """No PC/SC service answers on the socket (or no socket can have its path)."""

    def __init__(self, socket: PcscSocket) -> None:
        if socket.problem is not None:
            advice = socket.problem
        elif socket.from_env:
            advice = (f"Ce socket vient de {ENV} : vérifiez que la session « ssh -R » qui le "
                      "transfère est ouverte et que pcscd tourne sur l'ordinateur du lecteur "
                      "(voyez « Lecteur de cartes à distance (SSH) » dans le README).")
        else:
            advice = ("Démarrez-le : « sudo systemctl start pcscd.socket » (ou « sudo pcscd »), "
                      "après avoir installé le paquet pcscd.")
        super().__init__(
            f"Le service des lecteurs de cartes (pcscd) ne répond pas sur {socket.path}. "
            f"{advice} Le reste d'insterm fonctionne sans lecteur.")
        self.socket_path = socket.path


class PcscdRefused(PcscdNotRunning):
    """pcscd answered on the socket and refused the client: SCARD_E_SERVICE_STOPPED, which is
    what pcsc-lite answers a client of another protocol version (or pcscd stopping)."""

    def __init__(self, socket: PcscSocket) -> None:
        CardError.__init__(
            self,
            f"Le service des lecteurs de cartes (pcscd) a refusé la connexion sur {socket.path}. "
            "Le plus souvent, pcsc-lite n'a pas la même version de protocole ici et sur "
            "l'ordinateur du lecteur (par « ssh -R ») : installez des versions qui s'accordent "
            "(voyez « Lecteur de cartes à distance (SSH) » dans le README). Le reste "
            "d'insterm fonctionne sans lecteur.")
        self.socket_path = socket.path


class PcscdClosed(PcscdNotRunning):
    """The socket accepted the connection and it was closed before pcscd answered: libpcsclite
    then says "access denied" (SCARD_W_SECURITY_VIOLATION). Through `ssh -R` that is what a
    desk PC without pcscd gives (ssh accepts, cannot reach the desk socket, closes)."""

    def __init__(self, socket: PcscSocket) -> None:
        where = (f"Ce socket vient de {ENV} : si c'est un transfert « ssh -R », pcscd ne tourne "
                 "pas sur l'ordinateur du lecteur, ou le chemin après « : » dans la commande "
                 "ssh n'est pas son socket (/run/pcscd/pcscd.comm)." if socket.from_env else
                 "La politique d'accès de pcscd (polkit) refuse peut-être ce compte.")
        CardError.__init__(
            self,
            f"La connexion au service des lecteurs de cartes (pcscd) sur {socket.path} a été "
            f"fermée sans réponse (accès refusé). {where} Le reste d'insterm fonctionne sans "
            "lecteur.")
        self.socket_path = socket.path


class LinkLost(PcscdNotRunning):
    """pcscd stopped answering in the middle of an exchange (SCARD_F_COMM_ERROR, and no new
    context can be made): through `ssh -R`, the SSH session closed during the read."""

    def __init__(self, socket: PcscSocket) -> None:
        why = ("La session « ssh -R » qui transfère le lecteur s'est-elle fermée ? Rouvrez-la, "
               "puis relisez la carte." if socket.from_env else "pcscd s'est-il arrêté ?")
        CardError.__init__(
            self,
            f"La liaison avec le service des lecteurs de cartes (pcscd, {socket.path}) a été "
            f"coupée pendant la lecture : rien n'a été lu. {why}")
        self.socket_path = socket.path


class NoReader(CardError):
    def __init__(self) -> None:
        super().__init__(
            "Aucun lecteur de cartes n'est branché (ou pcscd ne le reconnaît pas). "
            f"Branchez un lecteur ; s'il l'est déjà, voyez {README_READERS}.")


class UnknownReader(CardError):
    """A USB reader is plugged that pcscd does not know (usually 0b00:0090)."""

    def __init__(self, usb_id: str) -> None:
        super().__init__(
            f"Un lecteur USB {usb_id} est branché mais pcscd ne le connaît pas. Beaucoup de "
            "lecteurs SESAM-Vitale en mode PC/SC se présentent ainsi (0b00:0090), absents de "
            f"la liste de libccid : ils ne fonctionnent pas tels quels. Voyez {README_READERS}.")
        self.usb_id = usb_id


class NoCard(CardError):
    def __init__(self, reader: str | None = None) -> None:
        where = f"dans le lecteur « {reader} »" if reader else "dans aucun lecteur"
        super().__init__(f"Aucune carte {where}. Insérez la carte Vitale, puce vers le haut.")


class ReaderBusy(CardError):
    def __init__(self, reader: str) -> None:
        super().__init__(
            f"Le lecteur « {reader} » est occupé par un autre programme (logiciel de "
            "facturation ?). Fermez-le ou attendez la fin de sa lecture, puis réessayez.")


class CardRemoved(CardError):
    def __init__(self) -> None:
        super().__init__(
            "La carte a été retirée pendant la lecture : rien n'a été lu. Réinsérez-la et "
            "laissez-la en place jusqu'à la fin de la lecture.")


class MuteCard(CardError):
    def __init__(self) -> None:
        super().__init__(
            "La carte ne répond pas (carte muette) : elle est peut-être insérée à l'envers, "
            "sale ou abîmée. Retirez-la, vérifiez le sens, réinsérez-la.")


class UnsupportedCard(CardError):
    """A card that is not a Vitale 2 (Vitale 1, a CPS, a bank card...)."""


_STATUS_WORDS = {
    "6A82": "fichier ou application absent de la carte",
    "6A86": "paramètres incorrects",
    "6982": "accès refusé (condition de sécurité non remplie)",
    "6983": "carte bloquée",
    "6D00": "instruction non reconnue par la carte",
    "6E00": "classe d'instruction non reconnue par la carte",
    "6700": "longueur incorrecte",
    "6B00": "adresse hors du fichier",
    "6F00": "erreur interne de la carte",
}


class StatusWordError(CardError):
    """The card answered an APDU with an unexpected status word."""

    def __init__(self, sw: int, doing: str) -> None:
        code = f"{sw:04X}"
        meaning = _STATUS_WORDS.get(code, "réponse inattendue")
        super().__init__(f"La carte a refusé {doing} : {code} ({meaning}). Rien n'a été lu.")
        self.status_word = code
