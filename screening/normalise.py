"""Names as the matcher compares them: transliterated, case-folded, without punctuation and
without the company-form words that say nothing about who a party is.

Pure functions, no database: the ingest stores each entry's normalised names and blocking keys,
and the matcher normalises a party's name the same way.
"""

from __future__ import annotations

import re
import unicodedata

from anyascii import anyascii

# Company forms and filler, as they read after transliteration and with dots removed: "S.A."
# is "sa", "L.L.C." is "llc", the Arabic "sharikat" (company) reads "shrkh" or "shrkt", the
# Hebrew "ba'am" (Ltd) reads "vm" or "bm".
COMPANY_WORDS = frozenset(
    """
    ltd limited llc lc inc incorporated corp corporation co company cos gmbh mbh ag kg kgaa
    sa sas sarl srl spa sl bv nv plc llp lp oy oyj ab as asa aps pte pvt pty jsc ojsc pjsc cjsc
    ooo oao zao tov fze fzco fzc fzllc wll est establishment kk gk sdn bhd tbk the and of
    shrkh shrkt sharikat sharika vm bm
    """.split()
)
_DROPPED = re.compile(r"[.'`’‘\"ʼ]")
_SEPARATORS = re.compile(r"[^0-9a-z]+")
_VOWELS = re.compile(r"[aeiouwy]")
_REPEATS = re.compile(r"(.)\1+")


def normalise(name: str) -> str:
    """``"Müller-Technik G.m.b.H."`` -> ``"muller technik"``; tokens in their order."""
    text = unicodedata.normalize("NFKC", name or "")
    text = anyascii(text).casefold()
    text = _DROPPED.sub("", text)
    tokens = [t for t in _SEPARATORS.split(text) if t and t not in COMPANY_WORDS]
    return " ".join(tokens)


def skeleton(token: str) -> str:
    """The consonants of a token, repeats collapsed: ``mohammed``, ``muhamad`` and the Arabic
    script's ``mhmd`` all read ``mhmd``. Leading ``al``/``el`` articles are kept as written."""
    return _REPEATS.sub(r"\1", _VOWELS.sub("", token))


def compact_skeleton(normalised: str) -> str:
    return skeleton(normalised.replace(" ", ""))


def blocking_keys(normalised: str) -> set[str]:
    """The keys under which a name is found: each token, its consonant skeleton and its first
    four letters, and the whole name's first four letters (so "volgograd neftemash" finds
    "volgogradneftemash"). A candidate shares at least one key with the party's name."""
    keys: set[str] = set()
    compact = normalised.replace(" ", "")
    if len(compact) >= 3:
        keys.add("p:" + compact[:4])
    for token in normalised.split():
        if len(token) < 2:
            continue
        keys.add("t:" + token)
        keys.add("p:" + token[:4])
        bones = skeleton(token)
        if len(bones) >= 2:
            keys.add("s:" + bones)
    return keys
