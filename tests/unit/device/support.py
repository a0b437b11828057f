"""Test doubles for the device SDK: the cloud's side of the loopback broker (a shadow service
with AWS semantics, a contract checker), a local HTTP server, and a kit that builds devices."""

import hashlib
import json
import random
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

from nguon_device import schemas
from nguon_device.config import DeviceConfig
from nguon_device.device import Device, DeviceHooks
from nguon_device.player import SimulatedBoard, SimulatedSpeaker
from nguon_device.shadows import merge
from nguon_device.timeutil import iso

T0 = datetime(2026, 11, 27, 0, 0, tzinfo=UTC)  # 07:00 in Bình Định
THING = "loa-21550-001"
AREAS = ("52", "540", "21550")


def delta(desired, reported):
    """AWS's delta: desired keys whose value differs from reported, nested objects recursively."""
    out = {}
    for key, value in desired.items():
        if key not in reported:
            out[key] = value
        elif isinstance(value, dict) and isinstance(reported[key], dict):
            inner = delta(value, reported[key])
            if inner:
                out[key] = inner
        elif value != reported[key]:
            out[key] = value
    return out


class FakeShadowService:
    """Named shadows over the loopback broker, as AWS IoT answers them (get, update, delta)."""

    def __init__(self, broker):
        self.broker = broker
        self.docs = {}
        self.requests = []
        self.silent = False  # True: requests are recorded, never answered
        broker.listen("$aws/things/+/shadow/name/+/get", self._get)
        broker.listen("$aws/things/+/shadow/name/+/update", self._update)

    def _doc(self, thing, name):
        return self.docs.setdefault((thing, name), {"desired": {}, "reported": {}, "version": 0})

    def _reply(self, thing, name, operation, body):
        self.broker.publish(
            f"$aws/things/{thing}/shadow/name/{name}/{operation}", body, sender="shadow"
        )

    def _parse(self, topic, payload):
        parts = topic.split("/")
        return parts[2], parts[5], json.loads(payload)

    def _get(self, topic, payload):
        thing, name, body = self._parse(topic, payload)
        self.requests.append(("get", thing, name))
        if self.silent:
            return
        token = {"clientToken": body["clientToken"]} if "clientToken" in body else {}
        doc = self.docs.get((thing, name))
        if doc is None or doc["version"] == 0:
            self._reply(thing, name, "get/rejected", {"code": 404, "message": "No shadow", **token})
            return
        state = {"desired": doc["desired"], "reported": doc["reported"]}
        if d := delta(doc["desired"], doc["reported"]):
            state["delta"] = d
        self._reply(
            thing, name, "get/accepted", {"state": state, "version": doc["version"], **token}
        )

    def _update(self, topic, payload):
        thing, name, body = self._parse(topic, payload)
        self.requests.append(("update", thing, name))
        doc = self._doc(thing, name)
        state = body.get("state", {})
        for part in ("desired", "reported"):
            if part in state:
                doc[part] = {} if state[part] is None else merge(doc[part], state[part])
        doc["version"] += 1
        token = {"clientToken": body["clientToken"]} if "clientToken" in body else {}
        self._reply(
            thing, name, "update/accepted", {"state": state, "version": doc["version"], **token}
        )
        d = delta(doc["desired"], doc["reported"])
        if d and "desired" in state:
            self._reply(thing, name, "update/delta", {"state": d, "version": doc["version"]})

    # -- the cloud's side --
    def set_desired(self, thing, name, desired):
        """What the cloud does: an update of desired, through the broker."""
        body = {"state": {"desired": desired}}
        self.broker.publish(f"$aws/things/{thing}/shadow/name/{name}/update", body, sender="cloud")

    def reported(self, thing, name):
        return self._doc(thing, name)["reported"]

    def delta(self, thing, name):
        doc = self._doc(thing, name)
        return delta(doc["desired"], doc["reported"])


class ContractChecker:
    """Validates everything devices publish against the contract's schemas."""

    TOPICS: ClassVar = {
        "nguon/devices/+/heartbeat": "heartbeat",
        "nguon/devices/+/plays": "plays",
        "nguon/devices/+/commands/result": "command-result",
    }

    def __init__(self, broker):
        self.problems = []
        for topic_filter, schema in self.TOPICS.items():
            broker.listen(topic_filter, self._checker(schema))
        broker.listen("$aws/things/+/shadow/name/+/update", self._shadow)

    def _checker(self, schema):
        def check(topic, payload):
            errors = schemas.errors(schema, json.loads(payload))
            self.problems.extend(f"{topic}: {e}" for e in errors)

        return check

    def _shadow(self, topic, payload):
        body = json.loads(payload)
        reported = body.get("state", {}).get("reported")
        if reported is not None:
            errors = schemas.errors(f"shadow-{topic.split('/')[5]}", reported)
            self.problems.extend(f"{topic}: {e}" for e in errors)


class MediaServer:
    """A local HTTP server for manifests and media; ``down`` makes every request fail."""

    def __init__(self):
        self.files = {}
        self.requests = []
        self.down = False
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                server.requests.append(self.path)
                body = server.files.get(self.path)
                if server.down or body is None:
                    self.send_response(503 if server.down else 404)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.02,), daemon=True)
        self.thread.start()

    def put(self, path, body):
        self.files[path] = body
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)


def sha(data):
    return hashlib.sha256(data).hexdigest()


