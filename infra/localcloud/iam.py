"""Each function's own permissions, enforced on the local cloud as IAM would enforce them.

On AWS every call a function makes is signed with its execution role and refused when the
role does not allow it. Here functions share one interpreter and one set of dummy
credentials, so the check happens in the SDK instead: every botocore client gets a
``before-parameter-build`` hook, and while a function runs (``LambdaHost.invoke`` sets
``RUNNING``) each call is mapped to its IAM action(s) and resource ARN(s) and evaluated
against that function's role *as the SAM translator expands it* (policy templates such as
``DynamoDBCrudPolicy`` become real statements; their ``Fn::Sub``/``Ref``/``GetAtt`` resolve
to the local ARNs of what was provisioned). A refused call raises the ``ClientError`` AWS
would answer, so a missing permission fails a test instead of a deployment. Presigned URLs
and POSTs are checked when they are signed (S3 honours them only if the signer may do the
call), and S3 transfers' worker threads run as the function that started them.

moto's own access control (``INITIAL_NO_AUTH_ACTION_COUNT``) was not used: every function
would need credentials of its own while they share one process environment, moto evaluates
few resource ARNs (none item by item for DynamoDB transactions), and the IoT data plane here
is the local bridge, not moto.

Evaluated: Allow/Deny with explicit Deny first, Action/NotAction, Resource/NotResource, IAM's
wildcards (``*``, ``?``; actions case-insensitive, resources case-sensitive). Not evaluated:
``Condition`` (no role uses one; a role that does fails loudly at start) and the resource
policies of buckets, queues and keys (the template sets none that name a function's role).
"""

import contextvars
import json
import os
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from urllib.parse import unquote, urlparse

import botocore.session
from botocore.exceptions import ClientError

from infra.localcloud.template import ACCOUNT_ID, Template, TemplateError

RUNNING: contextvars.ContextVar[tuple["Enforcer", str] | None] = contextvars.ContextVar(
    "nguon_running_function", default=None
)
"""(enforcer, function logical id) while a function's handler runs in this thread."""

# AWS-managed policies SAM attaches (the translator names them, it cannot expand them): what
# AWS publishes for each, trimmed to the statements. They serve Lambda itself (logs, traces,
# the event source's poller), but the function's code holds them too.
MANAGED_POLICIES: dict[str, list[dict[str, Any]]] = {
    "AWSLambdaBasicExecutionRole": [
        {
            "Effect": "Allow",
            "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": "*",
        }
    ],
    "AWSXrayWriteOnlyAccess": [
        {
            "Effect": "Allow",
            "Action": [
                "xray:PutTraceSegments",
                "xray:PutTelemetryRecords",
                "xray:GetSamplingRules",
                "xray:GetSamplingTargets",
                "xray:GetSamplingStatisticSummaries",
            ],
            "Resource": "*",
        }
    ],
    "AWSLambdaDynamoDBExecutionRole": [
        {
            "Effect": "Allow",
            "Action": [
                "dynamodb:DescribeStream",
                "dynamodb:GetRecords",
                "dynamodb:GetShardIterator",
                "dynamodb:ListStreams",
                "logs:CreateLogGroup",
                "logs:CreateLogStream",
                "logs:PutLogEvents",
            ],
            "Resource": "*",
        }
    ],
    "AWSLambdaSQSQueueExecutionRole": [
        {
            "Effect": "Allow",
            "Action": [
                "sqs:ReceiveMessage",
                "sqs:DeleteMessage",
                "sqs:GetQueueAttributes",
                "logs:CreateLogGroup",
                "logs:CreateLogStream",
                "logs:PutLogEvents",
            ],
            "Resource": "*",
        }
    ],
}


# ---------------------------------------------------------------------- evaluation
@cache
def _pattern(text: str, case_sensitive: bool) -> re.Pattern[str]:
    """IAM's wildcards: ``*`` any run of characters, ``?`` one character."""
    regex = "".join(
        ".*" if char == "*" else "." if char == "?" else re.escape(char) for char in text
    )
    return re.compile(f"^{regex}$", re.DOTALL if case_sensitive else re.DOTALL | re.IGNORECASE)


def matches(pattern: str, value: str, *, case_sensitive: bool) -> bool:
    return _pattern(pattern, case_sensitive).match(value) is not None


