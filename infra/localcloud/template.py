"""Reading ``template.yaml``: resources, intrinsic functions, functions and their API routes.

Only the intrinsics the template uses are resolved (Ref, Fn::Sub, Fn::GetAtt, Fn::Join);
anything else fails loudly so that the local cloud never silently drifts from the deployment.
"""

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cfnlint.decode import cfn_yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_PATH = REPO_ROOT / "template.yaml"
ACCOUNT_ID = "123456789012"  # moto's default account


class TemplateError(Exception):
    """The template uses something the local cloud cannot reproduce."""


@dataclass(frozen=True)
class ApiRoute:
    """One ``Type: Api`` event of a function."""

    function: str
    api: str
    path: str
    method: str
    authorizer: str | None
    """The authorizer's logical name in the Api's ``Auth``, or None for ``Authorizer: NONE``."""


@dataclass(frozen=True)
class IotRuleSpec:
    """One ``Type: IoTRule`` event: IoT Core runs ``sql`` and invokes ``function`` (async)."""

    function: str
    name: str
    sql: str


@dataclass(frozen=True)
class StreamSourceSpec:
    """One ``Type: DynamoDB`` event: the stream of ``table`` feeds ``function`` in batches."""

    function: str
    table: str
    batch_size: int
    maximum_retry_attempts: int
    filters: tuple[str, ...]
    """Event patterns (JSON); a record passes if any matches (none: every record)."""
    on_failure: str | None
    """Logical id of the SQS queue that receives what could not be processed."""


@dataclass(frozen=True)
class QueueSourceSpec:
    """One ``Type: SQS`` event: Lambda's poller feeds ``function`` from ``queue`` in batches."""

    function: str
    name: str
    queue: str
    """Logical id of the queue."""
    batch_size: int
    report_batch_item_failures: bool
    """``FunctionResponseTypes: [ReportBatchItemFailures]``: only the listed records return."""


@dataclass(frozen=True)
class ScheduleSpec:
    """One ``Type: Schedule``/``ScheduleV2`` event."""

    function: str
    name: str
    expression: str
    timezone: str


@dataclass(frozen=True)
class FunctionSpec:
    logical_id: str
    code_dir: Path
    handler: str
    layer_dirs: tuple[Path, ...]
    environment: Mapping[str, str]
    timeout: int
    memory: int


