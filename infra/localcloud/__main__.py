"""``make run``: the local cloud in the foreground until Ctrl-C or SIGTERM.

Environment: ``NGUON_API_PORT`` (default 3000), ``NGUON_SPEECH_PORT`` (default 3001: the speech
API, Polly's, an API of its own), ``NGUON_CONSOLE_PORT`` (default 3002: the web console),
``NGUON_PORTAL_PORT`` (default 3003: the public portal),
``NGUON_AWS_PORT`` (default 5000), 0 for a free port;
``NGUON_STATE_DIR`` (default .local); ``NGUON_DEMO_PASSWORD`` (default: new each run);
``NGUON_DEMO_BULLETINS`` (default 1: a week of sample bulletins; 0: none);
``NGUON_MQTT_PORT`` and ``NGUON_MQTT_TLS_PORT`` (default 1884 plain, 8883 mTLS; not 1883, which
a system Mosquitto may hold); ``NGUON_FLEET`` (default ``district``: a loudspeaker cluster and a
board in one commune of each district; ``commune``: in every commune; a number N: N of each in
every commune; ``off``); ``NGUON_CENTRAL_URL`` (default empty: the outbox to the national system
keeps its items pending; set it to a stand-in such as ``python -m tests.fake_central``).
"""

import logging
import os
import signal
import sys
import threading
from pathlib import Path

from infra.localcloud.cloud import LocalCloud, LocalCloudConfig
from infra.localcloud.logs import TerminalFormatter


def _config() -> LocalCloudConfig:
    config = LocalCloudConfig(
        api_port=int(os.environ.get("NGUON_API_PORT", "3000")),
        speech_port=int(os.environ.get("NGUON_SPEECH_PORT", "3001")),
        console_port=int(os.environ.get("NGUON_CONSOLE_PORT", "3002")),
        portal_port=int(os.environ.get("NGUON_PORTAL_PORT", "3003")),
        aws_port=int(os.environ.get("NGUON_AWS_PORT", "5000")),
        state_dir=Path(os.environ.get("NGUON_STATE_DIR", ".local")),
        demo_bulletins=os.environ.get("NGUON_DEMO_BULLETINS", "1") != "0",
        fleet=os.environ.get("NGUON_FLEET", "district"),
        mqtt_port=int(os.environ.get("NGUON_MQTT_PORT", "1884")),
        mqtt_tls_port=int(os.environ.get("NGUON_MQTT_TLS_PORT", "8883")),
    )
    if os.environ.get("NGUON_CENTRAL_URL"):
        config.parameters["CentralSystemUrl"] = os.environ["NGUON_CENTRAL_URL"]
    if os.environ.get("NGUON_DEMO_PASSWORD"):
        config.demo_password = os.environ["NGUON_DEMO_PASSWORD"]
    return config


def _banner(endpoints: dict) -> str:
    lines = [
        "",
        "Nguồn — đám mây cục bộ đang chạy / the local cloud is running",
        f"  Bảng điều khiển / console: {endpoints['console_url']}",
        f"  API:                 {endpoints['api_url']}",
        f"  Swagger UI:          {endpoints['docs_url']}",
        f"  Polly (boto3):       {endpoints['polly_url']}",
        f"  Cổng công dân / public portal: {endpoints['portal_url']}",
        f"  AWS (moto):          {endpoints['aws_endpoint_url']}  ({endpoints['region']})",
        f"  User pool / client:  {endpoints['user_pool_id']} / {endpoints['user_pool_client_id']}",
        f"  MQTT (IoT Core):     mqtts://127.0.0.1:{endpoints['mqtt']['tls_port']} (mTLS), "
        f"mqtt://127.0.0.1:{endpoints['mqtt']['port']} (tools)",
        f"  Thiết bị mô phỏng / simulated devices: {endpoints.get('fleet', {}).get('devices', 0)}",
        f"  Nhật ký hàm / function logs: {endpoints['logs']}/<Function>.log",
        "  Tài khoản mẫu / demo accounts (mật khẩu / password: "
        f"{endpoints['demo_users'][0]['password'] if endpoints['demo_users'] else '-'}):",
    ]
    for user in endpoints["demo_users"]:
        lines.append(
            f"    {user['username']:<22} {','.join(user['groups']):<9} unit {user['unit']}"
        )
    lines += ["  Ctrl-C để dừng / to stop.", ""]
    return "\n".join(lines)


def main() -> int:
    # One short line per invocation and the functions' warnings and errors; their complete
    # JSON lines are in <state>/logs/<Function>.log (see infra/localcloud/logs.py).
    terminal = logging.StreamHandler()
    terminal.setFormatter(TerminalFormatter())
    logging.basicConfig(level=logging.INFO, handlers=[terminal])
    for noisy in ("botocore", "pynamodb"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    config = _config()
    try:
        cloud = LocalCloud(config)
        endpoints = cloud.start()
    except OSError as error:
        print(f"Không khởi động được / could not start: {error}", file=sys.stderr)
        print(
            "Cổng đang bận? Đặt / port busy? Set "
            "NGUON_API_PORT=0 NGUON_SPEECH_PORT=0 NGUON_CONSOLE_PORT=0 NGUON_PORTAL_PORT=0 "
            "NGUON_AWS_PORT=0",
            file=sys.stderr,
        )
        return 1
    try:
        print(_banner(endpoints), flush=True)
        stop.wait()
    finally:
        print("Đang dừng / stopping...", flush=True)
        cloud.stop()  # one line: what the stop cuts short or sets off stays in the files
    return 0


if __name__ == "__main__":
    sys.exit(main())
