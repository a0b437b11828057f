"""A process of its own for the devices a benchmark measures (the other core).

    python -m tests.bench.fleet_process fleet <bundles_dir> <n>
    python -m tests.bench.fleet_process baseline <host> <port> <n>

``fleet``: N devices of the device SDK from bundles. ``baseline``: N bare awscrt MQTT5 clients
on the plain listener, subscribed to ``bench/baseline`` at QoS 1. Both print ``ready <n>``
once connected, then one ``heard <client> <monotonic>`` line per emergency playback start
(fleet) or per message received (baseline); ``time.monotonic`` is the same clock in every
process of the machine. Standard input closing stops them.
"""

import sys
import threading
import time
from pathlib import Path

from nguon_device.fleet import Fleet
from nguon_device.transport import PlainTransport

_out = threading.Lock()


def say(line: str) -> None:
    with _out:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def fleet(bundles: Path, count: int) -> None:
    def started(device, item, moment):
        if item.emergency:
            say(f"heard {device.config.thing} {moment:.6f} {item.bulletin_id}")

    listening: set[str] = set()
    lock = threading.Lock()

    def event(device, name, details):
        if name == "subscribed":
            with lock:
                listening.add(device.config.thing)

    running = Fleet(on_playback_started=started, on_event=event, connect_spread_s=count / 200)
    running.start(Fleet.bundles_in(bundles)[:count])
    running.wait_connected(timeout_s=180)
    deadline = time.monotonic() + 60
    while len(listening) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    say(f"ready {len(listening)}")
    sys.stdin.read()
    running.stop(timeout_s=30)


def baseline(host: str, port: int, count: int) -> None:
    clients = []
    subscribed = threading.Semaphore(0)
    for index in range(count):
        client = PlainTransport(host, port, f"bench-baseline-{index}")
        name = client.client_id

        def received(_topic, _payload, name=name):
            say(f"heard {name} {time.monotonic():.6f} baseline")

        def on_up(client=client, received=received):
            client.subscribe("bench/baseline", 1, received).add_done_callback(
                lambda _f: subscribed.release()
            )

        client.on_connection_success = on_up
        client.connect()
        clients.append(client)
    for _ in range(count):
        subscribed.acquire(timeout=120)
    say(f"ready {count}")
    sys.stdin.read()
    for client in clients:
        client.disconnect()


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "fleet":
        fleet(Path(sys.argv[2]), int(sys.argv[3]))
    else:
        baseline(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