@dataclass
class Template:
    """A parsed template plus the physical ids of what has been created from it."""

    document: Mapping[str, Any]
    region: str
    stack_name: str
    parameters: dict[str, str] = field(default_factory=dict)
    physical_ids: dict[str, str] = field(default_factory=dict)
    attributes: dict[tuple[str, str], str] = field(default_factory=dict)

    @classmethod
    def load(
        cls, path: Path = TEMPLATE_PATH, *, region: str, stack_name: str = "nguon-local"
    ) -> "Template":
        document = cfn_yaml.load(str(path))
        defaults = {
            name: str(spec["Default"])
            for name, spec in document.get("Parameters", {}).items()
            if "Default" in spec
        }
        return cls(document=document, region=region, stack_name=stack_name, parameters=defaults)

    # ------------------------------------------------------------------ resources
    def resources(self, *types: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
        for logical_id, resource in self.document["Resources"].items():
            if not types or resource["Type"] in types:
                yield logical_id, resource

    def properties(self, logical_id: str) -> dict[str, Any]:
        """The resource's properties with every intrinsic resolved."""
        return self.resolve(self.raw_properties(logical_id))

    def property(self, logical_id: str, name: str) -> Any:
        """One property, resolved (others may refer to resources not created yet)."""
        raw = self.raw_properties(logical_id).get(name)
        return None if raw is None else self.resolve(raw)

    def raw_properties(self, logical_id: str) -> dict[str, Any]:
        """The resource's properties as written, with SAM's ``Globals`` applied to an Api
        (functions take theirs in :meth:`functions`)."""
        resource = self.document["Resources"][logical_id]
        own = dict(resource.get("Properties", {}))
        if resource["Type"] != "AWS::Serverless::Api":
            return own
        return merge_globals(self.document.get("Globals", {}).get("Api", {}), own)

    def functions(self) -> list[FunctionSpec]:
        globals_ = self.document.get("Globals", {}).get("Function", {})
        specs = []
        for logical_id, resource in self.resources("AWS::Serverless::Function"):
            props = {**globals_, **resource.get("Properties", {})}
            environment = {
                **globals_.get("Environment", {}).get("Variables", {}),
                **resource.get("Properties", {}).get("Environment", {}).get("Variables", {}),
            }
            # SAM appends a function's own layers to the global ones.
            own = resource.get("Properties", {}).get("Layers", [])
            layers = [self._layer_dir(layer) for layer in [*globals_.get("Layers", []), *own]]
            specs.append(
                FunctionSpec(
                    logical_id=logical_id,
                    code_dir=REPO_ROOT / props["CodeUri"],
                    handler=props["Handler"],
                    layer_dirs=tuple(layers),
                    environment={k: str(v) for k, v in self.resolve(environment).items()},
                    timeout=int(props.get("Timeout", 3)),
                    memory=int(props.get("MemorySize", 128)),
                )
            )
        return specs

    def api_routes(self) -> list[ApiRoute]:
        routes = []
        for logical_id, resource in self.resources("AWS::Serverless::Function"):
            for event in resource.get("Properties", {}).get("Events", {}).values():
                if event["Type"] != "Api":
                    continue
                props = event["Properties"]
                api_ref = props.get("RestApiId")
                if not (isinstance(api_ref, Mapping) and "Ref" in api_ref):
                    raise TemplateError(f"{logical_id}: Api events need RestApiId: !Ref <Api>")
                api = api_ref["Ref"]
                default = self.raw_properties(api).get("Auth", {})
                authorizer = props.get("Auth", {}).get(
                    "Authorizer", default.get("DefaultAuthorizer")
                )
                routes.append(
                    ApiRoute(
                        function=logical_id,
                        api=api,
                        path=props["Path"],
                        method=props["Method"].upper(),
                        authorizer=None if authorizer in (None, "NONE") else authorizer,
                    )
                )
        return routes

    def _events(self, event_type: str) -> Iterator[tuple[str, str, dict[str, Any]]]:
        for logical_id, resource in self.resources("AWS::Serverless::Function"):
            for name, event in resource.get("Properties", {}).get("Events", {}).items():
                if event["Type"] == event_type:
                    yield logical_id, name, event["Properties"]

    def iot_rules(self) -> list[IotRuleSpec]:
        """SAM ``IoTRule`` events and ``AWS::IoT::TopicRule`` resources with Lambda actions.

        A rule's ``ErrorAction`` is not emulated: locally the invocation is handed over
        in-process and cannot fail the way IoT Core's can (throttling, permissions)."""
        sources = [(f"{f}.{n}", f, props) for f, n, props in self._events("IoTRule")]
        for logical_id, resource in self.resources("AWS::IoT::TopicRule"):
            payload = resource.get("Properties", {}).get("TopicRulePayload", {})
            for action in payload.get("Actions", []):
                if set(action) != {"Lambda"}:
                    raise TemplateError(f"{logical_id}: only Lambda actions run locally")
                function = _logical_of(action["Lambda"].get("FunctionArn"))
                sources.append((logical_id, str(function), payload))
        rules = []
        for where, function, props in sources:
            version = props.get("AwsIotSqlVersion", "2015-10-08")
            if version != "2016-03-23":
                raise TemplateError(f"{where}: only AwsIotSqlVersion 2016-03-23 runs")
            name = where.split(".")[-1]
            rules.append(IotRuleSpec(function, name, str(self.resolve(props["Sql"]))))
        return rules

    def stream_sources(self) -> list[StreamSourceSpec]:
        sources = []
        for function, name, props in self._events("DynamoDB"):
            stream = props["Stream"]
            if not (isinstance(stream, Mapping) and "Fn::GetAtt" in stream):
                raise TemplateError(f"{function}.{name}: Stream must be !GetAtt <Table>.StreamArn")
            table = stream["Fn::GetAtt"]
            table = table[0] if isinstance(table, list) else table.split(".")[0]
            failure = props.get("DestinationConfig", {}).get("OnFailure", {}).get("Destination")
            filters = props.get("FilterCriteria", {}).get("Filters", [])
            sources.append(
                StreamSourceSpec(
                    function=function,
                    table=table,
                    batch_size=int(props.get("BatchSize", 100)),
                    maximum_retry_attempts=int(props.get("MaximumRetryAttempts", -1)),
                    filters=tuple(str(f["Pattern"]) for f in filters),
                    on_failure=_logical_of(failure),
                )
            )
        return sources

    def queue_sources(self) -> list[QueueSourceSpec]:
        sources = []
        for function, name, props in self._events("SQS"):
            queue = _logical_of(props["Queue"])
            if queue is None:
                raise TemplateError(f"{function}.{name}: Queue must be !GetAtt <Queue>.Arn")
            sources.append(
                QueueSourceSpec(
                    function=function,
                    name=name,
                    queue=queue,
                    batch_size=int(props.get("BatchSize", 10)),
                    report_batch_item_failures="ReportBatchItemFailures"
                    in props.get("FunctionResponseTypes", []),
                )
            )
        return sources

    def schedules(self) -> list[ScheduleSpec]:
        specs = []
        for event_type in ("Schedule", "ScheduleV2"):
            for function, name, props in self._events(event_type):
                specs.append(
                    ScheduleSpec(
                        function,
                        name,
                        str(props["ScheduleExpression"]),
                        str(props.get("ScheduleExpressionTimezone", "UTC")),
                    )
                )
        return specs

    def dead_letter_queue(self, function: str) -> str | None:
        """The logical id of a function's async-invocation DLQ, if it has one."""
        resource = self.document["Resources"][function]
        target = resource.get("Properties", {}).get("DeadLetterQueue", {}).get("TargetArn")
        return _logical_of(target)

    def _layer_dir(self, layer: Any) -> Path:
        if isinstance(layer, Mapping) and "Ref" in layer:
            resource = self.document["Resources"][layer["Ref"]]
            if resource["Type"] == "AWS::Serverless::LayerVersion":
                return REPO_ROOT / resource["Properties"]["ContentUri"]
        raise TemplateError(f"unsupported layer reference {layer!r}")

    # ------------------------------------------------------------------ intrinsics
    def pseudo(self) -> dict[str, str]:
        return {
            "AWS::Region": self.region,
            "AWS::AccountId": ACCOUNT_ID,
            "AWS::StackName": self.stack_name,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
        }

    def resolve(self, value: Any) -> Any:
        if isinstance(value, Mapping):
            if len(value) == 1:
                ((key, arg),) = value.items()
                handler = self._intrinsics().get(key)
                if handler:
                    return handler(arg)
            return {k: self.resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        return value

    def _intrinsics(self) -> dict[str, Callable[[Any], Any]]:
        return {
            "Ref": self._ref,
            "Fn::Sub": self._sub,
            "Fn::GetAtt": self._get_att,
            "Fn::Join": lambda arg: arg[0].join(str(self.resolve(p)) for p in arg[1]),
            "Fn::If": self._unsupported("Fn::If"),
            "Fn::ImportValue": self._unsupported("Fn::ImportValue"),
        }

    def _ref(self, name: str) -> str:
        if name in self.parameters:
            return self.parameters[name]
        if name in self.pseudo():
            return self.pseudo()[name]
        if name in self.physical_ids:
            return self.physical_ids[name]
        raise TemplateError(f"Ref {name}: not created yet (or unknown)")

    def _get_att(self, arg: Any) -> str:
        logical_id, attribute = arg if isinstance(arg, list) else arg.split(".", 1)
        try:
            return self.attributes[(logical_id, attribute)]
        except KeyError:
            raise TemplateError(f"GetAtt {logical_id}.{attribute}: not available") from None

    def _sub(self, arg: Any) -> str:
        text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1])
        variables = {k: str(self.resolve(v)) for k, v in variables.items()}

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in variables:
                return variables[name]
            if "." in name:
                return self._get_att(name)
            return self._ref(name)

        substituted = re.sub(r"\$\{([^}!]+)\}", replace, text)
        return substituted.replace("${!", "${")  # `${!Literal}` is Sub's escape for `${Literal}`

    @staticmethod
    def _unsupported(name: str) -> Callable[[Any], Any]:
        def fail(_: Any) -> Any:
            raise TemplateError(f"{name} is not supported by the local cloud")

        return fail


def merge_globals(globals_: Any, own: Any) -> Any:
    """SAM's rule for a ``Globals`` section: maps merge key by key (recursively), lists are
    the global items then the resource's, and anything else the resource sets wins."""
    if isinstance(globals_, Mapping) and isinstance(own, Mapping):
        merged = dict(globals_)
        for key, value in own.items():
            merged[key] = merge_globals(globals_[key], value) if key in globals_ else value
        return merged
    if isinstance(globals_, list) and isinstance(own, list):
        return [*globals_, *own]
    return own


def _logical_of(reference: Any) -> str | None:
    """The logical id in ``!GetAtt X.Arn`` or ``!Ref X`` (None for no reference)."""
    if reference is None:
        return None
    if isinstance(reference, Mapping) and "Fn::GetAtt" in reference:
        target = reference["Fn::GetAtt"]
        return str(target[0] if isinstance(target, list) else target.split(".")[0])
    if isinstance(reference, Mapping) and "Ref" in reference:
        return str(reference["Ref"])
    raise TemplateError(f"unsupported reference {reference!r}")
