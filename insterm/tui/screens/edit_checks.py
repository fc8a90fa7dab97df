"""What the identity form says next to each field, and what it saves: pure functions, no textual.

The rules are the domain's (`insterm.domain.traits`, `insterm.domain.identity`,
`insterm.domain.places`, `insterm.domain.status`); this module only asks them about the texts
typed in the form and turns their answers into the notes the form shows:

- `error`: a refusal (French, the domain's message); the form cannot be saved with it;
- `proposal`: a normalised value (`traits.normalise`) offered to the operator, with the French
  list of what it changes; it is applied only when the operator asks (F4), never silently;
- `warning`: something to look at that does not refuse the value (old age, corrected date,
  unknown birth-place code that the operator will be asked to confirm);
- `info`: a plain help (the place name of a code, the age).

`edit_changes` turns the form into the `changes` of `Clinic.edit_traits`, and
`strict_edit_event` into the domain's `StrictTraitEdited` event, from which
`insterm.domain.status.describe_drop` says beforehand what the edit does to the status.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from insterm.domain import traits as trait_rules
from insterm.domain.errors import DomainError

if TYPE_CHECKING:
    from insterm.domain.identity import StrictTraits, UsedNames
    from insterm.domain.places import Place, PlaceIndex
    from insterm.domain.status import StrictTraitEdited
    from insterm.store.identities import IdentityRecord

TraitValue = str | date | bool | None
"""A value of `Clinic.edit_traits`'s changes or of a duplicate probe: a name, a code, a date, the
corrected-date flag, or None for an emptied used name."""

FIELDS = ("birth_name", "first_name", "first_names", "birth_date", "sex", "birth_place",
          "used_name", "used_first_name")
NAME_FIELDS = ("birth_name", "first_name", "first_names", "used_name", "used_first_name")
STRICT_FIELDS = ("birth_name", "first_name", "first_names", "birth_date", "sex", "birth_place")
REQUIRED = frozenset({"birth_name", "first_name", "birth_date", "sex"})

LABELS = {
    "birth_name": "Nom de naissance",
    "first_name": "1er prénom de naissance",
    "first_names": "Prénoms de naissance",
    "birth_date": "Date de naissance",
    "sex": "Sexe",
    "birth_place": "Lieu de naissance",
    "used_name": "Nom utilisé",
    "used_first_name": "Prénom utilisé",
}
SEX_LABELS = trait_rules.SEX_LABELS

_REQUIRED_MESSAGES = {
    "birth_date": "La date de naissance est obligatoire : saisissez-la au format JJ/MM/AAAA.",
    "sex": "Le sexe est obligatoire : M (masculin), F (féminin) ou I (indéterminé).",
}


@dataclass(frozen=True, slots=True)
class FieldCheck:
    """The notes of one field (all French); see the module docstring."""

    error: str | None = None
    proposal: str | None = None
    proposal_changes: tuple[str, ...] = ()
    warning: str | None = None
    info: str | None = None
    incomplete: bool = False  # an error that only says "not finished yet" (empty, short date)
    refused: bool = False  # the text as typed is not acceptable (even with no `error` shown,
    #                        when the proposal says it all)

    @property
    def ok(self) -> bool:
        return self.error is None and not self.refused


OK = FieldCheck()


# --------------------------------------------------------------------------------------------
# One field at a time


def check_name(kind: str, text: str) -> FieldCheck:
    """A name or first name typed in the form (empty: `incomplete` if required, else fine)."""
    if not text.strip():
        if kind in REQUIRED:
            try:
                trait_rules.validate(text, kind)
            except DomainError as empty:
                return FieldCheck(error=empty.message, incomplete=True)
        return OK
    normalised = trait_rules.normalise(text, kind)
    proposal = normalised.value if normalised.value != text else None
    try:
        trait_rules.validate(text, kind)
        return OK
    except DomainError as refused:
        error = refused.message
    if proposal is None:
        return FieldCheck(error=error)
    try:
        trait_rules.validate(proposal, kind)
    except DomainError as still:
        # The proposal helps but does not make the value acceptable: say what is left.
        return FieldCheck(error=still.message, proposal=proposal,
                          proposal_changes=normalised.changes)
    # The value is refused as typed but the proposal is acceptable: the proposal says it all.
    return FieldCheck(error=None, proposal=proposal, proposal_changes=normalised.changes,
                      refused=True)


def name_value(kind: str, text: str) -> str | None:
    """The value a name field will be saved with: the text itself when the domain accepts it,
    else None (a proposal is not a value until the operator applies it)."""
    if not text.strip():
        return ""
    try:
        return trait_rules.validate(text, kind)
    except DomainError:
        return None


def probe_name(kind: str, text: str) -> str | None:
    """The name as the duplicate finder should see it: the text, or its proposal when only the
    proposal is acceptable (nothing is saved with it); None when neither is."""
    value = name_value(kind, text)
    if value:
        return value
    if not text.strip():
        return None
    proposal = trait_rules.normalise(text, kind).value
    return name_value(kind, proposal) or None


def check_birth_date(text: str, today: date) -> tuple[FieldCheck, trait_rules.BirthDate | None]:
    """The typed birth date: its check and the parsed date (None when refused)."""
    raw = text.strip()
    if not raw:
        return FieldCheck(error=_REQUIRED_MESSAGES["birth_date"], incomplete=True), None
    try:
        parsed = trait_rules.parse_birth_date(raw, today=today)
    except DomainError as refused:
        digits = sum(c.isdigit() for c in raw)
        return FieldCheck(error=refused.message, incomplete=digits < 8), None
    warning = " ".join(w.message for w in parsed.warnings) or None
    age = today.year - parsed.value.year - (
        (today.month, today.day) < (parsed.value.month, parsed.value.day))
    shown = trait_rules.format_birth_date(parsed.value)
    info = f"{age} an{'s' if age > 1 else ''}"
    if shown != raw:
        info = f"{shown}, {info}"
    return FieldCheck(warning=warning, info=info), parsed


def check_sex(text: str) -> FieldCheck:
    value = text.strip()
    if not value:
        return FieldCheck(error=_REQUIRED_MESSAGES["sex"], incomplete=True)
    try:
        trait_rules.validate_sex(value)
    except DomainError as refused:
        return FieldCheck(error=refused.message)
    return FieldCheck(info=SEX_LABELS[value])


@dataclass(frozen=True, slots=True)
class PlaceCheck:
    """The birth-place field: its notes, the code it holds (None: none yet) and whether that code
    is missing from the place table (`unknown`: the operator must confirm it)."""

    check: FieldCheck
    code: str | None
    unknown: bool = False
    searching: bool = False  # the text is a name (or a code prefix) to look up in the list


PLACE_HELP = ("Tapez le nom de la commune ou du pays (liste : flèches et Entrée), ou son code "
              "à 5 caractères ; 99999 si le lieu est inconnu.")


def place_label(place: Place) -> str:
    """"Clermont-Ferrand (Commune, 63)" / "ESPAGNE (Pays)"."""
    if place.kind in ("PAYS", "TERR", "INCONNU"):
        return f"{place.name} ({place.kind_label})"
    return f"{place.name} ({place.kind_label}, {place.department})"


def check_place(text: str, index: PlaceIndex | None) -> PlaceCheck:
    """The birth-place field: empty (not captured), a code (known, or unknown but well formed:
    a warning, confirmed at saving), or a name being searched."""
    from insterm.domain.places import (
        PlaceCodeMalformed,
        PlaceCodeUnknown,
        validate_place_code,
    )

    raw = text.strip()
    if not raw:
        return PlaceCheck(OK, None)  # optional; the placeholder says what to type
    compact = "".join(raw.split()).upper()
    looks_like_code = len(compact) == 5 and compact[:2].isalnum() and compact[2:].isdigit()
    if not looks_like_code:
        if compact[:1].isdigit() and len(compact) < 5:
            return PlaceCheck(FieldCheck(error="Code incomplet : " + PLACE_HELP,
                                         incomplete=True), None, searching=True)
        return PlaceCheck(FieldCheck(
            error=f"« {raw[:40]} » n'est pas un lieu choisi : prenez-le dans la liste "
                  "(flèches puis Entrée) ou tapez son code à 5 caractères.",
            incomplete=True), None, searching=True)
    try:
        code = validate_place_code(compact)
    except PlaceCodeMalformed as malformed:
        return PlaceCheck(FieldCheck(error=malformed.message), None)
    if index is None:
        return PlaceCheck(FieldCheck(info="Table des lieux en cours de chargement…"), code)
    try:
        validate_place_code(code, index)
    except PlaceCodeUnknown as unknown:
        return PlaceCheck(FieldCheck(warning=unknown.message + " Il vous sera demandé de "
                                     "confirmer ce code à l'enregistrement."), code, unknown=True)
    place = index.get(code)
    return PlaceCheck(FieldCheck(info=place_label(place) if place else None), code)


# --------------------------------------------------------------------------------------------
# The whole form


@dataclass(frozen=True, slots=True)
class FormCheck:
    """Every field's notes, and the values the form would save when `ok`."""

    fields: dict[str, FieldCheck]
    place: PlaceCheck
    birth_date: trait_rules.BirthDate | None

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.fields.values())

    def first_error(self) -> str | None:
        for name in FIELDS:
            if not self.fields[name].ok:
                return name
        return None


