"""Scoring a party's name against a list, and the in-memory index that makes it cheap.

A list is turned once into a :class:`ListIndex`: every name and alias of every entry,
normalised, and an inverted index from blocking keys (``screening.normalise.blocking_keys``) to
those names. A party's name is scored only against the names that share a key with it — tens,
where the list holds tens of thousands — so no request walks the whole list in Python. The
indexes are cached per process: a CSL snapshot never changes, so its index is keyed by the
snapshot's id; the concern list and the denial register by a version read from the database.

The score of two normalised names is the larger of

- rapidfuzz's ``token_sort_ratio``: the tokens sorted, then compared character by character, so
  "Hassan Karimi" and "Karimi Hassan" score 100 while "Global" against "Global Trading"
  scores only 60. ``WRatio`` was not chosen: for names of different lengths it takes
  ``partial_ratio``, which gives any short name contained in a long one a score near 100 —
  "Sun" in "Sunrise Electronics" — and buries officials in false positives;
- ``ratio`` of the two names without spaces ("volgograd neftemash" and "volgogradneftemash");
- the ``ratio`` of their consonant skeletons, less 5: names transliterated from Arabic and Hebrew
  lose their vowels ("mhmd" for Mohammed), which the skeleton matches, at a small discount.

The country then weighs in: +5 when the party's country is one of the entry's, -10 when the entry
names countries and the party's is not among them. Scores are capped at 100.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from screening.normalise import blocking_keys, compact_skeleton, normalise

COUNTRY_BONUS = 5
COUNTRY_PENALTY = 10
SKELETON_DISCOUNT = 5
# A key shared by more names than this (a common word) finds no candidates on its own.
COMMON_KEY_POSTINGS = 200


@dataclass(frozen=True)
class ListEntry:
    """One entry of a list, as the matcher needs it."""

    ref: str  # "csl:<id>", "concern:<pk>", "denials:<pk>": the entry across snapshots
    pk: int
    name: str
    names: tuple[str, ...]  # normalised name and aliases
    countries: frozenset[str]
    fingerprint: str
    extra: dict = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class Hit:
    entry: ListEntry
    score: int
    matched_name: str


def name_score(a: str, b: str) -> float:
    """How alike two normalised names are, 0 to 100 (see the module's note)."""
    if not a or not b:
        return 0.0
    best = max(fuzz.token_sort_ratio(a, b), fuzz.ratio(a.replace(" ", ""), b.replace(" ", "")))
    if best < 100:
        sa, sb = compact_skeleton(a), compact_skeleton(b)
        if len(sa) >= 3 and len(sb) >= 3:
            best = max(best, fuzz.ratio(sa, sb) - SKELETON_DISCOUNT)
    return best


def weigh_country(score: float, country: str, countries: frozenset[str]) -> int:
    if countries:
        score += COUNTRY_BONUS if country in countries else -COUNTRY_PENALTY
    return int(round(max(0.0, min(100.0, score))))


class ListIndex:
    """Every name of a list's entries, and the blocking keys that find them."""

    def __init__(self, entries: Iterable[ListEntry]):
        self.entries: list[ListEntry] = []
        self.names: list[tuple[int, str]] = []  # (entry position, normalised name)
        self.compacts: list[str] = []  # each name without spaces
        self.skeletons: list[str] = []  # its consonant skeleton
        self.postings: dict[str, list[int]] = {}
        for entry in entries:
            position = len(self.entries)
            self.entries.append(entry)
            for name in entry.names:
                at = len(self.names)
                self.names.append((position, name))
                self.compacts.append(name.replace(" ", ""))
                self.skeletons.append(compact_skeleton(name))
                for key in blocking_keys(name):
                    self.postings.setdefault(key, []).append(at)

    def __len__(self) -> int:
        return len(self.entries)

    def candidates(self, normalised: str) -> set[int]:
        """The positions of the names sharing a blocking key with ``normalised``; a key common
        to many names counts only when the name has no rarer one."""
        found: set[int] = set()
        lists = [self.postings.get(key, ()) for key in blocking_keys(normalised)]
        rare = [p for p in lists if 0 < len(p) <= COMMON_KEY_POSTINGS]
        for postings in rare or [min((p for p in lists if p), key=len, default=())]:
            found.update(postings)
        return found

    def match(self, name: str, country: str, *, threshold: int) -> list[Hit]:
        """The entries whose best name scores at least ``threshold`` against ``name``.

        The candidates are scored by rapidfuzz's ``process.extract`` (a loop in C), one pass per
        measure of :func:`name_score`, leaving out what could not reach the threshold even with
        the country's bonus: the same scores as :func:`name_score`, much faster."""
        normalised = normalise(name)
        if not normalised:
            return []
        found = sorted(self.candidates(normalised))
        cutoff = max(0, threshold - COUNTRY_BONUS - 1)
        scored: dict[int, float] = {}

        def best_of(query, choices, scorer, discount=0.0):
            for _, score, i in process.extract(
                query, choices, scorer=scorer, limit=None, score_cutoff=cutoff + discount
            ):
                at = found[i]
                scored[at] = max(scored.get(at, -1.0), score - discount)

        best_of(normalised, [self.names[at][1] for at in found], fuzz.token_sort_ratio)
        best_of(normalised.replace(" ", ""), [self.compacts[at] for at in found], fuzz.ratio)
        bones = compact_skeleton(normalised)
        if len(bones) >= 3:
            skeletons = [self.skeletons[at] if len(self.skeletons[at]) >= 3 else "" for at in found]
            best_of(bones, skeletons, fuzz.ratio, SKELETON_DISCOUNT)
        best: dict[int, tuple[float, str]] = {}
        for at, score in scored.items():
            position, candidate = self.names[at]
            if score > best.get(position, (-1.0, ""))[0]:
                best[position] = (score, candidate)
        hits = []
        for position, (score, candidate) in best.items():
            entry = self.entries[position]
            weighed = weigh_country(score, country, entry.countries)
            if weighed >= threshold:
                hits.append(Hit(entry, weighed, candidate))
        hits.sort(key=lambda hit: (-hit.score, hit.entry.ref))
        return hits

    def scan(self, name: str, country: str, *, threshold: int) -> list[Hit]:
        """The same answer as :meth:`match` by scoring every name of the list: the naive loop
        the index replaces, kept for the benchmark and the tests that compare the two."""
        normalised = normalise(name)
        best: dict[int, tuple[float, str]] = {}
        for position, candidate in self.names:
            score = name_score(normalised, candidate)
            if score > best.get(position, (-1.0, ""))[0]:
                best[position] = (score, candidate)
        hits = [
            Hit(self.entries[p], weigh_country(s, country, self.entries[p].countries), c)
            for p, (s, c) in best.items()
        ]
        hits = [hit for hit in hits if hit.score >= threshold]
        hits.sort(key=lambda hit: (-hit.score, hit.entry.ref))
        return hits


def entry_names(name: str, alt_names: Iterable[str]) -> tuple[str, ...]:
    """The distinct normalised forms of an entry's name and aliases, the name first."""
    seen: dict[str, None] = {}
    for raw in (name, *alt_names):
        normalised = normalise(raw)
        if normalised:
            seen.setdefault(normalised, None)
    return tuple(seen)
