"""Tests of insterm.domain.phonetic: the French phonetic search key."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from insterm.domain.errors import TraitError
from insterm.domain.phonetic import phonetic_key
from insterm.domain.traits import normalise

SAME = [
    # required by the brief
    ("FAURE", "FAURRE"),
    ("FAURE", "PHAURE"),
    ("THOMAS", "TOMAS"),
    ("LEFEBVRE", "LEFEVRE"),
    ("GAUTHIER", "GAUTIER"),
    ("MARCHAND", "MARCHANT"),
    # our own
    ("DUPONT", "DUPOND"),
    ("PERRAULT", "PERROT"),
    ("ARNAUD", "ARNAULT"),
    ("MOREAU", "MORO"),
    ("ROUSSEAU", "ROUSSEAUX"),
    ("DEVAUX", "DEVAUD"),
    ("LEMAIRE", "LEMERRE"),
    ("MAYER", "MEYER"),
    ("CHRISTOPHE", "KRISTOF"),
    ("PHILIPPE", "FILIPE"),
    ("CATHERINE", "KATHERINE"),
    ("GEORGES", "GEORGE"),
    ("SERGE", "SERJ"),
    ("HENRI", "HENRY"),
    ("JACQUES", "JACK"),
    ("DANIEL", "DANIELLE"),
    ("MICHEL", "MICHELLE"),
    ("ALAIN", "ALLAIN"),
    ("VINCENT", "VINSANT"),
    ("RICHARD", "RICHART"),
    ("SCHMITT", "SCHMIDT"),
    ("SCHNEIDER", "SHNEIDER"),
    ("GUY", "GUI"),
    ("PRAGUE", "PRAG"),
    ("WAGNER", "VAGNER"),
    ("QUENTIN", "KENTIN"),
    ("GONZALEZ", "GONSALEZ"),  # Z and S sound alike; a final Z is heard, a final S is not
    ("ALEXANDRE", "ALEKSANDRE"),
    ("BERTIN", "BERTAIN"),
    ("LE ROY", "LEROY"),
    ("D'ARC", "DARC"),
    ("JEAN-PIERRE", "JEAN PIERRE"),
    ("Éloïse", "ELOISE"),
    ("lefèbvre", "LEFEBVRE"),
    ("CŒUR", "COEUR"),
]

DIFFERENT = [
    # required by the brief
    ("MARTIN", "MARTINEZ"),
    ("DUPONT", "DURAND"),
    ("BERNARD", "BERTRAND"),
    ("PETIT", "PETITJEAN"),
    ("LEROY", "LEROUX"),
    # our own: a final E after N or M is heard
    ("JEAN", "JEANNE"),
    ("SIMON", "SIMONE"),
    ("MARTIN", "MARTINE"),
    ("YVON", "YVONNE"),
    # endings that are heard
    ("DAVID", "DAVY"),
    ("FELIX", "FELI"),
    ("MOULIN", "MOULINET"),
    ("ROSE", "ROSETTE"),
    ("CLEMENT", "CLEMENCE"),
    # different names that simple algorithms merge
    ("LAURENT", "LORRAIN"),
    ("GUERIN", "GERIN"),
    ("BLANC", "BLANCHE"),
    ("GARNIER", "GRENIER"),
    ("DUBOIS", "DUBOST"),
    ("GIRARD", "GIRAUD"),
    ("MARTIN", "MARTEL"),
    ("ROBERT", "ROBIN"),
    ("LEGRAND", "LEGRAIN"),
    ("ETIENNE", "ANTOINE"),
    ("MEUNIER", "MUNIER"),
]


@pytest.mark.parametrize(("a", "b"), SAME)
def test_same_sound_same_key(a: str, b: str) -> None:
    assert phonetic_key(a) == phonetic_key(b)


@pytest.mark.parametrize(("a", "b"), DIFFERENT)
def test_different_sound_different_key(a: str, b: str) -> None:
    assert phonetic_key(a) != phonetic_key(b)


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("FAURE", "FOR"),
        ("THOMAS", "TOMA"),
        ("MARCHAND", "MARCAN"),  # C stands for the "ch" sound
        ("LEFEBVRE", "LEFEVR"),
        ("GEORGES", "JORJ"),
        ("LAURENT", "LORAN"),
        ("JEANNE", "JANE"),
        ("FELIX", "FELIKS"),
        ("ETIENNE", "ETIENE"),
        ("H", "H"),  # nothing left once H is dropped: the letters themselves
        ("E", "E"),
        ("S", "S"),
    ],
)
def test_documented_keys(name: str, key: str) -> None:
    assert phonetic_key(name) == key


@pytest.mark.parametrize("text", ["", "   ", "123", "-'", "!!", "\u0301"])
def test_no_letter_gives_an_empty_key(text: str) -> None:
    assert phonetic_key(text) == ""


def test_non_text_is_refused() -> None:
    with pytest.raises(TraitError):
        phonetic_key(None)  # type: ignore[arg-type]


any_text = st.text(max_size=200) | st.text(alphabet=st.characters(codec="utf-8"), max_size=2000)
upper_words = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=30)


@given(any_text)
def test_key_is_uppercase_ascii_and_never_raises(text: str) -> None:
    key = phonetic_key(text)
    assert re.fullmatch(r"[A-Z]*", key)
    letters = re.sub(r"[^A-Z]", "", normalise(text, "birth_name").value)
    assert (key != "") == (letters != "")
    assert len(key) <= 2 * len(letters)  # only X grows, into KS


@given(any_text)
def test_key_of_the_normalised_form_is_the_same(text: str) -> None:
    assert phonetic_key(normalise(text, "birth_name").value) == phonetic_key(text)
    assert phonetic_key(normalise(text, "first_names").value) == phonetic_key(text)


@given(upper_words)
def test_case_does_not_matter(word: str) -> None:
    assert phonetic_key(word.lower()) == phonetic_key(word) == phonetic_key(word.title())


@given(upper_words, st.data())
def test_doubling_a_letter_does_not_change_the_key(word: str, data: st.DataObject) -> None:
    index = data.draw(st.integers(min_value=0, max_value=len(word) - 1))
    doubled = word[: index + 1] + word[index] + word[index + 1 :]
    assert phonetic_key(doubled) == phonetic_key(word)


@given(upper_words, st.data())
def test_separators_do_not_change_the_key(word: str, data: st.DataObject) -> None:
    index = data.draw(st.integers(min_value=0, max_value=len(word)))
    separator = data.draw(st.sampled_from([" ", "-", "'", "--", " ’ ", "1"]))
    assert phonetic_key(word[:index] + separator + word[index:]) == phonetic_key(word)


@given(upper_words)
def test_accents_do_not_change_the_key(word: str) -> None:
    accented = word.replace("E", "É").replace("A", "À").replace("C", "Ç").replace("I", "Ï")
    assert phonetic_key(accented) == phonetic_key(word)


def test_very_long_input() -> None:
    assert phonetic_key("DUPONT-" * 20_000) == "DUPONT" * 19_999 + "DUPON"
