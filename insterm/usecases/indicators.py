"""Use case: the identity-vigilance report the practice's referent reads and sends on.

For a period (local calendar days): the whole file and the patients seen in the period by
status and attribute, the qualified rates, undecided potential duplicates, qualified patients
not recorded as informed of the INS's use, INS received whose verification waits for INSi
(on the pending list: an INS received is never used before INSi confirms it), corrected birth
dates, INSi calls by outcome with the failure rate, document checks by type, the same per
operator, and the trend of the last 12 months (qualified identities at each month's end).
Read only: nothing is written, so no operator is needed (as for `insterm lookup`).

`rows(report)` flattens it into (section, indicator, value) lines, the one source of the text,
CSV and JSON forms, so that they can never disagree.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from insterm.domain.documents import CATALOGUE
from insterm.domain.period import Period, last_months
from insterm.domain.status import Attribute, Status
from insterm.store import indicators, information, pending
from insterm.store.indicators import IdentityCounts, MonthFigures, OperatorFigures, Window

INSI_LABELS = {"00": "00 : un INS trouvé", "01": "01 : aucune identité trouvée",
               "02": "02 : plusieurs identités", "fault": "erreur du service (fault)",
               "transport": "réseau (transport)", "not_sent": "refusés avant l'envoi"}


@dataclass(frozen=True, slots=True)
class Report:
    period: Period
    whole: IdentityCounts
    seen: IdentityCounts
    open_duplicates: int
    qualified_not_informed: int
    received_not_verified: int
    unnamed_to_complete: int
    duplicates_found: int
    insi: dict[str, int]
    documents: dict[tuple[str, str], int]
    operators: list[OperatorFigures]
    trend: list[MonthFigures]


def stored_time(day: date) -> str:
    """Local midnight of `day` as a stored timestamp (UTC ISO text)."""
    return datetime.combine(day, time()).astimezone(UTC).isoformat(timespec="microseconds")


def _window(period: Period) -> Window:
    return Window(stored_time(period.start), stored_time(period.end))


def report(conn: sqlite3.Connection, period: Period) -> Report:
    window = _window(period)
    trend_period = last_months(date.fromordinal(period.end.toordinal() - 1))
    months = []
    for first in trend_period.months():
        following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
        months.append((f"{first:%Y-%m}", _window(Period(first, following))))
    return Report(
        period=period,
        whole=indicators.identity_counts(conn),
        seen=indicators.identity_counts(conn, window),
        open_duplicates=indicators.open_duplicates(conn),
        qualified_not_informed=information.qualified_not_informed(conn),
        received_not_verified=pending.count_open(conn, "verify"),
        unnamed_to_complete=indicators.unnamed_to_complete(conn),
        duplicates_found=indicators.open_duplicates(conn, window),
        insi=indicators.insi_outcomes(conn, window),
        documents=indicators.document_checks(conn, window),
        operators=indicators.per_operator(conn, window),
        trend=indicators.monthly(conn, months),
    )


def rate(part: int, whole: int) -> float | None:
    """part / whole as a percentage rounded to 0.1, None when whole is 0."""
    return round(100 * part / whole, 1) if whole else None


def qualified_rates(counts: IdentityCounts) -> tuple[float | None, float | None]:
    """QUAL among the identities whose INS was retrieved (RECUP + QUAL), and among all."""
    qual = counts.by_status["QUAL"]
    return rate(qual, qual + counts.by_status["RECUP"]), rate(qual, counts.total)


def insi_failure_rate(insi: dict[str, int]) -> float | None:
    """Calls that failed (fault or network) among the calls sent."""
    sent = sum(insi.values()) - insi["not_sent"]
    return rate(insi["fault"] + insi["transport"], sent)


Value = int | float | None


def _counts_rows(section: str, counts: IdentityCounts) -> list[tuple[str, str, Value]]:
    rows: list[tuple[str, str, Value]] = [(section, "Identités", counts.total)]
    rows += [(section, f"{code} ({Status(code).label})", counts.by_status[code])
             for code in ("PROV", "RECUP", "VALI", "QUAL")]
    rows += [(section, f"{attribute.value} ({attribute.label})", value) for attribute, value in (
        (Attribute.DOUT, counts.dout), (Attribute.FICT, counts.fict),
        (Attribute.HOMA, counts.homa))]
    among_retrieved, among_all = qualified_rates(counts)
    rows += [(section, "Taux qualifié parmi les INS récupérés (%)", among_retrieved),
             (section, "Taux qualifié parmi toutes les identités (%)", among_all),
             (section, "Dates de naissance corrigées", counts.corrected_birth_date)]
    return rows


def _document_rows(section: str,
                   documents: dict[tuple[str, str], int]) -> list[tuple[str, str, Value]]:
    """Document checks by type and outcome: "Passeport (conforme)"."""
    lines: list[tuple[str, str, Value]] = []
    for (code, outcome), count in documents.items():
        entry = CATALOGUE.get(code)
        label = entry.label if entry is not None else code
        verdict = "conforme" if outcome == "ok" else "traits non conformes"
        lines.append((section, f"{label} ({verdict})", count))
    return lines


def rows(report: Report) -> list[tuple[str, str, Value]]:
    """Every figure as (section, indicator, value); a rate is None when its base is 0."""
    whole, seen = "Tout le fichier", "Patients vus sur la période"
    lines = _counts_rows(whole, report.whole)
    lines.append((whole, "Doublons potentiels non tranchés", report.open_duplicates))
    lines.append((whole, "Qualifiées sans information du patient enregistrée",
                  report.qualified_not_informed))
    lines.append((whole, "INS reçus en attente de vérification (INSi indisponible)",
                  report.received_not_verified))
    lines.append((whole, "Patients non identifiables à compléter (saisie rapide)",
                  report.unnamed_to_complete))
    lines += _counts_rows(seen, report.seen)
    lines.append((seen, "Doublons potentiels trouvés, non tranchés", report.duplicates_found))
    insi = "Appels INSi sur la période"
    lines.append((insi, "Appels", sum(report.insi.values())))
    lines += [(insi, INSI_LABELS[key], report.insi[key]) for key in INSI_LABELS]
    lines.append((insi, "Taux d'échec (fault ou réseau, parmi les envoyés) (%)",
                  insi_failure_rate(report.insi)))
    lines += _document_rows("Contrôles de pièce sur la période", report.documents)
    for figures in report.operators:
        section = f"Opérateur {figures.display_name} ({figures.login})"
        lines += [(section, "Identités créées", figures.created),
                  (section, "Contrôles de pièce", figures.document_checks),
                  (section, "Identités qualifiées", figures.qualified)]
        now = figures.created_now  # of the identities they created, still active: state now
        if now is not None:
            lines += [(section, f"Créées, aujourd'hui {code} ({Status(code).label})",
                       now.by_status[code]) for code in ("PROV", "RECUP", "VALI", "QUAL")]
            lines += [(section, f"Créées, aujourd'hui {attribute.value} ({attribute.label})",
                       value) for attribute, value in ((Attribute.DOUT, now.dout),
                                                       (Attribute.FICT, now.fict),
                                                       (Attribute.HOMA, now.homa))]
        lines += [(section, f"INSi {INSI_LABELS[key]}", figures.insi[key]) for key in INSI_LABELS]
        lines.append((section, "INSi taux d'échec (%)", insi_failure_rate(figures.insi)))
        lines += [(section, f"Pièce {label}", count)
                  for _, label, count in _document_rows(section, figures.documents)]
    trend = "Tendance (fin de mois)"
    for month in report.trend:
        lines.append((trend, f"{month.month} identités qualifiées", month.qualified))
        lines.append((trend, f"{month.month} taux qualifié (%)",
                      rate(month.qualified, month.identities)))
    return lines
