"""The local rules engine gives a rule's function what AWS IoT would, or refuses the rule.

Examples come from the AWS IoT SQL reference (SELECT, FROM, WHERE, Operators, Functions,
Binary payloads) and from this project's topics.
"""

import json
import re

import pytest

from infra.localcloud.iot.rules import RuleSqlError, parse_rule, topic_matches

NOW = 1_700_000_000_123
COLOR = json.dumps({"color": "red", "temperature": 50}).encode()


def run(sql, payload=COLOR, topic="a/b", client_id="dev-1"):
    return parse_rule(sql).evaluate(topic, payload, client_id, NOW)


# --- SELECT (AWS docs examples) ----------------------------------------------------------


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("SELECT * FROM 'a/b'", {"color": "red", "temperature": 50}),
        ("SELECT color FROM 'a/b'", {"color": "red"}),
        ("SELECT color AS my_color FROM 'a/b'", {"my_color": "red"}),
        (
            "SELECT color as my_color, temperature as fahrenheit FROM 'a/b'",
            {"my_color": "red", "fahrenheit": 50},
        ),
        ("SELECT *, 15 as speed FROM 'a/b'", {"color": "red", "temperature": 50, "speed": 15}),
        ("select COLOR from 'a/b'", {}),  # keywords are case-insensitive, field names are not
    ],
)
def test_select_examples_from_the_aws_docs(sql, expected):
    assert run(sql) == expected


def test_a_nested_field_is_reached_with_dots_and_named_by_its_alias_or_last_segment():
    payload = json.dumps({"color": {"red": 255, "green": 0}, "temperature": 50}).encode()

    assert run("SELECT color.red as red_value FROM 'a/b'", payload) == {"red_value": 255}
    assert run("SELECT color.green FROM 'a/b'", payload) == {"green": 0}


def test_literals_of_every_kind_need_an_alias():
    sql = "SELECT 'heartbeat' AS kind, -2.5 AS x, TRUE AS yes, false AS no, NULL AS n FROM 'a/b'"

    assert run(sql) == {"kind": "heartbeat", "x": -2.5, "yes": True, "no": False, "n": None}


def test_undefined_values_leave_their_key_out_but_null_stays():
    payload = json.dumps({"a": None, "b": {"c": 1}}).encode()

    assert run("SELECT a, missing, b.c.d AS deep, topic(7) AS t FROM 'a/b'", payload) == {"a": None}


def test_functions_topic_clientid_timestamp():
    sql = (
        "SELECT topic() AS full, topic(1) AS first, topic(3) AS thing, "
        "clientid() AS client, timestamp() AS received_at FROM 'nguon/devices/+/heartbeat'"
    )

    assert run(sql, topic="nguon/devices/dev-7/heartbeat", client_id="dev-7") == {
        "full": "nguon/devices/dev-7/heartbeat",
        "first": "nguon",
        "thing": "dev-7",
        "client": "dev-7",
        "received_at": NOW,
    }


def test_function_names_are_case_insensitive():
    assert run("SELECT TOPIC(2) AS b, ClientId() AS c FROM 'a/b'") == {"b": "b", "c": "dev-1"}


# --- this project's rules ----------------------------------------------------------------


def test_heartbeat_rule_adds_the_thing_and_the_receive_time():
    rule = parse_rule(
        "SELECT *, topic(3) AS thing, timestamp() AS received_at FROM 'nguon/devices/+/heartbeat'"
    )
    heartbeat = {"thing": "dev-7", "seq": 12, "sent_at": "2026-03-01T00:00:00Z", "uptime_s": 60}

    result = rule.evaluate(
        "nguon/devices/dev-7/heartbeat", json.dumps(heartbeat).encode(), "dev-7", NOW
    )

    assert rule.topic_filter == "nguon/devices/+/heartbeat"
    assert result == {**heartbeat, "thing": "dev-7", "received_at": NOW}
    assert rule.evaluate("nguon/devices/dev-7/plays", b"{}", "dev-7", NOW) is None
    assert rule.evaluate("nguon/devices/dev-7/heartbeat/x", b"{}", "dev-7", NOW) is None


