"""HL7 v2.5 messages of IHE PAM France 2.11 for one identity (ins-rules 6.2).

Events: A28 (create), A31 (update), A40 (merge: MRG-1 names the absorbed IPP), A47 (INS
change: new INS in PID-3, the old one in MRG-1; an INS removed is `""` with its OID in PID-3).

- PID-3: the IPP (`IPP^^^AUTHORITY&FINESS&M^PI`) and, only for a QUAL identity, the INS
  `MATRICULE^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.8&ISO^INS` (NIA: ASIP-SANTE-INS-NIA).
- PID-5: the birth name (type L: name, first birth first name, every birth first name) and the
  used name (type D) when there is one.
- PID-7 birth date, PID-8 sex (M, F, U), PID-11 birth place (`^^^^^FRA^BDL^^COG`).
- PID-32: PROV or VALI only (a QUAL identity is VALI with its INS in PID-3; RECUP is PROV),
  then the attributes HOMA, FICT, DOUT.
- ZFD (A28, A31): ZFD-4 birth date corrected, ZFD-5 collection channel, ZFD-6 INSi call date,
  ZFD-7 document type, ZFD-8 document end of validity.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from insterm.exchange import er7
from insterm.exchange.er7 import NULL, Comp, Rep, Sub
from insterm.exchange.identity import ExchangeIdentity, ExportRefused, Ins

__all__ = ["EVENTS", "Envelope", "build"]

# event -> (message structure, French label)
EVENTS = {
    "A28": ("ADT_A05", "création d'identité"),
    "A31": ("ADT_A05", "mise à jour d'identité"),
    "A40": ("ADT_A39", "fusion d'identités"),
    "A47": ("ADT_A30", "changement d'identifiant (INS)"),
}
INS_AUTHORITIES = {
    "1.2.250.1.213.1.4.8": "ASIP-SANTE-INS-NIR",
    "1.2.250.1.213.1.4.9": "ASIP-SANTE-INS-NIA",
    "1.2.250.1.213.1.4.10": "ASIP-SANTE-INS-NIR",
    "1.2.250.1.213.1.4.11": "ASIP-SANTE-INS-NIR",
}
SEXES = {"M": "M", "F": "F", "I": "U"}
PID32_STATUS = {"PROV": "PROV", "RECUP": "PROV", "VALI": "VALI", "QUAL": "VALI"}


@dataclass(frozen=True, slots=True)
class Envelope:
    """Who sends to whom, and the message's identity (MSH)."""

    control_id: str
    at: datetime
    sending_application: str = "INSTERM"
    sending_facility: str = ""
    receiving_application: str = ""
    receiving_facility: str = ""
    ipp_authority: str = "INSTERM"
    finess: str = ""  # FINESS of the practice, for the IPP's assigning authority
    processing_id: str = "P"  # P production, T training/test


def _ts(moment: datetime) -> str:
    return moment.strftime("%Y%m%d%H%M%S")


def _day(day: date | None) -> str | None:
    return day.strftime("%Y%m%d") if day is not None else None


def _ipp(ipp: str, envelope: Envelope) -> Comp:
    authority = Sub(envelope.ipp_authority, envelope.finess, "M") if envelope.finess \
        else envelope.ipp_authority
    return Comp(ipp, None, None, authority, "PI")


def _ins(ins: Ins) -> Comp:
    return Comp(ins.matricule, None, None,
                Sub(INS_AUTHORITIES[ins.oid], ins.oid, "ISO"), "INS")


def _removed_ins(oid: str) -> Comp:
    return Comp(NULL, None, None, Sub(INS_AUTHORITIES[oid], oid, "ISO"), "INS")


def _pid(identity: ExchangeIdentity, envelope: Envelope, removed_ins_oid: str | None) -> str:
    ids: list[Comp] = [_ipp(identity.ipp, envelope)]
    if identity.qualified and identity.ins is not None:
        ids.append(_ins(identity.ins))
    elif removed_ins_oid is not None:
        ids.append(_removed_ins(removed_ins_oid))
    names: list[Comp] = [Comp(identity.birth_name, identity.first_name, identity.first_names,
                              None, None, None, "L")]
    if identity.used_name or identity.used_first_name:
        names.append(Comp(identity.used_name, identity.used_first_name,
                          None, None, None, None, "D"))
    place = None
    if identity.birth_place:
        country = None if identity.birth_place.startswith("99") else "FRA"
        place = Comp(None, None, None, None, None, country, "BDL", None, identity.birth_place)
    statuses = [PID32_STATUS[identity.status], *sorted(identity.attributes,
                                                       key=("HOMA", "FICT", "DOUT").index)]
    fields: list[er7.Value] = [None] * 32
    fields[0] = "1"
    fields[2] = Rep(*ids)
    fields[4] = Rep(*names)
    fields[6] = _day(identity.birth_date)
    fields[7] = SEXES[identity.sex]
    fields[10] = place
    fields[31] = Rep(*statuses)
    return er7.segment("PID", *fields)


def _zfd(identity: ExchangeIdentity) -> str:
    return er7.segment(
        "ZFD", None, None, None, "Y" if identity.birth_date_corrected else "N",
        identity.channel, _day(identity.insi_date), identity.document_type,
        _day(identity.document_expiry))


def build(event: str, identity: ExchangeIdentity, envelope: Envelope, *,
          merged_ipp: str | None = None, old_ins: Ins | None = None,
          removed_ins_oid: str | None = None) -> str:
    """The ER7 message of `event` for `identity` (CR after each segment).

    A40 needs `merged_ipp` (the absorbed record); A47 needs `old_ins` (MRG-1), and with a
    non-QUAL identity `removed_ins_oid` says that the INS was removed (PID-3 `""` + OID).
    """
    if event not in EVENTS:
        raise ExportRefused(f"Événement HL7 inconnu « {event} » : A28, A31, A40 ou A47.")
    structure = EVENTS[event][0]
    segments = [
        er7.msh(envelope.sending_application, envelope.sending_facility,
                envelope.receiving_application, envelope.receiving_facility, _ts(envelope.at),
                None, Comp("ADT", event, structure), envelope.control_id,
                envelope.processing_id, Comp("2.5", "FRA", "2.11"), None, None, "AL", "NE",
                "FRA", "UNICODE UTF-8", None, None, Comp("2.11", "IHE_FRANCE-2.11-PAM")),
        er7.segment("EVN", None, _ts(envelope.at)),
    ]
    if event == "A47":
        if old_ins is None:
            raise ExportRefused("Un message A47 demande l'ancien INS (MRG-1).")
        segments.append(_pid(identity, envelope, removed_ins_oid))
        segments.append(er7.segment("MRG", Rep(_ins(old_ins))))
    elif event == "A40":
        if not merged_ipp:
            raise ExportRefused("Un message A40 demande l'IPP du dossier absorbé (MRG-1).")
        segments.append(_pid(identity, envelope, None))
        segments.append(er7.segment("MRG", Rep(_ipp(merged_ipp, envelope))))
    else:
        segments.append(_pid(identity, envelope, None))
        segments.append(er7.segment("PV1", None, "N"))
        segments.append(_zfd(identity))
    return er7.message(segments)