def _listed(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


@dataclass(frozen=True)
class Statement:
    effect: str
    actions: tuple[str, ...] = ()
    not_actions: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()
    not_resources: tuple[str, ...] = ()
    source: str = ""
    """The policy it came from (a managed policy's name, or ``inline``)."""

    @classmethod
    def parse(cls, raw: Mapping[str, Any], source: str = "inline") -> "Statement":
        if "Condition" in raw:
            raise TemplateError(f"{source}: the local IAM check does not evaluate Condition")
        if raw.get("Effect") not in ("Allow", "Deny"):
            raise TemplateError(f"{source}: Effect must be Allow or Deny, not {raw.get('Effect')}")
        return cls(
            effect=raw["Effect"],
            actions=_listed(raw.get("Action")),
            not_actions=_listed(raw.get("NotAction")),
            resources=_listed(raw.get("Resource")),
            not_resources=_listed(raw.get("NotResource")),
            source=source,
        )

    def applies(self, action: str, resource: str) -> bool:
        if self.actions:
            hit = any(matches(p, action, case_sensitive=False) for p in self.actions)
        else:
            hit = not any(matches(p, action, case_sensitive=False) for p in self.not_actions)
        if not hit:
            return False
        if self.resources:
            return any(matches(p, resource, case_sensitive=True) for p in self.resources)
        return not any(matches(p, resource, case_sensitive=True) for p in self.not_resources)


@dataclass(frozen=True)
class RolePolicy:
    """The identity policies of one role: allowed when a statement allows and none denies."""

    statements: tuple[Statement, ...]

    def decide(self, action: str, resource: str) -> str:
        """``Allow``, ``ExplicitDeny`` or ``ImplicitDeny``, by IAM's evaluation order."""
        applicable = [s for s in self.statements if s.applies(action, resource)]
        if any(s.effect == "Deny" for s in applicable):
            return "ExplicitDeny"
        if any(s.effect == "Allow" for s in applicable):
            return "Allow"
        return "ImplicitDeny"

    def granted_actions(self) -> list[str]:
        """The actions its own statements allow (not the managed policies for Lambda)."""
        found: list[str] = []
        for statement in self.statements:
            if statement.effect != "Allow" or statement.source != "inline":
                continue
            found.extend(a for a in statement.actions if a not in found)
        return found


# ---------------------------------------------------------------------- roles from the template
def translate(document: Mapping[str, Any], region: str) -> dict[str, Any]:
    """The template as the SAM translator turns it into CloudFormation."""
    from samtranslator.translator.transform import transform

    sam = json.loads(json.dumps(document, default=str))  # a plain copy the translator may change
    for resource in sam["Resources"].values():
        props = resource.get("Properties", {})
        for key in ("CodeUri", "ContentUri"):  # what `sam package` does before deploying
            if isinstance(props.get(key), str):
                props[key] = f"s3://nguon-artifacts/{props[key].strip('/')}.zip"

    class _Managed:  # the translator only needs names; MANAGED_POLICIES has the contents
        def load(self) -> dict[str, str]:
            return {}

    previous = os.environ.get("AWS_DEFAULT_REGION")
    os.environ["AWS_DEFAULT_REGION"] = region  # the translator reads the partition from it
    try:
        return transform(sam, {}, _Managed())
    finally:
        if previous is None:
            os.environ.pop("AWS_DEFAULT_REGION", None)
        else:
            os.environ["AWS_DEFAULT_REGION"] = previous


def role_policies(template: Template) -> dict[str, RolePolicy]:
    """Each function's role, its ARNs resolved against what the template created locally."""
    translated = translate(template.document, template.region)
    resolver = Template(
        document=translated,
        region=template.region,
        stack_name=template.stack_name,
        parameters=template.parameters,
        physical_ids=template.physical_ids,
        attributes=template.attributes,
    )
    roles: dict[str, RolePolicy] = {}
    for logical_id, _ in template.resources("AWS::Serverless::Function"):
        role = translated["Resources"].get(f"{logical_id}Role")
        if role is None:
            raise TemplateError(
                f"{logical_id}: no role from the translator (Role: is not supported)"
            )
        props = role["Properties"]
        statements: list[Statement] = []
        for arn in props.get("ManagedPolicyArns", []):
            name = str(arn).rsplit("/", 1)[-1]
            if name not in MANAGED_POLICIES:
                raise TemplateError(f"{logical_id}: managed policy {name} is not known locally")
            statements += [Statement.parse(s, name) for s in MANAGED_POLICIES[name]]
        for policy in props.get("Policies", []):
            document = resolver.resolve(policy["PolicyDocument"])
            raw = document["Statement"]
            for statement in [raw] if isinstance(raw, Mapping) else raw:
                statements.append(Statement.parse(statement))
        roles[logical_id] = RolePolicy(tuple(statements))
    return roles


# ---------------------------------------------------------------------- calls → actions, ARNs
Request = tuple[str, str]
"""(IAM action, resource ARN) that one call needs."""

_S3_ACTIONS = {
    "GetObject": "s3:GetObject",
    "HeadObject": "s3:GetObject",
    "PutObject": "s3:PutObject",
    "CreateMultipartUpload": "s3:PutObject",
    "UploadPart": "s3:PutObject",
    "CompleteMultipartUpload": "s3:PutObject",
    "AbortMultipartUpload": "s3:AbortMultipartUpload",
    "DeleteObject": "s3:DeleteObject",
    "GetObjectTagging": "s3:GetObjectTagging",
    "PutObjectTagging": "s3:PutObjectTagging",
    "ListObjects": "s3:ListBucket",
    "ListObjectsV2": "s3:ListBucket",
    "HeadBucket": "s3:ListBucket",
    "ListObjectVersions": "s3:ListBucketVersions",
}
_S3_VERSIONED = {"s3:GetObject": "s3:GetObjectVersion", "s3:DeleteObject": "s3:DeleteObjectVersion"}

# DynamoDB authorises a transaction (and a batch) item by item, with the single-item actions.
_TRANSACT_ITEM_ACTIONS = {
    "Put": "dynamodb:PutItem",
    "Update": "dynamodb:UpdateItem",
    "Delete": "dynamodb:DeleteItem",
    "ConditionCheck": "dynamodb:ConditionCheckItem",
    "Get": "dynamodb:GetItem",
}
_SQS_BATCH = {
    "SendMessageBatch": "sqs:SendMessage",
    "DeleteMessageBatch": "sqs:DeleteMessage",
    "ChangeMessageVisibilityBatch": "sqs:ChangeMessageVisibility",
}
# IoT control plane: which parameter names the resource (None: the action has no resource type).
_IOT_RESOURCES: dict[str, Callable[[Mapping[str, Any]], str] | None] = {
    "CreateThing": lambda p: f"thing/{p['thingName']}",
    "DescribeThing": lambda p: f"thing/{p['thingName']}",
    "DeleteThing": lambda p: f"thing/{p['thingName']}",
    "UpdateThing": lambda p: f"thing/{p['thingName']}",
    "ListThingPrincipals": lambda p: f"thing/{p['thingName']}",
    "AttachThingPrincipal": lambda p: f"thing/{p['thingName']}",
    "DetachThingPrincipal": lambda p: f"thing/{p['thingName']}",
    "DescribeCertificate": lambda p: f"cert/{p['certificateId']}",
    "UpdateCertificate": lambda p: f"cert/{p['certificateId']}",
    "DeleteCertificate": lambda p: f"cert/{p['certificateId']}",
    # The resource of (De)AttachPolicy is the target: a certificate (or a thing group).
    "AttachPolicy": lambda p: p["target"].split(":", 5)[-1],
    "DetachPolicy": lambda p: p["target"].split(":", 5)[-1],
    "GetPolicy": lambda p: f"policy/{p['policyName']}",
    "RegisterCertificate": None,
    "RegisterCertificateWithoutCA": None,
    "CreateKeysAndCertificate": None,
    "DescribeEndpoint": None,
    "ListThings": None,
}
_IOT_DATA_RESOURCES: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "GetThingShadow": lambda p: f"thing/{p['thingName']}",
    "UpdateThingShadow": lambda p: f"thing/{p['thingName']}",
    "DeleteThingShadow": lambda p: f"thing/{p['thingName']}",
    "ListNamedShadowsForThing": lambda p: f"thing/{p['thingName']}",
    "Publish": lambda p: f"topic/{p['topic']}",
    "GetRetainedMessage": lambda p: f"topic/{p['topic']}",
}


