"""The shadow store keeps AWS IoT's documented Device Shadow rules (see shadows.py for pages)."""

import json
import threading

import pytest

from infra.localcloud.iot.shadows import ShadowError, ShadowStore, UpdateOutcome

T0 = 1_700_000_000.75  # a fractional clock: timestamps are whole epoch seconds
S0 = 1_700_000_000


def update(
    store: ShadowStore, body: object, now: float = T0, thing: str = "lamp", name: str | None = None
) -> UpdateOutcome:
    return store.update(thing, name, json.dumps(body).encode(), now)


def rejection(store: ShadowStore, body: object | bytes, now: float = T0) -> ShadowError:
    payload = body if isinstance(body, bytes) else json.dumps(body).encode()
    with pytest.raises(ShadowError) as caught:
        store.update("lamp", None, payload, now)
    return caught.value


@pytest.fixture
def store() -> ShadowStore:
    return ShadowStore()


def test_first_update_is_accepted_as_requested_with_per_field_metadata_and_version_1(store):
    outcome = update(store, {"state": {"reported": {"color": "red", "rgb": [1, 2]}}})

    assert outcome.accepted == {
        "state": {"reported": {"color": "red", "rgb": [1, 2]}},
        "metadata": {
            "reported": {
                "color": {"timestamp": S0},
                "rgb": [{"timestamp": S0}, {"timestamp": S0}],
            }
        },
        "version": 1,
        "timestamp": S0,
    }


def test_every_accepted_update_increments_the_version(store):
    versions = [
        update(store, {"state": {"reported": {"n": n}}}).accepted["version"] for n in range(3)
    ]

    assert versions == [1, 2, 3]


def test_client_token_is_echoed_in_accepted_delta_and_documents(store):
    outcome = update(store, {"state": {"desired": {"on": True}}, "clientToken": "req-1"})

    assert outcome.accepted["clientToken"] == "req-1"
    assert outcome.delta is not None
    assert outcome.delta["clientToken"] == "req-1"
    assert outcome.documents["clientToken"] == "req-1"


def test_without_a_client_token_no_document_carries_one(store):
    outcome = update(store, {"state": {"desired": {"on": True}}})

    assert "clientToken" not in outcome.accepted
    assert outcome.delta is not None
    assert "clientToken" not in outcome.delta
    assert "clientToken" not in outcome.documents


def test_delta_holds_only_the_differing_desired_keys_down_to_the_nested_leaf(store):
    update(store, {"state": {"reported": {"color": "red", "lights": {"r": 255, "g": 0, "b": 9}}}})

    outcome = update(
        store,
        {"state": {"desired": {"color": "red", "lights": {"r": 255, "g": 255, "b": 9}}}},
        now=T0 + 10,
    )

    assert outcome.delta == {
        "version": 2,
        "timestamp": S0 + 10,
        "state": {"lights": {"g": 255}},
        "metadata": {"lights": {"g": {"timestamp": S0 + 10}}},
    }


def test_delta_metadata_is_the_desired_metadata_of_each_key(store):
    update(store, {"state": {"desired": {"mode": "eco", "level": 3}}}, now=T0)
    outcome = update(store, {"state": {"desired": {"level": 4}}}, now=T0 + 60)

    assert outcome.delta is not None
    assert outcome.delta["state"] == {"mode": "eco", "level": 4}
    assert outcome.delta["metadata"] == {
        "mode": {"timestamp": S0},
        "level": {"timestamp": S0 + 60},
    }


def test_a_report_matching_desired_removes_that_key_from_the_delta(store):
    update(store, {"state": {"desired": {"volume": 7, "input": "fm"}}})

    partly = update(store, {"state": {"reported": {"volume": 7}}})
    fully = update(store, {"state": {"reported": {"input": "fm"}}})

    assert partly.delta is not None
    assert partly.delta["state"] == {"input": "fm"}
    assert fully.delta is None
    assert "delta" not in store.get("lamp", None, T0)["state"]


def test_a_report_that_leaves_a_difference_publishes_the_whole_delta(store):
    update(store, {"state": {"desired": {"volume": 7}, "reported": {"volume": 7}}})

    outcome = update(store, {"state": {"reported": {"volume": None, "battery": 80}}})

    assert outcome.delta is not None
    assert outcome.delta["state"] == {"volume": 7}


