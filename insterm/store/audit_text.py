"""Audit events in French, one line each, for the Journal screen and the record's history.

`describe(action, details)` reads what the use cases put in the event's details; an event
written by an older version (a key missing) or an action unknown here still gets a line.
`detail_lines(details)` gives everything an event recorded, flattened for the journal's detail.
A matricule is never written out by either (EXI SI 08: shown only for a qualified identity, and
the journal does not know the status the record has now).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from insterm.domain.documents import CATALOGUE
from insterm.domain.insi_codes import cr_meaning
from insterm.domain.status import Attribute, Status

ACTION_LABELS: dict[str, str] = {
    "identity_created": "Création d'identité",
    "traits_edited": "Modification des traits",
    "attribute_set": "Attribut ajouté",
    "attribute_cleared": "Attribut retiré",
    "document_checked": "Contrôle de pièce d'identité",
    "document_mismatch": "Pièce d'identité non conforme",
    "insi_called": "Appel INSi",
    "insi_verification": "Vérification INSi",
    "insi_decision": "Décision sur une réponse INSi",
    "insi_not_sent": "Appel INSi non envoyé",
    "insi_result_applied": "Résultat INSi appliqué",
    "insi_collision": "Collision de matricule INS",
    "duplicate_confirmed": "Doublon confirmé",
    "duplicate_dismissed": "« Pas un doublon »",
    "identities_merged": "Fusion de dossiers",
    "duplicates_scanned": "Recherche de doublons",
    "bulk_import": "Import en bloc",
    "import_started": "Import de fichier commencé",
    "hl7_feed_changed": "Flux HL7 modifié",
    "import_rows": "Import de fichier : lot de lignes",
    "import_finished": "Import de fichier terminé",
    "import_undone": "Import de fichier annulé",
    "operator_bootstrap": "Premier administrateur",
    "operator_added": "Opérateur ajouté",
    "operator_role_changed": "Rôle d'opérateur modifié",
    "operator_activated": "Opérateur réactivé",
    "operator_deactivated": "Opérateur désactivé",
    "operator_os_login_changed": "Compte du poste d'un opérateur",
    "operator_proof_changed": "Preuve d'identité d'un opérateur",
    "operator_proof_set": "Preuve d'identité de l'administrateur",
    "operator_locked": "Opérateur verrouillé",
    "idle_lock_changed": "Verrouillage après inactivité",
    "document_catalogue_changed": "Catalogue des pièces modifié",
    "duplicate_stop_score_changed": "Seuil d'alerte doublon modifié",
    "insi_settings_changed": "Réglages INSi du cabinet",
    "workstation_settings_changed": "Réglages INSi du poste",
    "insi_certificate_imported": "Certificat INSi importé",
    "card_pin_policy_changed": "Mémorisation des codes CPS",
    "card_pin_remembered": "Code CPS mémorisé",
    "card_pin_forgotten": "Code CPS oublié",
    "card_linked": "Carte CPS associée",
    "card_unlinked": "Carte CPS dissociée",
    "patient_informed": "Patient informé (INS)",
    "insi_postponed": "Appel INSi mis en attente",
    "insi_pending_tried": "Appel INSi relancé",
    "ins_received": "INS reçu (non vérifié)",
    "insi_batch_verified": "Vérification INSi par lot",
    "insi_batch_finished": "Vérification INSi par lot terminée",
    "insi_batch_report_written": "Rapport de vérification INSi par lot",
    "state_tracking_started": "Suivi de l'état des dossiers",
    "identities_exported": "Export d'identités",
    "ins_labels_printed": "Étiquettes INS imprimées",
    "insi_test_call": "Appel de test INSi",
}

_BATCH_OUTCOMES = {"applied": "confirmé, appliqué", "confirmed": "confirmé",
                   "differs": "à revoir", "not_found": "non trouvé",
                   "ambiguous": "plusieurs identités", "error": "erreur (reste à vérifier)"}

FIELD_LABELS = {
    "birth_name": "nom de naissance", "first_name": "premier prénom",
    "first_names": "prénoms de naissance", "birth_date": "date de naissance",
    "sex": "sexe", "birth_place": "lieu de naissance", "used_name": "nom utilisé",
    "used_first_name": "prénom utilisé", "birth_date_corrected": "date corrigée",
}
_ROLE_LABELS = {"admin": "administrateur", "staff": "personnel"}
_INFORMED = {"oral": "oralement", "affiche": "affiche en salle d'attente",
             "document": "document d'information remis"}


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action.replace("_", " "))


def _status(code: Any) -> str:
    try:
        return Status(code).label
    except ValueError:
        return str(code)


def _attribute(code: Any) -> str:
    try:
        return Attribute(code).label
    except ValueError:
        return str(code)


def _document(code: Any) -> str:
    entry = CATALOGUE.get(code) if isinstance(code, str) else None
    return entry.label if entry is not None else str(code)


def _date(value: Any) -> str:
    text = str(value)
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        return f"{text[8:]}/{text[5:7]}/{text[:4]}"
    return text


def _value(name: str, value: Any) -> str:
    if value is None or value == "":
        return "(vide)"
    if name == "birth_date":
        return _date(value)
    if name in ("birth_date_corrected", "dout", "fict", "homa"):
        return "oui" if value else "non"
    return str(value)


def _status_change(details: Mapping[str, Any]) -> str | None:
    before, after = details.get("before"), details.get("after")
    if isinstance(before, Mapping) and isinstance(after, Mapping) and "status" in after:
        old, new = before.get("status"), after.get("status")
        if old != new:
            return f"Statut : {_status(old)} → {_status(new)}"
    return None


def _changed_traits(details: Mapping[str, Any]) -> list[str]:
    before, after = details.get("before"), details.get("after")
    if not isinstance(before, Mapping) or not isinstance(after, Mapping):
        return []
    return [f"{FIELD_LABELS[k]} {_value(k, before.get(k))} → {_value(k, after.get(k))}"
            for k in FIELD_LABELS if k in after and before.get(k) != after.get(k)]


def _ipp(details: Mapping[str, Any], key: str = "ipp") -> str:
    return f"IPP {details[key]}" if details.get(key) else "dossier"


def _mapping(details: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    """`details[key]` when it is a mapping, else an empty one (an older or damaged event)."""
    value = details.get(key)
    return value if isinstance(value, Mapping) else {}


def _list(details: Mapping[str, Any], key: str) -> list[Any]:
    value = details.get(key)
    return value if isinstance(value, list) else []


def _role(value: object) -> str:
    return _ROLE_LABELS.get(str(value), str(value))


def _created(d: Mapping[str, Any]) -> str:
    traits = _mapping(d, "traits")
    who = " ".join(str(traits[k]) for k in ("birth_name", "first_name") if traits.get(k))
    born = f", né(e) le {_date(traits['birth_date'])}" if traits.get("birth_date") else ""
    text = f"Création de l'identité {_ipp(d)}"
    text += f" : {who}{born}" if who else ""
    text += " (Identité provisoire)"
    if d.get("duplicate_candidates"):
        text += f" ; {len(d['duplicate_candidates'])} doublon(s) possible(s)"
    despite = _mapping(d, "created_despite_duplicate")
    if despite:
        ipps = ", ".join(str(c.get("ipp")) for c in despite.get("candidates") or ()
                         if isinstance(c, Mapping))
        text += f" ; créée malgré le dossier très ressemblant IPP {ipps or '?'}"
        text += f", raison : {despite['reason']}" if despite.get("reason") else ""
    return text


def _edited(d: Mapping[str, Any]) -> str:
    parts = _changed_traits(d)
    text = "Traits modifiés : " + (" ; ".join(parts) if parts else "(détail non conservé)")
    status = _status_change(d)
    return f"{text} ; {status}" if status else text


def _attribute_event(d: Mapping[str, Any], *, added: bool) -> str:
    text = f"Attribut {'ajouté' if added else 'retiré'} : {_attribute(d.get('attribute'))}"
    status = _status_change(d)
    return f"{text} ; {status}" if status else text


def _document_checked(d: Mapping[str, Any]) -> str:
    shown = _document(d.get("document_type"))
    status = _status_change(d)
    if status:
        return f"{status} (contrôle : {shown})"
    return f"Contrôle de pièce : {shown}, conforme (statut inchangé)"


def _document_mismatch(d: Mapping[str, Any]) -> str:
    return (f"Contrôle de pièce : {_document(d.get('document_type'))} ne correspond pas aux "
            "traits (statut inchangé)")


def _insi_answer(d: Mapping[str, Any]) -> str:
    if d.get("error"):
        return f"échec ({d['error']})"
    code = d.get("code")
    meaning = cr_meaning(code)
    return f"réponse {code} ({meaning})" if meaning else f"réponse {code or 'inconnue'}"


def _insi_called(d: Mapping[str, Any]) -> str:
    text = f"Appel INSi : {_insi_answer(d)}"
    if d.get("environment"):
        text += f", environnement {d['environment']}"
    if d.get("accepted") is True:
        text += ", accepté par l'opérateur"
    elif d.get("accepted") is False:
        text += ", refusé par l'opérateur"
    if isinstance(d.get("collision"), Mapping):
        text += f" ; collision avec le dossier {_ipp(_mapping(d, 'collision'))}"
    return text


def _insi_decision(d: Mapping[str, Any]) -> str:
    accepted = d.get("accepted")
    decision = ("acceptée" if accepted is True else "refusée" if accepted is False
                else "sans décision")
    return f"Réponse INSi {d.get('code') or ''} {decision} par l'opérateur".replace("  ", " ")


def _insi_verification(d: Mapping[str, Any]) -> str:
    text = f"Vérification INSi : {_insi_answer(d)}"
    if d.get("verdict"):
        text += f", verdict {d['verdict']}"
    return text


def _insi_applied(d: Mapping[str, Any]) -> str:
    status = _status_change(d) or "Statut inchangé"
    traits = _changed_traits(d)
    text = f"{status} (INS récupéré par INSi)"
    return text + (" ; traits INSi repris : " + " ; ".join(traits) if traits else "")


def _collision(d: Mapping[str, Any]) -> str:
    return (f"Collision : le matricule renvoyé par INSi est déjà celui du dossier "
            f"{_ipp(_mapping(d, 'holder'))} ; rien n'a été modifié")


def _pair(d: Mapping[str, Any], verb: str) -> str:
    ipps = _list(d, "ipps")
    if len(ipps) == 2:
        return f"{verb} : IPP {ipps[0]} et IPP {ipps[1]}"
    return f"{verb} : avec le dossier n°{d.get('other_id', '?')}"


def _merged(d: Mapping[str, Any]) -> str:
    return (f"Fusion : le dossier {_ipp(d, 'absorbed_ipp')} est rattaché au dossier "
            f"{_ipp(d, 'survivor_ipp')} (conservé, non modifié)")


def _scanned(d: Mapping[str, Any]) -> str:
    return (f"Recherche de doublons sur toute la base : {d.get('found', '?')} paire(s) "
            f"candidate(s), {d.get('added', '?')} nouvelle(s)")


def _bulk(d: Mapping[str, Any]) -> str:
    source = f" (source : {d['source']})" if d.get("source") else ""
    return f"Import en bloc : {d.get('count', '?')} identité(s){source}"


def _import_counts(d: Mapping[str, Any]) -> str:
    counts = _mapping(d, "counts") or _mapping(d, "outcomes")
    return ", ".join(f"{counts.get(k, 0)} {label}" for k, label in (
        ("imported", "importée(s)"), ("normalised", "corrigée(s)"), ("refused", "refusée(s)"),
        ("held", "retenue(s) (doublon probable)")))


def _operator_added(d: Mapping[str, Any], *, first: bool = False) -> str:
    role = _role(d.get("role") or "")
    what = "Premier administrateur créé" if first else "Opérateur ajouté"
    return f"{what} : {d.get('login', '?')}" + (f" ({role})" if role and not first else "")


def _role_changed(d: Mapping[str, Any]) -> str:
    return f"Rôle de {d.get('login', '?')} : {_role(d.get('before'))} → {_role(d.get('after'))}"


def _os_login(d: Mapping[str, Any]) -> str:
    after = d.get("after") or "(aucun)"
    return f"Compte du poste de {d.get('login', '?')} : {d.get('before') or '(aucun)'} → {after}"


_METHODS = {"password": "mot de passe", "os-account": "compte du poste", "cps": "carte CPS"}


def _method(value: object) -> str:
    return _METHODS.get(str(value), "aucune") if value else "aucune"


def _proof_changed(d: Mapping[str, Any]) -> str:
    text = (f"Preuve d'identité de {d.get('login', '?')} : {_method(d.get('before'))} → "
            f"{_method(d.get('after'))}")
    if d.get("os_login_after") != d.get("os_login_before"):
        text += f" ; compte du poste {d.get('os_login_after') or '(aucun)'}"
    if d.get("password_changed"):
        text += " ; nouveau mot de passe" + (" (verrou levé)" if d.get("unlocked") else "")
    return text


def _locked(d: Mapping[str, Any]) -> str:
    return (f"Opérateur {d.get('login', '?')} verrouillé après {d.get('failures', '?')} mots "
            "de passe erronés")


def _catalogue(d: Mapping[str, Any]) -> str:
    before = set(d.get("before") or ())
    after = set(d.get("after") or ())
    added = [f"+ {_document(c)}" for c in d.get("after") or () if c not in before]
    removed = [f"− {_document(c)}" for c in d.get("before") or () if c not in after]
    return "Catalogue des pièces : " + (" ; ".join(added + removed) or "inchangé")


def _settings(d: Mapping[str, Any]) -> str:
    keys = ", ".join(sorted(str(k) for k in _mapping(d, "after"))) or "aucun"
    return f"Réglages modifiés : {keys}"


def _exported(d: Mapping[str, Any]) -> str:
    return (f"Export {d.get('format', '?')} de {d.get('count', '?')} identité(s) "
            f"({d.get('with_ins', 0)} avec leur INS) vers {d.get('destination', '?')}")


def _labels(d: Mapping[str, Any]) -> str:
    return (f"{d.get('count', '?')} étiquette(s) INS ({d.get('format', '?')}) "
            f"vers {d.get('destination', '?')}")


_DESCRIBERS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "identity_created": _created,
    "traits_edited": _edited,
    "attribute_set": lambda d: _attribute_event(d, added=True),
    "attribute_cleared": lambda d: _attribute_event(d, added=False),
    "document_checked": _document_checked,
    "document_mismatch": _document_mismatch,
    "insi_called": _insi_called,
    "insi_verification": _insi_verification,
    "insi_decision": _insi_decision,
    "insi_not_sent": lambda d: "Appel INSi non envoyé" + (f" : {d['error']}"
                                                           if d.get("error") else ""),
    "insi_result_applied": _insi_applied,
    "insi_collision": _collision,
    "duplicate_confirmed": lambda d: _pair(d, "Doublon confirmé"),
    "duplicate_dismissed": lambda d: _pair(d, "Déclarés « pas un doublon »"),
    "identities_merged": _merged,
    "duplicates_scanned": _scanned,
    "bulk_import": _bulk,
    "import_started": lambda d: (f"Import n° {d.get('batch', '?')} du fichier "
                                 f"{d.get('file', '?')} ({d.get('format', '?')}), empreinte "
                                 f"SHA-256 {str(d.get('digest', '?'))[:16]}…"),
    "import_rows": lambda d: (f"Import n° {d.get('batch', '?')} : {d.get('rows', '?')} ligne(s) "
                              f"— {_import_counts(d)}"),
    "import_finished": lambda d: (f"Import n° {d.get('batch', '?')} du fichier "
                                  f"{d.get('file', '?')} terminé : {_import_counts(d)}"),
    "import_undone": lambda d: (f"Import n° {d.get('batch', '?')} du fichier "
                                f"{d.get('file', '?')} annulé : {d.get('withdrawn', '?')} "
                                "dossier(s) retiré(s)"),
    "operator_bootstrap": lambda d: _operator_added(d, first=True),
    "operator_added": _operator_added,
    "operator_role_changed": _role_changed,
    "operator_activated": lambda d: f"Opérateur réactivé : {d.get('login', '?')}",
    "operator_deactivated": lambda d: f"Opérateur désactivé : {d.get('login', '?')}",
    "operator_os_login_changed": _os_login,
    "operator_proof_changed": _proof_changed,
    "operator_proof_set": lambda d: (f"Preuve d'identité de l'administrateur {d.get('login', '?')}"
                                     f" : {_method(d.get('method'))}"),
    "operator_locked": _locked,
    "idle_lock_changed": lambda d: (f"Verrouillage après inactivité : {d.get('before', '?')} → "
                                    f"{d.get('after', '?')} min"),
    "document_catalogue_changed": _catalogue,
    "duplicate_stop_score_changed": lambda d: (
        f"Seuil d'alerte doublon passé de {d.get('before', '?')} à {d.get('after', '?')}"),
    "insi_settings_changed": _settings,
    "workstation_settings_changed": _settings,
    "insi_test_call": lambda d: (f"Appel de test {d.get('environment', '?')} : "
                                 + ("réussi" if d.get("passed") else "échoué")
                                 + f" ({d.get('code', '?')})"),
    "insi_certificate_imported": lambda d: "Certificat de l'organisation importé pour INSi",
    "card_pin_policy_changed": lambda d: (
        "Mémorisation des codes CPS " + ("permise" if d.get("allowed") else "interdite")
        + (f" ({d['forgotten']} code(s) oublié(s))" if d.get("forgotten") else "")),
    "card_pin_remembered": lambda d: f"Code de la carte CPS n° {d.get('serial', '?')} mémorisé "
                                     "dans le trousseau",
    "card_pin_forgotten": lambda d: "Code(s) de carte CPS mémorisé(s) oublié(s)",
    "card_linked": lambda d: (f"Carte CPS ({d.get('kind', '?')} {d.get('national_id', '?')}) "
                              "associée à l'opérateur"),
    "card_unlinked": lambda d: "Carte(s) CPS dissociée(s) de l'opérateur",
    "patient_informed": lambda d: "Patient informé de l'usage de son INS : "
                                  + _INFORMED.get(str(d.get("how")), str(d.get("how", "?"))),
    "insi_postponed": lambda d: "À reprendre quand INSi répondra" + (
        f" : {d['reason']}" if d.get("reason") else " (déjà en attente)"),
    "insi_pending_tried": lambda d: "Appel en attente relancé : " + str(d.get("outcome", "?")),
    "ins_received": lambda d: ("INS reçu, à vérifier avec INSi avant tout usage : "
                               + str(d.get("source", "?"))),
    "insi_batch_verified": lambda d: "Vérification par lot : " + _BATCH_OUTCOMES.get(
        str(d.get("outcome")), str(d.get("outcome", "?"))) + (
        " (identité qualifiée non confirmée, laissée en l'état)"
        if d.get("qualified_not_confirmed") else ""),
    "insi_batch_finished": lambda d: (
        f"Vérification INSi par lot : {d.get('done', '?')} identité(s) sur {d.get('total', '?')}"
        f", {d.get('left', '?')} restante(s)" + (" (arrêtée)" if d.get("stopped") else "")),
    "insi_batch_report_written": lambda d: (f"Rapport de vérification par lot écrit : "
                                            f"{d.get('lines', '?')} ligne(s), {d.get('file', '?')}"),
    "state_tracking_started": lambda d: (
        "Suivi de l'état des dossiers commencé (mise à jour d'insterm) : "
        f"{d.get('not_covered', '?')} dossier(s) antérieur(s), couvert(s) à leur prochaine "
        "modification"),
    "identities_exported": _exported,
    "ins_labels_printed": _labels,
}


def describe(action: str, details: Mapping[str, Any] | None) -> str:
    """One French line for an audit event (never raises, never shows a matricule)."""
    details = details if isinstance(details, Mapping) else {}
    describer = _DESCRIBERS.get(action)
    if describer is not None:
        try:
            return describer(details)
        except Exception:
            return action_label(action)
    return action_label(action)


# --------------------------------------------------------------------------------------------
# Everything an event recorded, matricules masked

MASKED = "(masqué)"
_SECRET_KEYS = ("matricule", "nir", "ins_value", "value")
_MATRICULE_LIKE = re.compile(r"[0-9]{5}(?:[0-9]{2}|2A|2B)[0-9]{6}(?:[0-9]{2})?", re.IGNORECASE)


def is_masked(key: str, value: object) -> bool:
    """A detail that may hold a matricule: its key names one ("matricule", "nir", "ins_value"
    anywhere in it, or exactly "value"), or its text looks like one (13 or 15 characters,
    spaces ignored)."""
    lowered = key.lower()
    if any(secret == lowered or (secret != "value" and secret in lowered)
           for secret in _SECRET_KEYS):
        return True
    return isinstance(value, str) and _MATRICULE_LIKE.fullmatch(value.replace(" ", "")) is not None


def detail_lines(details: object, prefix: str = "") -> list[tuple[str, str]]:
    """An event's recorded details flattened to ("a.b", value) lines in French ("oui", "non",
    "(vide)"), every matricule (or what looks like one) replaced by `MASKED`."""
    lines: list[tuple[str, str]] = []
    if isinstance(details, dict):
        for key, value in details.items():
            name = f"{prefix}{key}"
            if isinstance(value, (dict, list)) and value and not is_masked(str(key), None):
                lines.extend(detail_lines(value, name + "."))
            else:
                lines.append((name, MASKED if is_masked(str(key), value) else _plain(value)))
    elif isinstance(details, list):
        for index, value in enumerate(details, start=1):
            name = f"{prefix}{index}"
            if isinstance(value, (dict, list)) and value:
                lines.extend(detail_lines(value, name + "."))
            else:
                lines.append((name, MASKED if is_masked("", value) else _plain(value)))
    return lines


def _plain(value: object) -> str:
    if value is None:
        return "(vide)"
    if value is True:
        return "oui"
    if value is False:
        return "non"
    if isinstance(value, (dict, list)):
        return "(vide)"
    return str(value)