class UnmappedCall(TemplateError):
    """A call the local IAM check cannot map to its action and resource: add it to the table
    (failing is better than letting it through unchecked)."""


@dataclass
class Arns:
    region: str
    account: str = ACCOUNT_ID
    secrets: dict[str, str] = field(default_factory=dict)
    """Secret name → ARN (AWS appends a random suffix that only the ARN knows)."""

    def requests(self, service: str, operation: str, params: Mapping[str, Any]) -> list[Request]:
        method = getattr(self, "_" + service.replace("-", "_"), None)
        if method is None:
            raise UnmappedCall(f"the local IAM check does not know the {service} service")
        return method(operation, params)

    def _arn(self, service: str, resource: str) -> str:
        return f"arn:aws:{service}:{self.region}:{self.account}:{resource}"

    def _dynamodb(self, op: str, p: Mapping[str, Any]) -> list[Request]:
        def table(name: str) -> str:
            return name if name.startswith("arn:") else self._arn("dynamodb", f"table/{name}")

        if op in ("TransactWriteItems", "TransactGetItems"):
            found = []
            for item in p["TransactItems"]:
                ((kind, body),) = item.items()
                found.append((_TRANSACT_ITEM_ACTIONS[kind], table(body["TableName"])))
            return found
        if op in ("BatchWriteItem", "BatchGetItem"):
            return [(f"dynamodb:{op}", table(name)) for name in p["RequestItems"]]
        if op == "ListTables":
            return [("dynamodb:ListTables", "*")]
        resource = table(p["TableName"])
        if p.get("IndexName"):
            resource += f"/index/{p['IndexName']}"
        return [(f"dynamodb:{op}", resource)]

    def _s3(self, op: str, p: Mapping[str, Any]) -> list[Request]:
        bucket = p["Bucket"]
        if op == "CopyObject":
            source = p["CopySource"]
            if isinstance(source, Mapping):
                source = f"{source['Bucket']}/{source['Key']}"
            return [
                ("s3:GetObject", f"arn:aws:s3:::{unquote(source.split('?')[0].lstrip('/'))}"),
                ("s3:PutObject", f"arn:aws:s3:::{bucket}/{p['Key']}"),
            ]
        if op == "DeleteObjects":
            return [
                ("s3:DeleteObject", f"arn:aws:s3:::{bucket}/{o['Key']}")
                for o in p["Delete"]["Objects"]
            ]
        action = _S3_ACTIONS.get(op)
        if action is None:
            raise UnmappedCall(f"the local IAM check has no action for s3 {op}")
        if p.get("VersionId") and action in _S3_VERSIONED:
            action = _S3_VERSIONED[action]
        if "Key" in p and action not in ("s3:ListBucket", "s3:ListBucketVersions"):
            return [(action, f"arn:aws:s3:::{bucket}/{p['Key']}")]
        return [(action, f"arn:aws:s3:::{bucket}")]

    def _sqs(self, op: str, p: Mapping[str, Any]) -> list[Request]:
        if op == "ListQueues":
            return [("sqs:ListQueues", "*")]
        name = p["QueueName"] if op in ("GetQueueUrl", "CreateQueue") else None
        if name is None:
            name = urlparse(p["QueueUrl"]).path.rstrip("/").rsplit("/", 1)[-1]
        return [(_SQS_BATCH.get(op, f"sqs:{op}"), self._arn("sqs", name))]

    def _secretsmanager(self, op: str, p: Mapping[str, Any]) -> list[Request]:
        secret = str(p.get("SecretId", ""))
        if not secret.startswith("arn:"):
            # A name: the ARN of the secret the template created, else the shape AWS gives
            # (name plus "-" and six characters) so that name-prefix grants match as on AWS.
            secret = self.secrets.get(secret) or self._arn(
                "secretsmanager", f"secret:{secret}-000000"
            )
        return [(f"secretsmanager:{op}", secret)]

    def _iot(self, op: str, p: Mapping[str, Any]) -> list[Request]:
        if op not in _IOT_RESOURCES:
            raise UnmappedCall(f"the local IAM check has no resource for iot {op}")
        resource = _IOT_RESOURCES[op]
        return [(f"iot:{op}", "*" if resource is None else self._arn("iot", resource(p)))]

    def _iot_data(self, op: str, p: Mapping[str, Any]) -> list[Request]:
        if op not in _IOT_DATA_RESOURCES:
            raise UnmappedCall(f"the local IAM check has no resource for iot-data {op}")
        return [(f"iot:{op}", self._arn("iot", _IOT_DATA_RESOURCES[op](p)))]

    def _cognito_idp(self, op: str, p: Mapping[str, Any]) -> list[Request]:
        pool = p.get("UserPoolId")
        resource = self._arn("cognito-idp", f"userpool/{pool}") if pool else "*"
        return [(f"cognito-idp:{op}", resource)]

    def _polly(self, op: str, p: Mapping[str, Any]) -> list[Request]:
        names = p.get("LexiconNames") or ([p["Name"]] if "Name" in p else [])
        if not names:
            return [(f"polly:{op}", "*")]
        return [(f"polly:{op}", self._arn("polly", f"lexicon/{name}")) for name in names]

    def _ses(self, op: str, p: Mapping[str, Any]) -> list[Request]:
        if op not in ("SendEmail", "SendRawEmail"):
            raise UnmappedCall(f"the local IAM check has no resource for ses {op}")
        # The identity sending: the domain of the Source address (an address verified on its
        # own would be its own identity; the template verifies domains).
        source = str(p.get("Source", "")).rsplit("<", 1)[-1].rstrip(">")
        return [(f"ses:{op}", self._arn("ses", f"identity/{source.rsplit('@', 1)[-1]}"))]

    def _sns(self, op: str, p: Mapping[str, Any]) -> list[Request]:
        if op != "Publish":
            raise UnmappedCall(f"the local IAM check has no resource for sns {op}")
        # A phone number has no ARN: IAM sees "*" (the template denies every SNS ARN).
        return [("sns:Publish", p.get("TopicArn") or p.get("TargetArn") or "*")]

    def _sts(self, op: str, p: Mapping[str, Any]) -> list[Request]:
        return []  # GetCallerIdentity needs no permission; nothing else is called