def test_presence_rule_passes_the_event_through():
    rule = parse_rule("SELECT * FROM '$aws/events/presence/+/+'")
    event = {
        "clientId": "dev-7",
        "timestamp": 1,
        "eventType": "connected",
        "sessionIdentifier": "s",
    }

    result = rule.evaluate(
        "$aws/events/presence/connected/dev-7", json.dumps(event).encode(), "", 5
    )

    assert result == event
    assert rule.evaluate("$aws/events/presence/connected", b"{}", "", 5) is None


def test_named_shadow_rule_selects_the_reported_state():
    rule = parse_rule(
        "SELECT state.reported AS health, topic(3) AS thing "
        "FROM '$aws/things/+/shadow/name/health/update/accepted'"
    )
    accepted = {"state": {"reported": {"volume": 7, "sd_ok": True}}, "version": 3}

    result = rule.evaluate(
        "$aws/things/dev-7/shadow/name/health/update/accepted",
        json.dumps(accepted).encode(),
        "dev-7",
        NOW,
    )

    assert result == {"health": {"volume": 7, "sd_ok": True}, "thing": "dev-7"}
    # A shadow document without state.reported (e.g. a desired-only update): key left out.
    desired_only = json.dumps({"state": {"desired": {"volume": 3}}}).encode()
    assert rule.evaluate(
        "$aws/things/dev-7/shadow/name/health/update/accepted", desired_only, "dev-7", NOW
    ) == {"thing": "dev-7"}
    assert (
        rule.evaluate("$aws/things/dev-7/shadow/name/config/update/accepted", b"{}", "d", NOW)
        is None
    )


@pytest.mark.parametrize(
    ("payload", "fires"),
    [
        ({"records": [{"play_id": "p1"}]}, True),  # array <> string: mismatched types -> true
        ({"records": "x"}, True),
        ({"records": ""}, False),
        ({"records": None}, True),  # null <> string: mismatched types -> true
        ({"thing": "dev-7"}, False),  # missing: Undefined <> '' is Undefined -> not true
    ],
)
def test_plays_rule_where_records_differ_from_the_empty_string(payload, fires):
    rule = parse_rule("SELECT * FROM 'nguon/devices/+/plays' WHERE records <> ''")

    result = rule.evaluate("nguon/devices/dev-7/plays", json.dumps(payload).encode(), "d", NOW)

    assert result == (payload if fires else None)


# --- WHERE and operators -----------------------------------------------------------------


def test_where_example_from_the_aws_docs_performs_no_action():
    payload = json.dumps({"color": "red", "temperature": 40}).encode()
    sql = "SELECT color AS my_color FROM 'a/b' WHERE temperature > 50 AND color <> 'red'"

    assert run(sql, payload) is None
    assert run(sql.replace("> 50", "> 30").replace("<>", "="), payload) == {"my_color": "red"}


