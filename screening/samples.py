"""Illustrative lists in the CSL's JSON format: the sample the seed ingests, and lists of any
size for the benchmark. Every name is invented.

``python -m screening.samples FILE [N]`` writes a list of N entries (the sample: the named
entries below and generated ones, 300 in all).
"""

from __future__ import annotations

import json
import random
import sys

NOTE = (
    "ILLUSTRATIVE SAMPLE, NOT THE CONSOLIDATED SCREENING LIST: every name, alias, address and "
    "date is invented for the export-licence registry's demo and tests. Same JSON format as the "
    "CSL (results of entries with id, name, alt_names, addresses, source, programs, type, "
    "start_date, end_date, source_list_url)."
)
SOURCES = [
    ("Entity List (EL) - Bureau of Industry and Security", "https://example.invalid/el"),
    ("Specially Designated Nationals (SDN) - Treasury Department", "https://example.invalid/sdn"),
    (
        "Military End User (MEU) List - Bureau of Industry and Security",
        "https://example.invalid/meu",
    ),
    ("Unverified List (UVL) - Bureau of Industry and Security", "https://example.invalid/uvl"),
]

# Named entries the demo and the tests rely on: (id, name, aliases, countries, type).
NAMED = [
    ("ILL-0001", "Nightjar Signal Systems LLC", ["Nightjar Signals"], ["AE"], "Entity"),
    (
        "ILL-0002",
        "Vostok Signal Research Institute",
        ["Восток Сигнал", "NII Vostok Signal"],
        ["RU"],
        "Entity",
    ),
    (
        "ILL-0003",
        "Nour Al-Huda Technical Trading",
        ["شركة نور الهدى للتجارة التقنية", "Nur al Huda Tech Trading"],
        ["IR"],
        "Entity",
    ),
    ("ILL-0004", "Kessem Optical Systems Ltd", ["קסם מערכות אופטיות"], ["CY"], "Entity"),
    ("ILL-0005", "Hassan Karimi Tabrizi", ["حسن کریمی تبریزی"], ["IR"], "Individual"),
    ("ILL-0006", "Zephyrine Maritime Holdings S.A.", ["Zephyrine Maritime"], ["PA"], "Entity"),
    ("ILL-0007", "Obsidian Lantern Electronics GmbH", ["Obsidian Lantern"], ["DE", "TR"], "Entity"),
    ("ILL-0008", "Mohammed Qasim Darwazeh", ["Muhamad Kasim Darwaza"], ["JO"], "Individual"),
]
_SYLLABLES = (
    "zor vak tel mur qen dra ish pol kav rin tus bek fal gor hux jin lom nex oth pyr quo rax sil "
    "tov ulm vex wyn xal yor zuk bram cind dusk fenn grel hask ivor jask kelm lusk morv nask orl"
).split()
_WORDS = (
    "Dynamics Systems Technologies Research Trading Logistics Industries Electronics Optics "
    "Aerospace Marine Instruments Components Engineering Holdings Solutions Laboratories"
).split()
_FORMS = ["LLC", "Ltd", "GmbH", "S.A.", "JSC", "Co.", "FZE", ""]
_COUNTRIES = ["AE", "RU", "IR", "CN", "KP", "SY", "BY", "TR", "PK", "MM", "VE", "CU", "HK", "MY"]
_CYRILLIC = dict(zip("abdefgiklmnoprstuvz", "абдефгиклмнопрстувз", strict=True))


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.choice((2, 2, 3)))).capitalize()


def _entry(number: int, ident: str, name: str, aliases, countries, kind, rng) -> dict:
    source, url = SOURCES[number % len(SOURCES)]
    year = 2008 + number % 17
    return {
        "id": ident,
        "name": name,
        "alt_names": list(aliases),
        "addresses": [
            {
                "address": f"{number} Illustrative Street",
                "city": "Example City",
                "country": code,
                "postal_code": None,
                "state": None,
            }
            for code in countries
        ],
        "source": source,
        "programs": ["ILLUSTRATIVE"],
        "type": kind,
        "start_date": f"{year}-0{1 + number % 9}-1{number % 9}",
        "end_date": None,
        "source_list_url": url,
        "remarks": "Illustrative entry: invented name.",
    }


def build(count: int = 300, *, seed: int = 13) -> dict:
    rng = random.Random(seed)
    results = [
        _entry(i, ident, name, aliases, countries, kind, rng)
        for i, (ident, name, aliases, countries, kind) in enumerate(NAMED[:count])
    ]
    seen = {r["name"] for r in results}
    number = len(results)
    while len(results) < count:
        number += 1
        if rng.random() < 0.3:
            name = f"{_word(rng)} {_word(rng)}"
            kind = "Individual"
        else:
            form = rng.choice(_FORMS)
            name = f"{_word(rng)} {rng.choice(_WORDS)} {form}".strip()
            kind = "Entity"
        if name in seen:
            continue
        seen.add(name)
        aliases = []
        if rng.random() < 0.3:
            first = name.split()[0].lower()
            aliases.append("".join(_CYRILLIC.get(c, c) for c in first).capitalize())
        if rng.random() < 0.2:
            aliases.append(" ".join(reversed(name.split()[:2])))
        countries = rng.sample(_COUNTRIES, rng.choice((1, 1, 2)))
        results.append(_entry(number, f"ILL-{number:05d}", name, aliases, countries, kind, rng))
    return {"_note": NOTE, "total": len(results), "sources_used": [], "results": results}


def write(path: str, count: int = 300, *, seed: int = 13) -> None:
    with open(path, "w", encoding="utf-8") as out:
        json.dump(build(count, seed=seed), out, ensure_ascii=False, indent=1)
        out.write("\n")


if __name__ == "__main__":
    write(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 300)
