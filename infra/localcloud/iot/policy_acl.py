"""An AWS IoT policy document turned into the Mosquitto 2.0 ``acl_file`` that enforces it locally.

Each device's permissions live once, in the template's ``AWS::IoT::Policy``; the local broker
derives its ACL from the same document so that a device that works locally is not refused in
AWS for a topic its policy forgot. What cannot be expressed faithfully is refused, never
approximated in silence.

AWS side (AWS IoT Developer Guide): ``iot:Publish`` and ``iot:Receive`` take ``topic/``
resources, ``iot:Subscribe`` takes ``topicfilter/`` and ``iot:Connect`` takes ``client/``
("AWS IoT Core policy actions",
https://docs.aws.amazon.com/iot/latest/developerguide/iot-policy-actions.html). In resources
``*`` and ``?`` are wildcards while ``+`` and ``#`` are literal characters ("Publish/Subscribe
policy examples", https://docs.aws.amazon.com/iot/latest/developerguide/pub-sub-policy.html;
"AWS IoT Core policy variables",
https://docs.aws.amazon.com/iot/latest/developerguide/iot-policy-variables.html). Thing policy
variables resolve only when the client id is the thing name ("Thing policy variables",
https://docs.aws.amazon.com/iot/latest/developerguide/thing-policy-variables.html).

Mosquitto side (mosquitto.conf(5), checked against mosquitto 2.0.11): ``pattern`` lines apply
to every client, ``topic`` lines after a ``user`` line only to that user (before any, only to
anonymous ones). Rules that use only the thing name or client id become ``pattern`` lines.
Rules that use a thing attribute (``${iot:Connection.Thing.Attributes[name]}``) cannot be a
pattern: they are resolved per registered thing into a ``user <thing>`` block of ``topic``
lines, and a thing without that attribute gets nothing from them (in AWS the variable stays
unresolved and the statement grants nothing). ``%u`` is the username, which the mTLS listener
sets to the certificate's CN (``use_identity_as_username``), i.e. the thing name; ``%c`` is
the client id.
A substitution must be a whole topic level. ``write`` governs PUBLISH; ``read`` governs which
messages are delivered (mosquitto 2.0 grants every SUBSCRIBE and filters delivery), so
``iot:Subscribe`` and ``iot:Receive`` both become ``read``.

In an IoT policy ``+`` and ``#`` are literal: ``topicfilter/nguon/alerts/+`` allows only the
subscription to the filter ``nguon/alerts/+`` itself and AWS refuses ``nguon/alerts/52``.
Mosquitto checks deliveries, not subscription filters, so it cannot tell the two apart: such a
resource is refused here, so that the local cloud fails where AWS would refuse the device.

Known widenings, all in the direction of "locally allowed": a read line lets a device receive
a topic that it could receive in AWS only with both Subscribe and Receive; a trailing ``/*``
becomes ``/#``, which also matches the parent level; ``iot:Connect`` is not enforced by the ACL
and is returned for the caller to enforce.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

_VARIABLES = {"iot:Connection.Thing.ThingName": "%u", "iot:ClientId": "%c"}
_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_ATTRIBUTE = re.compile(r"iot:Connection\.Thing\.Attributes\[([A-Za-z0-9_.,@/:#-]+)\]")
# What an attribute placeholder looks like inside a translated rule, until a thing fills it.
_PLACEHOLDER = re.compile(r"\{attribute:([^}]+)\}")
_RESOURCE_TYPE = {
    "iot:publish": "topic",
    "iot:receive": "topic",
    "iot:subscribe": "topicfilter",
    "iot:connect": "client",
}
_ACCESS = {"iot:publish": "write", "iot:receive": "read", "iot:subscribe": "read"}


class PolicyAclError(Exception):
    """The policy says something a Mosquitto ACL file cannot enforce faithfully."""


@dataclass(frozen=True)
class AclRule:
    access: str  # "read" | "write" | "readwrite"
    topic: str


@dataclass(frozen=True)
class MosquittoAcl:
    rules: tuple[AclRule, ...]
    """Sorted by topic, one rule per topic."""
    connect_client_ids: tuple[str, ...]
    """The ``client/`` resources of ``iot:Connect`` (``%u``/``%c`` substituted), for the
    caller to enforce: Mosquitto's ACL cannot refuse a connection."""
    thing_rules: tuple[AclRule, ...] = ()
    """Rules that name thing attributes (``{attribute:name}`` in the topic), per thing."""

    def render(self, source: str, things: Mapping[str, Mapping[str, str]] | None = None) -> str:
        """The ACL file; ``things`` (name → registry attributes) fills the attribute rules."""
        lines = [
            f"# Generated from {source} by infra/localcloud/iot/policy_acl.py; do not edit.",
            "# %u is the certificate CN (use_identity_as_username), i.e. the thing name.",
        ]
        if self.connect_client_ids:
            allowed = " ".join(self.connect_client_ids)
            lines.append(f"# iot:Connect (enforced by the local cloud, not here): {allowed}")
        else:
            lines.append("# iot:Connect: not granted by this policy.")
        lines += [f"pattern {rule.access} {rule.topic}" for rule in self.rules]
        for thing, attributes in sorted((things or {}).items()):
            topics = self.topics_of(thing, attributes)
            if topics:
                lines.append(f"user {thing}")
                lines += [f"topic {rule.access} {rule.topic}" for rule in topics]
        return "\n".join(lines) + "\n"

    def topics_of(self, thing: str, attributes: Mapping[str, str]) -> tuple[AclRule, ...]:
        """The attribute rules resolved for one thing; a rule naming an attribute the thing
        lacks, or whose value would act as a wildcard or span levels, grants nothing."""
        resolved = []
        for rule in self.thing_rules:
            values = {name: attributes.get(name) for name in _PLACEHOLDER.findall(rule.topic)}
            if not all(value and not re.search(r"[+#*?/\s]", value) for value in values.values()):
                continue

            def fill(m: re.Match[str], v: dict[str, str | None] = values) -> str:
                return str(v[m.group(1)])

            topic = _PLACEHOLDER.sub(fill, rule.topic)
            resolved.append(AclRule(rule.access, topic.replace("%u", thing).replace("%c", thing)))
        return tuple(sorted(set(resolved), key=lambda rule: rule.topic))


