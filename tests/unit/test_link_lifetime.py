"""Delivery links never outlive the credentials that sign them, and are re-signed in time.

A SigV4 presigned URL signed with a session token stops working when the session ends. Here the
links are signed with botocore credentials that end (``RefreshableCredentials``, each session a
few hours long, as an instance or container role gives them), on an injected clock that also
dates the signatures: no link may end after its session, and after each hourly refresh every
link a device holds must still work at the next one.
"""

from datetime import UTC, datetime, timedelta
from itertools import count
from urllib.parse import parse_qs, urlparse

import boto3
import botocore.auth
import botocore.session
import pytest
from botocore.config import Config
from botocore.credentials import Credentials, RefreshableCredentials
from moto import mock_aws

try:
    from botocore.crt import auth as crt_auth
except ImportError:  # awscrt not installed
    crt_auth = None

from nguon.adapters import signing
from nguon.adapters.manifests import ManifestStore
from nguon.clock import local_zone
from nguon.models.bulletins import AuditAction
from nguon.services.fanout import FanoutService
from nguon.services.programmes import ProgrammeService
from nguon.services.unit_catalogue import load_bundled_catalogue
from nguon.services.units import UnitService
from tests.factories import bulletin
from tests.fakes import InMemoryBulletinStore, InMemoryProgrammeStore, InMemoryUnitStore
from tests.unit.test_fanout import FLEET, Plane

BUCKET = "delivery-links-test"
REGION = "ap-southeast-1"
SESSION = timedelta(hours=6)


