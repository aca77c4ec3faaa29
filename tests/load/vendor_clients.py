"""Vendor clients for the load test, run as a separate process:

    python -m tests.load.vendor_clients CONFIG.json

The config names the servers (loopback only), one token and product per vendor, the destination,
how many clients, and the time and request budgets. Each client thread plays one vendor: it checks
a destination, submits applications (each with its own ``Idempotency-Key``, and every third one
sent twice, as a client that lost the first answer would), reads them back and withdraws some.
Requests alternate between the servers, as a load balancer would spread them. It prints one JSON
object: every status seen, and the references the API acknowledged and withdrew.
"""

import http.client
import itertools
import json
import sys
import threading
import time
import urllib.parse
from pathlib import Path

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def main(config_path: str) -> int:
    config = json.loads(Path(config_path).read_text(encoding="utf-8"))
    servers = [urllib.parse.urlsplit(url) for url in config["servers"]]
    for server in servers:
        if server.hostname not in LOOPBACK:
            raise SystemExit(f"refusing to load {server.hostname}: only the loopback is allowed")
    deadline = time.monotonic() + min(float(config["seconds"]), 300)
    budget = {"left": int(config["max_requests"])}
    lock = threading.Lock()
    keys = itertools.count()
    report = {"statuses": {}, "acknowledged": [], "withdrawn": [], "errors": [], "replays": 0}

    def note(status):
        with lock:
            report["statuses"][str(status)] = report["statuses"].get(str(status), 0) + 1

    def client(vendor: dict, offset: int) -> None:
        connections = [http.client.HTTPConnection(s.hostname, s.port, timeout=30) for s in servers]
        turn = itertools.count(offset)
        headers = {"Authorization": f"Token {vendor['token']}", "Content-Type": "application/json"}

        def call(method, path, body=None, extra=None):
            with lock:
                if budget["left"] <= 0 or time.monotonic() >= deadline:
                    raise TimeoutError
                budget["left"] -= 1
            index = next(turn) % len(connections)
            connection = connections[index]
            try:
                connection.request(
                    method,
                    path,
                    body=json.dumps(body) if body is not None else None,
                    headers={**headers, **(extra or {})},
                )
                response = connection.getresponse()
                payload = response.read()
            except (OSError, http.client.HTTPException) as error:
                connection.close()
                connections[index] = http.client.HTTPConnection(
                    servers[index].hostname, servers[index].port, timeout=30
                )
                with lock:
                    report["errors"].append(f"{method} {path}: {error!r}")
                note("error")
                return None, None
            note(response.status)
            try:
                return response.status, json.loads(payload) if payload else None
            except ValueError:
                return response.status, None

        submission = {
            "licence_type": "marketing",
            "product": vendor["product"],
            "destination": config["destination"],
            "end_user": {"name": "Police nationale", "kind": "law_enforcement"},
            "end_use": "Lawful interception in serious-crime investigations.",
            "value": "125000.00",
            "currency": "EUR",
        }
        try:
            for round_number in itertools.count():
                call("GET", f"/api/v1/countries/{config['destination']}/")
                key = f"load-{vendor['token'][:8]}-{next(keys)}"
                status, body = call(
                    "POST", "/api/v1/applications/", submission, {"Idempotency-Key": key}
                )
                if status != 201:
                    continue
                reference = body["reference"]
                with lock:
                    report["acknowledged"].append(reference)
                if round_number % 3 == 0:  # the answer was "lost": the client retries
                    again, replay = call(
                        "POST", "/api/v1/applications/", submission, {"Idempotency-Key": key}
                    )
                    if again and replay and replay.get("reference") == reference:
                        with lock:
                            report["replays"] += 1
                call("GET", f"/api/v1/applications/{reference}/")
                if round_number % 4 == 1:
                    status, _ = call("POST", f"/api/v1/applications/{reference}/withdraw/", {})
                    if status == 200:
                        with lock:
                            report["withdrawn"].append(reference)
        except TimeoutError:
            pass
        finally:
            for connection in connections:
                connection.close()

    threads = [
        threading.Thread(target=client, args=(vendor, i))
        for i, vendor in enumerate(config["vendors"][: int(config["clients"])])
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(float(config["seconds"]) + 120)
    json.dump(report, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
