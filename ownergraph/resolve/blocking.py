"""Blocking: which pairs of records are worth scoring, without ever scoring all pairs.

Records share a block when they share an identifier, or the pair of their two rarest name tokens
(romanisation skeletons, so scripts and spellings meet; one-word names use the word), also with
either token cut to three letters so that one typo does not hide a match. Blocks over
``cap`` records are too common to say anything and are skipped; identifier blocks are exempt,
since a shared identifier always counts.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from itertools import combinations

from ownergraph.resolve.matchable import Matchable
from ownergraph.resolve.normalise import GENERIC_WORDS


def token_counts(records: Sequence[Matchable]) -> Counter[str]:
    """In how many records each skeleton token occurs (document frequency)."""
    counts: Counter[str] = Counter()
    for record in records:
        counts.update({token for form in record.names for token in form.skeleton})
    return counts


def block_keys(record: Matchable, counts: Counter[str]) -> set[str]:
    keys = {f"id:{identifier.key}" for identifier in record.identifiers}
    for form in record.names:
        if not form.informative:
            continue
        tokens = [
            token for token in set(form.skeleton)
            if len(token) >= 3 and token not in GENERIC_WORDS and not token.isdigit()
        ]  # fmt: skip
        tokens.sort(key=lambda token: (counts[token], token))
        if len(tokens) >= 2:
            first, second = tokens[:2]
            # The exact pair, and each token with the other's first three letters, so that a
            # keying error in one word still meets its correct spelling.
            for pair in ((first, second), (first[:3], second), (first, second[:3])):
                keys.add("names:" + " ".join(sorted(pair)))
        elif tokens:
            keys.add(f"name:{tokens[0]}")
    return keys


def candidate_pairs(
    records: Sequence[Matchable], counts: Counter[str], *, cap: int = 200
) -> Iterator[tuple[int, int]]:
    """Index pairs (i < j) of records sharing a block, each pair once."""
    blocks: defaultdict[str, list[int]] = defaultdict(list)
    for index, record in enumerate(records):
        for key in block_keys(record, counts):
            blocks[key].append(index)
    seen: set[tuple[int, int]] = set()
    for key, members in blocks.items():
        if len(members) < 2 or (len(members) > cap and not key.startswith("id:")):
            continue
        for pair in combinations(members, 2):
            if pair not in seen:
                seen.add(pair)
                yield pair