# ---------------------------------------------------------------------- enforcement
_ERROR_SHAPES = {  # (code, HTTP status) of each service's refusal
    "s3": ("AccessDenied", 403),
    "sqs": ("AccessDenied", 403),
    "iot": ("AccessDeniedException", 403),
    "iot-data": ("ForbiddenException", 403),
    "ses": ("AccessDenied", 403),
    "sns": ("AuthorizationError", 403),
}


class Enforcer:
    """Checks the calls of running functions against their roles and records what they used."""

    def __init__(self, roles: Mapping[str, RolePolicy], arns: Arns, stack_name: str) -> None:
        self.roles = dict(roles)
        self.arns = arns
        self.stack_name = stack_name
        self._lock = threading.Lock()
        self.used: dict[str, set[Request]] = {name: set() for name in roles}
        self.denied: dict[str, set[Request]] = {name: set() for name in roles}

    @classmethod
    def from_template(cls, template: Template) -> "Enforcer":
        secrets = {}
        for logical_id, _ in template.resources("AWS::SecretsManager::Secret"):
            arn = template.physical_ids.get(logical_id, "")
            name = template.property(logical_id, "Name")
            if arn and name:
                secrets[str(name)] = arn
        return cls(
            role_policies(template), Arns(template.region, secrets=secrets), template.stack_name
        )

    def check(self, function: str, service: str, operation: str, params: Mapping[str, Any]) -> None:
        role = self.roles[function]
        for action, resource in self.arns.requests(service, operation, params):
            decision = role.decide(action, resource)
            with self._lock:
                (self.used if decision == "Allow" else self.denied)[function].add(
                    (action, resource)
                )
            if decision != "Allow":
                raise self._refusal(function, service, operation, action, resource, decision)

    def _refusal(
        self, function: str, service: str, operation: str, action: str, resource: str, why: str
    ) -> ClientError:
        code, status = _ERROR_SHAPES.get(service, ("AccessDeniedException", 400))
        role = f"{self.stack_name}-{function}Role"
        reason = (
            "with an explicit deny in an identity-based policy"
            if why == "ExplicitDeny"
            else f"because no identity-based policy allows the {action} action"
        )
        message = (
            f"User: arn:aws:sts::{self.arns.account}:assumed-role/{role}/{self.stack_name}-"
            f"{function} is not authorized to perform: {action} on resource: {resource} {reason}"
        )
        return ClientError(
            {
                "Error": {"Code": code, "Message": message},
                # As AWS answers (botocore's response shape has every field).
                "ResponseMetadata": {
                    "RequestId": "",
                    "HostId": "",
                    "HTTPStatusCode": status,
                    "HTTPHeaders": {},
                    "RetryAttempts": 0,
                },
            },
            operation,
        )

    # -------------------------------------------------------------- the suite's table
    def usage(self) -> dict[str, dict[str, list[str]]]:
        """Per function: actions used, refused, and granted (its own statements; the managed
        policies SAM adds for Lambda itself are listed apart)."""
        table = {}
        with self._lock:
            for name, role in self.roles.items():
                table[name] = {
                    "used": sorted({a for a, _ in self.used[name]}),
                    "used_resources": sorted(f"{a} {r}" for a, r in self.used[name]),
                    "denied": sorted(f"{a} {r}" for a, r in self.denied[name]),
                    "granted": role.granted_actions(),
                    "managed": sorted({s.source for s in role.statements if s.source != "inline"}),
                }
        return table