def test_reported_only_fields_never_enter_the_delta(store):
    update(store, {"state": {"desired": {"volume": 7}}})

    outcome = update(store, {"state": {"reported": {"volume": 7, "uptime": 12}}})

    assert outcome.delta is None


def test_arrays_are_values_replaced_whole_and_compared_whole(store):
    update(store, {"state": {"desired": {"zones": ["a", "b", "c"]}, "reported": {"zones": ["a"]}}})

    outcome = update(store, {"state": {"desired": {"zones": ["a", "b"]}}})

    assert store.get("lamp", None, T0)["state"]["desired"]["zones"] == ["a", "b"]
    assert outcome.delta is not None
    assert outcome.delta["state"] == {"zones": ["a", "b"]}
    assert outcome.delta["metadata"] == {"zones": [{"timestamp": S0}, {"timestamp": S0}]}


def test_numbers_compare_by_value_but_true_is_not_1(store):
    outcome = update(
        store,
        {"state": {"desired": {"gain": 1, "mute": True}, "reported": {"gain": 1.0, "mute": 1}}},
    )

    assert outcome.delta is not None
    assert outcome.delta["state"] == {"mute": True}


def test_null_deletes_a_key_and_its_metadata(store):
    update(store, {"state": {"reported": {"color": "red", "size": 2}}})

    outcome = update(store, {"state": {"reported": {"color": None}}}, now=T0 + 5)
    document = store.get("lamp", None, T0 + 5)

    assert outcome.accepted["state"] == {"reported": {"color": None}}
    assert outcome.accepted["metadata"] == {"reported": {"color": {"timestamp": S0 + 5}}}
    assert document["state"] == {"reported": {"size": 2}}
    assert document["metadata"] == {"reported": {"size": {"timestamp": S0}}}


def test_desired_null_clears_the_whole_section(store):
    update(store, {"state": {"desired": {"a": 1, "b": 2}, "reported": {"a": 0}}})

    outcome = update(store, {"state": {"desired": None}})
    document = store.get("lamp", None, T0)

    assert outcome.accepted["metadata"] == {"desired": {"timestamp": S0}}
    assert outcome.delta is None
    assert document["state"] == {"reported": {"a": 0}}
    assert document["metadata"] == {"reported": {"a": {"timestamp": S0}}}


def test_a_section_emptied_by_nulls_is_removed(store):
    update(store, {"state": {"desired": {"a": {"b": 1}}, "reported": {"x": 1}}})

    update(store, {"state": {"desired": {"a": {"b": None}}}})

    assert store.get("lamp", None, T0)["state"] == {"reported": {"x": 1}}


def test_nested_objects_merge_keeping_fields_the_update_does_not_name(store):
    update(store, {"state": {"reported": {"lights": {"r": 1, "g": 2}}}}, now=T0)

    update(store, {"state": {"reported": {"lights": {"g": 3}}}}, now=T0 + 1)
    document = store.get("lamp", None, T0 + 1)

    assert document["state"]["reported"] == {"lights": {"r": 1, "g": 3}}
    assert document["metadata"]["reported"] == {
        "lights": {"r": {"timestamp": S0}, "g": {"timestamp": S0 + 1}}
    }


def test_a_matching_version_is_accepted(store):
    update(store, {"state": {"reported": {"a": 1}}})

    outcome = update(store, {"state": {"reported": {"a": 2}}, "version": 1})

    assert outcome.accepted["version"] == 2


def test_a_stale_version_is_a_409_conflict_and_changes_nothing(store):
    update(store, {"state": {"reported": {"a": 1}}})
    update(store, {"state": {"reported": {"a": 2}}})
    before = store.get("lamp", None, T0)

    error = rejection(store, {"state": {"reported": {"a": 3}}, "version": 1, "clientToken": "c"})

    assert error.document() == {
        "code": 409,
        "message": "Version conflict",
        "timestamp": S0,
        "clientToken": "c",
    }
    assert store.get("lamp", None, T0) == before


