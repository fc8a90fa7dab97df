"""The INSi simulator: a real HTTPS SOAP 1.2 server on 127.0.0.1, part of the product (demo,
training, tests). See docs/insi-api.md for the contract with the client.

    authority = TestAuthority(state_dir)
    passphrase = authority.ensure()      # new demo PKCS#12 passphrase, or None if it existed
    with Simulator(authority) as sim:    # sim.url, sim.switches, sim.handled
        ...

Importing this package loads lxml and cryptography, never zeep nor textual.
"""

from __future__ import annotations

from .authority import DEMO_EMETTEUR, DEMO_ORGANISATION, ClientCertificate, TestAuthority
from .identities import load_test_identities
from .people import Directory, FixedCase, Query, SimPerson
from .server import DEMO_IDAM, PATH, Handled, Simulator, Switches
from .service import ACCEPTED_CNS, InsiService

__all__ = [
    "ACCEPTED_CNS",
    "DEMO_EMETTEUR",
    "DEMO_IDAM",
    "DEMO_ORGANISATION",
    "PATH",
    "ClientCertificate",
    "Directory",
    "FixedCase",
    "Handled",
    "InsiService",
    "Query",
    "SimPerson",
    "Simulator",
    "Switches",
    "TestAuthority",
    "load_test_identities",
]
