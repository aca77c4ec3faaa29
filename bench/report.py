"""The figures of a run as a Markdown table, written into docs/performance.md.

``python -m bench`` (not ``--quick``) replaces the part of the page between the two markers below
with the run's figures, so the page always shows the latest full run; ``python -m bench.report``
prints the table of ``bench/results.json`` again.
"""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "performance.md"
START, END = "<!-- figures: start -->", "<!-- figures: end -->"

TITLES = {
    "B1": "B1 eligibility read",
    "B2": "B2 submission",
    "B3": "B3 a revision removing destinations",
    "B4": "B4 the whitelist as of a date",
    "B5": "B5 the review queue and the audit timeline",
    "B6": "B6 verifying the trail",
    "B7": "B7 the timeline's CSV export",
    "B8": "B8 party screening",
}


def markdown(results: dict) -> str:
    from bench.run import summary

    machine = results["machine"]
    load = ", ".join(f"{x:.1f}" for x in machine.get("load_average_at_end", ()))
    lines = [
        f"`{results['command']}` ({results['mode']} sizes), {results['seconds']:,.0f} s in all, "
        f"on {machine['cpus']} CPUs shared with other work (load average at the end: {load}); "
        f"generator version `{results.get('generator_version')}`. Stages: "
        + ", ".join(
            f"{s['stage']} {s['how']} in {s['seconds']} s ({s['records']:,} records)"
            for s in results.get("stages", [])
            if "how" in s
        )
        + ".",
        "",
        "| benchmark | goal | measured | met |",
        "| --- | --- | --- | --- |",
    ]
    for name, result in results["benchmarks"].items():
        met = {True: "yes", False: "**no**", None: "n/a"}[result["met"]]
        measured = summary(name, result).replace("|", "/")
        lines.append(f"| {TITLES.get(name, name)} | {result['goal']} | {measured} | {met} |")
    return "\n".join(lines)


def update_doc(results: dict, doc: Path = DOC) -> bool:
    text = doc.read_text()
    if START not in text or END not in text:
        return False
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    doc.write_text(f"{head}{START}\n{markdown(results)}\n{END}{tail}")
    return True


if __name__ == "__main__":
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "bench" / "results.json"
    print(markdown(json.loads(path.read_text())))
