"""The load generator: a separate process that sends one kind of request for a bounded time.

    python -m bench.loadgen --url http://127.0.0.1:PORT/path --seconds 10 --concurrency 8

Only loopback addresses are accepted. Each client thread keeps one HTTP/1.1 connection open and
sends requests one after another until the time or the request budget runs out; the process prints
one JSON object: requests, statuses, throughput and latency percentiles (milliseconds).
``{n}`` in a header value or the body is replaced by a number unique to each request.
"""

import argparse
import http.client
import itertools
import json
import statistics
import sys
import threading
import time
import urllib.parse

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def percentile(sorted_values: list[float], fraction: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(fraction * (len(sorted_values) - 1))))
    return sorted_values[index]


def run(*, url, method, headers, body, seconds, concurrency, max_requests, warmup):
    target = urllib.parse.urlsplit(url)
    if target.hostname not in LOOPBACK:
        raise SystemExit(f"refusing to load {target.hostname}: only the loopback is allowed")
    path = target.path + (f"?{target.query}" if target.query else "")
    numbers = itertools.count()
    lock = threading.Lock()
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    failures: list[str] = []
    budget = {"left": max_requests}

    def client(deadline: float, record: bool) -> None:
        connection = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
        while time.monotonic() < deadline:
            with lock:
                if record:
                    if budget["left"] <= 0:
                        break
                    budget["left"] -= 1
                n = next(numbers)
            request_headers = {k: v.replace("{n}", str(n)) for k, v in headers.items()}
            payload = body.replace("{n}", str(n)).encode() if body is not None else None
            started = time.perf_counter()
            try:
                connection.request(method, path, body=payload, headers=request_headers)
                response = connection.getresponse()
                response.read()
                status = str(response.status)
            except (OSError, http.client.HTTPException) as error:
                connection.close()
                connection = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
                status = "error"
                with lock:
                    failures.append(repr(error))
            elapsed = time.perf_counter() - started
            if record:
                with lock:
                    latencies.append(elapsed)
                    statuses[status] = statuses.get(status, 0) + 1
        connection.close()

    def phase(duration: float, record: bool) -> float:
        deadline = time.monotonic() + duration
        threads = [
            threading.Thread(target=client, args=(deadline, record)) for _ in range(concurrency)
        ]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(duration + 60)
        return time.perf_counter() - started

    if warmup > 0:
        phase(warmup, record=False)
    wall = phase(seconds, record=True)
    latencies.sort()
    return {
        "requests": len(latencies),
        "seconds": round(wall, 3),
        "throughput": round(len(latencies) / wall, 1) if wall else 0.0,
        "p50_ms": round(percentile(latencies, 0.50) * 1000, 2),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 2),
        "mean_ms": round(statistics.fmean(latencies) * 1000, 2) if latencies else None,
        "statuses": statuses,
        "failures": failures[:5],
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--method", default="GET")
    parser.add_argument("--header", action="append", default=[], help="Name: value")
    parser.add_argument("--body")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--warmup", type=float, default=1)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--max-requests", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    headers = dict(h.split(":", 1) for h in args.header)
    headers = {k.strip(): v.strip() for k, v in headers.items()}
    if args.body is not None:
        headers.setdefault("Content-Type", "application/json")
    result = run(
        url=args.url,
        method=args.method,
        headers=headers,
        body=args.body,
        seconds=min(args.seconds, 600),
        concurrency=max(1, min(args.concurrency, 64)),
        max_requests=args.max_requests,
        warmup=min(args.warmup, 60),
    )
    json.dump(result, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
