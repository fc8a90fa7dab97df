"""The simulator over real mutual TLS on 127.0.0.1, with a plain HTTPS client (requests and the
client certificate as PEM files): TLS refusals, each fault, each switch, the request log.

`verify=` is passed on every request: requests lets REQUESTS_CA_BUNDLE override a session's
`verify`, and CI machines set that variable.
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest
import requests
from lxml import etree

from insterm.insi.schemas import response_schema
from insterm.insi.simulator import Directory, FixedCase, Simulator, TestAuthority, faults
from insterm.insi.simulator.authority import p12_to_pem_files
from insterm.insi.simulator.people import person_from_mapping

from .test_simulator_support import CAPTURED_PEOPLE, PADOA, traits_request

pytestmark = pytest.mark.slow

DOMINIQUE = traits_request("ADRTROIS", "DOMINIQUE", "F", "1997-02-26")
CT = {"Content-Type": "application/soap+xml; charset=utf-8"}


class Client:
    """A plain HTTPS client with one client certificate (or none)."""

    def __init__(self, authority: TestAuthority, cert: tuple[Path, Path] | None) -> None:
        self.ca = str(authority.ca_cert)
        self.cert = None if cert is None else (str(cert[0]), str(cert[1]))
        self.session = requests.Session()

    def post(self, url: str, body: bytes, **kwargs) -> requests.Response:
        kwargs.setdefault("timeout", 15)
        return self.session.post(url, data=body, headers=CT, verify=self.ca, cert=self.cert,
                                 **kwargs)


@pytest.fixture(scope="module")
def authority(tmp_path_factory: pytest.TempPathFactory) -> TestAuthority:
    return TestAuthority(tmp_path_factory.mktemp("insi-sim"))


@pytest.fixture(scope="module")
def clients(authority: TestAuthority, tmp_path_factory: pytest.TempPathFactory):
    passphrase = authority.ensure()
    assert passphrase is not None
    pem = tmp_path_factory.mktemp("pem")

    def issued(name: str, **kwargs) -> tuple[Path, Path]:
        made = authority.make_client_p12(**kwargs)
        return p12_to_pem_files(made.p12_path, made.passphrase, pem / name)

    foreign = TestAuthority(tmp_path_factory.mktemp("foreign-ca"))
    foreign_pass = foreign.ensure()
    return {
        "manu": Client(authority, p12_to_pem_files(authority.client_p12, passphrase, pem / "manu")),
        "auto": Client(authority, issued("auto", cn="INSI-AUTO")),
        "wrong_cn": Client(authority, issued("wrong", cn="INSI-TEST")),
        "expired": Client(authority, issued("expired", expired=True)),
        "foreign": Client(authority, p12_to_pem_files(foreign.client_p12, foreign_pass,
                                                      pem / "foreign")),
        "none": Client(authority, None),
    }


@pytest.fixture(scope="module")
def simulator(authority: TestAuthority, clients):
    directory = Directory(
        [person_from_mapping(p) for p in CAPTURED_PEOPLE],
        [FixedCase("D'AEION", ("COEUR",), "M", "1987-01-25", faults.TECHNICAL)],
    )
    with Simulator(authority, identities=directory) as sim:
        yield sim


@pytest.fixture(autouse=True)
def fresh(request: pytest.FixtureRequest):
    if "simulator" in request.fixturenames:
        sim = request.getfixturevalue("simulator")
        sim.switches.reset()
        sim.handled.clear()
        sim.tls_failures.clear()
    yield


def tls_failures(simulator: Simulator) -> list[str]:
    """The server records a refused handshake in its own thread, possibly just after the client
    saw the connection end: wait for it (bounded)."""
    deadline = time.monotonic() + 10
    while not simulator.tls_failures and time.monotonic() < deadline:
        time.sleep(0.02)
    return list(simulator.tls_failures)


def erreur_code(body: bytes) -> str:
    return etree.fromstring(body).find(".//{urn:siram}Erreur").get("code")


# ------------------------------------------------------------------------------------------
# Mutual TLS


def test_a_search_over_mutual_tls_gets_the_captured_reply(simulator, clients) -> None:
    reply = clients["manu"].post(simulator.url, DOMINIQUE)
    assert reply.status_code == 200
    assert reply.headers["Content-Type"].startswith("application/soap+xml")
    assert reply.content == (PADOA / "RESP_CR00_ADRTROIS_DOMINIQUE.xml").read_bytes()
    assert response_schema().validate(etree.fromstring(reply.content))
    [handled] = simulator.handled
    assert handled.request_xml == DOMINIQUE
    assert handled.response_xml == reply.content
    assert handled.handling_seconds >= 0 and (handled.status, handled.outcome) == (200, "00")
    assert simulator.url.startswith("https://127.0.0.1:") and simulator.url.endswith("/lps")


def test_no_client_certificate_without_a_card_assertion_is_refused(simulator, clients) -> None:
    """Without a client certificate the request is in CPS card mode: TLS lets it through, and
    the service refuses it for want of an assertion PS (tests/insi/test_cps_mode.py has the
    signed ones)."""
    reply = clients["none"].post(simulator.url, DOMINIQUE)
    assert reply.status_code == 500
    assert erreur_code(reply.content) == "sim_assertion_absente"
    assert [h.outcome for h in simulator.handled] == ["sim_assertion_absente"]
    # served, so its handshake had succeeded: nothing to wait for (tls_failures() waits 10 s
    # for a failure to appear)
    assert simulator.tls_failures == []


def test_a_certificate_from_another_authority_is_refused(simulator, clients) -> None:
    with pytest.raises(requests.exceptions.RequestException):
        clients["foreign"].post(simulator.url, DOMINIQUE)
    assert simulator.handled == []
    assert tls_failures(simulator)


def test_an_expired_certificate_is_refused_at_the_tls_layer(simulator, clients) -> None:
    """Decision: expiry is checked by TLS (a presented certificate is verified against the test CA), as a TLS
    terminator in front of the real service would; no SOAP fault is sent."""
    with pytest.raises(requests.exceptions.RequestException):
        clients["expired"].post(simulator.url, DOMINIQUE)
    assert simulator.handled == []
    failures = tls_failures(simulator)
    assert any("expired" in reason for reason in failures), failures


def test_a_wrong_cn_gets_desir_560(simulator, clients) -> None:
    reply = clients["wrong_cn"].post(simulator.url, DOMINIQUE)
    assert reply.status_code == 500
    assert erreur_code(reply.content) == "DESIR_560"
    assert response_schema().validate(etree.fromstring(reply.content))


def test_insi_auto_is_served(simulator, clients) -> None:
    reply = clients["auto"].post(simulator.url, DOMINIQUE)
    assert (reply.status_code, reply.content) == (
        200, (PADOA / "RESP_CR00_ADRTROIS_DOMINIQUE.xml").read_bytes())


# ------------------------------------------------------------------------------------------
# Faults over HTTP


def test_unknown_idam_fault_over_http(simulator, clients) -> None:
    message_id = "uuid:b3549edd-4ae9-472a-b26f-fd2fb4ef397f"
    body = traits_request("ADRTROIS", "DOMINIQUE", "F", "1997-02-26", idam="PDP17NF21DD0",
                          message_id=message_id)
    reply = clients["manu"].post(simulator.url, body)
    assert reply.status_code == 500
    assert reply.content == (PADOA / "FAULT_siram_100_desir_550_unknown_IDAM.xml").read_bytes()


def test_technical_fault_over_http(simulator, clients) -> None:
    reply = clients["manu"].post(simulator.url,
                                 traits_request("D'AEION", "COEUR", "M", "1987-01-25"))
    assert reply.status_code == 500
    assert reply.content == (PADOA / "FAULT_siram_40_insi_102_technical_error.xml").read_bytes()


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (traits_request(None, "DOMINIQUE", "F", "1997-02-26"), "insi_19"),
        (traits_request("ADRTROIS", "DOMINIQUE", "X", "1997-02-26"), "sim_sexe"),
        (DOMINIQUE.replace(b"<ins:Sexe>", b"<ins:Sex>").replace(b"</ins:Sexe>", b"</ins:Sex>"),
         "sim_xsd"),
        (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
         "sim_xml"),
    ],
    ids=["birth-name", "sex", "xsd", "xxe"],
)
def test_request_faults_over_http(simulator, clients, body, code) -> None:
    reply = clients["manu"].post(simulator.url, body)
    assert reply.status_code == 500
    assert erreur_code(reply.content) == code
    assert b"root:" not in reply.content


def test_oversized_requests_wrong_paths_and_methods(simulator, clients) -> None:
    client = clients["manu"]
    reply = client.post(simulator.url, b"<a>" + b" " * (300 * 1024) + b"</a>")
    assert reply.status_code == 413
    assert client.post(simulator.url.replace("/lps", "/other"), DOMINIQUE).status_code == 404
    got = client.session.get(simulator.url, verify=client.ca, cert=client.cert, timeout=15)
    assert got.status_code == 405


# ------------------------------------------------------------------------------------------
# Switches


def test_latency_switch_delays_the_reply(simulator, clients) -> None:
    simulator.switches.latency = 1.5
    with pytest.raises(requests.exceptions.ReadTimeout):
        clients["manu"].post(simulator.url, DOMINIQUE, timeout=(5, 0.3))
    simulator.switches.reset()
    assert clients["manu"].post(simulator.url, DOMINIQUE).status_code == 200


def test_hold_switch_answers_when_released(simulator, clients) -> None:
    held = simulator.switches.hold = threading.Event()
    with pytest.raises(requests.exceptions.ReadTimeout):
        clients["manu"].post(simulator.url, DOMINIQUE, timeout=(5, 0.3))
    done: list[int] = []
    waiting = threading.Thread(target=lambda: done.append(
        clients["manu"].post(simulator.url, DOMINIQUE, timeout=(5, 30)).status_code))
    waiting.start()
    held.set()
    waiting.join(30)
    assert done == [200]


def test_http_503_switch(simulator, clients) -> None:
    simulator.switches.http_503 = True
    reply = clients["manu"].post(simulator.url, DOMINIQUE)
    assert reply.status_code == 503
    assert reply.headers["Content-Type"] == "text/html"
    assert simulator.handled[-1].outcome == "http_503"


def test_connection_reset_switch(simulator, clients) -> None:
    simulator.switches.reset_connection = True
    with pytest.raises(requests.exceptions.ConnectionError):
        clients["manu"].post(simulator.url, DOMINIQUE)
    assert simulator.handled[-1].response_xml is None
    assert simulator.handled[-1].outcome == "reset"


def test_malformed_xml_switch(simulator, clients) -> None:
    simulator.switches.malformed_xml = True
    reply = clients["manu"].post(simulator.url, DOMINIQUE)
    assert reply.status_code == 200
    with pytest.raises(etree.XMLSyntaxError):
        etree.fromstring(reply.content)
    assert (PADOA / "RESP_CR00_ADRTROIS_DOMINIQUE.xml").read_bytes().startswith(reply.content)


def test_oversized_reply_switch(simulator, clients) -> None:
    simulator.switches.oversized_reply = True
    simulator.switches.oversized_bytes = 3 * 1024 * 1024
    reply = clients["manu"].post(simulator.url, DOMINIQUE)
    assert reply.status_code == 200
    assert len(reply.content) >= 3 * 1024 * 1024
    parser = etree.XMLParser(huge_tree=True)
    root = etree.fromstring(reply.content, parser)  # well-formed: only its size is wrong
    assert root.findtext(".//{http://www.cnamts.fr/INSiResultat}CodeCR") == "01"


def test_switches_reset_to_normal(simulator, clients) -> None:
    switches = simulator.switches
    switches.http_503 = switches.malformed_xml = switches.oversized_reply = True
    switches.latency = 2.0
    switches.reset()
    reply = clients["manu"].post(simulator.url, DOMINIQUE)
    assert reply.content == (PADOA / "RESP_CR00_ADRTROIS_DOMINIQUE.xml").read_bytes()


# ------------------------------------------------------------------------------------------
# Connections


def test_keep_alive_and_parallel_clients(simulator, clients) -> None:
    results: dict[int, bytes] = {}

    def work(i: int) -> None:
        client = Client(simulator.authority, clients["manu"].cert)
        for _ in range(3):
            results[i] = client.post(simulator.url, DOMINIQUE).content

    threads = [threading.Thread(target=work, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(results) == 6
    assert set(results.values()) == {(PADOA / "RESP_CR00_ADRTROIS_DOMINIQUE.xml").read_bytes()}
    assert len(simulator.handled) == 18


def test_stop_closes_the_port(authority, clients) -> None:
    sim = Simulator(authority, identities=Directory([]))
    sim.start()
    port = sim.port
    assert clients["manu"].post(sim.url, DOMINIQUE).status_code == 200
    sim.stop()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    sim.stop()  # idempotent
