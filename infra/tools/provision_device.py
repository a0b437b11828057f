"""Provision a device through the API and write its bundle to a folder (field technicians).

    python -m infra.tools.provision_device --api "$API" --token "$TOKEN" \\
        --kind speaker --unit 21550 --name "Cụm loa chợ" --lat 13.77 --lon 109.22 \\
        --vendor VNPT --model IPS-4 --out bundles/

The folder ``<out>/<thing>/`` gets ``bundle.json`` and the three PEM files the device SDK
reads (``DeviceConfig.from_bundle``). The private key is in the API's answer only once: the
files are written with owner-only permissions and nothing else keeps a copy. Without ``--api``
it provisions on the running local cloud (``$NGUON_STATE_DIR/endpoints.json``).
"""

import argparse
import json
import os
from pathlib import Path
from typing import Any

import requests

from infra.tools._cli import ToolFailure, default_endpoints, read_endpoints, tool

FILES = {"certificate": "certificate.pem.crt", "private_key": "private.pem.key", "ca": "ca.pem"}


def write_bundle(bundle: dict[str, Any], out: Path) -> Path:
    """Write an API provisioning answer as the SDK's bundle folder; its path."""
    folder = out / bundle["thing"]
    folder.mkdir(parents=True, exist_ok=False)  # never overwrite another device's identity
    contents = {
        "certificate": bundle["certificate_pem"],
        "private_key": bundle["private_key_pem"],
        "ca": bundle["ca_pem"],
    }
    for key, name in FILES.items():
        path = folder / name
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(contents[key])
    manifest = {
        "thing": bundle["thing"],
        "kind": bundle["kind"],
        "endpoint": bundle["endpoint"],
        "areas": bundle["areas"],
        "files": FILES,
    }
    (folder / "bundle.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
    return folder


def provision(api: str, token: str, registration: dict[str, Any]) -> dict[str, Any]:
    response = requests.post(
        f"{api.rstrip('/')}/devices",
        json=registration,
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    if response.status_code != 201:
        try:
            reason = response.json()["message"]
        except (ValueError, KeyError, TypeError):
            reason = response.text[:200]
        raise ToolFailure("tool_api_refused", reason, status=response.status_code)
    return response.json()


@tool
def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--api", help="the staff API base URL (default: the local cloud's)")
    parser.add_argument("--token", default=os.environ.get("NGUON_TOKEN"), help="an IdToken")
    parser.add_argument("--kind", choices=["speaker", "board"], required=True)
    parser.add_argument("--unit", required=True, help="the commune's code")
    parser.add_argument("--name", required=True)
    parser.add_argument("--lat", type=float, required=True)
    parser.add_argument("--lon", type=float, required=True)
    parser.add_argument("--vendor", required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--speakers", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("bundles"))
    args = parser.parse_args(argv)
    if not args.token:
        parser.error("--token or NGUON_TOKEN is required (python -m infra.tools.sign_in ...)")
    api = args.api or read_endpoints(default_endpoints())["api_url"]
    bundle = provision(
        api,
        args.token,
        {
            "kind": args.kind,
            "unit": args.unit,
            "name": args.name,
            "location": {"lat": args.lat, "lon": args.lon},
            "vendor": args.vendor,
            "model": args.model,
            "speakers": args.speakers,
        },
    )
    print(write_bundle(bundle, args.out))


if __name__ == "__main__":
    main()
