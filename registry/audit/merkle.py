"""The Merkle tree of RFC 9162 (section 2.1) over the audit trail: hashes, proofs, verification.

Pure functions on bytes and integers: this module imports nothing of Django nor of a database
driver, so the offline verifier (``registry.audit.verify_export``) and an auditor's own tools can
use it as it is.

A leaf is SHA-256(0x00 ‖ record) and an inner node SHA-256(0x01 ‖ left ‖ right), as in RFC 9162.
A node of the tree is named ``(level, index)``: the perfect subtree over leaves
``[index·2^level, (index+1)·2^level)``. Every subtree hash RFC 9162 asks for (a tree head, a
proof's entries) is the right-to-left fold of at most log₂(n) such perfect subtrees, so a store
that keeps the perfect subtrees (``registry.audit.tree``) answers any tree size, inclusion proof
or consistency proof with O(log n) reads, never by rehashing the log.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

Node = tuple[int, int]  # (level, index)
Range = tuple[int, int]  # leaves [start, end)

_sha256 = hashlib.sha256


def leaf_hash(data: bytes) -> bytes:
    return _sha256(b"\x00" + data).digest()


def leaf_hashes(datas: Iterable[bytes]) -> list[bytes]:
    """:func:`leaf_hash` of each, without a Python call per leaf (a verifier hashes millions)."""
    return [_sha256(b"\x00" + data).digest() for data in datas]


def node_hash(left: bytes, right: bytes) -> bytes:
    return _sha256(b"\x01" + left + right).digest()


def perfect_root(leaves: Sequence[bytes]) -> bytes:
    """The hash of the perfect subtree over ``leaves`` (a power of two of leaf hashes), level by
    level."""
    level = list(leaves)
    while len(level) > 1:
        level = [
            _sha256(b"\x01" + left + right).digest()
            for left, right in zip(level[0::2], level[1::2], strict=True)
        ]
    return level[0]


def _split(size: int) -> int:
    """The largest power of two smaller than ``size`` (size ≥ 2): where RFC 9162 splits a tree."""
    return 1 << ((size - 1).bit_length() - 1)


# --- Which perfect subtrees make up a range ---------------------------------------------------


def perfect_subtrees(start: int, end: int) -> list[Node]:
    """The aligned perfect subtrees that cover ``[start, end)``, largest first, left to right."""
    nodes = []
    while start < end:
        level = (start & -start).bit_length() - 1 if start else (end - start).bit_length() - 1
        while (1 << level) > end - start:
            level -= 1
        nodes.append((level, start >> level))
        start += 1 << level
    return nodes


def fold(hashes: Sequence[bytes]) -> bytes:
    """The hash of a range from its perfect subtrees' hashes (left to right), folded from the
    right as RFC 9162's recursive definition does."""
    if not hashes:
        return EMPTY_ROOT
    result = hashes[-1]
    for left in reversed(hashes[:-1]):
        result = node_hash(left, result)
    return result


def range_hash(start: int, end: int, nodes: Mapping[Node, bytes]) -> bytes:
    return fold([nodes[node] for node in perfect_subtrees(start, end)])


# --- Proofs, as ranges of leaves (RFC 9162 2.1.3.1 and 2.1.4.1) -------------------------------


def _check_size(index: int, size: int) -> None:
    if not (isinstance(index, int) and isinstance(size, int)) or not 0 <= index < size:
        raise ValueError(f"no leaf {index} in a tree of {size}")


def inclusion_ranges(index: int, size: int) -> list[Range]:
    """The subtrees whose hashes prove leaf ``index`` in a tree of ``size`` leaves (PATH), in
    proof order: the leaf's sibling first, the root's other child last."""
    _check_size(index, size)
    ranges = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = _split(hi - lo)
        if index - lo < k:
            ranges.append((lo + k, hi))
            hi = lo + k
        else:
            ranges.append((lo, lo + k))
            lo += k
    ranges.reverse()
    return ranges


def consistency_ranges(old_size: int, new_size: int) -> list[Range]:
    """The subtrees whose hashes prove that the tree of ``new_size`` leaves extends the tree of
    ``old_size`` (PROOF, with SUBPROOF's recursion unrolled), in proof order."""
    if not 0 <= old_size <= new_size:
        raise ValueError(f"no consistency proof from {old_size} to {new_size}")
    if old_size in (0, new_size):
        return []
    ranges = []
    lo, hi, m, whole = 0, new_size, old_size, True
    while True:
        if m == hi - lo:
            if not whole:
                ranges.append((lo, hi))
            break
        k = _split(hi - lo)
        if m <= k:
            ranges.append((lo + k, hi))
            hi = lo + k
        else:
            ranges.append((lo, lo + k))
            lo, m, whole = lo + k, m - k, False
    ranges.reverse()
    return ranges


