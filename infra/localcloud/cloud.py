"""The local cloud as one object: start it, read its endpoints, stop it.

Used by ``make run`` (``python -m infra.localcloud``) and by the integration tests, so both
exercise the same wiring.
"""

import json
import logging
import os
import secrets
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from infra.localcloud.authorizer import CognitoAuthorizer
from infra.localcloud.console import DIST_DIR, ConsoleSite, security_headers
from infra.localcloud.demo_bulletins import seed_demo_bulletins
from infra.localcloud.event_sources import AsyncInvoker, Scheduler, StreamPoller
from infra.localcloud.fleet import FleetPlan, SimulatedFleet
from infra.localcloud.gateway import ApiGateway
from infra.localcloud.iam import Enforcer, install
from infra.localcloud.iot.bridge import IotBridge
from infra.localcloud.iot.broker import ConnectionEvent, MosquittoBroker
from infra.localcloud.iot.policy_acl import translate_policy
from infra.localcloud.lambda_host import LambdaHost
from infra.localcloud.logs import FunctionLogs
from infra.localcloud.provision import Provisioner
from infra.localcloud.queue_source import QueuePoller
from infra.localcloud.seed import seed_demo_users
from infra.localcloud.services import HttpService, MotoService, Service
from infra.localcloud.template import ACCOUNT_ID, TEMPLATE_PATH, Template, TemplateError
from infra.tools.device_ca import install_ca
from infra.tools.load_units import load_units
from nguon.config import get_settings

if TYPE_CHECKING:
    from types_boto3_iot import IoTClient


log = logging.getLogger("localcloud")

# The emulator's credentials: fixed dummies, so that nothing here can reach a real account.
_EMULATOR_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",  # moto accepts any key
    "AWS_SESSION_TOKEN": "testing",
    # No X-Ray daemon and no CloudWatch here: tracing off, metrics not printed.
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_DISABLED": "true",
}


@dataclass
class LocalCloudConfig:
    api_port: int = 0
    speech_port: int = 0
    """The speech API's port: an API of its own, served on its own base URL as on AWS."""
    portal_port: int = 0
    """The public portal's port (``PortalApi``, no sign-in)."""
    aws_port: int = 0
    region: str = "ap-southeast-1"
    state_dir: Path = Path(".local")
    template_path: Path = TEMPLATE_PATH
    seed: bool = True
    demo_bulletins: bool = False
    """A week of sample bulletins (``make run``); tests keep their data to themselves."""
    demo_password: str = field(default_factory=lambda: f"Nguon-{secrets.token_hex(4)}-A1")
    mqtt_port: int = 0
    mqtt_tls_port: int = 0
    fleet: str = "off"
    """The simulated fleet (``NGUON_FLEET``): ``district``, ``commune``, a number, ``off``."""
    schedules: bool = True
    """Run the template's schedules (the device sweep, manifest refresh) on the wall clock."""
    console_port: int = 0
    """The web console's port (``NGUON_CONSOLE_PORT``); its URL is the stack's ConsoleOrigin."""
    console_dist: Path = DIST_DIR
    """The built console (``make console``)."""
    parameters: dict[str, str] = field(default_factory=dict)
    """Template parameters set as a deployment would (``CentralSystemUrl``)."""


