"""A French phonetic key for family names and first names, used as a search index column.

Two spellings that a French speaker pronounces alike should get the same key, so that a search
for FAURE also finds FAURRE and PHAURE; names that sound different should not. The key only
helps to FIND candidates: it never decides that two identities are the same person (ins-rules.md
2.3, "do not fuzzy-match strict traits"; the operator compares the traits).

The rule set is our own, in the family of the French "phonétique" / Soundex-FR algorithms, but
keeping the vowels (unlike Soundex) so that keys stay selective. Step by step:

1. Letters only. The name is folded like `traits.normalise` (uppercase, accents stripped,
   Œ -> OE, Æ -> AE, ß -> SS), then everything that is not A-Z is dropped, so that "LE ROY",
   "LEROY" and "Le Roy" are one key and so is "D'ARC" / "DARC". No letter: the key is "".
   Doubled letters are collapsed: FAURRE -> FAURE, LEMERRE -> LEMERE.
2. Consonant spellings folded, in this order (before the endings, so that a final E still
   softens C and G: CLEMENCE -> ...S, GEORGES -> ...J):
   PH -> F; TH -> T; DT -> T (SCHMIDT/SCHMITT); BV -> V (LEFEBVRE/LEFEVRE); W -> V; Y -> I;
   SCH, SH -> the "ch" sound; CH before R or L -> K (CHRISTOPHE); other CH -> the "ch" sound;
   QU, Q -> K; C before E or I -> S; other C -> K (so CK and CQ end as K);
   GE before A, O, U -> J (GEORGES); G before E or I -> J; GU before E or I -> G (GUY, GUERIN).
   (A hard G stays G rather than K: merging G and K would put GROS with CROS, GALLON with
   CALLON; only the silent U of GUE/GUI is dropped.)
3. Silent endings, each applied once and in this order (a key of one letter is left alone):
   a. -AULT / -AULD -> O (PERRAULT, ARNAULD sound "o");
   b. a final S is dropped (THOMAS -> THOMA), and a final X after U (LEROUX, DEVAUX); another
      final X is heard (FELIX, MAX) and becomes KS in step 4;
   c. a final E is dropped (FAURE -> FAUR, LEFEBVRE -> LEFEVR), except after N or M, where it
      makes the consonant heard: JEAN/JEANNE, SIMON/SIMONE, MARTIN/MARTINE keep distinct keys;
   d. a final T is dropped, and a final D after N, R or U (MARCHAND and MARCHANT end alike,
      BERNARD -> BERNAR, ARNAUD -> ARNAU); a final D after a vowel is heard (DAVID, ALFRED).
   A final Z is heard (MARTINEZ stays distinct from MARTIN).
4. Remaining sounds folded, in this order: X -> KS; Z -> S; H (now always mute) dropped;
   EAU, AU -> O; OEU -> EU; EAN -> AN (JEAN); AIN, EIN before a consonant or at the end -> IN
   (ALAIN); EN before a consonant or at the end, not after I -> AN (LAURENT, VINCENT; ETIENNE
   keeps its "IEN"); AI, EI -> E (LEMAIRE/LEMERRE, MAYER/MEYER).
5. Doubled letters collapsed again, and the "ch" sound written C (no other C is left by then).
   If nothing is left (a name made of H only), the key is the letters of step 1.

The key is deterministic, made of A-Z only, and non-empty whenever the name has a letter. It is
built with str.replace and precompiled regular expressions only, to index a million identities.
"""

from __future__ import annotations

import re
import unicodedata

from insterm.domain.errors import TraitError
from insterm.domain.traits import TRANSLITERATION

_NOT_LETTER = re.compile(r"[^A-Z]+")
_DOUBLE = re.compile(r"(.)\1+")

_CH_SOUND = "#"  # placeholder during folding, written C at the end

# (trigger, pattern, replacement): a regular expression runs only when its trigger is present,
# a plain string pattern goes through str.replace (cheap when absent).
Fold = tuple[str, "str | re.Pattern[str]", str]

# Step 2: consonant spellings, before the endings so that a final E still softens C and G.
_CONSONANT_FOLDS: tuple[Fold, ...] = (
    ("", "PH", "F"),
    ("", "TH", "T"),
    ("", "DT", "T"),
    ("", "BV", "V"),
    ("", "W", "V"),
    ("", "Y", "I"),
    ("", "SCH", _CH_SOUND),
    ("", "SH", _CH_SOUND),
    ("CH", re.compile(r"CH(?=[RL])"), "K"),
    ("", "CH", _CH_SOUND),
    ("", "QU", "K"),
    ("", "Q", "K"),
    ("C", re.compile(r"C(?=[EI])"), "S"),
    ("", "C", "K"),
    ("G", re.compile(r"GE(?=[AOU])"), "J"),
    ("G", re.compile(r"G(?=[EI])"), "J"),
    ("GU", re.compile(r"GU(?=[EI])"), "G"),
)

# Step 4: what is left once the silent endings are gone.
_SOUND_FOLDS: tuple[Fold, ...] = (
    ("", "X", "KS"),
    ("", "Z", "S"),
    ("", "H", ""),
    ("", "EAU", "O"),
    ("", "AU", "O"),
    ("", "OEU", "EU"),
    ("", "EAN", "AN"),
    ("IN", re.compile(r"[AE]IN(?=[^AEIOU]|$)"), "IN"),
    ("EN", re.compile(r"(?<!I)EN(?=[^AEIOU]|$)"), "AN"),
    ("", "AI", "E"),
    ("", "EI", "E"),
)


def _apply(folds: tuple[Fold, ...], key: str) -> str:
    for trigger, pattern, replacement in folds:
        if isinstance(pattern, str):
            key = key.replace(pattern, replacement)
        elif trigger in key:
            key = pattern.sub(replacement, key)
    return key


def _letters(name: str) -> str:
    """Step 1: A-Z only, folded like traits.normalise, doubled letters collapsed."""
    if not name.isascii():
        # Compatibility decomposition puts accents apart as combining marks, dropped with every
        # other non A-Z character below; this gives the letters traits.normalise would keep.
        name = unicodedata.normalize("NFKD", name).upper().translate(TRANSLITERATION)
    return _DOUBLE.sub(r"\1", _NOT_LETTER.sub("", name.upper()))


def _drop_silent_ending(key: str) -> str:
    """Step 3 (see the module docstring); a key of one letter is left alone."""
    if key.endswith(("AULT", "AULD")):
        key = key[:-4] + "O"
    if len(key) > 1 and (key[-1] == "S" or key.endswith("UX")):
        key = key[:-1]
    if len(key) > 1 and key[-1] == "E" and key[-2] not in "NM":
        key = key[:-1]
    if len(key) > 1 and (key[-1] == "T" or (key[-1] == "D" and key[-2] in "NRU")):
        key = key[:-1]
    return key


def phonetic_key(name: str) -> str:
    """The phonetic key of a family name or first name(s); "" when it has no letter.

    See the module docstring for the rules. Never raises for a text.
    """
    if not isinstance(name, str):
        raise TraitError("Un texte est attendu pour calculer la clé phonétique.")
    letters = _letters(name)
    if not letters:
        return ""
    key = _drop_silent_ending(_apply(_CONSONANT_FOLDS, letters))
    key = _DOUBLE.sub(r"\1", _apply(_SOUND_FOLDS, key)).replace(_CH_SOUND, "C")
    return key or letters
