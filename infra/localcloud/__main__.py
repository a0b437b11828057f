"""``make run``: the local cloud in the foreground until Ctrl-C or SIGTERM.

Environment: ``NGUON_API_PORT`` (default 3000), ``NGUON_AWS_PORT`` (default 5000), 0 for a
free port; ``NGUON_STATE_DIR`` (default .local); ``NGUON_DEMO_PASSWORD`` (default: new each run);
``NGUON_DEMO_BULLETINS`` (default 1: a week of sample bulletins; 0: none).
"""

import logging
import os
import signal
import sys
import threading
from pathlib import Path

from infra.localcloud.cloud import LocalCloud, LocalCloudConfig


def _config() -> LocalCloudConfig:
    config = LocalCloudConfig(
        api_port=int(os.environ.get("NGUON_API_PORT", "3000")),
        aws_port=int(os.environ.get("NGUON_AWS_PORT", "5000")),
        state_dir=Path(os.environ.get("NGUON_STATE_DIR", ".local")),
        demo_bulletins=os.environ.get("NGUON_DEMO_BULLETINS", "1") != "0",
    )
    if os.environ.get("NGUON_DEMO_PASSWORD"):
        config.demo_password = os.environ["NGUON_DEMO_PASSWORD"]
    return config


def _banner(endpoints: dict) -> str:
    lines = [
        "",
        "Nguồn — đám mây cục bộ đang chạy / the local cloud is running",
        f"  API:                 {endpoints['api_url']}",
        f"  Swagger UI:          {endpoints['docs_url']}",
        f"  AWS (moto):          {endpoints['aws_endpoint_url']}  ({endpoints['region']})",
        f"  User pool / client:  {endpoints['user_pool_id']} / {endpoints['user_pool_client_id']}",
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
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
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
        print("Cổng đang bận? Đặt NGUON_API_PORT=0 NGUON_AWS_PORT=0 / port busy?", file=sys.stderr)
        return 1
    try:
        print(_banner(endpoints), flush=True)
        stop.wait()
    finally:
        print("Đang dừng / stopping...", flush=True)
        cloud.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