def _check_call(
    params: Mapping[str, Any], model: Any, context: Mapping[str, Any] | None = None, **_: Any
) -> None:
    running = RUNNING.get()
    if running is None:
        return  # the local cloud itself, or a test: not a function
    if context and context.get("is_presign_request") and model.name == "CreateBucket":
        return  # generate_presigned_post's placeholder operation: checked by _checked_post
    enforcer, function = running
    enforcer.check(function, model.service_model.service_name, model.name, params)


def _checked_post(original: Callable[..., Any]) -> Callable[..., Any]:
    """A presigned POST is signed with the role's credentials: S3 accepts it only if the role
    may PutObject that key, so it is checked when it is signed."""

    def generate_presigned_post(Bucket: str, Key: str, *args: Any, **kwargs: Any) -> Any:
        running = RUNNING.get()
        if running is not None:
            enforcer, function = running
            enforcer.check(function, "s3", "PutObject", {"Bucket": Bucket, "Key": Key})
        return original(Bucket, Key, *args, **kwargs)

    return generate_presigned_post


_installed = threading.Lock()
_done: list[bool] = []


def install() -> None:
    """Hook every botocore client created from now on (boto3's and PynamoDB's sessions alike).

    Presigned URLs go through the same hook (botocore builds their parameters the same way)."""
    with _installed:
        if _done:
            return
        original = botocore.session.Session.create_client

        def create_client(self: Any, service_name: str, *args: Any, **kwargs: Any) -> Any:
            client = original(self, service_name, *args, **kwargs)
            client.meta.events.register("before-parameter-build", _check_call)
            if service_name == "s3":
                # S3 clients only (service_name says this is one): BaseClient does not list it.
                client.generate_presigned_post = _checked_post(client.generate_presigned_post)  # type: ignore[attr-defined]
            return client

        # Patched on the class, so clients made anywhere in the process are checked.
        botocore.session.Session.create_client = create_client  # type: ignore[method-assign]
        _follow_transfers()
        _done.append(True)


