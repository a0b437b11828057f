"""A device's IoT policy becomes the Mosquitto ACL that enforces it, or is refused loudly."""

import random
import re

import pytest

from infra.localcloud.iot.policy_acl import (
    AclRule,
    PolicyAclError,
    acl_from_policy,
    translate_policy,
)

REGION = "ap-southeast-1"
ACCOUNT = "123456789012"
ARN = f"arn:aws:iot:{REGION}:{ACCOUNT}"
THING = "${iot:Connection.Thing.ThingName}"
AREAS = [
    f"${{iot:Connection.Thing.Attributes[{level}]}}"
    for level in ("province", "district", "commune")
]


def allow(action, *resources):
    return {"Effect": "Allow", "Action": action, "Resource": list(resources)}


DEVICE_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Sid": "OwnThingName", **allow("iot:Connect", f"{ARN}:client/{THING}")},
        allow(["iot:Publish", "iot:Receive"], f"{ARN}:topic/$aws/things/{THING}/shadow/*"),
        allow(
            "iot:Subscribe",
            f"{ARN}:topicfilter/$aws/things/{THING}/shadow/*",
            f"{ARN}:topicfilter/nguon/devices/{THING}/commands",
            *(f"{ARN}:topicfilter/nguon/alerts/{area}" for area in AREAS),
        ),
        {
            "Effect": "Allow",
            "Action": "iot:Publish",
            "Resource": f"{ARN}:topic/nguon/devices/{THING}/*",
        },
        allow(
            "iot:Receive",
            f"{ARN}:topic/nguon/devices/{THING}/commands",
            *(f"{ARN}:topic/nguon/alerts/{area}" for area in AREAS),
        ),
    ],
}

DEVICE_ACL = """\
# Generated from template.yaml DevicePolicy by infra/localcloud/iot/policy_acl.py; do not edit.
# %u is the certificate CN (use_identity_as_username), i.e. the thing name.
# iot:Connect (enforced by the local cloud, not here): %u
pattern readwrite $aws/things/%u/shadow/#
pattern write nguon/devices/%u/#
pattern read nguon/devices/%u/commands
"""
# Two registered things: one with its areas, one registered before they were attributes.
THINGS = {
    "spk-21550-a1": {"province": "52", "district": "540", "commune": "21550", "kind": "speaker"},
    "spk-old": {"unit": "21553"},
}
THINGS_ACL = """\
user spk-21550-a1
topic read nguon/alerts/21550
topic read nguon/alerts/52
topic read nguon/alerts/540
"""


def acl(document):
    return acl_from_policy(
        document, region=REGION, account=ACCOUNT, source="template.yaml DevicePolicy"
    )


def rules_of(*statements):
    document = {"Statement": list(statements)}
    return translate_policy(document, region=REGION, account=ACCOUNT).rules


def test_a_device_policy_becomes_its_acl_file():
    assert acl(DEVICE_POLICY) == DEVICE_ACL


def test_attribute_rules_become_one_user_block_per_registered_thing():
    policy = translate_policy(DEVICE_POLICY, region=REGION, account=ACCOUNT)

    assert policy.render("template.yaml DevicePolicy", THINGS) == DEVICE_ACL + THINGS_ACL


def test_a_thing_lacking_an_attribute_or_with_a_wildcard_value_gets_nothing_from_its_rule():
    policy = translate_policy(DEVICE_POLICY, region=REGION, account=ACCOUNT)

    assert policy.topics_of("t", {"province": "52"}) == (AclRule("read", "nguon/alerts/52"),)
    for value in ("+", "#", "5*", "52/540", "", "5 2"):
        assert policy.topics_of("t", {"province": value}) == ()


def test_attribute_and_thing_name_together_resolve_for_the_thing():
    document = {
        "Statement": allow(
            "iot:Publish", f"{ARN}:topic/u/${{iot:Connection.Thing.Attributes[unit]}}/{THING}"
        )
    }
    policy = translate_policy(document, region=REGION, account=ACCOUNT)

    assert policy.rules == ()
    assert policy.render("p", {"dev-1": {"unit": "540"}}).splitlines()[-2:] == [
        "user dev-1",
        "topic write u/540/dev-1",
    ]


