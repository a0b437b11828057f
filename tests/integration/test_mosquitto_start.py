"""The local broker is ready only when it accepts connections, and survives a taken port."""

import socket

import pytest

from infra.localcloud.iot.broker import MosquittoBroker, free_port
from nguon.adapters.certificates import CertificateAuthority


@pytest.fixture(scope="module")
def ca() -> CertificateAuthority:
    return CertificateAuthority.create("Nguon test CA")


def _accepts(port: int) -> bool:
    with socket.socket() as client:
        return client.connect_ex(("127.0.0.1", port)) == 0


def test_both_listeners_accept_as_soon_as_start_returns(ca, tmp_path):
    # "Opening ... listen socket" is logged before the bind; start() must wait for more.
    for attempt in range(5):
        broker = MosquittoBroker(tmp_path / str(attempt), ca, "")
        broker.start()
        try:
            assert _accepts(broker.port)
            assert _accepts(broker.tls_port)
        finally:
            broker.stop()


def test_a_port_taken_between_pick_and_bind_gets_new_ports(ca, tmp_path, monkeypatch):
    # Bound, not listening: what another process's outgoing connection looks like. A connect
    # probe sees nothing there; only Mosquitto's bind fails, after it logged "Opening ...".
    squatter = socket.socket()
    squatter.bind(("127.0.0.1", 0))
    taken = squatter.getsockname()[1]
    picks = iter([taken, free_port(), free_port(), free_port()])
    monkeypatch.setattr("infra.localcloud.iot.broker.free_port", lambda: next(picks))
    broker = MosquittoBroker(tmp_path, ca, "")
    try:
        broker.start()
        assert broker.port != taken
        assert _accepts(broker.port)
    finally:
        broker.stop()
        squatter.close()


@pytest.mark.parametrize("listening", [True, False])
def test_ports_asked_for_are_not_swapped_silently(ca, tmp_path, listening):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        if listening:
            squatter.listen()
        taken = squatter.getsockname()[1]
        broker = MosquittoBroker(tmp_path, ca, "", port=taken, tls_port=free_port())
        with pytest.raises(OSError, match="already in use"):
            broker.start()
