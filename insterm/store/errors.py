"""Typed errors of the store; every message is French and says what is wrong and what to do."""

from __future__ import annotations

import errno
import os
from collections.abc import Callable

from insterm.domain.errors import InstermError


class StoreError(InstermError):
    """Anything the store refuses or cannot do."""


class DatabaseMissing(StoreError):
    """The database file does not exist (and was not asked to be created)."""

    def __init__(self, path: object) -> None:
        what = (f"{path} est un dossier, pas une base de données"
                if os.path.isdir(str(path)) else f"Base de données introuvable : {path}")
        super().__init__(
            f"{what}. Créez-la avec « insterm db init », "
            "ou indiquez son emplacement avec --db ou la variable INSTERM_DB."
        )
        self.path = path


class SchemaMismatch(StoreError):
    """The file's schema version is not the one this program works with."""

    def __init__(self, found: int, expected: int) -> None:
        if found < expected:
            text = (f"La base est au schéma {found}, ce programme attend le schéma {expected} : "
                    "lancez « insterm db init » pour la mettre à jour (une sauvegarde est conseillée).")
        else:
            text = (f"La base est au schéma {found}, plus récent que celui de ce programme "
                    f"({expected}) : mettez insterm à jour.")
        super().__init__(text)
        self.found = found
        self.expected = expected


class DatabaseBusy(StoreError):
    """Another program held the database for too long."""

    def __init__(self, seconds: float) -> None:
        super().__init__(
            f"La base de données est occupée par un autre poste depuis {seconds:.0f} s : "
            "réessayez dans un instant ; si cela dure, vérifiez qu'aucun programme n'est bloqué."
        )


class NotFound(StoreError):
    """No record with that identifier."""


class ConstraintViolation(StoreError):
    """A write refused by a constraint of the schema (an impossible state)."""

    def __init__(self, message: str, *, constraint: str | None = None) -> None:
        super().__init__(message)
        self.constraint = constraint


class MatriculeCollision(ConstraintViolation):
    """The matricule is already the current INS of another record."""

    def __init__(self, matricule: str, holder_id: int, holder_ipp: str, holder_name: str) -> None:
        super().__init__(
            f"Collision : le matricule INS {matricule} est déjà celui du dossier IPP {holder_ipp} "
            f"({holder_name}). Rien n'a été enregistré : vérifiez l'identité des deux dossiers "
            "et signalez la collision à la cellule d'identitovigilance.",
            constraint="identity_matricule_unique",
        )
        self.matricule = matricule
        self.holder_id = holder_id
        self.holder_ipp = holder_ipp
        self.holder_name = holder_name


class VersionConflict(StoreError):
    """The record changed since the caller read it (optimistic concurrency)."""

    def __init__(self, identity_id: int, expected: int, actual: int,
                 changed_by: str | None, changed_at: str | None) -> None:
        who = changed_by or "un autre poste"
        when = f" le {changed_at}" if changed_at else ""
        super().__init__(
            f"Ce dossier a été modifié par {who}{when} pendant que vous le modifiiez : "
            "rien n'a été enregistré. Rouvrez le dossier pour voir ses nouvelles valeurs, "
            "puis refaites votre modification."
        )
        self.identity_id = identity_id
        self.expected = expected
        self.actual = actual
        self.changed_by = changed_by
        self.changed_at = changed_at


# constraint name (as named in the schema) -> French sentence
CONSTRAINT_MESSAGES: dict[str, str] = {
    "identity_status_known": "Statut inconnu : il doit être PROV, RECUP, VALI ou QUAL.",
    "identity_sex_known": "Sexe inconnu : il doit être M, F ou I.",
    "identity_flags_boolean": "Attribut mal formé (douteuse, fictive, homonyme valent 0 ou 1).",
    "identity_not_dout_and_fict": (
        "Une identité ne peut pas être à la fois douteuse et fictive : retirez l'un des deux attributs."),
    "identity_dout_fict_only_prov": (
        "Une identité douteuse ou fictive reste provisoire (PROV) : retirez l'attribut avant "
        "de changer le statut."),
    "identity_ins_needs_recup_or_qual": (
        "Un matricule INS ne peut être porté que par une identité récupérée ou qualifiée "
        "(RECUP, QUAL)."),
    "identity_recup_qual_need_ins": (
        "Une identité récupérée ou qualifiée doit porter son matricule INS et son OID."),
    "identity_ins_with_oid": "Un matricule INS ne va jamais sans son OID (et inversement).",
    "identity_matricule_form": "Le matricule INS doit faire 15 caractères (13 + clé).",
    "identity_corrected_date_not_ins": (
        "Une date de naissance corrigée empêche le statut RECUP ou QUAL : l'INS ne peut pas "
        "être rattaché."),
    "identity_sex_i_not_ins": (
        "Le sexe « indéterminé » (I) n'existe pas à l'INSi : l'identité ne peut pas être "
        "récupérée ni qualifiée."),
    "identity_birth_date_iso": "Date de naissance mal formée (attendu AAAA-MM-JJ).",
    "identity_birth_place_form": "Le lieu de naissance doit être un code COG de 5 caractères.",
    "identity_not_merged_into_itself": "Un dossier ne peut pas être fusionné dans lui-même.",
    "identity_names_present": "Nom de naissance, premier prénom et liste des prénoms sont obligatoires.",
    "operator_role_known": "Rôle inconnu : il doit être « admin » ou « staff ».",
    "duplicate_link_state_known": "État de doublon inconnu.",
    "duplicate_link_ordered": "Un lien de doublon relie deux dossiers différents.",
    "document_check_outcome_known": "Résultat de contrôle documentaire inconnu.",
}


