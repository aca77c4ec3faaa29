"""Names matched as an official would: transliterated, reordered, slightly misspelt, aliased —
and names that merely share a word are left alone. Pure functions: no database."""

import pytest

from screening import samples
from screening.matching import ListEntry, ListIndex, entry_names
from screening.normalise import normalise

THRESHOLD = 88


def _index(entries=None) -> ListIndex:
    entries = entries if entries is not None else samples.build()["results"]
    return ListIndex(
        ListEntry(
            ref=f"csl:{e['id']}",
            pk=n,
            name=e["name"],
            names=entry_names(e["name"], e["alt_names"]),
            countries=frozenset(a["country"] for a in e["addresses"]),
            fingerprint=e["id"],
        )
        for n, e in enumerate(entries)
    )


@pytest.fixture(scope="module")
def index():
    return _index()


@pytest.mark.parametrize(
    "raw,normalised",
    [
        ("Müller-Technik G.m.b.H.", "muller technik"),
        ("Zephyrine Maritime Holdings S.A.", "zephyrine maritime holdings"),
        ("O'Brien & Sons, L.L.C.", "obrien sons"),
        ("ООО Восток-Сигнал", "vostok signal"),
        ("  NIGHTJAR   signal  systems ltd. ", "nightjar signal systems"),
    ],
)
def test_names_are_transliterated_case_folded_and_stripped_of_company_forms(raw, normalised):
    assert normalise(raw) == normalised


@pytest.mark.parametrize(
    "party,country,listed",
    [
        # exact, with the company form dropped
        ("Nightjar Signal Systems LLC", "AE", "Nightjar Signal Systems LLC"),
        ("Nightjar Signal Systems", "GB", "Nightjar Signal Systems LLC"),
        # an alias
        ("Nightjar Signals", "AE", "Nightjar Signal Systems LLC"),
        # Cyrillic, as the alias is written, and transliterated
        ("ООО Восток Сигнал", "RU", "Vostok Signal Research Institute"),
        ("Vostok Signal", "RU", "Vostok Signal Research Institute"),
        # Arabic script against the entry's Arabic alias; Persian-Arabic for a person
        ("شركة نور الهدى للتجارة التقنية", "IR", "Nour Al-Huda Technical Trading"),
        ("حسن کریمی تبریزی", "IR", "Hassan Karimi Tabrizi"),
        # Hebrew
        ('קסם מערכות אופטיות בע"מ', "CY", "Kessem Optical Systems Ltd"),
        # reordered
        ("Tabrizi Hassan Karimi", "IR", "Hassan Karimi Tabrizi"),
        ("Darwazeh, Mohammed Qasim", "JO", "Mohammed Qasim Darwazeh"),
        # near misses: spelling and spacing
        ("Mohamed Kasim Darwazeh", "JO", "Mohammed Qasim Darwazeh"),
        ("Zephyrin Maritime Holding SA", "PA", "Zephyrine Maritime Holdings S.A."),
        ("ObsidianLantern Electronics", "TR", "Obsidian Lantern Electronics GmbH"),
    ],
)
def test_a_listed_party_is_found(index, party, country, listed):
    hits = index.match(party, country, threshold=THRESHOLD)
    assert listed in [hit.entry.name for hit in hits], [(h.entry.name, h.score) for h in hits]


@pytest.mark.parametrize(
    "party,country",
    [
        ("National Crime Agency", "GB"),
        ("Direction générale de la sécurité intérieure", "FR"),
        ("Bundeskriminalamt", "DE"),
        ("Royal Canadian Mounted Police", "CA"),
        ("Signals Intelligence Agency", "AE"),
        ("Nightjar Logistics", "AE"),  # shares a word only
        ("Signal Systems", "AE"),  # part of a listed name
        ("Hassan Karimi", "IR"),  # two of three names
        ("Optical Systems Ltd", "CY"),
        ("Mohammed Ali", "JO"),
        ("Acme Cyber Ltd", "IL"),
    ],
)
def test_a_name_that_only_resembles_a_listed_one_is_not_a_match(index, party, country):
    assert index.match(party, country, threshold=THRESHOLD) == []


def test_the_country_weighs_in():
    [entry] = samples.build()["results"][:1]  # Nightjar Signal Systems LLC, AE
    index = _index([entry])
    at_home = index.match("Nightjar Signal Sistem", "AE", threshold=0)[0].score
    abroad = index.match("Nightjar Signal Sistem", "GB", threshold=0)[0].score
    assert at_home - abroad == 15
    assert abroad < THRESHOLD <= at_home


def test_the_index_finds_what_scoring_every_entry_finds(index):
    """Blocking leaves out only names that could not have scored: the same hits as the naive
    scan of every name, for every named entry and a spread of parties."""
    parties = [(n, c[0]) for _, n, a, c, _ in samples.NAMED] + [
        (a[0], c[0]) for _, n, a, c, _ in samples.NAMED
    ]
    parties += [("Mohamed Kasim Darwazeh", "JO"), ("Vostok Signall", "RU")]
    parties += [(e["name"], "XX") for e in samples.build()["results"][10:60]]
    for name, country in parties:
        assert index.match(name, country, threshold=80) == index.scan(
            name, country, threshold=80
        ), name