def translate_policy(document: Mapping[str, Any], *, region: str, account: str) -> MosquittoAcl:
    """The ACL rules and the connect permissions of an IoT policy document."""
    accesses: dict[str, set[str]] = {}
    client_ids: set[str] = set()
    statements = document.get("Statement")
    if isinstance(statements, Mapping):
        statements = [statements]
    if not isinstance(statements, list) or not statements:
        raise PolicyAclError("the policy has no Statement list")
    for statement in statements:
        for action, kind, path in _grants(statement, region=region, account=account):
            if kind == "client":
                client_ids.add(_substitute(path, f"client/{path}"))
            elif action == "iot:*" and kind == "topic":  # Publish and Receive
                accesses.setdefault(_topic(kind, path), set()).update(("read", "write"))
            else:  # iot:* on a topicfilter/ is Subscribe
                accesses.setdefault(_topic(kind, path), set()).add(_ACCESS.get(action, "read"))
    rules = tuple(
        AclRule("readwrite" if len(kinds) == 2 else next(iter(kinds)), topic)
        for topic, kinds in sorted(accesses.items())
    )
    return MosquittoAcl(
        tuple(rule for rule in rules if not _PLACEHOLDER.search(rule.topic)),
        tuple(sorted(client_ids)),
        tuple(rule for rule in rules if _PLACEHOLDER.search(rule.topic)),
    )


def acl_from_policy(
    document: Mapping[str, Any],
    *,
    region: str,
    account: str,
    source: str = "an AWS IoT policy document",
) -> str:
    """The Mosquitto ``acl_file`` text enforcing ``document``; ``source`` names it in the header."""
    return translate_policy(document, region=region, account=account).render(source)


def _as_list(value: Any, what: str) -> list[str]:
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
        raise PolicyAclError(f"{what} must be a string or a list of strings: {value!r}")
    return values