def check_form(values: Mapping[str, str], *, today: date,
               places: PlaceIndex | None) -> FormCheck:
    """The notes of every field of the form (texts as typed, keyed by `FIELDS`)."""
    checks: dict[str, FieldCheck] = {}
    for kind in NAME_FIELDS:
        checks[kind] = check_name(kind, values.get(kind, ""))
    date_check, parsed = check_birth_date(values.get("birth_date", ""), today)
    checks["birth_date"] = date_check
    checks["sex"] = check_sex(values.get("sex", ""))
    place = check_place(values.get("birth_place", ""), places)
    checks["birth_place"] = place.check  # optional: empty is "not captured", an info

    first = name_value("first_name", values.get("first_name", ""))
    names = name_value("first_names", values.get("first_names", ""))
    if first and names:
        try:
            trait_rules.check_first_name_coherence(first, names)
        except DomainError as incoherent:
            where = incoherent.field if incoherent.field in checks else "first_names"
            checks[where] = _with_error(checks[where], incoherent.message)
    elif names == "" and checks["first_names"].proposal is None:
        # The list is empty: propose the first first name (the operator confirms, F4).
        source = first or probe_name("first_name", values.get("first_name", ""))
        if source:
            checks["first_names"] = FieldCheck(
                proposal=source,
                proposal_changes=(("Liste vide : reprendre le premier prénom ? Complétez-la "
                                   "d'après la pièce d'identité."),))
    return FormCheck(checks, place, parsed)


