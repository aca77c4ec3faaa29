"""The Merkle tree of RFC 9162: published test vectors, and properties over random trees.

The vectors are those of RFC 6962/9162 implementations (transparency-dev's merkle package and
Certificate Transparency before it): eight leaves, the root of each size from 1 to 8, and a few
inclusion and consistency proofs. The properties check our proofs against our verifier, which
follows RFC 9162 sections 2.1.3.2 and 2.1.4.2 step by step, and the root against the recursive
definition of section 2.1.1.
"""

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from registry.audit import merkle

LEAVES = [
    bytes.fromhex(x)
    for x in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]
ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
# (leaf index, tree size, proof)
INCLUSION = [
    (
        0,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        1,
        5,
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]
# (old size, new size, proof)
CONSISTENCY = [
    (1, 1, []),
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        6,
        7,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
]

HASHES = [merkle.leaf_hash(data) for data in LEAVES]
NODES = merkle.all_nodes(HASHES)


def hexes(proof):
    return [p.hex() for p in proof]


def unhex(proof):
    return [bytes.fromhex(p) for p in proof]


def rfc_root(leaves: list[bytes]) -> bytes:
    """MTH as RFC 9162 2.1.1 defines it, recursively, from the leaves' data."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = 1 << ((len(leaves) - 1).bit_length() - 1)
    return hashlib.sha256(b"\x01" + rfc_root(leaves[:k]) + rfc_root(leaves[k:])).digest()


@pytest.mark.parametrize("size", range(1, 9))
def test_the_root_of_each_size_is_the_published_one(size):
    assert merkle.root_of(HASHES[:size]).hex() == ROOTS[size - 1]
    assert merkle.range_hash(0, size, NODES).hex() == ROOTS[size - 1]


def test_the_empty_tree_is_the_hash_of_nothing():
    assert merkle.root_of([]) == hashlib.sha256(b"").digest()


@pytest.mark.parametrize(("index", "size", "proof"), INCLUSION)
def test_inclusion_proofs_are_the_published_ones_and_verify(index, size, proof):
    assert hexes(merkle.inclusion_proof(index, size, NODES)) == proof
    root = bytes.fromhex(ROOTS[size - 1])
    assert merkle.verify_inclusion(index, size, HASHES[index], unhex(proof), root)


@pytest.mark.parametrize(("old", "new", "proof"), CONSISTENCY)
def test_consistency_proofs_are_the_published_ones_and_verify(old, new, proof):
    assert hexes(merkle.consistency_proof(old, new, NODES)) == proof
    old_root, new_root = bytes.fromhex(ROOTS[old - 1]), bytes.fromhex(ROOTS[new - 1])
    assert merkle.verify_consistency(old, new, old_root, new_root, unhex(proof))


def test_a_consistency_proof_between_equal_sizes_needs_equal_roots():
    root = bytes.fromhex(ROOTS[0])
    assert merkle.verify_consistency(1, 1, root, root, [])
    assert not merkle.verify_consistency(1, 1, root, bytes.fromhex(ROOTS[1]), [])
    assert not merkle.verify_consistency(2, 1, root, root, [])
    assert not merkle.verify_consistency(1, 2, root, bytes.fromhex(ROOTS[1]), [])


def test_proofs_for_leaves_outside_the_tree_are_refused():
    with pytest.raises(ValueError):
        merkle.inclusion_ranges(8, 8)
    with pytest.raises(ValueError):
        merkle.consistency_ranges(9, 8)
    assert not merkle.verify_inclusion(8, 8, HASHES[0], [], bytes.fromhex(ROOTS[7]))


def _tampered(proof: list[bytes], position: int) -> list[bytes]:
    changed = list(proof)
    digest = bytearray(changed[position])
    digest[0] ^= 0x10
    changed[position] = bytes(digest)
    return changed


trees = st.integers(min_value=1, max_value=300).flatmap(
    lambda n: st.tuples(st.just(n), st.integers(0, n - 1), st.integers(1, n))
)


@settings(max_examples=200, deadline=None)
@given(trees)
def test_every_inclusion_proof_verifies_and_a_tampered_one_fails(case):
    size, index, _ = case
    leaves = [merkle.leaf_hash(i.to_bytes(4, "big")) for i in range(size)]
    nodes = merkle.all_nodes(leaves)
    root = rfc_root([i.to_bytes(4, "big") for i in range(size)])
    assert merkle.range_hash(0, size, nodes) == root
    proof = merkle.inclusion_proof(index, size, nodes)
    assert len(proof) <= max(1, size - 1).bit_length()
    assert merkle.verify_inclusion(index, size, leaves[index], proof, root)
    for position in range(len(proof)):
        assert not merkle.verify_inclusion(
            index, size, leaves[index], _tampered(proof, position), root
        )
    if size > 1:
        other = (index + 1) % size
        assert not merkle.verify_inclusion(other, size, leaves[index], proof, root)
        assert not merkle.verify_inclusion(index, size, leaves[other], proof, root)
        assert not merkle.verify_inclusion(index, size, leaves[index], proof[:-1], root)
        assert not merkle.verify_inclusion(index, size, leaves[index], [*proof, root], root)


@settings(max_examples=200, deadline=None)
@given(trees)
def test_every_consistency_proof_verifies_and_a_tampered_one_fails(case):
    new, _, old = case
    leaves = [merkle.leaf_hash(i.to_bytes(4, "big")) for i in range(new)]
    nodes = merkle.all_nodes(leaves)
    old_root, new_root = merkle.root_of(leaves[:old]), merkle.root_of(leaves)
    proof = merkle.consistency_proof(old, new, nodes)
    assert merkle.verify_consistency(old, new, old_root, new_root, proof)
    for position in range(len(proof)):
        assert not merkle.verify_consistency(
            old, new, old_root, new_root, _tampered(proof, position)
        )
    if old < new:
        rewritten = [*leaves[: old - 1], merkle.leaf_hash(b"rewritten"), *leaves[old:]]
        rewritten_root = merkle.root_of(rewritten)
        assert not merkle.verify_consistency(old, new, old_root, rewritten_root, proof)
        forged = merkle.consistency_proof(old, new, merkle.all_nodes(rewritten))
        assert not merkle.verify_consistency(old, new, old_root, rewritten_root, forged)
        assert not merkle.verify_consistency(old, new, new_root, old_root, proof)


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 200), st.integers(0, 200))
def test_a_tree_continued_from_its_stored_subtrees_equals_one_built_at_once(first, more):
    leaves = [merkle.leaf_hash(i.to_bytes(4, "big")) for i in range(first + more)]
    start = merkle.TreeBuilder()
    start.extend(leaves[:first])
    emitted = {}
    continued = merkle.TreeBuilder(
        first, start.frontier, emit=lambda level, index, h: emitted.__setitem__((level, index), h)
    )
    continued.extend(leaves[first:])
    assert continued.root() == merkle.root_of(leaves)
    everything = merkle.all_nodes(leaves)
    assert emitted == {key: h for key, h in everything.items() if (key[1] + 1) << key[0] > first}


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 5), st.integers(0, 40), st.integers(0, 20))
def test_a_block_of_leaves_appended_as_its_subtree_gives_the_tree_built_leaf_by_leaf(
    level, blocks_before, after
):
    width = 1 << level
    leaves = [merkle.leaf_hash(i.to_bytes(4, "big")) for i in range(width * (blocks_before + 1))]
    leaves += [merkle.leaf_hash(b"after" + i.to_bytes(4, "big")) for i in range(after)]
    at = width * blocks_before
    block = leaves[at : at + width]
    assert merkle.perfect_root(block) == merkle.root_of(block)
    builder = merkle.TreeBuilder()
    builder.extend(leaves[:at])
    builder.append_subtree(level, merkle.perfect_root(block))
    builder.extend(leaves[at + width :])
    assert (builder.size, builder.root()) == (len(leaves), merkle.root_of(leaves))
    misaligned = merkle.TreeBuilder()
    misaligned.append(leaves[0])
    if level:
        with pytest.raises(ValueError):
            misaligned.append_subtree(level, merkle.perfect_root(block))