class DeviceKit:
    """Builds devices on the loopback broker and speaks for the cloud in tests."""

    def __init__(self, sched, broker, shadows, http, tmp_path):
        self.sched, self.broker, self.shadows, self.http = sched, broker, shadows, http
        self.tmp_path = tmp_path
        self.events = []
        self.started = []

    def config(self, thing=THING, kind="speaker", **overrides):
        values = {"host": "loopback", "areas": AREAS, "cache_dir": self.tmp_path / thing}
        values.update(overrides)
        return DeviceConfig(thing=thing, kind=kind, **values)

    def device(self, thing=THING, kind="speaker", online=True, **overrides):
        config = self.config(thing, kind, **overrides)
        transport = self.broker.transport(thing)
        player_class = SimulatedSpeaker if kind == "speaker" else SimulatedBoard
        player = player_class(thing, clock=self.sched.monotonic)
        hooks = DeviceHooks(
            on_playback_started=lambda d, item, t: self.started.append((d.thing, item, t)),
            on_event=lambda d, name, details: self.events.append((d.thing, name, details)),
        )
        device = Device(config, transport, player, self.sched, hooks=hooks, rng=random.Random(7))
        if not online:
            self.broker.drop(thing)
        device.start()
        return device

    # -- events --
    def named(self, name, thing=THING):
        return [details for t, n, details in self.events if n == name and t == thing]

    def records(self, thing=THING):
        """Proof-of-play records the device created, in order."""
        return self.named("play", thing)

    def published_plays(self, thing=THING):
        return [
            r for m in self.broker.sent(f"nguon/devices/{thing}/plays") for r in m.json()["records"]
        ]

    # -- programme --
    def item(self, item_id, at_min, minutes, text="Thông báo của UBND xã", **extra):
        start = T0 + timedelta(minutes=at_min)
        return {
            "item_id": item_id,
            "bulletin_id": f"b-{item_id}",
            "start": iso(start),
            "end": iso(start + timedelta(minutes=minutes)),
            "priority": extra.pop("priority", "normal"),
            "title": f"Bản tin {item_id}",
            **({"text": text} if text is not None else {}),
            **extra,
        }

    def manifest(self, items, version="v1", kind="speaker"):
        body = {
            "schema": 1,
            "unit": "21550",
            "kind": kind,
            "version": version,
            "generated_at": iso(T0),
            "valid_from": iso(T0),
            "valid_until": iso(T0 + timedelta(hours=48)),
            "items": items,
        }
        return json.dumps(body, ensure_ascii=False).encode()

    def publish_manifest(self, body, version="v1", thing=THING, digest=None):
        url = self.http.put(f"/manifests/{version}.json", body)
        ref = {"version": version, "url": url, "sha256": digest or sha(body)}
        self.shadows.set_desired(thing, "playback", {"manifest": ref})
        return ref

    def media(self, name, body, duration_s=None):
        media = {"url": self.http.put(f"/media/{name}", body), "sha256": sha(body)}
        if duration_s is not None:
            media["duration_s"] = duration_s
        return media

    # -- alerts and commands --
    def alert(self, alert_id="al-1", version=1, valid_min=30, repeat=1, action="start", **extra):
        body = {
            "action": action,
            "alert_id": alert_id,
            "version": version,
            "issued_at": iso(self.sched.now()),
        }
        if action == "start":
            body.update(
                text="Bão số 13 đổ bộ, người dân di dời khỏi vùng trũng thấp ngay.",
                title="Cảnh báo bão",
                valid_until=iso(self.sched.now() + timedelta(minutes=valid_min)),
                repeat=repeat,
            )
        body.update(extra)
        return body

    def publish_alert(self, alert, unit="21550"):
        self.broker.publish(f"nguon/alerts/{unit}", alert)

    def reference(self, alert, body=None, digest=None):
        """Store ``alert`` as the cloud does (the live message, in S3) and return the shadow's
        reference to it; ``body`` serves other bytes, ``digest`` refers to other ones."""
        body = json.dumps(alert, ensure_ascii=False).encode() if body is None else body
        url = self.http.put(f"/alerts/{alert['alert_id']}/{alert['version']}.json", body)
        ref = {
            "alert_id": alert["alert_id"],
            "version": alert["version"],
            "valid_until": alert["valid_until"],
            "url": url,
            "sha256": digest or sha(body),
        }
        if "valid_from" in alert:
            ref["valid_from"] = alert["valid_from"]
        return ref

    def set_emergencies(self, refs, thing=THING):
        """The cloud's update of ``desired.emergencies``: ``{alert_id: reference or None}``."""
        self.shadows.set_desired(thing, "playback", {"emergencies": refs})

    def alert_fetches(self, alert_id=None):
        """Requests for alert documents (of ``alert_id``) the local HTTP server answered."""
        prefix = "/alerts/" if alert_id is None else f"/alerts/{alert_id}/"
        return [path for path in self.http.requests if path.startswith(prefix)]

    def command(self, command, command_id="c-1", thing=THING, **args):
        body = {"command_id": command_id, "command": command, "issued_at": iso(self.sched.now())}
        if args:
            body["args"] = args
        self.broker.publish(f"nguon/devices/{thing}/commands", body)

    def results(self, thing=THING):
        return [m.json() for m in self.broker.sent(f"nguon/devices/{thing}/commands/result")]