@pytest.mark.parametrize(
    ("condition", "fires"),
    [
        ("n = 5", True),
        ("n = 5.0", True),  # Int converted to Decimal before comparing
        ("n = '5'", False),  # mismatched types: false
        ("n <> '5'", True),
        ("s = 'red'", True),
        ("s <> 'red'", False),
        ("n > 4 AND n < 6", True),
        ("n >= 5 AND n <= 5", True),
        ("n > 5", False),
        ("num > 4", True),  # a numeric string converts to Decimal for ordering
        ("s > 4", False),  # 'red' does not convert: Undefined
        ("flag = true", True),
        ("flag", True),
        ("NOT flag", False),
        ("text_true AND flag", True),  # the strings "true"/"false" act as Booleans
        ("nothing = null", True),
        ("nothing <> null", False),
        ("isNull(nothing) AND NOT isNull(n)", True),
        ("isUndefined(missing) AND NOT isUndefined(nothing)", True),
        ("arr = arr", True),
        ("obj = obj", True),
        ("n = 4 OR s = 'red'", True),
        ("NOT (n = 4 OR s = 'blue')", True),
        ("n = 4 OR s = 'red' AND flag", True),  # AND binds tighter than OR
        ("(n = 4 OR s = 'red') AND NOT flag", False),
        ("topic(2) = 'b' AND clientid() = 'dev-1'", True),
        ("timestamp() > 0", True),
        ("-1 < n", True),
    ],
)
def test_where_operators(condition, fires):
    payload = {
        "n": 5,
        "num": "4.5",
        "s": "red",
        "flag": True,
        "text_true": "TRUE",
        "nothing": None,
        "arr": [1, 2],
        "obj": {"k": [1]},
    }

    result = run(f"SELECT * FROM 'a/b' WHERE {condition}", json.dumps(payload).encode())

    assert result == (payload if fires else None)


@pytest.mark.parametrize(
    "condition",
    [
        "missing = 1",
        "missing <> 1",  # Undefined, not true
        "NOT (missing = 1)",  # NOT Undefined is Undefined
        "missing.deeper < 3",
        "n = 5 AND missing = 1",
        "n = 5 OR missing = 1",  # the OR table: a non-Boolean operand makes it Undefined
        "flag AND n",  # a number is no Boolean
        "arr > 1",
        "nothing < 1",
        "flag > 0",
    ],
)
def test_undefined_never_satisfies_where(condition):
    payload = json.dumps({"n": 5, "flag": True, "arr": [1], "nothing": None}).encode()

    assert run(f"SELECT * FROM 'a/b' WHERE {condition}", payload) is None


def test_where_cannot_see_select_aliases():
    assert run("SELECT temperature AS t FROM 'a/b' WHERE t = 50") is None
    assert run("SELECT temperature AS t FROM 'a/b' WHERE temperature = 50") == {"t": 50}


def test_objects_compare_without_key_order_and_arrays_with_order():
    payload = json.dumps({"a": {"x": 1, "y": 2}, "b": {"y": 2, "x": 1.0}, "c": [2, 1]}).encode()

    assert run("SELECT 1 AS ok FROM 'a/b' WHERE a = b", payload) == {"ok": 1}
    assert run("SELECT 1 AS ok FROM 'a/b' WHERE c = c AND NOT (c <> c)", payload) == {"ok": 1}
    assert run("SELECT 1 AS ok FROM 'a/b' WHERE a <> b", payload) is None


# --- payloads that are not JSON objects --------------------------------------------------


@pytest.mark.parametrize("payload", [b"\x00\xff binary", b"80", b"[1, 2]", b'"text"', b"NaN"])
def test_a_non_object_payload_gives_the_function_nothing_when_select_reads_it(payload):
    assert run("SELECT * FROM 'a/b'", payload) is None
    assert run("SELECT *, timestamp() AS ts FROM 'a/b'", payload) is None
    assert run("SELECT color FROM 'a/b'", payload) is None
    assert run("SELECT topic(1) AS t FROM 'a/b' WHERE color = 'red'", payload) is None


def test_a_non_object_payload_still_feeds_a_select_of_functions_only():
    sql = "SELECT topic(1) AS t, timestamp() AS ts FROM 'a/b' WHERE timestamp() > 0"

    assert run(sql, b"\x00\xff") == {"t": "a", "ts": NOW}


def test_an_empty_payload_counts_as_an_empty_object():
    assert run("SELECT *, topic(1) AS t FROM 'a/b'", b"") == {"t": "a"}


