"""Free ports for tests and benchmarks that start the local cloud on fixed ports."""

import socket


def free_ports(count: int) -> list[int]:
    """``count`` distinct ports free right now on 127.0.0.1 (all held at once, then released)."""
    holders = [socket.socket() for _ in range(count)]
    try:
        for holder in holders:
            holder.bind(("127.0.0.1", 0))
        return [holder.getsockname()[1] for holder in holders]
    finally:
        for holder in holders:
            holder.close()
