"""Textual's own key descriptions in French, for F1 (the help lists every active key, those of
the focused widget included: ctrl+u in a field, the arrows of a list...). A description of a
Textual widget missing here is left out of the help rather than shown in English."""

from __future__ import annotations

FRENCH: dict[str, str] = {
    "Bottom": "Aller à la fin", "Top": "Aller au début", "Home": "Début", "End": "Fin",
    "First": "Premier", "Last": "Dernier", "Up": "Monter", "Down": "Descendre",
    "Copy": "Copier", "Copy selected text": "Copier la sélection",
    "Cut": "Couper", "Cut selected text": "Couper la sélection",
    "Paste": "Coller", "Paste text from the clipboard": "Coller",
    "Cursor down": "Ligne suivante", "Cursor up": "Ligne précédente",
    "Cursor left": "Colonne précédente", "Cursor right": "Colonne suivante",
    "Delete all to the left": "Effacer jusqu'au début",
    "Delete all to the right": "Effacer jusqu'à la fin",
    "Delete character left": "Effacer le caractère à gauche",
    "Delete character right": "Effacer le caractère à droite",
    "Delete left to start of word": "Effacer le mot à gauche",
    "Delete right to start of word": "Effacer le mot à droite",
    "Delete line": "Effacer la ligne", "Delete to line end": "Effacer jusqu'à la fin",
    "Delete to line start": "Effacer jusqu'au début",
    "Dismiss menu": "Fermer la liste", "Show menu": "Ouvrir la liste",
    "Exit the command palette": "Fermer la palette",
    "Focus Next": "Zone suivante", "Focus Previous": "Zone précédente",
    "Go to end": "Aller à la fin", "Go to start": "Aller au début",
    "Go to bottom": "Dernière commande", "Go to top": "Première commande",
    "Move cursor left": "Caractère précédent", "Move cursor right": "Caractère suivant",
    "Move cursor left a word": "Mot précédent", "Move cursor right a word": "Mot suivant",
    "Move cursor left and select": "Sélectionner vers la gauche",
    "Move cursor right and select": "Sélectionner vers la droite",
    "Move cursor left a word and select": "Sélectionner le mot précédent",
    "Move cursor right a word and select": "Sélectionner le mot suivant",
    "Move cursor right or accept the completion suggestion":
        "Caractère suivant ou accepter la suggestion",
    "Next command": "Commande suivante", "Previous command": "Commande précédente",
    "Next page": "Page suivante", "Previous page": "Page précédente",
    "Next tab": "Onglet suivant", "Previous tab": "Onglet précédent",
    "Page Down": "Page suivante", "Page Up": "Page précédente",
    "Page down": "Page suivante", "Page up": "Page précédente",
    "Page Left": "Page à gauche", "Page Right": "Page à droite",
    "Scroll Down": "Défiler vers le bas", "Scroll Up": "Défiler vers le haut",
    "Scroll Left": "Défiler à gauche", "Scroll Right": "Défiler à droite",
    "Scroll End": "Défiler jusqu'à la fin", "Scroll Home": "Défiler jusqu'au début",
    "Select": "Choisir", "Select all": "Tout sélectionner",
    "Select line": "Sélectionner la ligne", "Select line end": "Sélectionner jusqu'à la fin",
    "Select line start": "Sélectionner jusqu'au début", "Submit": "Valider",
    "Undo": "Annuler la frappe", "Redo": "Rétablir la frappe", "Quit": "Quitter",
}


def french_description(description: str, *, from_textual: bool) -> str | None:
    """The French text of a key's description: insterm's own are French already; Textual's
    are translated, or None (left out) when this table does not know them."""
    if not from_textual:
        return description
    return FRENCH.get(description)