class Clock:
    """Now, from today (never a named day), moved by hand."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC).replace(minute=5, second=0, microsecond=0)

    def __call__(self) -> datetime:
        return self.now.astimezone(local_zone())


class Sessions:
    """A credential provider whose sessions last ``life``; remembers when each one ends."""

    def __init__(self, clock: Clock, life: timedelta = SESSION) -> None:
        self.clock, self.life = clock, life
        self.ends: dict[str, datetime] = {}
        self._numbers = count()

    def fetch(self) -> dict[str, str]:
        key = f"ASIATEST{next(self._numbers):08d}"
        self.ends[key] = self.clock.now + self.life
        return {
            "access_key": key,
            "secret_key": "secret",
            "token": f"token-{key}",
            "expiry_time": self.ends[key].isoformat(),
        }

    def credentials(self) -> RefreshableCredentials:
        first = self.fetch()
        return RefreshableCredentials(
            first["access_key"],
            first["secret_key"],
            first["token"],
            datetime.fromisoformat(first["expiry_time"]),
            self.fetch,
            "test-sessions",
            time_fetcher=lambda: self.clock.now,
        )


def client_signing_with(credentials) -> object:
    core = botocore.session.get_session()
    core._credentials = credentials  # what a Lambda's provider chain would have found
    return boto3.Session(botocore_session=core).client(
        "s3", region_name=REGION, config=Config(signature_version="s3v4")
    )


@pytest.fixture
def clock(monkeypatch):
    made = Clock()

    # Signatures are dated by the same clock, so "now + X-Amz-Expires" is the link's end
    # (botocore signs in Python, or with awscrt where that is installed).
    def dated(remove_tzinfo=True):
        return made.now.replace(tzinfo=None) if remove_tzinfo else made.now

    monkeypatch.setattr(botocore.auth, "get_current_datetime", dated)
    if crt_auth is not None:
        monkeypatch.setattr(crt_auth, "get_current_datetime", dated)
    return made


@pytest.fixture
def s3():
    with mock_aws():
        boto3.client("s3", region_name=REGION).create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION}
        )
        yield


def link_of(url: str) -> tuple[str, datetime]:
    """The access key a link was signed with, and when the link stops working."""
    query = parse_qs(urlparse(url).query)
    signed = datetime.strptime(query["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    key = query["X-Amz-Credential"][0].split("/")[0]
    return key, signed + timedelta(seconds=int(query["X-Amz-Expires"][0]))


def test_a_link_ends_before_its_signing_session(clock, s3):
    sessions = Sessions(clock)
    store = ManifestStore(client_signing_with(sessions.credentials()), BUCKET, clock)

    url = store.put_alert("flood", 1, b"{}")["url"]

    key, ends = link_of(url)
    assert ends <= sessions.ends[key] - timedelta(seconds=signing.MARGIN_S)
    assert ends > clock.now + timedelta(hours=5)  # the rest of the session, not a token amount
    assert "X-Amz-Security-Token" in url


def test_long_sessions_and_long_term_keys_get_sigv4s_seven_days(clock, s3):
    long_session = Sessions(clock, timedelta(days=30)).credentials()
    for credentials in (long_session, Credentials("AKIATEST", "secret")):
        store = ManifestStore(client_signing_with(credentials), BUCKET, clock)
        assert link_of(store.link("manifests/x.json"))[1] == clock.now + timedelta(days=7)


def test_a_token_without_a_stated_end_gets_the_assumed_session_only(clock, s3):
    lambda_like = Credentials("ASIATEST", "secret", "token")  # env variables, no expiry
    store = ManifestStore(client_signing_with(lambda_like), BUCKET, clock)
    ends = link_of(store.link("manifests/x.json"))[1]
    assert ends == clock.now + timedelta(seconds=signing.UNSTATED_SESSION_S - signing.MARGIN_S)


def test_a_session_ending_soon_is_renewed_before_signing(clock, s3):
    sessions = Sessions(clock)
    credentials = sessions.credentials()
    clock.now += SESSION - timedelta(minutes=90)  # 90 minutes left: less than two rounds
    store = ManifestStore(client_signing_with(credentials), BUCKET, clock)

    key, ends = link_of(store.link("manifests/x.json"))

    assert len(sessions.ends) == 2  # a new session was asked for
    assert ends == sessions.ends[key] - timedelta(seconds=signing.MARGIN_S)
    assert ends > clock.now + timedelta(hours=2)


def test_a_provider_of_short_sessions_is_asked_once_not_for_every_link(clock, s3):
    sessions = Sessions(clock, timedelta(hours=1))  # role chaining: an hour at most
    store = ManifestStore(client_signing_with(sessions.credentials()), BUCKET, clock)
    for name in "abc":
        key, ends = link_of(store.link(f"manifests/{name}.json"))
        assert ends <= sessions.ends[key]
    assert len(sessions.ends) == 2  # the first session, and one renewal


def test_nothing_is_signed_with_credentials_that_have_ended(clock):
    ended = Sessions(clock, timedelta(minutes=3)).credentials()
    with pytest.raises(ValueError, match="end too soon"):
        signing.link_lifetime(ended, clock.now)


def test_the_hourly_refresh_re_signs_every_link_before_it_lapses(clock, s3):
    sessions = Sessions(clock)
    bulletins = InMemoryBulletinStore()
    units = UnitService(InMemoryUnitStore(load_bundled_catalogue()))
    plane = Plane()
    service = FanoutService(
        units=units,
        bulletins=bulletins,
        programmes=ProgrammeService(units, bulletins, InMemoryProgrammeStore()),
        devices=FLEET,
        manifests=ManifestStore(client_signing_with(sessions.credentials()), BUCKET, clock),
        iot=plane,
        now=clock,
    )
    start = clock()
    flood = bulletin(
        id="flood",
        priority="emergency",
        category="disaster",
        issuer="540",
        targets=["540"],
        schedule={"type": "once", "at": start.replace(tzinfo=None).isoformat("T", "seconds")},
        valid_from=start - timedelta(minutes=1),
        valid_until=start + timedelta(days=2),
    )
    bulletins.bulletins[flood.id] = flood
    service.bulletin_changed("flood", AuditAction.APPROVED)
    rounds = 0

    def links_held() -> list[str]:
        urls = []
        for desired in plane.desired.values():
            if desired.get("manifest"):
                urls.append(desired["manifest"]["url"])
            urls += [ref["url"] for ref in (desired.get("emergencies") or {}).values() if ref]
        return urls

    for _ in range(30):  # five sessions' worth of hourly rounds
        clock.now += timedelta(hours=1)
        service.refresh()
        rounds += 1
        urls = links_held()
        assert len(urls) == 4 + 3  # a manifest for each device, the flood for Quy Nhơn's three
        for url in urls:
            key, ends = link_of(url)
            assert ends <= sessions.ends[key], "a link outlives the session that signed it"
            assert ends > clock.now + timedelta(hours=1), "a link lapses before the next round"
    assert len(sessions.ends) >= 30 * 3600 // SESSION.total_seconds()  # sessions were renewed
    assert rounds == 30