# --- topic filters -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("topic_filter", "topic", "expected"),
    [
        ("a/b", "a/b", True),
        ("a/b", "a/c", False),
        ("a/+", "a/b", True),
        ("a/+", "a/e/f", False),
        ("a/#", "a/e/f", True),
        ("a/#", "a", True),  # '#' includes the parent level (MQTT 3.1.1 4.7.1.2)
        ("a/#", "b/x", False),
        ("+/+", "a/", True),  # an empty level is a level
        ("#", "$aws/events/presence/connected/x", False),  # '$' topics need a '$' filter
        ("+/events/#", "$aws/events/x", False),
        ("$aws/events/#", "$aws/events/x", True),
        ("a/+", "a/+", False),  # a topic name never contains wildcards
    ],
)
def test_topic_filter_matching(topic_filter, topic, expected):
    assert topic_matches(topic_filter, topic) is expected
    assert parse_rule(f"SELECT * FROM '{topic_filter}'").matches(topic) is expected


# --- refused at parse time ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("sql", "reason"),
    [
        ("SELECT get_thing_shadow(topic(3), 'arn:aws:iam::1:role/r') AS s FROM 'a/b'", "function"),
        ("SELECT * FROM 'a/b' JOIN 'c/d'", "unsupported clause"),
        ("SELECT * FROM 'a/b' WHERE a != 1", "'<>'"),
        ("SELECT * FROM 'a/b' WHERE a IS NULL", "isNull"),
        ("SELECT * FROM 'a/b' WHERE a IN (1, 2)", "unsupported clause"),
        ("SELECT VALUE color FROM 'a/b'", "SELECT VALUE"),
        ("SELECT upper(color) AS c FROM 'a/b'", "function"),
        ("SELECT (temperature - 32) AS c FROM 'a/b'", "expected )"),
        ("SELECT temperature * 2 AS c FROM 'a/b'", "expected FROM"),
        ("SELECT topic() FROM 'a/b'", "needs AS"),
        ("SELECT 'x' FROM 'a/b'", "needs AS"),
        ("SELECT a AS b.c FROM 'a/b'", "nested aliases"),
        ("SELECT a AS 'b' FROM 'a/b'", "plain name"),
        ('SELECT * FROM "a/b"', "unsupported character"),
        ("SELECT * FROM abc", "single quotes"),
        ("SELECT * FROM 'a/b' WHERE a = \"x\"", "unsupported character"),
        ("SELECT * FROM 'a/b' WHERE a[0] = 1", "unsupported character"),
        ("SELECT * FROM 'a/b' WHERE 1 < a < 3", "chain"),
        ("SELECT * FROM 'a/b' WHERE CASE WHEN a = 1 THEN true END", "unsupported clause"),
        ("SELECT * FROM 'a/b' WHERE", "expected a field"),
        ("SELECT topic('3') AS t FROM 'a/b'", "positive integer"),
        ("SELECT topic(0) AS t FROM 'a/b'", "positive integer"),
        ("SELECT topic(1, 2) AS t FROM 'a/b'", "arguments"),
        ("SELECT clientid(1) AS c FROM 'a/b'", "arguments"),
        ("SELECT * FROM 'a/#/b'", "'#'"),
        ("SELECT * FROM 'a/b+'", "'+'"),
        ("SELECT * FROM ''", "topic filter"),
        ("SELECT * FROM 'a/b'; SELECT * FROM 'c'", "unsupported character"),
        ("SET x = 1 SELECT * FROM 'a/b'", "expected SELECT"),
        ("SELECT *", "expected FROM"),
    ],
)
def test_unsupported_sql_is_refused(sql, reason):
    with pytest.raises(RuleSqlError, match=re.escape(reason)):
        parse_rule(sql)


def test_only_sql_version_2016_03_23_is_reproduced():
    sql = "SELECT * FROM 'a/b'"

    assert parse_rule(sql, sql_version="2016-03-23").topic_filter == "a/b"
    with pytest.raises(RuleSqlError, match="2015-10-08"):
        parse_rule(sql, sql_version="2015-10-08")