def nodes_for(ranges: Iterable[Range]) -> set[Node]:
    """Every stored node a set of ranges needs: fetched at once, then folded per range."""
    return {node for start, end in ranges for node in perfect_subtrees(start, end)}


def hashes_of(ranges: Sequence[Range], lookup: Callable[[set[Node]], Mapping[Node, bytes]]):
    nodes = lookup(nodes_for(ranges))
    return [range_hash(start, end, nodes) for start, end in ranges]


# --- From all the leaves (the verifier's way, and the reference in tests) --------------------


class TreeBuilder:
    """Appends leaf hashes and keeps only the perfect subtrees of the current size (at most
    log₂(n) hashes): the root of a log of any length in constant memory.

    ``emit`` receives every completed node ``(level, index, hash)``, leaves included: the store
    writes them. Seeded with the perfect subtrees of a tree already stored, it continues it.
    """

    __slots__ = ("_emit", "_hashes", "_levels", "size")

    def __init__(
        self,
        size: int = 0,
        frontier: Sequence[bytes] = (),
        emit: Callable[[int, int, bytes], None] | None = None,
    ):
        levels = [level for level, _ in perfect_subtrees(0, size)]
        if len(levels) != len(frontier):
            raise ValueError(f"a tree of {size} leaves has {len(levels)} perfect subtrees")
        self.size = size
        self._levels = levels
        self._hashes = list(frontier)
        self._emit = emit

    def append(self, leaf: bytes) -> None:
        levels, hashes, emit = self._levels, self._hashes, self._emit
        index = self.size
        self.size = index + 1
        if emit is not None:
            emit(0, index, leaf)
        level, node = 0, leaf
        while levels and levels[-1] == level:
            levels.pop()
            node = node_hash(hashes.pop(), node)
            level += 1
            index >>= 1
            if emit is not None:
                emit(level, index, node)
        levels.append(level)
        hashes.append(node)

    def extend(self, leaves: Iterable[bytes]) -> None:
        for leaf in leaves:
            self.append(leaf)

    def append_subtree(self, level: int, digest: bytes) -> None:
        """Appends ``2^level`` leaves at once by the hash of their perfect subtree
        (:func:`perfect_root`). The size must be a multiple of ``2^level``; nothing is emitted."""
        if self._emit is not None or self.size % (1 << level):
            raise ValueError(f"a subtree of level {level} cannot be appended at {self.size}")
        levels, hashes = self._levels, self._hashes
        self.size += 1 << level
        node = digest
        while levels and levels[-1] == level:
            levels.pop()
            node = node_hash(hashes.pop(), node)
            level += 1
        levels.append(level)
        hashes.append(node)

    def root(self) -> bytes:
        return fold(self._hashes)

    @property
    def frontier(self) -> list[bytes]:
        return list(self._hashes)


def root_of(leaves: Sequence[bytes]) -> bytes:
    builder = TreeBuilder()
    builder.extend(leaves)
    return builder.root()


def all_nodes(leaves: Sequence[bytes]) -> dict[Node, bytes]:
    """Every perfect subtree of a list of leaf hashes: an in-memory store, for tests and tools."""
    nodes: dict[Node, bytes] = {}
    TreeBuilder(emit=lambda level, index, h: nodes.__setitem__((level, index), h)).extend(leaves)
    return nodes


def inclusion_proof(index: int, size: int, nodes: Mapping[Node, bytes]) -> list[bytes]:
    return hashes_of(inclusion_ranges(index, size), lambda _: nodes)


def consistency_proof(old_size: int, new_size: int, nodes: Mapping[Node, bytes]) -> list[bytes]:
    return hashes_of(consistency_ranges(old_size, new_size), lambda _: nodes)


# --- Verification (RFC 9162 2.1.3.2 and 2.1.4.2) ---------------------------------------------


def _is_hash(value: object) -> bool:
    return isinstance(value, bytes) and len(value) == HASH_SIZE


def verify_inclusion(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes
) -> bool:
    """True when ``proof`` shows leaf hash ``leaf`` at ``index`` in the tree of ``size`` with
    ``root``."""
    if not (0 <= index < size) or not _is_hash(leaf) or not _is_hash(root):
        return False
    if not all(_is_hash(p) for p in proof):
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """True when ``proof`` shows that the tree of ``new_size`` with ``new_root`` extends the
    tree of ``old_size`` with ``old_root``: the log was only appended to in between."""
    if not (0 <= old_size <= new_size) or not _is_hash(old_root) or not _is_hash(new_root):
        return False
    if not all(_is_hash(p) for p in proof):
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if old_size == 0:
        return not proof
    if not proof:
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == old_root and sr == new_root and sn == 0