class LocalCloud:
    def __init__(self, config: LocalCloudConfig | None = None) -> None:
        self.config = config or LocalCloudConfig()
        self.endpoints: dict[str, Any] = {}
        self._services: list[Service] = []
        self._logs: FunctionLogs | None = None
        self._late_submit: Callable[[str, Mapping[str, Any]], None] = _not_ready

    def __enter__(self) -> "LocalCloud":
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    @property
    def endpoints_file(self) -> Path:
        return self.config.state_dir / "endpoints.json"

    def start(self) -> dict[str, Any]:
        config = self.config
        try:
            moto = self._start(MotoService(config.aws_port))
            os.environ.update(
                _EMULATOR_ENVIRONMENT,
                AWS_ENDPOINT_URL=moto.url,
                AWS_DEFAULT_REGION=config.region,
                AWS_REGION=config.region,
            )
            template = Template.load(config.template_path, region=config.region)
            template.parameters.update(config.parameters)
            # The console first: its URL is the origin the buckets' and the APIs' CORS allow,
            # as ConsoleOrigin is the console's address on AWS.
            site = ConsoleSite(config.console_dist)
            console = self._start(HttpService("console", site, config.console_port))
            template.parameters["ConsoleOrigin"] = console.url
            provisioner = Provisioner(template, moto.url)
            provisioner.provision()
            broker, bridge = self._start_iot(template, provisioner)
            logs = self._logs = FunctionLogs(config.state_dir / "logs")
            # Each function may do only what its role (as SAM expands it) allows.
            install()
            self.iam = Enforcer.from_template(template)
            host = LambdaHost(
                template.functions(), config.region, template.stack_name, logs, enforcer=self.iam
            )
            # After the host: the functions' environment names their logger's service.
            self._start(_Installed("function-logs", logs.install, logs.uninstall))
            # Functions share this process: settings read before the environment was complete
            # (endpoints only known now) must be read again, as a fresh container would.
            get_settings.cache_clear()
            self.invoker = self._start(
                AsyncInvoker(host.invoke, template, provisioner.client("sqs"))
            )
            self._late_submit = self.invoker.submit
            self.stream_pollers = [
                self._start(StreamPoller(spec, template, provisioner.client, host.invoke))
                for spec in template.stream_sources()
            ]
            self.queue_pollers = [
                self._start(QueuePoller(spec, template, provisioner.client("sqs"), host.invoke))
                for spec in template.queue_sources()
            ]
            if config.schedules:
                self._start(Scheduler(template.schedules(), self.invoker.submit))
            apis = self._start_apis(template, provisioner, host, moto.url)
            api, speech, portal = apis["StaffApi"], apis["SpeechApi"], apis["PortalApi"]
            # Links in alert messages (unsubscribe) lead to this portal, as they lead to the
            # public address (PortalPublicUrl) on AWS; known only now that it listens.
            os.environ["NGUON_PORTAL_URL"] = portal.url
            get_settings.cache_clear()
            pool_id = template.physical_ids["UserPool"]
            self.bridge = bridge
            site.configure(
                security_headers(
                    template,
                    {
                        "StaffApiOrigin": api.url,
                        "SpeechApiOrigin": speech.url,
                        # moto serves Cognito and S3 (signed links and posts) on one port.
                        "CognitoOrigin": moto.url,
                        "UploadsOrigin": moto.url,
                        "MediaOrigin": moto.url,
                    },
                ),
                {
                    "apiUrl": api.url,
                    "speechUrl": f"{speech.url}/tts",
                    "region": config.region,
                    "userPoolId": pool_id,
                    "userPoolClientId": template.physical_ids["UserPoolClient"],
                    "cognitoEndpoint": f"{moto.url}/",
                },
            )
            self.endpoints = {
                "api_url": api.url,
                "docs_url": f"{api.url}/docs",
                "console_url": console.url,
                "aws_endpoint_url": moto.url,
                "region": config.region,
                "user_pool_id": pool_id,
                "user_pool_client_id": template.physical_ids["UserPoolClient"],
                "table_name": template.physical_ids["MainTable"],
                "delivery_bucket": template.physical_ids["DeliveryBucket"],
                "uploads_bucket": template.physical_ids["UploadsBucket"],
                # endpoint_url for a boto3 polly client (with the bearer token): the speech
                # API's own base URL, as the stack output PollyEndpoint is on AWS.
                "polly_url": f"{speech.url}/tts",
                # Citizens' pages and feeds: {portal_url}/units/{code}, the root the province's.
                "portal_url": portal.url,
                "iot_data_url": bridge.data_url,
                "mqtt": {
                    "host": broker.host,
                    "port": broker.port,
                    "tls_port": broker.tls_port,
                    "ca_file": str(broker.ca_file.resolve()),
                },
                "demo_users": [],
                "logs": str(logs.files.directory.resolve()),
            }
            if config.seed:
                units = load_units()
                cognito = provisioner.client("cognito-idp")
                accounts = seed_demo_users(cognito, pool_id, config.demo_password)
                self.endpoints["demo_users"] = accounts
                log.info("seeded %d units and %d demo users", units, len(accounts))
                if config.demo_bulletins:
                    count = seed_demo_bulletins(cognito, pool_id)
                    log.info("seeded %d demo bulletins", count)
            plan = FleetPlan.parse(config.fleet)
            if plan.scope != "off":
                self.fleet = self._start(SimulatedFleet(plan, config.state_dir / "fleet"))
                self.endpoints["fleet"] = {
                    "devices": len(self.fleet.bundles),
                    "bundles": str((config.state_dir / "fleet" / "bundles").resolve()),
                }
            self._write_endpoints()
        except BaseException:
            self.stop()
            raise
        return self.endpoints

    def stop(self) -> None:
        if self._logs is not None:
            # Work the stop cuts short (a fan-out whose endpoints are already gone) or sets
            # off (devices going offline) is logged in the function files only.
            self._logs.files_only()
        while self._services:
            service = self._services.pop()
            try:
                service.stop()
            except Exception:
                log.exception("stopping %s failed", service.name)
        self.endpoints_file.unlink(missing_ok=True)

    def _start[S: Service](self, service: S) -> S:
        service.start()
        self._services.append(service)
        return service

    def _start_iot(
        self, template: Template, provisioner: Provisioner
    ) -> tuple[MosquittoBroker, IotBridge]:
        """The project CA, Mosquitto with the device policy as its ACL, and the bridge.

        Functions learn the endpoints as a deployment would, through the template's
        parameters (``MqttEndpoint``, ``IotDataEndpoint``)."""
        config = self.config
        secret = template.physical_ids["DeviceCaSecret"]
        ca = install_ca(
            provisioner.client("secretsmanager"),
            provisioner.client("iot"),
            secret,
            "Nguon local CA",
        )
        acl = DeviceAcl(template, provisioner.client("iot"))
        bridge_box: list[IotBridge] = []

        def on_connection(event: ConnectionEvent) -> None:
            if event.connected:
                # Thing-attribute rules need the thing's registry attributes, which exist
                # only once it is provisioned: read them when it connects, as IoT Core does.
                broker.update_acl(acl.with_thing(event.username or event.client_id))
            if bridge_box:
                bridge_box[0].on_connection(event)

        broker = MosquittoBroker(
            config.state_dir,
            ca,
            acl.render(),
            port=config.mqtt_port,
            tls_port=config.mqtt_tls_port,
            on_connection=on_connection,
        )
        self._start(broker)
        bridge = IotBridge(
            broker.host,
            broker.port,
            template.iot_rules(),
            submit=lambda function, event: self._late_submit(function, event),
        )
        bridge_box.append(bridge)
        self._start(bridge)
        template.parameters["MqttEndpoint"] = f"{broker.host}:{broker.tls_port}"
        template.parameters["IotDataEndpoint"] = bridge.data_url
        return broker, bridge

    def _start_apis(
        self, template: Template, provisioner: Provisioner, host: LambdaHost, aws_url: str
    ) -> dict[str, HttpService]:
        """One gateway per ``AWS::Serverless::Api``, each on its own port with its own routes,
        authorizers, gateway responses and binary media types, as API Gateway keeps them."""
        ports = {
            "StaffApi": self.config.api_port,
            "SpeechApi": self.config.speech_port,
            "PortalApi": self.config.portal_port,
        }
        started = {}
        for api_id, _ in template.resources("AWS::Serverless::Api"):
            if api_id not in ports:
                raise TemplateError(f"{api_id}: the local cloud has no port for this API")

            # Only what the gateway emulates: access logs, throttling and the usage plan name
            # resources (log groups, WAF) that the local cloud does not create.
            def prop(name: str, default: Any, api_id: str = api_id) -> Any:
                value = template.property(api_id, name)
                return default if value is None else value

            authorizers = {
                name: self._authorizer(settings["UserPoolArn"], provisioner, aws_url)
                for name, settings in prop("Auth", {}).get("Authorizers", {}).items()
            }
            gateway = ApiGateway(
                api_id=api_id.lower(),
                stage=str(prop("StageName", "")),
                routes=[route for route in template.api_routes() if route.api == api_id],
                authorizers=authorizers,
                gateway_responses=prop("GatewayResponses", {}),
                host=host,
                binary_media_types=prop("BinaryMediaTypes", []),
                # Swagger UI shows the staff API's /openapi.json; a local extra, not API Gateway's.
                docs=api_id == "StaffApi",
                cors=prop("Cors", None),
            )
            name = "gateway" if api_id == "StaffApi" else f"gateway-{api_id}"
            started[api_id] = self._start(HttpService(name, gateway, ports[api_id]))
        return started

    def _authorizer(
        self, pool_arn: str, provisioner: Provisioner, aws_url: str
    ) -> CognitoAuthorizer:
        pool_id = pool_arn.rsplit("/", 1)[-1]
        clients = provisioner.client("cognito-idp").list_user_pool_clients(
            UserPoolId=pool_id, MaxResults=60
        )["UserPoolClients"]
        return CognitoAuthorizer(
            jwks_url=f"{aws_url}/{pool_id}/.well-known/jwks.json",
            issuer=f"https://cognito-idp.{self.config.region}.amazonaws.com/{pool_id}",
            client_ids=[client["ClientId"] for client in clients],
        )

    def _write_endpoints(self) -> None:
        self.config.state_dir.mkdir(parents=True, exist_ok=True)
        temporary = self.endpoints_file.with_suffix(".tmp")
        temporary.write_text(json.dumps(self.endpoints, ensure_ascii=False, indent=2) + "\n")
        temporary.replace(self.endpoints_file)  # readers never see half a file