def test_get_returns_state_with_delta_metadata_version_timestamp_and_token(store):
    update(store, {"state": {"desired": {"a": 2}, "reported": {"a": 1, "b": 0}}}, now=T0)

    document = store.get("lamp", None, T0 + 30, client_token="g-1")

    assert document == {
        "state": {"desired": {"a": 2}, "reported": {"a": 1, "b": 0}, "delta": {"a": 2}},
        "metadata": {
            "desired": {"a": {"timestamp": S0}},
            "reported": {"a": {"timestamp": S0}, "b": {"timestamp": S0}},
        },
        "version": 1,
        "timestamp": S0 + 30,
        "clientToken": "g-1",
    }


def test_documents_carry_previous_and_current_state_metadata_and_version(store):
    first = update(store, {"state": {"reported": {"a": 1}}}, now=T0)
    second = update(store, {"state": {"reported": {"a": 2}}, "clientToken": "d"}, now=T0 + 9)

    assert first.documents["previous"] is None
    assert second.documents == {
        "previous": {
            "state": {"reported": {"a": 1}},
            "metadata": {"reported": {"a": {"timestamp": S0}}},
            "version": 1,
        },
        "current": {
            "state": {"reported": {"a": 2}},
            "metadata": {"reported": {"a": {"timestamp": S0 + 9}}},
            "version": 2,
        },
        "timestamp": S0 + 9,
        "clientToken": "d",
    }


def test_classic_and_named_shadows_of_a_thing_are_separate(store):
    update(store, {"state": {"reported": {"where": "classic"}}})
    update(store, {"state": {"reported": {"where": "named"}}}, name="config")

    assert store.get("lamp", None, T0)["state"] == {"reported": {"where": "classic"}}
    assert store.get("lamp", "config", T0)["state"] == {"reported": {"where": "named"}}
    assert store.get("lamp", "config", T0)["version"] == 1


def test_missing_shadows_are_404_named_as_aws_names_them(store):
    with pytest.raises(ShadowError) as classic:
        store.get("lamp", None, T0)
    with pytest.raises(ShadowError) as named:
        store.get("lamp", "config", T0, client_token="q")

    assert classic.value.document() == {
        "code": 404,
        "message": "No shadow exists with name: 'lamp'",
        "timestamp": S0,
    }
    assert named.value.document() == {
        "code": 404,
        "message": "No shadow exists with name: 'lamp~config'",
        "timestamp": S0,
        "clientToken": "q",
    }


def test_delete_answers_the_deleted_version_and_get_is_then_404(store):
    update(store, {"state": {"reported": {"a": 1}}})
    update(store, {"state": {"reported": {"a": 2}}})

    deleted = store.delete("lamp", None, T0 + 1, client_token="del")

    assert deleted == {"version": 2, "timestamp": S0 + 1, "clientToken": "del"}
    with pytest.raises(ShadowError) as caught:
        store.get("lamp", None, T0 + 2)
    assert caught.value.code == 404


def test_deleting_a_missing_shadow_is_404(store):
    with pytest.raises(ShadowError) as caught:
        store.delete("lamp", "nope", T0)

    assert (caught.value.code, caught.value.message) == (
        404,
        "No shadow exists with name: 'lamp~nope'",
    )


def test_a_shadow_recreated_within_48_hours_follows_the_deleted_version(store):
    update(store, {"state": {"reported": {"a": 1}}})
    update(store, {"state": {"reported": {"a": 2}}})
    store.delete("lamp", None, T0)

    outcome = update(store, {"state": {"reported": {"b": 1}}}, now=T0 + 47 * 3600)

    assert outcome.accepted["version"] == 4
    assert outcome.documents["previous"] is None
    assert store.get("lamp", None, T0)["state"] == {"reported": {"b": 1}}


def test_a_shadow_recreated_after_48_hours_starts_again_at_version_1(store):
    update(store, {"state": {"reported": {"a": 1}}})
    store.delete("lamp", None, T0)

    outcome = update(store, {"state": {"reported": {"b": 1}}}, now=T0 + 49 * 3600)

    assert outcome.accepted["version"] == 1


def test_list_named_omits_deleted_and_classic_shadows(store):
    for name in ("zeta", "alpha", "mid"):
        update(store, {"state": {"reported": {"x": 1}}}, name=name)
    update(store, {"state": {"reported": {"x": 1}}})
    update(store, {"state": {"reported": {"x": 1}}}, thing="other", name="theirs")
    store.delete("lamp", "mid", T0)

    assert store.list_named("lamp") == ["alpha", "zeta"]


