"""MLLP (HL7 v2 over TCP): send one framed message, read its acknowledgement.

A frame is VT (0x0B) + message + FS (0x1C) + CR (0x0D). `send` opens a connection, writes the
frame, reads the answering frame (within `timeout` seconds in all) and reads its MSA segment:
`Ack.code` AA/CA (accepted), AE/CE (application error), AR/CR (rejected). The answer must
acknowledge the message sent (MSA-2 = its MSH-10). Any network failure, a timeout, a closed
connection or an answer that is not an ACK of this message raises `MllpError` (French): the
message is then still to be sent.
"""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass

from insterm.domain.errors import InstermError, echoed
from insterm.exchange.er7 import unescape

__all__ = ["Ack", "MllpError", "frame", "read_ack", "send"]

START, END = b"\x0b", b"\x1c\x0d"
MAX_ANSWER = 1 << 20
ACCEPTED = ("AA", "CA")


class MllpError(InstermError):
    """The message could not be delivered (it stays to be sent)."""


@dataclass(frozen=True, slots=True)
class Ack:
    code: str  # MSA-1
    control_id: str  # MSA-2
    text: str  # MSA-3 or ERR, as sent by the receiver

    @property
    def accepted(self) -> bool:
        return self.code in ACCEPTED


def frame(message: bytes) -> bytes:
    if START in message or b"\x1c" in message:
        raise MllpError("Le message contient un caractère de trame MLLP : il ne peut pas être "
                        "envoyé.")
    return START + message + END


def _field(segment: str, index: int) -> str:
    fields = segment.split("|")
    return fields[index] if index < len(fields) else ""


def read_ack(payload: bytes, control_id: str) -> Ack:
    """The acknowledgement of message `control_id` in an answer (without its framing)."""
    text = payload.decode("utf-8", errors="replace")
    segments = [s for s in text.replace("\n", "\r").split("\r") if s]
    msa = next((s for s in segments if s.startswith("MSA|")), None)
    if not segments or not segments[0].startswith("MSH|") or msa is None:
        raise MllpError("Le destinataire a répondu autre chose qu'un accusé de réception HL7 "
                        f"(début : « {echoed(text[:40])} »).")
    code, acked = _field(msa, 1), _field(msa, 2)
    if code not in ("AA", "AE", "AR", "CA", "CE", "CR"):
        raise MllpError(f"Accusé de réception illisible (MSA-1 « {echoed(code)} »).")
    if acked != control_id:
        raise MllpError(f"L'accusé de réception concerne un autre message (« {echoed(acked)} » "
                        f"au lieu de « {control_id} »).")
    err = next((s for s in segments if s.startswith("ERR|")), "")
    said = unescape(_field(msa, 3) or err[4:])
    return Ack(code, acked, echoed(said, 200))


def send(host: str, port: int, message: bytes, control_id: str, *,
         timeout: float = 10.0) -> Ack:
    """Deliver `message` and return the receiver's acknowledgement (see the module)."""
    deadline = time.monotonic() + timeout
    where = f"{host}:{port}"
    try:
        with socket.create_connection((host, port), timeout=timeout) as conn:
            conn.sendall(frame(message))
            answer = bytearray()
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError
                conn.settimeout(left)
                chunk = conn.recv(65536)
                if not chunk:
                    raise MllpError(f"{where} a fermé la connexion sans accusé de réception.")
                answer += chunk
                end = answer.find(END)
                if end >= 0:
                    break
                if len(answer) > MAX_ANSWER:
                    raise MllpError(f"{where} a répondu trop longuement, sans fin de trame.")
    except TimeoutError:
        raise MllpError(f"{where} n'a pas accusé réception dans les {timeout:g} s.") from None
    except OSError as error:
        raise MllpError(f"{where} injoignable : {error.strerror or error}.") from None
    start = answer.find(START)
    if start < 0 or start > end:
        raise MllpError(f"{where} a répondu sans trame MLLP.")
    return read_ack(bytes(answer[start + 1:end]), control_id)
