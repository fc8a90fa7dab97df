"""The information leaflet for patients: what the INS is, why the practice uses it, what the
patient can do and whom to ask, as a one-page A4 PDF with the practice's name.

The wording is the project's own, from public facts (the INS is the health identifier every
health professional must use since 2021; it is the patient's social-security number, or a
temporary number, with five identity traits; it is retrieved from the national teleservice
after an identity document has been checked; it cannot be refused). It names no article of law:
we could not check them here, and a wrong reference would be worse than none."""

from __future__ import annotations

import io

PARAGRAPHS: tuple[tuple[str, str], ...] = (
    ("Qu'est-ce que l'INS ?",
     "L'INS (identifiant national de santé) est l'identité sous laquelle vos données de santé "
     "sont enregistrées et échangées par tous les professionnels de santé. Il se compose de "
     "votre matricule (votre numéro de sécurité sociale, ou un numéro provisoire si vous n'en "
     "avez pas encore) et de cinq traits d'identité : nom de naissance, prénom(s) de "
     "naissance, date de naissance, sexe et lieu de naissance."),
    ("Pourquoi l'utilisons-nous ?",
     "Pour être sûrs que chaque document (ordonnance, compte rendu, résultat) est rangé dans "
     "votre dossier et pas dans celui d'une autre personne, et qu'il vous suit d'un "
     "professionnel à l'autre. Depuis 2021, tous les professionnels de santé doivent "
     "l'utiliser."),
    ("Comment est-il obtenu ?",
     "Nous vérifions votre identité sur une pièce d'identité (carte d'identité, passeport, "
     "titre de séjour...), puis nous obtenons votre INS auprès du téléservice national de "
     "l'Assurance Maladie. Seules vos données d'identité sont échangées, jamais vos données "
     "médicales."),
    ("Pouvez-vous vous y opposer ?",
     "Non : l'utilisation de l'INS est une obligation des professionnels de santé. Vous "
     "pouvez en revanche demander à consulter ou à faire corriger les informations "
     "d'identité qui vous concernent, et il est important de nous signaler toute erreur "
     "(nom mal orthographié, date ou lieu de naissance inexacts)."),
    ("Ce que nous vous demandons",
     "Présentez une pièce d'identité lors de votre venue, et signalez-nous tout changement "
     "d'identité. Une identité exacte protège votre santé."),
)


def leaflet_pdf(practice: str | None, contact: str | None = None) -> bytes:
    """One A4 page; `practice`: the practice's name (None: « votre cabinet »); `contact`: who
    to ask (None: the reception)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    styles = getSampleStyleSheet()
    heading = ParagraphStyle("heading", parent=styles["Heading2"], spaceBefore=8, spaceAfter=3,
                             textColor=colors.HexColor("#1f4e79"))
    body = ParagraphStyle("body", parent=styles["BodyText"], fontSize=11, leading=15)
    name = practice.strip() if practice and practice.strip() else "votre cabinet"
    story: list[object] = [
        Paragraph("Votre identité de santé : l'INS", styles["Title"]),
        Paragraph(_escape(f"Information des patients de {name}"), styles["Heading3"]),
        Spacer(1, 4 * mm),
    ]
    for title, text in PARAGRAPHS:
        story += [Paragraph(title, heading), Paragraph(text, body)]
    ask = contact.strip() if contact and contact.strip() else "l'accueil"
    story += [Paragraph("Une question ?", heading),
              Paragraph(_escape(f"Adressez-vous à {ask} de {name}."), body)]
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, title="Votre identité de santé : l'INS",
                      author=name, leftMargin=22 * mm, rightMargin=22 * mm, topMargin=20 * mm,
                      bottomMargin=20 * mm).build(story)
    return buffer.getvalue()


def _escape(text: str) -> str:
    """A text from the settings inside reportlab's paragraph markup."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