def test_the_output_does_not_depend_on_statement_order():
    statements = list(DEVICE_POLICY["Statement"])
    random.Random(7).shuffle(statements)

    assert acl({"Statement": statements}) == DEVICE_ACL
    policy = translate_policy({"Statement": statements}, region=REGION, account=ACCOUNT)
    assert policy.render("template.yaml DevicePolicy", THINGS) == DEVICE_ACL + THINGS_ACL


def test_connect_permissions_are_returned_apart():
    policy = translate_policy(DEVICE_POLICY, region=REGION, account=ACCOUNT)

    assert policy.connect_client_ids == ("%u",)
    assert policy.rules[0] == AclRule("readwrite", "$aws/things/%u/shadow/#")


def test_a_policy_without_connect_says_so():
    document = {"Statement": allow("iot:Publish", f"{ARN}:topic/a")}

    assert acl(document).splitlines()[2:] == [
        "# iot:Connect: not granted by this policy.",
        "pattern write a",
    ]


def test_client_id_variable_single_statement_and_case_insensitive_actions():
    document = {
        "Statement": {
            "Effect": "Allow",
            "Action": ["IOT:PUBLISH", "iot:connect"],
            "Resource": [f"{ARN}:topic/clients/${{iot:ClientId}}/out", f"{ARN}:client/*"],
        }
    }

    policy = translate_policy(document, region=REGION, account=ACCOUNT)

    assert policy.rules == (AclRule("write", "clients/%c/out"),)
    assert policy.connect_client_ids == ("*",)


def test_iot_star_grants_publish_and_receive_on_topics_and_subscribe_on_filters():
    assert rules_of(
        allow("iot:*", f"{ARN}:topic/a/{THING}", f"{ARN}:topicfilter/b/*", f"{ARN}:client/x")
    ) == (AclRule("readwrite", "a/%u"), AclRule("read", "b/#"))


def test_resource_star_and_wildcard_region_and_account():
    assert rules_of(allow("iot:Receive", "*")) == (AclRule("read", "#"),)
    assert rules_of(allow("iot:*", "*")) == (AclRule("readwrite", "#"),)
    assert rules_of(allow("iot:Publish", "arn:aws:iot:*:*:topic/*")) == (AclRule("write", "#"),)


@pytest.mark.parametrize(
    "resource",
    [
        f"{ARN}:topicfilter/nguon/alerts/+",  # the policy that refused every device's alerts
        f"{ARN}:topicfilter/nguon/#",
        f"{ARN}:topicfilter/nguon/+/x",
        f"{ARN}:topic/nguon/alerts/+",
    ],
)
def test_mqtt_wildcards_in_a_resource_are_literal_so_refused(resource):
    """IoT Core: "+ and # are treated as literal strings in a policy"; such a grant allows only
    that exact filter, and the SDK's nguon/alerts/{unit} subscription is refused in AWS."""
    with pytest.raises(PolicyAclError, match="literal in an IoT policy resource"):
        rules_of(allow("iot:*", resource))