def _with_error(check: FieldCheck, message: str) -> FieldCheck:
    if check.error is not None:
        return check
    return FieldCheck(error=message, proposal=check.proposal,
                      proposal_changes=check.proposal_changes, warning=check.warning,
                      info=check.info, refused=check.refused)


def duplicate_probe(values: Mapping[str, str], *, today: date,
                    places: PlaceIndex | None) -> dict[str, TraitValue] | None:
    """The traits to look for duplicates with (`Clinic.duplicate_hints`), or None while the
    birth name, the first first name and the birth date are not all there."""
    birth_name = probe_name("birth_name", values.get("birth_name", ""))
    first_name = probe_name("first_name", values.get("first_name", ""))
    _, parsed = check_birth_date(values.get("birth_date", ""), today)
    if not (birth_name and first_name and parsed):
        return None
    sex = values.get("sex", "").strip()
    place = check_place(values.get("birth_place", ""), places)
    return {
        "birth_name": birth_name,
        "first_name": first_name,
        "first_names": probe_name("first_names", values.get("first_names", "")) or first_name,
        "used_name": probe_name("used_name", values.get("used_name", "")),
        "birth_date": parsed.value,
        "sex": sex if sex in SEX_LABELS else "",
        "birth_place": place.code,
    }


def strict_traits(form: FormCheck, values: Mapping[str, str], *,
                  today: date) -> tuple[StrictTraits, UsedNames]:
    """`StrictTraits` and `UsedNames` of a form whose check is `ok` (the domain checks again)."""
    from insterm.domain.identity import StrictTraits, UsedNames

    assert form.birth_date is not None
    strict = StrictTraits.build(
        birth_name=values["birth_name"], first_name=values["first_name"],
        first_names=values.get("first_names", ""), birth_date=form.birth_date.value,
        sex=values["sex"].strip(), birth_place=form.place.code,
        birth_date_corrected=form.birth_date.corrected, today=today)
    used = UsedNames.build(used_name=values.get("used_name") or None,
                           used_first_name=values.get("used_first_name") or None)
    return strict, used


# --------------------------------------------------------------------------------------------
# Editing an existing identity


def initial_values(record: IdentityRecord) -> dict[str, str]:
    """The form's texts for a stored record."""
    return {
        "birth_name": record.birth_name,
        "first_name": record.first_name,
        "first_names": record.first_names,
        "birth_date": trait_rules.format_birth_date(record.birth_date),
        "sex": record.sex,
        "birth_place": record.birth_place or "",
        "used_name": record.used_name or "",
        "used_first_name": record.used_first_name or "",
    }