def test_state_of_exactly_8192_bytes_is_accepted_and_8193_is_413(store):
    envelope = len(json.dumps({"v": ""}, separators=(",", ":")))
    fits = {"state": {"reported": {"v": "x" * (8192 - envelope)}}}
    too_big = {"state": {"reported": {"v": "x" * (8193 - envelope)}}, "clientToken": "big"}

    assert update(store, fits).accepted["version"] == 1
    error = rejection(ShadowStore(), too_big)
    assert error.document() == {
        "code": 413,
        "message": "The payload exceeds the maximum size allowed",
        "timestamp": S0,
        "clientToken": "big",
    }


def test_the_8_kb_limit_counts_the_merged_desired_and_reported_not_one_request(store):
    update(store, {"state": {"desired": {"d": "x" * 5000}}})

    error = rejection(store, {"state": {"reported": {"r": "x" * 5000}}})

    assert error.code == 413
    assert store.get("lamp", None, T0)["version"] == 1


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"{not json", "Invalid JSON"),
        (b"[1, 2]", "Invalid JSON"),
        (b'{"clientToken": "x"}', "Missing required node: state"),
        (b'{"state": [1]}', "State node must be an object"),
        (b'{"state": {"desired": 5}}', "Desired node must be an object"),
        (b'{"state": {"reported": "on"}}', "Reported node must be an object"),
        (b'{"state": {"delta": {"a": 1}}}', "State contains an invalid node: 'delta'"),
        (b'{"state": {"reported": {}}, "version": "1"}', "Invalid version"),
        (b'{"state": {"reported": {}}, "version": true}', "Invalid version"),
        (b'{"state": {"reported": {"a": [1, null]}}}', "State contains an invalid node"),
    ],
)
def test_malformed_requests_are_400_with_aws_wording(store, payload, message):
    error = rejection(store, payload)

    assert (error.code, error.message) == (400, message)
    with pytest.raises(ShadowError):
        store.get("lamp", None, T0)


def test_a_client_token_over_64_bytes_is_rejected_and_not_echoed(store):
    error = rejection(store, {"state": {"reported": {}}, "clientToken": "t" * 65})

    assert error.document() == {"code": 400, "message": "Invalid clientToken", "timestamp": S0}
    assert update(store, {"state": {"reported": {}}, "clientToken": "t" * 64}).accepted[
        "clientToken"
    ] == ("t" * 64)


def test_a_rejection_after_parsing_echoes_the_client_token(store):
    error = rejection(store, {"state": {"desired": 5}, "clientToken": "mine"})

    assert error.document()["clientToken"] == "mine"


def test_nesting_counts_the_state_node_as_level_1_and_allows_6(store):
    six = {"state": {"desired": {"a": {"b": {"c": {"d": {"e": 1}}}}}}}
    seven = {"state": {"desired": {"a": {"b": {"c": {"d": {"e": {"f": 1}}}}}}}}

    assert update(store, six).accepted["version"] == 1
    error = rejection(store, seven)
    assert (error.code, error.message) == (
        400,
        "JSON contains too many levels of nesting; maximum is 6",
    )


def test_a_payload_that_is_not_utf8_is_415(store):
    error = rejection(store, b'{"state": {"reported": {"a": "\xff"}}}')

    assert error.code == 415


@pytest.mark.parametrize(("thing", "name"), [("bad name", None), ("t" * 129, None), ("ok", "a/b")])
def test_names_aws_would_refuse_are_400(store, thing, name):
    with pytest.raises(ShadowError) as caught:
        store.update(thing, name, b'{"state": {}}', T0)

    assert caught.value.code == 400


def test_concurrent_updates_each_get_their_own_version(store):
    def report(worker: int) -> None:
        for step in range(50):
            update(store, {"state": {"reported": {f"w{worker}": step}}})

    threads = [threading.Thread(target=report, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    document = store.get("lamp", None, T0)
    assert document["version"] == 400
    assert document["state"]["reported"] == {f"w{n}": 49 for n in range(8)}
