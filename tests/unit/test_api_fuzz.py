"""The staff API against its own OpenAPI document, with generated requests: no 5xx, ever.

schemathesis reads ``/openapi.json`` and sends, for every operation, requests built from the
schema, valid and invalid, in-process through the API handler on moto, signed in as the
province's administrator so that most reach the services. Deterministic (derandomized) and
bounded: ``NGUON_FUZZ_EXAMPLES`` per operation and mode. A longer exploration by hand, with
the answers counted and each distinct server error shown as a curl command::

    PYTHONPATH=functions/api .venv/bin/python -m tests.unit.test_api_fuzz --examples 300 [--seed N]

(schemathesis's own pytest plugin does not run under pytest 9, hence the loop over
operations here.)
"""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import seed as fixed_seed
from hypothesis import strategies as st
from schemathesis.generation import GenerationMode

from tests.unit.api_world import application, seed_bulletins, seed_feedback, unit_codes, world

EXAMPLES = int(os.environ.get("NGUON_FUZZ_EXAMPLES", "6"))
"""Per operation and mode: 6 keeps the suite's share to about a minute on two busy cores."""
MODES = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
"""Schema-valid requests (they reach the services) and invalid ones (they test refusals)."""


@pytest.fixture(scope="module")
def seeded():
    with world():
        yield seed_bulletins(), seed_feedback()


UNITS, COMMUNES = unit_codes()


def grounded(
    operation, mode: GenerationMode, seeded: tuple[list[str], list[str]]
) -> st.SearchStrategy:
    """The operation's cases, most of them pointed at what exists (a real unit, commune or
    bulletin), so that generated requests get past 404 and unknown_targets to the services."""

    def ground(drawn):
        case, aim, unit, commune, bulletin_id, feedback_id = drawn
        if not aim:
            return case
        parameters = case.path_parameters or {}
        if "code" in parameters:
            parameters["code"] = unit
        if "bulletin_id" in parameters:
            parameters["bulletin_id"] = bulletin_id
        if "feedback_id" in parameters:
            parameters["feedback_id"] = feedback_id
        if isinstance(case.body, dict):
            if isinstance(case.body.get("targets"), list):
                case.body["targets"] = [unit]
            if operation.label == "POST /devices" and "unit" in case.body:
                case.body["unit"] = commune
        return case

    return st.tuples(
        operation.as_strategy(generation_mode=mode),
        st.sampled_from([True, False]),  # aiming first: Hypothesis leans to the first choice
        st.sampled_from(UNITS),
        st.sampled_from(COMMUNES),
        st.sampled_from(seeded[0]),
        st.sampled_from(seeded[1]),
    ).map(ground)


# Loaded at collection: the document is built by the handler without touching AWS.
SCHEMA = schemathesis.openapi.from_wsgi("/openapi.json", application())
OPERATIONS = {
    operation.label: operation
    for operation in (result.ok() for result in SCHEMA.get_all_operations())
}


def test_every_operation_is_explored():
    assert len(OPERATIONS) >= 30
    assert "PATCH /bulletins/{bulletin_id}" in OPERATIONS


@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_no_request_is_a_server_error(seeded, label):
    operation = OPERATIONS[label]
    failures: list[str] = []

    for mode in MODES:

        @given(case=grounded(operation, mode, seeded))
        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def explore(case):
            response = case.call()
            if response.status_code >= 500:
                failures.append(
                    f"{response.status_code} {case.as_curl_command()}: {response.text[:300]}"
                )

        explore()

    assert not failures, "\n".join(failures[:5])


def explore(examples: int, random_seed: int | None = None) -> None:
    """The longer run by hand: every operation and mode, answers counted, each distinct 5xx
    shown with a curl command that repeats it."""
    import collections
    import time

    answers: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    server_errors: dict[tuple[str, str], str] = {}
    started = time.monotonic()
    with world():
        seeded = seed_bulletins(), seed_feedback()
        for _, operation in sorted(OPERATIONS.items()):
            for mode in MODES:
                strategy = grounded(operation, mode, seeded)
                run = _counting(
                    strategy, operation.label, mode, examples, random_seed, answers, server_errors
                )
                run()
    total = sum(sum(counter.values()) for counter in answers.values())
    for name, counter in sorted(answers.items()):
        print(name, dict(sorted(counter.items())))
    for (label, text), curl in server_errors.items():
        print("5xx", label, text, "\n    ", curl)
    seconds = time.monotonic() - started
    print(f"{total} requests in {seconds:.0f} s; {len(server_errors)} distinct server errors")


def _counting(strategy, label, mode, examples, random_seed, answers, server_errors):
    name = f"{label} [{mode.value}]"

    @given(case=strategy)
    @settings(
        max_examples=examples,
        derandomize=random_seed is None,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        response = case.call()
        answers[name][response.status_code] += 1
        if response.status_code >= 500:
            key = (label, response.text[:200])
            server_errors.setdefault(key, case.as_curl_command())

    return run if random_seed is None else fixed_seed(random_seed)(run)


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=explore.__doc__)
    parser.add_argument("--examples", type=int, default=100, help="per operation and mode")
    parser.add_argument("--seed", type=int, help="a random run with this seed (else derandomized)")
    arguments = parser.parse_args()
    explore(arguments.examples, arguments.seed)