@pytest.mark.parametrize(
    ("statement", "error"),
    [
        ({"Effect": "Deny", "Action": "iot:Publish", "Resource": "*"}, "cannot express Deny"),
        ({"Effect": "allow", "Action": "iot:Publish", "Resource": "*"}, "Effect must be Allow"),
        (
            {**allow("iot:Publish", "*"), "Condition": {"Bool": {"x": "true"}}},
            "['Condition'] cannot be expressed",
        ),
        (
            {"Effect": "Allow", "NotAction": "iot:Publish", "Resource": "*"},
            "['NotAction'] cannot be expressed",
        ),
        (
            allow("iot:Publish", f"{ARN}:topic/units/${{iot:Connection.Thing.ThingTypeName}}"),
            "policy variable ${iot:Connection.Thing.ThingTypeName} is not supported",
        ),
        (allow("iot:Publish", f"{ARN}:topic/dev-${{iot:ClientId}}/x"), "whole topic level"),
        (allow("iot:Publish", f"{ARN}:topic/a/${{!iot:ClientId}}"), "Fn::Sub escape"),
        (allow("iot:Publish", f"{ARN}:topic/nguon/devices/*/commands"), "whole last level"),
        (allow("iot:Publish", f"{ARN}:topic/nguon/dev*"), "whole last level"),
        (allow("iot:Publish", f"{ARN}:topic/nguon/dev?"), "'?'"),
        (allow("iot:Publish", f"{ARN}:topic/a/%u"), "'%'"),
        (allow("iot:Subscribe", f"{ARN}:topicfilter/a/#/b"), "literal in an IoT policy"),
        (allow("iot:Publish", f"arn:aws:iot:us-east-1:{ACCOUNT}:topic/a"), "region 'us-east-1'"),
        (allow("iot:Publish", f"arn:aws:iot:{REGION}:999999999999:topic/a"), "account"),
        (allow("iot:Publish", f"arn:aws-cn:iot:{REGION}:{ACCOUNT}:topic/a"), "partition"),
        (allow("iot:Publish", f"arn:aws:sns:{REGION}:{ACCOUNT}:topic/a"), "not an AWS IoT"),
        (allow("iot:Publish", f"{ARN}:topicfilter/a"), "no action of the statement applies"),
        (allow("iot:Subscribe", f"{ARN}:topic/a"), "no action of the statement applies"),
        (
            allow(["iot:Publish", "iot:Subscribe"], f"{ARN}:topic/a"),
            "iot:subscribe has no topicfilter/ resource",
        ),
        (allow("iot:UpdateThingShadow", f"{ARN}:thing/x"), "no Mosquitto equivalent"),
        (allow("iot:RetainPublish", f"{ARN}:topic/a"), "no Mosquitto equivalent"),
        (allow("iot:*", f"{ARN}:thing/x"), "resource type 'thing'"),
        ({"Effect": "Allow", "Action": [], "Resource": "*"}, "Action must be"),
        ({"Effect": "Allow", "Action": "iot:Publish"}, "Resource must be"),
    ],
)
def test_what_mosquitto_cannot_enforce_is_refused(statement, error):
    document = {"Statement": [DEVICE_POLICY["Statement"][0], statement]}

    with pytest.raises(PolicyAclError, match=re.escape(error)):
        acl(document)


@pytest.mark.parametrize("document", [{}, {"Statement": []}, {"Statement": "x"}])
def test_a_document_without_statements_is_refused(document):
    with pytest.raises(PolicyAclError, match="no Statement list"):
        acl(document)


def test_the_templates_device_policy_grants_each_provisioned_devices_own_areas(monkeypatch):
    """The policy names thing attributes; provisioning must set exactly those."""
    from infra.localcloud.template import Template
    from nguon.services.provisioning import ProvisioningService
    from nguon.services.unit_catalogue import load_bundled_catalogue
    from nguon.services.units import UnitService
    from tests.factories import at
    from tests.fakes import InMemoryDeviceStore, InMemoryUnitStore
    from tests.unit.test_provisioning import Registry, operator, registration

    template = Template.load(region=REGION)
    document = template.properties("DevicePolicy")["PolicyDocument"]
    policy = translate_policy(document, region=REGION, account="123456789012")
    registry = Registry()
    service = ProvisioningService(
        UnitService(InMemoryUnitStore(load_bundled_catalogue())),
        InMemoryDeviceStore(),
        registry,
        now=lambda: at("09:00"),
        suffix=lambda: "aaaaaa",
    )
    bundle = service.provision(operator, registration("21550"))

    rules = policy.topics_of(bundle.thing, registry.things[bundle.thing])

    assert rules == tuple(AclRule("read", f"nguon/alerts/{area}") for area in sorted(bundle.areas))
