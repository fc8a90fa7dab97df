"""Tests of insterm.domain.status: the whole (state, event) table, stated by hand, plus properties.

State codes used in the tables: STATUS[/flags], flags among i (holds an INS), D (DOUT), F (FICT),
H (HOMA), c (corrected birth date). Cells: X = refused; otherwise the resulting state code,
followed by what happens to the INS: + attached, = kept, - removed, ~ replaced (old one to
history), nothing = no INS before nor after.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from insterm.domain.errors import DomainError, TransitionRefused
from insterm.domain.status import (
    Attribute,
    AttributeCleared,
    AttributeSet,
    BirthDateCorrected,
    DocumentChecked,
    DocumentCheckRevoked,
    IdentityState,
    InsiRetrieved,
    InsReplaced,
    Merged,
    Status,
    StrictTrait,
    StrictTraitEdited,
    Transition,
    describe_drop,
    insi_allowed,
    insi_block_reason,
    may_show_matricule,
    parse_attribute,
    parse_status,
    transition,
)

D, F, H = Attribute.DOUT, Attribute.FICT, Attribute.HOMA
T = StrictTrait

# --------------------------------------------------------------------------------------------
# State codes


def state_of(code: str) -> tuple[Status, frozenset[Attribute], bool, bool]:
    status, _, flags = code.partition("/")
    letters = {"D": D, "F": F, "H": H}
    attributes = frozenset(letters[ch] for ch in flags if ch in letters)
    return Status(status), attributes, "i" in flags, "c" in flags


def make(code: str) -> IdentityState:
    status, attributes, has_ins, corrected = state_of(code)
    return IdentityState(status, attributes, has_ins, corrected)


def code_of(state: IdentityState) -> str:
    flags = "i" if state.has_ins else ""
    flags += "".join(ch for ch, a in (("D", D), ("F", F), ("H", H)) if a in state.attributes)
    flags += "c" if state.birth_date_corrected else ""
    return f"{state.status.value}/{flags}" if flags else state.status.value


def test_valid_states_are_exactly_the_rule_ones():
    """Independent statement of ins-rules 1.2/2.4 validity, checked against the constructor."""

    def expected_valid(status, attributes, has_ins, corrected):
        if D in attributes and F in attributes:
            return False
        if (D in attributes or F in attributes) and status != Status.PROV:
            return False
        if has_ins != (status in (Status.RECUP, Status.QUAL)):
            return False
        return not (corrected and status in (Status.RECUP, Status.QUAL))

    valid = set()
    attribute_sets = [
        frozenset(c) for n in range(4) for c in itertools.combinations((D, F, H), n)
    ]
    for status, attributes, has_ins, corrected in itertools.product(
        Status, attribute_sets, (False, True), (False, True)
    ):
        if expected_valid(status, attributes, has_ins, corrected):
            state = IdentityState(status, attributes, has_ins, corrected)
            valid.add(code_of(state))
        else:
            with pytest.raises(TransitionRefused) as refused:
                IdentityState(status, attributes, has_ins, corrected)
            assert refused.value.message
    assert valid == set(ROWS)
    assert len(valid) == 20


# --------------------------------------------------------------------------------------------
# Event variants, grouped by the column of the table that states their outcome

ALL_TRAITS = list(StrictTrait)
DROPPING_EDITS = (
    [{"traits": {t}} for t in ALL_TRAITS]
    + [
        {"traits": {T.BIRTH_NAME, T.SEX}},
        {"traits": set(ALL_TRAITS)},
        # the first-name exception only holds when the first first name alone changed
        {"traits": {T.FIRST_NAME, T.FIRST_NAMES}, "first_name_coherent": True},
        {"traits": {T.BIRTH_NAME}, "first_name_coherent": True},
    ]
)


def strict_edits(rechecked: bool):
    edits = [StrictTraitEdited(rechecked=rechecked, **kw) for kw in DROPPING_EDITS]
    merges = [
        Merged(changed_traits=kw["traits"], rechecked=rechecked,
               first_name_coherent=kw.get("first_name_coherent", False))
        for kw in DROPPING_EDITS
    ]
    return edits + merges


COLUMNS = {
    "doc": [DocumentChecked()],
    "insi": [InsiRetrieved()],
    "insi+doc": [InsiRetrieved(document_checked=True)],
    "revoke": [DocumentCheckRevoked()],
    "repl": [InsReplaced(), InsReplaced(nia_to_nir=True)],
    "+D": [AttributeSet(D)],
    "+F": [AttributeSet(F)],
    "+H": [AttributeSet(H)],
    "-D": [AttributeCleared(D)],
    "-F": [AttributeCleared(F)],
    "-H": [AttributeCleared(H)],
    "edit": strict_edits(rechecked=False),
    "edit+chk": strict_edits(rechecked=True),
    "same": [
        StrictTraitEdited({T.FIRST_NAME}, first_name_coherent=True),
        StrictTraitEdited({T.FIRST_NAME}, first_name_coherent=True, rechecked=True),
        Merged({T.FIRST_NAME}, first_name_coherent=True),
        Merged(),
        Merged(rechecked=True),
    ],
    "date:c": [
        StrictTraitEdited({T.BIRTH_DATE}, birth_date_corrected=True),
        StrictTraitEdited({T.BIRTH_DATE, T.SEX}, birth_date_corrected=True),
    ],
    "date:c+chk": [StrictTraitEdited({T.BIRTH_DATE}, rechecked=True, birth_date_corrected=True)],
    "date:u": [StrictTraitEdited({T.BIRTH_DATE}, birth_date_corrected=False)],
    "date:u+chk": [
        StrictTraitEdited({T.BIRTH_DATE}, rechecked=True, birth_date_corrected=False)
    ],
    "bdc": [BirthDateCorrected()],
    "bdc+chk": [BirthDateCorrected(rechecked=True)],
}

# --------------------------------------------------------------------------------------------
# The tables (one per group of columns). Every row is a valid state, every cell stated by hand.

TABLE_STATUS = """
state     | doc      | insi      | insi+doc  | revoke    | repl
PROV      | VALI     | RECUP/i+  | QUAL/i+   | X         | X
PROV/D    | X        | X         | X         | X         | X
PROV/F    | X        | X         | X         | X         | X
PROV/H    | VALI/H   | RECUP/iH+ | QUAL/iH+  | X         | X
PROV/DH   | X        | X         | X         | X         | X
PROV/FH   | X        | X         | X         | X         | X
PROV/c    | VALI/c   | X         | X         | X         | X
PROV/Dc   | X        | X         | X         | X         | X
PROV/Fc   | X        | X         | X         | X         | X
PROV/Hc   | VALI/Hc  | X         | X         | X         | X
PROV/DHc  | X        | X         | X         | X         | X
PROV/FHc  | X        | X         | X         | X         | X
VALI      | VALI     | QUAL/i+   | QUAL/i+   | PROV      | X
VALI/H    | VALI/H   | QUAL/iH+  | QUAL/iH+  | PROV/H    | X
VALI/c    | VALI/c   | X         | X         | PROV/c    | X
VALI/Hc   | VALI/Hc  | X         | X         | PROV/Hc   | X
RECUP/i   | QUAL/i=  | RECUP/i=  | QUAL/i=   | X         | RECUP/i~
RECUP/iH  | QUAL/iH= | RECUP/iH= | QUAL/iH=  | X         | RECUP/iH~
QUAL/i    | QUAL/i=  | QUAL/i=   | QUAL/i=   | RECUP/i=  | QUAL/i~
QUAL/iH   | QUAL/iH= | QUAL/iH=  | QUAL/iH=  | RECUP/iH= | QUAL/iH~
"""

TABLE_ATTRIBUTES = """
state     | +D        | +F        | +H        | -D        | -F        | -H
PROV      | PROV/D    | PROV/F    | PROV/H    | PROV      | PROV      | PROV
PROV/D    | PROV/D    | X         | PROV/DH   | PROV      | PROV/D    | PROV/D
PROV/F    | X         | PROV/F    | PROV/FH   | PROV/F    | PROV      | PROV/F
PROV/H    | PROV/DH   | PROV/FH   | PROV/H    | PROV/H    | PROV/H    | PROV
PROV/DH   | PROV/DH   | X         | PROV/DH   | PROV/H    | PROV/DH   | PROV/D
PROV/FH   | X         | PROV/FH   | PROV/FH   | PROV/FH   | PROV/H    | PROV/F
PROV/c    | PROV/Dc   | PROV/Fc   | PROV/Hc   | PROV/c    | PROV/c    | PROV/c
PROV/Dc   | PROV/Dc   | X         | PROV/DHc  | PROV/c    | PROV/Dc   | PROV/Dc
PROV/Fc   | X         | PROV/Fc   | PROV/FHc  | PROV/Fc   | PROV/c    | PROV/Fc
PROV/Hc   | PROV/DHc  | PROV/FHc  | PROV/Hc   | PROV/Hc   | PROV/Hc   | PROV/c
PROV/DHc  | PROV/DHc  | X         | PROV/DHc  | PROV/Hc   | PROV/DHc  | PROV/Dc
PROV/FHc  | X         | PROV/FHc  | PROV/FHc  | PROV/FHc  | PROV/Hc   | PROV/Fc
VALI      | PROV/D    | PROV/F    | VALI/H    | VALI      | VALI      | VALI
VALI/H    | PROV/DH   | PROV/FH   | VALI/H    | VALI/H    | VALI/H    | VALI
VALI/c    | PROV/Dc   | PROV/Fc   | VALI/Hc   | VALI/c    | VALI/c    | VALI/c
VALI/Hc   | PROV/DHc  | PROV/FHc  | VALI/Hc   | VALI/Hc   | VALI/Hc   | VALI/c
RECUP/i   | PROV/D-   | PROV/F-   | RECUP/iH= | RECUP/i=  | RECUP/i=  | RECUP/i=
RECUP/iH  | PROV/DH-  | PROV/FH-  | RECUP/iH= | RECUP/iH= | RECUP/iH= | RECUP/i=
QUAL/i    | PROV/D-   | PROV/F-   | QUAL/iH=  | QUAL/i=   | QUAL/i=   | QUAL/i=
QUAL/iH   | PROV/DH-  | PROV/FH-  | QUAL/iH=  | QUAL/iH=  | QUAL/iH=  | QUAL/i=
"""

TABLE_TRAITS = """
state    | edit    | edit+chk | same     | date:c   | date:c+chk | date:u  | date:u+chk | bdc      | bdc+chk
PROV     | PROV    | PROV     | PROV     | PROV/c   | PROV/c     | PROV    | PROV       | PROV/c   | PROV/c
PROV/D   | PROV/D  | PROV/D   | PROV/D   | PROV/Dc  | PROV/Dc    | PROV/D  | PROV/D     | PROV/Dc  | PROV/Dc
PROV/F   | PROV/F  | PROV/F   | PROV/F   | PROV/Fc  | PROV/Fc    | PROV/F  | PROV/F     | PROV/Fc  | PROV/Fc
PROV/H   | PROV/H  | PROV/H   | PROV/H   | PROV/Hc  | PROV/Hc    | PROV/H  | PROV/H     | PROV/Hc  | PROV/Hc
PROV/DH  | PROV/DH | PROV/DH  | PROV/DH  | PROV/DHc | PROV/DHc   | PROV/DH | PROV/DH    | PROV/DHc | PROV/DHc
PROV/FH  | PROV/FH | PROV/FH  | PROV/FH  | PROV/FHc | PROV/FHc   | PROV/FH | PROV/FH    | PROV/FHc | PROV/FHc
PROV/c   | PROV/c  | PROV/c   | PROV/c   | PROV/c   | PROV/c     | PROV    | PROV       | PROV/c   | PROV/c
PROV/Dc  | PROV/Dc | PROV/Dc  | PROV/Dc  | PROV/Dc  | PROV/Dc    | PROV/D  | PROV/D     | PROV/Dc  | PROV/Dc
PROV/Fc  | PROV/Fc | PROV/Fc  | PROV/Fc  | PROV/Fc  | PROV/Fc    | PROV/F  | PROV/F     | PROV/Fc  | PROV/Fc
PROV/Hc  | PROV/Hc | PROV/Hc  | PROV/Hc  | PROV/Hc  | PROV/Hc    | PROV/H  | PROV/H     | PROV/Hc  | PROV/Hc
PROV/DHc | PROV/DHc| PROV/DHc | PROV/DHc | PROV/DHc | PROV/DHc   | PROV/DH | PROV/DH    | PROV/DHc | PROV/DHc
PROV/FHc | PROV/FHc| PROV/FHc | PROV/FHc | PROV/FHc | PROV/FHc   | PROV/FH | PROV/FH    | PROV/FHc | PROV/FHc
VALI     | PROV    | VALI     | VALI     | PROV/c   | VALI/c     | PROV    | VALI       | PROV/c   | VALI/c
VALI/H   | PROV/H  | VALI/H   | VALI/H   | PROV/Hc  | VALI/Hc    | PROV/H  | VALI/H     | PROV/Hc  | VALI/Hc
VALI/c   | PROV/c  | VALI/c   | VALI/c   | PROV/c   | VALI/c     | PROV    | VALI       | VALI/c   | VALI/c
VALI/Hc  | PROV/Hc | VALI/Hc  | VALI/Hc  | PROV/Hc  | VALI/Hc    | PROV/H  | VALI/H     | VALI/Hc  | VALI/Hc
RECUP/i  | PROV-   | PROV-    | RECUP/i= | PROV/c-  | PROV/c-    | PROV-   | PROV-      | PROV/c-  | PROV/c-
RECUP/iH | PROV/H- | PROV/H-  | RECUP/iH=| PROV/Hc- | PROV/Hc-   | PROV/H- | PROV/H-    | PROV/Hc- | PROV/Hc-
QUAL/i   | PROV-   | VALI-    | QUAL/i=  | PROV/c-  | VALI/c-    | PROV-   | VALI-      | PROV/c-  | VALI/c-
QUAL/iH  | PROV/H- | VALI/H-  | QUAL/iH= | PROV/Hc- | VALI/Hc-   | PROV/H- | VALI/H-    | PROV/Hc- | VALI/Hc-
"""


def parse_table(text: str) -> dict[tuple[str, str], str]:
    lines = [line for line in text.strip().splitlines()]
    header = [cell.strip() for cell in lines[0].split("|")][1:]
    cells = {}
    for line in lines[1:]:
        row = [cell.strip() for cell in line.split("|")]
        assert len(row) == len(header) + 1, line
        for column, cell in zip(header, row[1:], strict=True):
            cells[(row[0], column)] = cell
    return cells


EXPECTED: dict[tuple[str, str], str] = {}
for _table in (TABLE_STATUS, TABLE_ATTRIBUTES, TABLE_TRAITS):
    EXPECTED.update(parse_table(_table))
ROWS = sorted({row for row, _ in EXPECTED})
CASES = [
    pytest.param(row, column, index, id=f"{row}-{column}-{index}")
    for (row, column) in sorted(EXPECTED)
    for index in range(len(COLUMNS[column]))
]


def test_tables_cover_every_state_and_every_column():
    assert len(ROWS) == 20
    assert {column for _, column in EXPECTED} == set(COLUMNS)
    assert len(EXPECTED) == len(ROWS) * len(COLUMNS)
    # every kind of event has at least one variant in the table
    kinds = {type(event) for events in COLUMNS.values() for event in events}
    assert kinds == {
        DocumentChecked, InsiRetrieved, StrictTraitEdited, AttributeSet, AttributeCleared,
        DocumentCheckRevoked, InsReplaced, Merged, BirthDateCorrected,
    }


@pytest.mark.parametrize(("row", "column", "index"), CASES)
def test_transition_table(row, column, index):
    state = make(row)
    event = COLUMNS[column][index]
    cell = EXPECTED[(row, column)]
    if cell == "X":
        with pytest.raises(TransitionRefused) as refused:
            transition(state, event)
        assert len(refused.value.message) > 20
        # describe_drop refuses in the same way
        with pytest.raises(TransitionRefused) as again:
            describe_drop(state, event)
        assert again.value.message == refused.value.message
        return
    effect = cell[-1] if cell[-1] in "+=-~" else ""
    expected_code = cell[:-1] if effect else cell
    result = transition(state, event)
    assert code_of(result.state) == expected_code
    assert result.previous == state
    assert result.attach_ins == (effect in ("+", "~"))
    assert result.remove_ins == (effect in ("-", "~"))
    assert result.keep_ins == (effect == "=")
    assert result.state.has_ins == (effect in ("+", "=", "~"))
    assert result.changed == (expected_code != row or effect in ("+", "-", "~"))
    assert result.status_changed == (result.state.status != state.status)
    assert result.reason.startswith(("Le ", "La ", "L'"))
    assert result.reason.endswith(".")
    sentence = describe_drop(state, event)
    assert ("fera passer" in sentence) == result.status_changed
    assert ("retirera l'INS" in sentence) == (effect == "-")


# --------------------------------------------------------------------------------------------
# Sentences


def test_describe_drop_sentence_of_the_brief():
    sentence = describe_drop(make("QUAL/i"), StrictTraitEdited({T.BIRTH_NAME}))
    assert sentence == (
        "La modification du nom de naissance fera passer l'identité de « Identité qualifiée » "
        "à « Identité provisoire » et retirera l'INS."
    )


@pytest.mark.parametrize(
    ("row", "event", "expected"),
    [
        (
            "QUAL/i",
            StrictTraitEdited({T.SEX, T.BIRTH_NAME, T.BIRTH_DATE}, rechecked=True),
            "La modification du nom de naissance, de la date de naissance et du sexe, "
            "revérifiée sur le document d'identité, fera passer l'identité de « Identité "
            "qualifiée » à « Identité validée » et retirera l'INS.",
        ),
        (
            "QUAL/i",
            StrictTraitEdited({T.FIRST_NAME}, first_name_coherent=True),
            "La modification du premier prénom de naissance ne changera pas le statut de "
            "l'identité (« Identité qualifiée ») et conservera l'INS.",
        ),
        (
            "PROV",
            InsiRetrieved(document_checked=True),
            "La récupération de l'INS par INSi avec contrôle du document d'identité fera "
            "passer l'identité de « Identité provisoire » à « Identité qualifiée » et "
            "rattachera l'INS renvoyé par INSi.",
        ),
        (
            "RECUP/i",
            InsReplaced(nia_to_nir=True),
            "Le remplacement du NIA par le NIR renvoyé par INSi ne changera pas le statut de "
            "l'identité (« Identité récupérée ») et remplacera l'INS (l'ancien sera conservé "
            "dans l'historique).",
        ),
        (
            "QUAL/i",
            InsReplaced(),
            "Le remplacement de l'INS par le nouveau matricule renvoyé par INSi ne changera "
            "pas le statut de l'identité (« Identité qualifiée ») et remplacera l'INS "
            "(l'ancien sera conservé dans l'historique).",
        ),
        (
            "VALI",
            AttributeSet(D),
            "L'ajout de l'attribut « Identité douteuse » fera passer l'identité de « Identité "
            "validée » à « Identité provisoire ».",
        ),
        (
            "PROV/F",
            AttributeCleared(F),
            "Le retrait de l'attribut « Identité fictive » ne changera pas le statut de "
            "l'identité (« Identité provisoire »).",
        ),
        (
            "QUAL/i",
            DocumentCheckRevoked(),
            "L'annulation du contrôle du document d'identité fera passer l'identité de "
            "« Identité qualifiée » à « Identité récupérée » et conservera l'INS.",
        ),
        (
            "PROV",
            DocumentChecked(),
            "Le contrôle du document d'identité fera passer l'identité de « Identité "
            "provisoire » à « Identité validée ».",
        ),
        (
            "QUAL/i",
            Merged({T.BIRTH_PLACE}),
            "La fusion des dossiers, avec modification du lieu de naissance fera passer "
            "l'identité de « Identité qualifiée » à « Identité provisoire » et retirera l'INS.",
        ),
        (
            "VALI",
            Merged(),
            "La fusion des dossiers ne changera pas le statut de l'identité (« Identité "
            "validée »).",
        ),
        (
            "VALI",
            BirthDateCorrected(rechecked=True),
            "Le marquage de la date de naissance comme corrigée, revérifiée sur le document "
            "d'identité, ne changera pas le statut de l'identité (« Identité validée »).",
        ),
        (
            "QUAL/i",
            Merged({T.FIRST_NAMES}, rechecked=True),
            "La fusion des dossiers, avec modification de la liste des prénoms de naissance, "
            "revérifiée sur le document d'identité, fera passer l'identité de « Identité "
            "qualifiée » à « Identité validée » et retirera l'INS.",
        ),
    ],
)
def test_describe_drop_sentences(row, event, expected):
    assert describe_drop(make(row), event) == expected


def test_reasons_are_past_tense_audit_sentences():
    result = transition(make("QUAL/iH"), StrictTraitEdited({T.BIRTH_NAME}))
    assert result.reason == (
        "La modification du nom de naissance a fait passer l'identité de « Identité qualifiée "
        "» à « Identité provisoire » et a retiré l'INS."
    )
    cleared = transition(make("PROV/D"), AttributeCleared(D))
    assert cleared.reason.endswith("Le retrait d'un attribut ne rétablit aucun statut.")
    homa = transition(make("PROV/H"), AttributeCleared(H))
    assert "ne rétablit" not in homa.reason
    first = transition(make("QUAL/i"), StrictTraitEdited({T.FIRST_NAME}, first_name_coherent=True))
    assert "reste cohérent avec la liste" in first.reason
    again = transition(make("PROV/D"), AttributeSet(D))
    assert again.reason.endswith("L'attribut était déjà présent.")
    absent = transition(make("PROV"), AttributeCleared(D))
    assert absent.reason.endswith("L'attribut n'était pas présent.")
    merged = transition(make("QUAL/i"), Merged())
    assert merged.reason.endswith("La fusion n'a modifié aucun trait strict.")
    marked = transition(make("PROV/c"), BirthDateCorrected())
    assert marked.reason.endswith("déjà marquée comme corrigée.")


@pytest.mark.parametrize(
    ("row", "event", "words"),
    [
        ("PROV/D", DocumentChecked(), "« Identité douteuse »"),
        ("PROV/FH", DocumentChecked(), "« Identité fictive »"),
        ("PROV/D", InsiRetrieved(), "INSi impossible"),
        ("PROV/Fc", InsiRetrieved(), "« Identité fictive »"),
        ("PROV/c", InsiRetrieved(), "date de naissance a été corrigée"),
        ("RECUP/i", DocumentCheckRevoked(), "Aucun contrôle de document à annuler"),
        ("VALI", InsReplaced(), "Aucun INS à remplacer"),
        ("PROV/F", AttributeSet(D), "retirez d'abord l'attribut « Identité fictive »"),
        ("PROV/D", AttributeSet(F), "retirez d'abord l'attribut « Identité douteuse »"),
    ],
)
def test_refusal_messages_say_what_to_do(row, event, words):
    with pytest.raises(TransitionRefused) as refused:
        transition(make(row), event)
    assert words in refused.value.message


# --------------------------------------------------------------------------------------------
# Labels, parsing, constructors


def test_labels():
    assert [s.label for s in Status] == [
        "Identité provisoire", "Identité récupérée", "Identité validée", "Identité qualifiée",
    ]
    assert [a.label for a in Attribute] == ["Identité douteuse", "Identité fictive", "Homonyme"]
    assert [s.value for s in Status] == ["PROV", "RECUP", "VALI", "QUAL"]
    assert T.BIRTH_NAME.label == "nom de naissance"
    assert T.FIRST_NAMES.with_of == "de la liste des prénoms de naissance"


def test_status_matrix():
    assert Status.from_flags(insi_retrieved=False, document_checked=False) is Status.PROV
    assert Status.from_flags(insi_retrieved=True, document_checked=False) is Status.RECUP
    assert Status.from_flags(insi_retrieved=False, document_checked=True) is Status.VALI
    assert Status.from_flags(insi_retrieved=True, document_checked=True) is Status.QUAL
    assert [s.insi_retrieved for s in Status] == [False, True, False, True]
    assert [s.document_checked for s in Status] == [False, False, True, True]


def test_summary():
    assert make("PROV/DH").summary == "Identité provisoire — Identité douteuse, Homonyme"
    assert make("QUAL/i").summary == "Identité qualifiée"


@pytest.mark.parametrize("status", list(Status))
def test_parse_status_round_trip(status):
    assert parse_status(status.value) is status
    assert parse_status(f"  {status.value.lower()} ") is status
    assert parse_status(status) is status


@pytest.mark.parametrize("attribute", list(Attribute))
def test_parse_attribute_round_trip(attribute):
    assert parse_attribute(attribute.value.lower()) is attribute
    assert parse_attribute(attribute) is attribute


def test_parse_refuses_other_enum_members_and_non_strings():
    with pytest.raises(TransitionRefused, match="Valeurs possibles : DOUT, FICT, HOMA"):
        parse_attribute(Status.PROV)
    with pytest.raises(TransitionRefused, match="int"):
        parse_status(3)


@given(st.text())
def test_parse_status_arbitrary_text(text):
    try:
        status = parse_status(text)
    except TransitionRefused as refused:
        assert "Statut d'identité inconnu" in refused.message
    else:
        assert status.value == text.strip().upper()


@given(st.text(max_size=5000))
def test_parse_attribute_arbitrary_text(text):
    try:
        attribute = parse_attribute(text)
    except TransitionRefused:
        pass
    else:
        assert attribute.value == text.strip().upper()


ANYTHING = st.one_of(
    st.none(), st.integers(), st.text(), st.booleans(), st.floats(),
    st.lists(st.text(max_size=6), max_size=3), st.sampled_from(list(Attribute)),
    st.sampled_from(list(Status)),
)


@given(ANYTHING, ANYTHING, ANYTHING, ANYTHING)
def test_state_constructor_only_raises_typed_errors(status, attributes, has_ins, corrected):
    try:
        state = IdentityState(status, attributes, has_ins, corrected)
    except TransitionRefused:
        return
    assert isinstance(state.status, Status)
    assert all(isinstance(a, Attribute) for a in state.attributes)


def test_state_constructor_coerces_codes():
    state = IdentityState("qual", ["homa"], True)
    assert state == make("QUAL/iH")
    assert IdentityState("PROV", "DOUT") == make("PROV/D")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"status": "PROV", "has_ins": 1},
        {"status": "PROV", "birth_date_corrected": "no"},
        {"status": "PROV", "attributes": 5},
        {"status": "PROV", "attributes": ["XXXX"]},
        {"status": "NOPE"},
    ],
)
def test_state_constructor_refuses_bad_types(kwargs):
    with pytest.raises(TransitionRefused):
        IdentityState(**kwargs)


@pytest.mark.parametrize(
    "build",
    [
        lambda: StrictTraitEdited(set()),
        lambda: StrictTraitEdited({T.SEX}, birth_date_corrected=True),
        lambda: StrictTraitEdited({"eye_colour"}),
        lambda: StrictTraitEdited({T.SEX}, rechecked="yes"),
        lambda: StrictTraitEdited({T.SEX}, first_name_coherent=None),
        lambda: StrictTraitEdited({T.BIRTH_DATE}, birth_date_corrected="oui"),
        lambda: StrictTraitEdited(42),
        lambda: InsiRetrieved(document_checked=1),
        lambda: InsReplaced(nia_to_nir="NIR"),
        lambda: AttributeSet("ABCD"),
        lambda: AttributeCleared(None),
        lambda: Merged({"nope"}),
        lambda: Merged(rechecked=0),
        lambda: Merged(first_name_coherent=0),
        lambda: BirthDateCorrected(rechecked=None),
    ],
)
def test_event_constructors_refuse_bad_payloads(build):
    with pytest.raises(TransitionRefused):
        build()


def test_event_constructors_coerce_codes():
    assert StrictTraitEdited("birth_name").traits == frozenset({T.BIRTH_NAME})
    assert StrictTraitEdited(["SEX", T.BIRTH_PLACE]).traits == frozenset({T.SEX, T.BIRTH_PLACE})
    assert Merged(["first_names"]).changed_traits == frozenset({T.FIRST_NAMES})
    assert AttributeSet("homa") == AttributeSet(H)


def test_transition_refuses_unknown_event_and_missing_state():
    with pytest.raises(TransitionRefused, match="Événement inconnu"):
        transition(make("PROV"), "DocumentChecked")
    with pytest.raises(TransitionRefused, match="État d'identité manquant"):
        transition(None, DocumentChecked())


@pytest.mark.parametrize(
    "kwargs",
    [
        {"previous": "PROV", "state": "RECUP/i", "keep_ins": True},
        {"previous": "PROV", "state": "PROV", "remove_ins": True},
        {"previous": "QUAL/i", "state": "QUAL/i", "keep_ins": True, "attach_ins": True},
        {"previous": "QUAL/i", "state": "PROV", "keep_ins": True},
        {"previous": "PROV", "state": "RECUP/i"},
    ],
)
def test_transition_object_refuses_incoherent_ins_fate(kwargs):
    values = {"remove_ins": False, "attach_ins": False, "keep_ins": False, "reason": "x"}
    values.update(kwargs)
    values["previous"], values["state"] = make(values["previous"]), make(values["state"])
    with pytest.raises(TransitionRefused):
        Transition(**values)


# --------------------------------------------------------------------------------------------
# Guards


@pytest.mark.parametrize("row", sorted({row for row, _ in EXPECTED}))
def test_insi_allowed_matches_the_table(row):
    allowed = EXPECTED[(row, "insi")] != "X"
    state = make(row)
    assert insi_allowed(state) is allowed
    reason = insi_block_reason(state)
    assert (reason is None) is allowed
    # stated independently: blocked exactly for DOUT, FICT or a corrected birth date
    assert allowed == (not ({"D", "F", "c"} & set(row.partition("/")[2])))


@pytest.mark.parametrize("row", sorted({row for row, _ in EXPECTED}))
def test_may_show_matricule_only_for_qual(row):
    assert may_show_matricule(make(row)) is row.startswith("QUAL")


def test_may_show_matricule_refuses_non_states():
    assert may_show_matricule("QUAL") is False


# --------------------------------------------------------------------------------------------
# Properties

VALID_STATES = [make(row) for row in sorted({row for row, _ in EXPECTED})]
TRAIT_SETS = st.frozensets(st.sampled_from(list(StrictTrait)), min_size=1)
EVENTS = st.one_of(
    st.just(DocumentChecked()),
    st.builds(InsiRetrieved, st.booleans()),
    st.builds(
        lambda traits, rechecked, coherent, corrected: StrictTraitEdited(
            traits | ({T.BIRTH_DATE} if corrected is not None else set()),
            rechecked,
            coherent,
            corrected,
        ),
        TRAIT_SETS,
        st.booleans(),
        st.booleans(),
        st.none() | st.booleans(),
    ),
    st.builds(AttributeSet, st.sampled_from(list(Attribute))),
    st.builds(AttributeCleared, st.sampled_from(list(Attribute))),
    st.just(DocumentCheckRevoked()),
    st.builds(InsReplaced, st.booleans()),
    st.builds(Merged, st.frozensets(st.sampled_from(list(StrictTrait))), st.booleans(),
              st.booleans()),
    st.builds(BirthDateCorrected, st.booleans()),
)


def assert_invariants(state: IdentityState) -> None:
    """The rules of ins-rules 1.2/2.4, stated again independently of the constructor."""
    assert not {D, F} <= state.attributes
    if D in state.attributes or F in state.attributes:
        assert state.status is Status.PROV
        assert not state.has_ins
        assert not insi_allowed(state)
    assert state.has_ins == (state.status in (Status.RECUP, Status.QUAL))
    if state.birth_date_corrected:
        assert state.status in (Status.PROV, Status.VALI)
        assert not insi_allowed(state)
    assert may_show_matricule(state) == (state.status is Status.QUAL)


@settings(max_examples=300)
@given(st.sampled_from(VALID_STATES), st.lists(EVENTS, max_size=25))
def test_any_sequence_keeps_the_state_valid(start, events):
    state = start
    for event in events:
        before = IdentityState(state.status, state.attributes, state.has_ins,
                               state.birth_date_corrected)
        try:
            result = transition(state, event)
        except TransitionRefused as refused:
            assert refused.message
            # nothing changed: the state is the same value and the same object stays usable
            assert state == before
            assert code_of(state) == code_of(before)
            continue
        assert result.previous == state
        assert_invariants(result.state)
        # the INS fate is coherent with the states
        if result.remove_ins or result.keep_ins:
            assert state.has_ins
        if result.keep_ins:
            assert not (result.remove_ins or result.attach_ins)
        assert result.state.has_ins == (result.keep_ins or result.attach_ins)
        # attributes only change through attribute events, the flag only through date events
        if not isinstance(event, (AttributeSet, AttributeCleared)):
            assert result.state.attributes == state.attributes
        if not isinstance(event, (StrictTraitEdited, BirthDateCorrected)):
            assert result.state.birth_date_corrected == state.birth_date_corrected
        state = result.state


@given(st.sampled_from(VALID_STATES), EVENTS)
def test_a_refused_event_is_refused_everywhere(state, event):
    try:
        transition(state, event)
    except DomainError as refused:
        assert isinstance(refused, TransitionRefused)
        with pytest.raises(TransitionRefused):
            describe_drop(state, event)
    else:
        assert describe_drop(state, event).endswith(".")


@given(st.sampled_from(VALID_STATES), EVENTS)
def test_no_event_ever_raises_a_status_above_its_grounds(state, event):
    """A status with I+ is only reached by INSi events; C+ only by a document event or kept."""
    try:
        result = transition(state, event)
    except TransitionRefused:
        return
    new = result.state.status
    if new.insi_retrieved and not state.status.insi_retrieved:
        assert isinstance(event, InsiRetrieved)
    if new.document_checked and not state.status.document_checked:
        assert isinstance(event, (DocumentChecked, InsiRetrieved))
        if isinstance(event, InsiRetrieved):
            assert event.document_checked
