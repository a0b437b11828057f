"""The local gateway hands a function one request at a time, as one Lambda execution environment
takes them: the console sends GETs in parallel, and a Powertools resolver keeps the request it is
answering on its app (two at once swapped a route's dependencies, a 500)."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from werkzeug.test import Client

from infra.localcloud.gateway import ApiGateway
from infra.localcloud.template import ApiRoute


class Host:
    """Counts how many invocations of each function run at the same moment."""

    def __init__(self):
        self.lock = threading.Lock()
        self.inside = {"ApiFunction": 0, "SpeechFunction": 0}
        self.most = {"ApiFunction": 0, "SpeechFunction": 0}

    def invoke(self, function, event):
        with self.lock:
            self.inside[function] += 1
            self.most[function] = max(self.most[function], self.inside[function])
        time.sleep(0.05)
        with self.lock:
            self.inside[function] -= 1
        return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": "{}"}


def test_a_function_answers_one_request_at_a_time():
    host = Host()
    gateway = ApiGateway(
        api_id="api",
        stage="dev",
        routes=[
            ApiRoute("ApiFunction", "StaffApi", "/units/{code}", "GET", None),
            ApiRoute("SpeechFunction", "StaffApi", "/voices", "GET", None),
        ],
        authorizers={},
        gateway_responses={},
        host=host,
    )
    client = Client(gateway)
    paths = ["/units/52", "/voices"] * 6
    with ThreadPoolExecutor(max_workers=12) as pool:
        statuses = list(pool.map(lambda path: client.get(path).status_code, paths))
    assert statuses == [200] * len(paths)
    assert host.most["ApiFunction"] == 1
    assert host.most["SpeechFunction"] == 1