def edit_changes(record: IdentityRecord, form: FormCheck, values: Mapping[str, str],
                 initial: Mapping[str, str]) -> dict[str, TraitValue]:
    """The `changes` for `Clinic.edit_traits`: only what differs from the stored record.

    The birth date counts only when its text was retyped (a stored corrected date shown as
    JJ/MM/AAAA would otherwise read as a change of the corrected flag); a list of first names
    left empty is saved as the first first name, as the store does."""
    changes: dict[str, TraitValue] = {}
    new: dict[str, TraitValue] = {
        "birth_name": values["birth_name"],
        "first_name": values["first_name"],
        "first_names": values.get("first_names") or values["first_name"],
        "sex": values["sex"].strip(),
        "birth_place": form.place.code,
        "used_name": values.get("used_name") or None,
        "used_first_name": values.get("used_first_name") or None,
    }
    for name, value in new.items():
        if getattr(record, name) != value:
            changes[name] = value
    if form.birth_date is not None and values["birth_date"].strip() != \
            initial.get("birth_date", "").strip():
        if form.birth_date.value != record.birth_date:
            changes["birth_date"] = form.birth_date.value
        if form.birth_date.corrected != record.birth_date_corrected:
            changes["birth_date"] = form.birth_date.value
            changes["birth_date_corrected"] = form.birth_date.corrected
    return changes


def strict_edit_event(record: IdentityRecord, changes: Mapping[str, TraitValue], *,
                      rechecked: bool = False) -> StrictTraitEdited | None:
    """The domain event of an edit with these `changes` (None when no strict trait changes):
    the strict traits changed, the first name's coherence with the list after the edit (the
    domain then keeps the status for a first-name-only edit), the new corrected-date flag;
    `rechecked`: the new values are re-checked on the identity document in the same action."""
    from insterm.domain.status import StrictTrait, StrictTraitEdited

    edited = {StrictTrait(name) for name in STRICT_FIELDS if name in changes}
    if "birth_date_corrected" in changes:
        edited.add(StrictTrait.BIRTH_DATE)
    if not edited:
        return None
    first_names = changes.get("first_names", record.first_names)
    corrected = None
    if StrictTrait.BIRTH_DATE in edited:
        corrected = bool(changes.get("birth_date_corrected", record.birth_date_corrected))
    return StrictTraitEdited(frozenset(edited), rechecked=rechecked,
                             first_name_coherent=bool(first_names),
                             birth_date_corrected=corrected)


def describe_changes(record: IdentityRecord,
                     changes: Mapping[str, TraitValue]) -> list[str]:
    """"Nom de naissance : ADRUN devient ADRUNE" lines, in the order of the form."""
    lines = []
    for name in FIELDS:
        if name not in changes:
            continue
        before, after = getattr(record, name), changes[name]
        lines.append(f"{LABELS[name]} : {_shown(before)} devient {_shown(after)}")
    if "birth_date_corrected" in changes and "birth_date" not in changes:
        lines.append("Date de naissance : marquée corrigée" if changes["birth_date_corrected"]
                     else "Date de naissance : n'est plus marquée corrigée")
    return lines


def _shown(value: TraitValue) -> str:
    if value is None or value == "":
        return "(vide)"
    if isinstance(value, date):
        return trait_rules.format_birth_date(value)
    return str(value)


_DATE_LIKE = re.compile(r"[0-9]{1,2}[/.\-][0-9]{1,2}[/.\-][0-9]{4}|[0-9]{8}|[0-9]{4}-[0-9]{2}-[0-9]{2}",
                        re.ASCII)


def split_initial_text(text: str) -> dict[str, str]:
    """Pre-fill of a new identity from what was typed in the search field: "NOM, PRÉNOM",
    "NOM PRÉNOM" (the last word taken as the first name) and a trailing date. The texts are
    kept as typed: the form then proposes their normalised forms."""
    words = text.strip()
    if not words:
        return {}
    values: dict[str, str] = {}
    parts = words.split()
    if parts and _DATE_LIKE.fullmatch(parts[-1]):
        values["birth_date"] = parts[-1]
        parts = parts[:-1]
    if any(c.isdigit() for c in " ".join(parts)):
        return values  # an IPP or a matricule: nothing to pre-fill the names with
    head = " ".join(parts)
    if "," in head:
        name, _, first = head.partition(",")
        values["birth_name"], values["first_name"] = name.strip(), first.strip()
    elif len(parts) >= 2:
        values["birth_name"], values["first_name"] = " ".join(parts[:-1]), parts[-1]
    elif parts:
        values["birth_name"] = parts[0]
    return {k: v for k, v in values.items() if v}
