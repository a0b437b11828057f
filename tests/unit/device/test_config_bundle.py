"""DeviceConfig from the provisioning bundle the cloud writes."""

import json

import pytest

from nguon_device.config import BundleError, DeviceConfig, write_bundle
from nguon_device.transport import MqttTransport


def test_from_bundle_reads_the_bundle_and_its_files(tmp_path):
    write_bundle(
        tmp_path, thing="loa-1", kind="speaker", host="iot.example", port=8883,
        areas=["52", "540", "21550"], certificate_pem=b"C", private_key_pem=b"K", ca_pem=b"A",
    )  # fmt: skip

    config = DeviceConfig.from_bundle(tmp_path)

    assert (config.thing, config.kind, config.host, config.port) == (
        "loa-1",
        "speaker",
        "iot.example",
        8883,
    )
    assert config.areas == ("52", "540", "21550")
    assert config.cert_path.read_bytes() == b"C"
    assert config.key_path == tmp_path / "private.pem.key"
    assert config.ca_path.read_bytes() == b"A"
    assert config.cache_dir == tmp_path / "cache"
    assert config.heartbeat_s == 60
    assert (tmp_path / "private.pem.key").stat().st_mode & 0o077 == 0


def test_from_bundle_accepts_overrides_and_keeps_unknown_keys(tmp_path):
    write_bundle(tmp_path, thing="bang-1", kind="board", host="h", port=1, areas=["52", "21550"])
    data = json.loads((tmp_path / "bundle.json").read_text())
    data["station_code"] = "BD-21550-01"
    (tmp_path / "bundle.json").write_text(json.dumps(data))

    config = DeviceConfig.from_bundle(
        tmp_path / "bundle.json", heartbeat_s=30, cache_dir=tmp_path / "c"
    )

    assert (config.kind, config.heartbeat_s, config.cache_dir) == ("board", 30, tmp_path / "c")
    assert config.extra == {"station_code": "BD-21550-01"}


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.pop("thing"),
        lambda d: d.update(kind="radio"),
        lambda d: d.update(endpoint="nowhere"),
        lambda d: d["files"].update(ca="missing.pem"),
    ],
    ids=["no-thing", "bad-kind", "bad-endpoint", "missing-file"],
)
def test_a_broken_bundle_is_refused(tmp_path, change):
    write_bundle(tmp_path, thing="loa-1", kind="speaker", host="h", port=1, areas=[], ca_pem=b"A")
    data = json.loads((tmp_path / "bundle.json").read_text())
    change(data)
    (tmp_path / "bundle.json").write_text(json.dumps(data))

    with pytest.raises(BundleError):
        DeviceConfig.from_bundle(tmp_path)


def test_the_mtls_transport_insists_on_a_ca_file(tmp_path):
    # Without a CA the awscrt connect hangs rather than failing.
    write_bundle(
        tmp_path, thing="loa-1", kind="speaker", host="h", port=1, areas=[],
        certificate_pem=b"C", private_key_pem=b"K",
    )  # fmt: skip

    with pytest.raises(ValueError, match="CA"):
        MqttTransport(DeviceConfig.from_bundle(tmp_path))