@dataclass
class _Installed:
    """Something set up on start and taken off on stop, in the services' order."""

    name: str
    start: Callable[[], None]
    stop: Callable[[], None]


class DeviceAcl:
    """The broker's ACL: the template's IoT policies, with the attribute rules resolved for
    every thing seen so far (looked up in the registry when it connects)."""

    def __init__(self, template: Template, iot: "IoTClient") -> None:
        self._policies = [
            translate_policy(
                template.properties(logical_id)["PolicyDocument"],
                region=template.region,
                account=ACCOUNT_ID,
            )
            for logical_id, _ in template.resources("AWS::IoT::Policy")
        ]
        self._iot = iot
        self._things: dict[str, dict[str, str]] = {}
        self._lock = threading.Lock()

    def render(self) -> str:
        with self._lock:
            things = dict(self._things)
        return "\n".join(policy.render("template.yaml", things) for policy in self._policies)

    def with_thing(self, thing: str) -> str:
        """The ACL once ``thing``'s current attributes are in (none if it is not registered)."""
        try:
            attributes = self._iot.describe_thing(thingName=thing).get("attributes", {})
        except self._iot.exceptions.ResourceNotFoundException:
            attributes = {}
        with self._lock:
            self._things[thing] = dict(attributes)
        return self.render()


def _not_ready(function: str, _event: object) -> None:
    log.warning("%s: an IoT rule fired before the functions were ready; dropped", function)