def _grants(statement: Any, *, region: str, account: str) -> list[tuple[str, str, str]]:
    """(lower-cased action, resource type, resource path) for each action x resource."""
    if not isinstance(statement, Mapping):
        raise PolicyAclError(f"a statement must be an object: {statement!r}")
    unsupported = set(statement) - {"Sid", "Effect", "Action", "Resource"}
    if unsupported:
        raise PolicyAclError(f"statement keys {sorted(unsupported)} cannot be expressed")
    effect = statement.get("Effect")
    if effect == "Deny":
        raise PolicyAclError(
            "Mosquitto ACL files cannot express Deny: a 'deny' line refuses read and write "
            "together and cannot carve an exception out of one action"
        )
    if effect != "Allow":
        raise PolicyAclError(f"Effect must be Allow, not {effect!r}")
    actions = [a.lower() for a in _as_list(statement.get("Action"), "Action")]
    for action in actions:
        if action != "iot:*" and action not in _RESOURCE_TYPE:
            raise PolicyAclError(f"action {action!r} has no Mosquitto equivalent")
    grants = []
    for resource in _as_list(statement.get("Resource"), "Resource"):
        kind, path = _resource(resource, region=region, account=account)
        matched = [(a, k, path) for a in actions for k in _types_covered(a, kind)]
        if not matched:
            raise PolicyAclError(f"no action of the statement applies to {resource}")
        grants += matched
    for action in actions:
        if not any(grant[0] == action for grant in grants):
            raise PolicyAclError(f"{action} has no {_RESOURCE_TYPE[action]}/ resource")
    return grants


def _types_covered(action: str, kind: str) -> tuple[str, ...]:
    """The resource types ``action`` applies to in a resource of type ``kind`` ("*": any)."""
    types = ("topic", "topicfilter", "client") if action == "iot:*" else (_RESOURCE_TYPE[action],)
    return types if kind == "*" else tuple(t for t in types if t == kind)


def _resource(resource: str, *, region: str, account: str) -> tuple[str, str]:
    """("topic" | "topicfilter" | "client" | "*", path) of a resource ARN."""
    if resource == "*":
        return "*", "*"
    parts = resource.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "iot":
        raise PolicyAclError(f"not an AWS IoT resource ARN: {resource}")
    _, partition, _, arn_region, arn_account, rest = parts
    if partition != "aws":
        raise PolicyAclError(f"partition {partition!r} is not reproduced locally: {resource}")
    if arn_region not in (region, "*"):
        raise PolicyAclError(f"region {arn_region!r} is not {region!r}: {resource}")
    if arn_account not in (account, "*"):
        raise PolicyAclError(f"account {arn_account!r} is not {account!r}: {resource}")
    kind, slash, path = rest.partition("/")
    if kind not in ("topic", "topicfilter", "client") or not slash or not path:
        raise PolicyAclError(f"resource type {kind!r} has no Mosquitto equivalent: {resource}")
    return kind, path


def _substitute(text: str, resource: str) -> str:
    if "${!" in text:
        raise PolicyAclError(f"an Fn::Sub escape was left unresolved: {resource}")

    def variable(match: re.Match[str]) -> str:
        name = match.group(1)
        if attribute := _ATTRIBUTE.fullmatch(name):
            return f"{{attribute:{attribute.group(1)}}}"
        if name not in _VARIABLES:
            raise PolicyAclError(f"policy variable ${{{name}}} is not supported: {resource}")
        return _VARIABLES[name]

    return _VARIABLE.sub(variable, text)


def _topic(kind: str, path: str) -> str:
    """The Mosquitto topic filter for a ``topic/`` or ``topicfilter/`` resource path."""
    resource = f"{kind}/{path}"
    levels = path.split("/")
    converted = []
    for i, level in enumerate(levels):
        last = i == len(levels) - 1
        if "${" in level:
            if not _VARIABLE.fullmatch(level):
                raise PolicyAclError(f"a policy variable must be a whole topic level: {resource}")
            converted.append(_substitute(level, resource))
        elif "*" in level:
            if level != "*" or not last:
                raise PolicyAclError(f"'*' is only supported as the whole last level: {resource}")
            converted.append("#")
        elif re.search(r"[?%\s]", level):
            raise PolicyAclError(f"'?', '%' and whitespace cannot be expressed: {resource}")
        elif "+" in level or "#" in level:
            raise PolicyAclError(
                f"'+'/'#' are literal in an IoT policy resource, not MQTT wildcards: {resource} "
                "allows only that exact filter, which Mosquitto cannot tell from narrower ones "
                "(use '*', or one resource per topic)"
            )
        else:
            converted.append(level)
    return "/".join(converted)
