"""Which PKCS#11 module speaks to the CPS on this machine.

The path set in the settings (`[cards] pkcs11_module`) wins; without one, the candidates are
tried in order: the ANS Cryptolib CPS module (`libcps3_pkcs11_lux.so`: "_lux", not "_lin", as
its RPM installs it), then OpenSC's `opensc-pkcs11.so` (which knows the CPS3 as "IAS/ECC CPx";
the CPS4 needs the Cryptolib). The first file that exists is used; loading it is left to the
caller (a module that exists but does not load is said then, with its path).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from insterm.domain.errors import InstermError, echoed

CANDIDATES: tuple[str, ...] = (
    "/opt/santesocial/CPS/lib/libcps3_pkcs11_lux.so",
    "/usr/lib64/libcps3_pkcs11_lux.so",
    "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so",
    "/usr/lib/x86_64-linux-gnu/pkcs11/opensc-pkcs11.so",
    "/usr/lib/opensc-pkcs11.so",
)


class CpsModuleError(InstermError):
    """No usable PKCS#11 module; the message is French and says what to install or set."""


@dataclass(frozen=True, slots=True)
class ModuleChoice:
    path: str
    configured: bool  # True: the settings' path; False: found among the candidates

    @property
    def label(self) -> str:
        """French, for the settings screen."""
        if "libcps3" in self.path:
            name = "Cryptolib CPS (ANS)"
        elif "opensc" in self.path:
            name = "OpenSC"
        elif "softhsm" in self.path:
            name = "SoftHSM2 (tests)"
        else:
            name = "module PKCS#11"
        return f"{name} : {self.path}" + (" (réglage du poste)" if self.configured else "")


def find_module(configured: str | None,
                candidates: Sequence[str] = CANDIDATES) -> ModuleChoice:
    """The module to load (see the module docstring); `CpsModuleError` when there is none."""
    if configured:
        path = Path(configured).expanduser()
        if not path.is_file():
            raise CpsModuleError(
                f"Le module PKCS#11 réglé pour ce poste ({echoed(str(path))}) est introuvable : "
                "corrigez le chemin dans les réglages (carte CPS) ou effacez-le pour utiliser "
                "la Cryptolib CPS ou OpenSC.")
        return ModuleChoice(str(path), True)
    for candidate in candidates:
        if Path(candidate).is_file():
            return ModuleChoice(candidate, False)
    raise CpsModuleError(
        "Aucun module PKCS#11 pour la carte CPS sur ce poste : installez la Cryptolib CPS de "
        "l'ANS (libcps3_pkcs11_lux.so) ou OpenSC (paquet opensc-pkcs11), ou indiquez le chemin "
        "du module dans les réglages.")