def from_integrity_error(error: Exception) -> ConstraintViolation:
    """A French `ConstraintViolation` for an sqlite3.IntegrityError raised by the schema."""
    text = str(error)
    for name, message in CONSTRAINT_MESSAGES.items():
        if name in text:
            return ConstraintViolation(message, constraint=name)
    if text.startswith("insterm:"):  # a RAISE() of one of our triggers, already in French
        return ConstraintViolation(text.removeprefix("insterm:").strip())
    if "UNIQUE constraint failed: identity.ipp" in text:
        return ConstraintViolation("Cet IPP est déjà attribué à un autre dossier.",
                                   constraint="identity_ipp_unique")
    if "UNIQUE constraint failed: operator.os_login" in text:
        return ConstraintViolation("Ce compte du poste (login) est déjà associé à un autre "
                                   "opérateur : retirez-le d'abord de cet opérateur.",
                                   constraint="operator_os_login_unique")
    if "UNIQUE constraint failed: operator.login" in text:
        return ConstraintViolation("Cet identifiant d'opérateur existe déjà : choisissez-en un autre.",
                                   constraint="operator_login_unique")
    return ConstraintViolation(f"Écriture refusée par la base ({text}) : rien n'a été enregistré.")


# ---------------------------------------------------------------------------------------------
# The file under the database: full disk, I/O error, read-only file or folder, another program
# holding it. SQLite's primary result codes (the low byte of the extended code the driver gives
# as `sqlite_errorcode`), so that no English text is matched when the driver says the code.
SQLITE_PERM = 3
SQLITE_BUSY = 5
SQLITE_LOCKED = 6
SQLITE_READONLY = 8
SQLITE_IOERR = 10
SQLITE_CORRUPT = 11
SQLITE_FULL = 13
SQLITE_CANTOPEN = 14
SQLITE_NOTADB = 26


class StorageError(StoreError):
    """The file (or the disk under it) refused a read or a write; nothing was recorded by the
    operation that met it (SQLite rolled it back). `path` is the file concerned when known."""

    def __init__(self, message: str, *, path: object = None) -> None:
        super().__init__(message)
        self.path = path


def _where(path: object) -> str:
    return f" ({path})" if path else ""


class DiskFull(StorageError):
    def __init__(self, path: object = None) -> None:
        super().__init__(
            f"Disque plein{_where(path)} : rien n'a été enregistré. Libérez de la place sur ce "
            "disque (anciennes sauvegardes, fichiers temporaires), puis recommencez.", path=path)


class DiskFailure(StorageError):
    def __init__(self, path: object = None) -> None:
        super().__init__(
            f"Erreur de lecture ou d'écriture du disque{_where(path)} : rien n'a été enregistré. "
            "Vérifiez le disque (branché, monté, sans erreur) et recommencez ; si cela se "
            "reproduit, prévenez le responsable et gardez les sauvegardes à part.", path=path)


class DatabaseReadOnly(StorageError):
    def __init__(self, path: object = None) -> None:
        super().__init__(
            f"Écriture impossible{_where(path)} : le fichier ou son dossier est en lecture seule "
            "ou n'appartient pas à votre compte. Rien n'a été enregistré. Vérifiez les "
            "permissions du fichier et de son dossier (votre compte doit pouvoir y écrire) et "
            "que le disque n'est pas monté en lecture seule.", path=path)


class DatabaseCannotOpen(StorageError):
    def __init__(self, path: object = None) -> None:
        super().__init__(
            f"Impossible d'ouvrir la base{_where(path)} : le fichier ou son dossier n'est pas "
            "accessible à votre compte (permissions), ou le dossier n'existe plus. Vérifiez "
            "les permissions du fichier et de son dossier.", path=path)