class _InRole:
    """An s3transfer task that runs, in the transfer's worker thread, as the function that
    started the transfer (threads do not inherit context variables)."""

    def __init__(self, task: Any, running: tuple["Enforcer", str]) -> None:
        self._task = task
        self._running = running

    def __getattr__(self, name: str) -> Any:
        return getattr(self._task, name)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        token = RUNNING.set(self._running)
        try:
            return self._task(*args, **kwargs)
        finally:
            RUNNING.reset(token)


def _follow_transfers() -> None:
    """upload_file/download_file run their parts in a thread pool: keep them in the role."""
    from s3transfer.futures import BoundedExecutor

    original = BoundedExecutor.submit

    def submit(self: Any, task: Any, tag: Any = None, block: bool = True) -> Any:
        running = RUNNING.get()
        # _InRole stands in for the task (its attributes through __getattr__).
        wrapped = task if running is None else _InRole(task, running)
        return original(self, wrapped, tag, block)  # type: ignore[arg-type]

    # Patched on the class: s3transfer makes its executors itself.
    BoundedExecutor.submit = submit  # type: ignore[method-assign]


def format_table(usage: Mapping[str, Mapping[str, Iterable[str]]]) -> str:
    """Per function: actions used in the run / granted to its role (``-`` granted, unused)."""
    lines = []
    for function in sorted(usage):
        row = usage[function]
        used = set(row["used"])
        granted = list(row["granted"])
        unused = [g for g in granted if not any(matches(g, u, case_sensitive=False) for u in used)]
        lines.append(f"{function}:")
        lines.append(f"  used    ({len(used)}): {', '.join(sorted(used)) or '-'}")
        lines.append(f"  granted ({len(granted)}): {', '.join(granted) or '-'}")
        lines.append(f"  granted, not used in this run: {', '.join(unused) or '-'}")
        if row.get("managed"):
            lines.append(f"  managed (for Lambda itself): {', '.join(row['managed'])}")
        if row.get("denied"):
            lines.append(f"  REFUSED: {'; '.join(row['denied'])}")
    return "\n".join(lines)
