"""Restricted-party screening, measured: ingesting a 20,000-entry list and matching parties
against it, with the index (blocking keys) and with the naive loop it replaces.

    DEBUG=true DATABASE_URL=sqlite:///screening-bench.sqlite3 \\
        .venv/bin/python -m bench.screening [--entries 20000] [--parties 300]

It migrates the database it is given (use a scratch one: it writes a snapshot there), writes an
illustrative list of that many entries (``screening.samples``) to a temporary file, times
``manage.py ingest_watchlist`` on it, then times the matching of each party of a set of
applications (three parties each: listed names, aliases in other scripts, near misses and
unlisted names) against the snapshot, per party and per application. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import statistics
import sys
import tempfile
import time


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=20_000)
    parser.add_argument("--parties", type=int, default=300)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "registry.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from registry.audit.history import ensure_system_user
    from screening import samples, selectors
    from screening.selectors import list_status

    call_command("migrate", verbosity=0)
    from django.apps import apps

    ensure_system_user(apps)
    document = samples.build(args.entries, seed=random.randrange(1_000_000))
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as out:
        json.dump(document, out, ensure_ascii=False)
    size = os.path.getsize(out.name)
    started = time.perf_counter()
    call_command("ingest_watchlist", "--source", "csl", out.name, stdout=io.StringIO())
    ingest_seconds = time.perf_counter() - started
    os.unlink(out.name)

    snapshot = list_status().snapshot
    started = time.perf_counter()
    selectors._cache.clear()
    index = selectors.csl_index(snapshot)
    build_seconds = time.perf_counter() - started

    rng = random.Random(7)
    results = document["results"]
    names = []
    for _ in range(args.parties):
        pick = rng.choice(results)
        kind = rng.random()
        if kind < 0.25:
            names.append(pick["name"])
        elif kind < 0.4 and pick["alt_names"]:
            names.append(rng.choice(pick["alt_names"]))
        elif kind < 0.6:
            name = pick["name"]
            at = rng.randrange(len(name))
            names.append(name[:at] + name[at + 1 :])  # a letter missing
        else:
            names.append(
                f"{rng.choice(['National', 'Federal', 'State'])} Police Agency {rng.randrange(99)}"
            )
    threshold = settings.WATCHLIST_MATCH_THRESHOLD
    indexed, naive, same = [], [], 0
    for name in names:
        t = time.perf_counter()
        found = index.match(name, "GB", threshold=threshold)
        indexed.append(time.perf_counter() - t)
        t = time.perf_counter()
        scanned = index.scan(name, "GB", threshold=threshold)
        naive.append(time.perf_counter() - t)
        same += found == scanned
    per_application = [sum(indexed[i : i + 3]) for i in range(0, len(indexed) - 2, 3)]
    report = {
        "entries": args.entries,
        "file_bytes": size,
        "ingest_seconds": round(ingest_seconds, 2),
        "index_build_seconds": round(build_seconds, 2),
        "parties": len(names),
        "match_ms_median": round(statistics.median(indexed) * 1000, 3),
        "match_ms_p99": round(_percentile(indexed, 0.99) * 1000, 3),
        "naive_ms_median": round(statistics.median(naive) * 1000, 3),
        "naive_ms_p99": round(_percentile(naive, 0.99) * 1000, 3),
        "speed_up_median": round(statistics.median(naive) / statistics.median(indexed), 1),
        "application_3_parties_ms_p99": round(_percentile(per_application, 0.99) * 1000, 3),
        "same_hits_as_naive": f"{same}/{len(names)}",
        "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
    }
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