class DatabaseLocked(StorageError):
    def __init__(self, path: object = None) -> None:
        super().__init__(
            f"La base est tenue par un autre programme{_where(path)} : rien n'a été enregistré. "
            "Fermez l'autre programme qui l'utilise (un outil SQLite, une copie en cours...) "
            "puis réessayez.", path=path)


class DatabaseUnreadable(StorageError):
    def __init__(self, path: object = None) -> None:
        super().__init__(
            f"Ce fichier n'est pas une base insterm lisible{_where(path)} : il est abîmé, ce "
            "n'est pas une base SQLite, ou elle est chiffrée avec une autre clé. Restaurez une "
            "sauvegarde vérifiée (insterm restore).", path=path)


class NotAFile(StorageError):
    """The path names a folder, a device, a pipe...: never opened (a pipe would block)."""

    def __init__(self, path: object = None) -> None:
        super().__init__(
            f"« {path} » n'est pas un fichier de base de données (c'est un dossier, un "
            "périphérique ou un tube) : indiquez le fichier de la base, par exemple "
            "/srv/insterm/cabinet.sqlite3.", path=path)


_BY_CODE: dict[int, Callable[[object], StorageError]] = {
    SQLITE_FULL: DiskFull, SQLITE_IOERR: DiskFailure, SQLITE_READONLY: DatabaseReadOnly,
    SQLITE_PERM: DatabaseReadOnly, SQLITE_CANTOPEN: DatabaseCannotOpen,
    SQLITE_BUSY: DatabaseLocked, SQLITE_LOCKED: DatabaseLocked,
    SQLITE_NOTADB: DatabaseUnreadable, SQLITE_CORRUPT: DatabaseUnreadable,
}

# Drivers without `sqlite_errorcode` (Python < 3.11): SQLite's own English texts.
_BY_TEXT: tuple[tuple[str, Callable[[object], StorageError]], ...] = (
    ("database or disk is full", DiskFull), ("disk i/o error", DiskFailure),
    ("readonly database", DatabaseReadOnly), ("unable to open database", DatabaseCannotOpen),
    ("database is locked", DatabaseLocked), ("database table is locked", DatabaseLocked),
    ("file is not a database", DatabaseUnreadable), ("malformed", DatabaseUnreadable),
)

_BY_ERRNO: dict[int, Callable[[object], StorageError]] = {
    errno.ENOSPC: DiskFull, errno.EDQUOT: DiskFull, errno.EIO: DiskFailure,
    errno.EROFS: DatabaseReadOnly, errno.EACCES: DatabaseReadOnly, errno.EPERM: DatabaseReadOnly,
}


def storage_error(error: BaseException, path: object = None) -> StorageError | None:
    """The typed French error for a driver error (by SQLite result code) or an OSError (by
    errno) that comes from the file or the disk; None for anything else (a defect)."""
    if isinstance(error, StorageError):
        return error
    if isinstance(error, OSError):
        kind = _BY_ERRNO.get(error.errno or 0)
        return kind(path or error.filename) if kind else None
    code = getattr(error, "sqlite_errorcode", None)
    if isinstance(code, int):
        by_code = _BY_CODE.get(code & 0xFF)
        return by_code(path) if by_code else None
    if type(error).__module__.split(".")[0] not in ("sqlite3", "sqlcipher3"):
        return None
    text = str(error).lower()
    for needle, by_text in _BY_TEXT:
        if needle in text:
            return by_text(path)
    return None


class EncryptionUnavailable(StoreError):
    def __init__(self) -> None:
        super().__init__(
            "Cette base est chiffrée (ou doit l'être) mais le module de chiffrement SQLCipher "
            "n'est pas installé sur ce poste : installez insterm avec l'option « crypt » "
            "(pip install 'insterm[crypt]').")


class DatabaseKeyMissing(StorageError):
    def __init__(self, path: object = None) -> None:
        super().__init__(
            f"La base est chiffrée{_where(path)} et sa clé n'est pas dans le trousseau de ce "
            "poste. Sans la clé, personne ne peut la lire (il n'existe aucun moyen de la "
            "retrouver) : saisissez la clé imprimée à la création de la base (gardée au coffre "
            "du cabinet) avec « insterm db cle », ou ouvrez le trousseau de ce compte.",
            path=path)


class WrongDatabaseKey(StorageError):
    def __init__(self, path: object = None) -> None:
        super().__init__(
            f"La clé de chiffrement ne correspond pas à cette base{_where(path)} : ce n'est pas "
            "la clé de ce cabinet, ou le fichier n'est pas une base insterm. Rien n'a été lu ni "
            "modifié. Vérifiez la clé gardée au coffre du cabinet (insterm db cle).", path=path)
