"""The benchmark harness: the peer stays out of production, the results say what is missing."""

import os
import subprocess
import sys
from pathlib import Path

from django.apps import apps
from django.db.migrations.loader import MigrationLoader

from bench import run
from bench.sizes import FULL, QUICK, TENTH

ROOT = Path(__file__).resolve().parents[2]


def test_the_peer_and_stock_tokens_are_not_part_of_production():
    assert not apps.is_installed("bench.peer")
    assert not apps.is_installed("rest_framework.authtoken")
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    assert not [node for node in graph.nodes if node[0] in ("bench_peer", "authtoken")]


def test_the_peers_migrations_match_its_models_under_the_benchmark_settings():
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="bench.settings",
        DEBUG="true",
        SECRET_KEY="bench-test",
        AUDIT_KEY="bench-test",
    )
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_b8_times_the_screening_apps_matcher_against_the_naive_loop():
    result = run.b8(QUICK)
    assert result["available"] is True
    assert result["module"] == "screening.matching"
    assert result["entries"] == QUICK.screening_entries
    assert result["parties_with_a_hit"] > 0  # the generated list does hold the parties' names
    assert result["naive_loop_ms_per_party"] > 0 and result["registry_ms_per_party"] > 0


def test_a_ratio_reports_its_spread_over_the_rounds():
    rounds = {
        "registry": [{"throughput": 300.0}, {"throughput": 200.0}, {"throughput": 250.0}],
        "peer": [{"throughput": 100.0}, {"throughput": 100.0}, {"throughput": 125.0}],
    }
    result = run.ratio_of(rounds, "registry", "peer")
    assert result["value"] == 2.5  # the median rounds: 250 / 100
    assert result["spread"] == [2.0, 3.0]


def test_kept_stages_belong_to_one_version_of_the_generators_and_sizes():
    assert run.generator_version(QUICK) == run.generator_version(QUICK)
    assert len({run.generator_version(s) for s in (QUICK, TENTH, FULL)}) == 3


def test_the_full_sizes_are_the_goals_sizes():
    assert (FULL.licences, FULL.affected) == (1_000_000, 100_000)
    assert FULL.history == (10_000, 1_000_000, 10_000_000)
    assert FULL.verify_records == 1_000_000
    assert FULL.export_rows == (100_000, 1_000_000)
    assert FULL.screening_entries == 20_000
    assert FULL.concurrency == (1, 4, 16)


def test_a_run_replaces_only_the_figures_between_the_markers(tmp_path):
    from bench import report

    doc = tmp_path / "performance.md"
    doc.write_text(
        f"# Performance\n\nbefore\n\n{report.START}\nold figures\n{report.END}\n\nafter\n"
    )
    results = {
        "command": "python -m bench --sizes tenth",
        "mode": "tenth",
        "seconds": 1200.0,
        "machine": {"cpus": 2, "load_average_at_end": [6.0, 5.5, 5.0]},
        "generator_version": "abc",
        "stages": [{"stage": "base", "how": "generated", "seconds": 30.0, "records": 10_000}],
        "benchmarks": {
            "B8": {
                "naive_loop_ms_per_party": 1.2,
                "note": "not yet available: the screening app is not in this tree",
                "goal": "matching per party >= 20x the naive rapidfuzz loop",
                "met": None,
            }
        },
    }
    assert report.update_doc(results, doc)
    text = doc.read_text()
    assert "old figures" not in text
    assert text.startswith("# Performance\n\nbefore\n") and text.endswith("\n\nafter\n")
    assert "| B8 party screening |" in text and "| n/a |" in text
    assert "load average at the end: 6.0, 5.5, 5.0" in text


def _run(b1_vs_peer, b2_vs_peer, throughput):
    row = {
        "vs_peer": {"value": b2_vs_peer},
        "vs_bare": {"value": b2_vs_peer / 4},
        "registry": {"throughput": throughput},
        "peer": {"throughput": throughput / b2_vs_peer},
        "bare": {"throughput": throughput * 4},
        "server_errors": 0,
        "created": {"registry": 10, "peer": 10, "bare": 10},
    }
    return {
        "B1": {
            "vs_peer": {"value": b1_vs_peer},
            "vs_bare": {"value": 0.8},
            "registry": {"throughput": throughput},
            "server_errors": 0,
        },
        "B2": {"by_concurrency": {"1": row, "4": dict(row)}, "goal": "g"},
    }


def test_b1_and_b2_keep_the_median_run_and_show_every_run():
    result = run.across_runs([_run(2.5, 0.9, 100.0), _run(1.5, 1.2, 200.0), _run(3.0, 1.1, 300.0)])
    b1, b2 = result["B1"], result["B2"]
    assert b1["vs_peer"] == {"value": 2.5, "runs": [2.5, 1.5, 3.0], "spread": [1.5, 3.0]}
    assert b1["registry"]["throughput"] == 100.0  # the figures of the run whose ratio is the median
    assert b1["met"] is True and b1["runs"] == 3
    one = b2["by_concurrency"]["1"]
    assert one["vs_peer"]["value"] == 1.1 and one["vs_peer"]["spread"] == [0.9, 1.2]
    assert one["registry"]["throughput"] == 300.0
    assert one["created"]["registry"] == 30
    assert b2["met"] is True  # one run under the peer, the median above it
    slower = run.across_runs([_run(2.5, 0.9, 100.0), _run(2.5, 0.95, 100.0), _run(2.5, 1.2, 1.0)])
    assert slower["B2"]["met"] is False
