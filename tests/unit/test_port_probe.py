"""The local cloud's busy-port probe: what another process holds is refused, what the last
run left in TIME_WAIT is not."""

import socket

import pytest

from infra.localcloud.services import require_free_port


def _server_closed_connection() -> int:
    """A port whose listener is gone after closing a connection first, as a stopped server
    does: its side of the connection stays in TIME_WAIT/FIN_WAIT, and a plain bind fails.
    The listener sets SO_REUSEADDR as every server of the local cloud does (werkzeug,
    Mosquitto); Linux lets a new bind share the port only when both sockets set it."""
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    client = socket.create_connection(("127.0.0.1", port))
    accepted, _ = listener.accept()
    accepted.close()  # the server closes first
    listener.close()
    client.recv(1)  # sees the FIN
    client.close()
    return port


def test_a_listening_port_is_refused():
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        with pytest.raises(OSError, match="already in use"):
            require_free_port(holder.getsockname()[1])


def test_a_port_bound_but_not_listening_is_refused():
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        with pytest.raises(OSError, match="already in use"):
            require_free_port(holder.getsockname()[1])


def test_a_port_left_in_time_wait_is_free_to_restart_on():
    port = _server_closed_connection()
    with socket.socket() as plain, pytest.raises(OSError, match="in use"):
        plain.bind(("127.0.0.1", port))  # the case: a probe without SO_REUSEADDR fails here

    require_free_port(port)


def test_port_zero_is_always_free():
    require_free_port(0)
