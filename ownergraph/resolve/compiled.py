"""The scoring model of :mod:`ownergraph.resolve.scoring`, compiled, for millions of pairs.

``scoring.score`` is the reference and explains a single pair in words; this module gives the
same log-odds, features and vetoes for arrays of candidate pairs, on all cores (numba
``prange``). The records are laid out as flat arrays first (:mod:`ownergraph.resolve.arrays`):
names as token ids with their weights, identifiers as key ids, dates as code points. Every float
is computed in the same order as in ``scoring``, so the sums are bit-for-bit those of the
reference; ``tests/resolve/test_compiled.py`` checks every candidate pair of a generated world.

Token similarity is rapidfuzz's normalised Indel similarity, ``1 - (la + lb - 2 LCS) / (la + lb)``,
with the longest common subsequence computed bit-parallel (Hyyrö's algorithm; tokens are at most
64 characters long).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from numba import njit, prange

from ownergraph.resolve.normalise import LEGAL_FORMS
from ownergraph.resolve.scoring import PRIOR, TOKEN_MATCH, WEAK_NAME_CAP

FEATURES = (
    "prior",
    "identifier",
    "name",
    "legal_form",
    "numbers",
    "country",
    "birth_date",
    "incorporation_date",
    "address",
    "candidate_match",
)
"""Columns of :func:`feature_rows`, in the order ``scoring.score`` adds them up."""
VETOES = (
    None,
    "an undisclosed party is only itself",
    "a person and an organisation",
    "different birth dates",
    "different identifiers",
)
"""Veto codes of :func:`score_pairs` (0: none). ``scoring.incompatible`` names the scheme."""

PERSON_KIND, ORGANISATION_KIND = 1, 2
"""Values of ``Encoded.kind`` (0: any other party)."""
_PERSON, _ORGANISATION = PERSON_KIND, ORGANISATION_KIND
FORM_BITS = {label: bit for bit, label in enumerate(sorted(set(LEGAL_FORMS.values())))}
"""Bit of each legal-form class in ``Encoded.legal_forms``."""
if len(FORM_BITS) > 64:  # pragma: no cover - a table edit would have to add 20 classes
    raise RuntimeError("legal-form classes no longer fit a 64-bit mask")

Array = Any
"""A numpy array (numba compiles against the concrete dtypes)."""


class Encoded(NamedTuple):
    """Records as flat arrays. ``*_ptr`` arrays are CSR offsets: record ``r``'s items are
    ``items[ptr[r]:ptr[r + 1]]``."""

    kind: Array
    """int8: 1 person, 2 organisation (Company, Organization), 0 any other party."""
    undisclosed: Array
    country: Array
    """int32 country id, -1 for none."""
    address: Array
    """int32 id of the folded address, -1 for none."""
    birth_ptr: Array
    birth_chars: Array
    inc_ptr: Array
    inc_chars: Array
    legal_forms: Array
    """uint64 bit mask of the legal-form classes of all the record's names."""
    number_ptr: Array
    numbers: Array
    key_ptr: Array
    keys: Array
    """Key ids (``scheme:value``) of all identifiers, valid or not, without repeats."""
    key_strong: Array
    """Per key id: a valid identifier of a unique scheme."""
    key_local: Array
    """Per key id: a scheme unique within one country's register."""
    valid_ptr: Array
    valid_scheme: Array
    valid_key: Array
    """(scheme id, key id) of the identifiers not known to be invalid: what conflicts use."""
    scheme_unique: Array
    scheme_local: Array
    name_ptr: Array
    names: Array
    """Form ids of each record's names, in the record's order."""
    name_weak: Array
    """bool, beside ``names``: the name is a weak alias (its similarity is capped)."""
    form_ptr: Array
    form_tokens: Array
    """Token ids of each distinct name form (a skeleton); equal forms have equal ids."""
    form_informative: Array
    form_total: Array
    """Sum of the form's token weights, added up as ``scoring.name_similarity`` does."""
    token_ptr: Array
    token_chars: Array
    token_weight: Array
    hint_ptr: Array
    hint_other: Array
    """Record indexes a source names as candidate matches of each record (ICIJ's ``same_as``)."""
    hint_weight: Array
    """float64, beside ``hint_other``: the log-odds of that candidate match."""


# -- the kernels: one pair ----------------------------------------------------------------------


@njit(cache=True, nogil=True, inline="always")
def _lcs(chars: Array, a0: int, a1: int, b0: int, b1: int) -> int:
    """Length of the longest common subsequence of two tokens of ``chars``, bit-parallel: the
    first token's positions are the bits of one word (tokens are at most 64 characters long,
    ``normalise.MAX_TOKEN``)."""
    one = np.uint64(1)
    v = ~np.uint64(0)
    for k in range(b0, b1):
        char = chars[k]
        matches = np.uint64(0)
        for q in range(a1 - a0):
            if chars[a0 + q] == char:
                matches |= one << np.uint64(q)
        u = v & matches
        v = (v + u) | (v - u)
    zeros = ~v
    if a1 - a0 < 64:
        zeros &= (one << np.uint64(a1 - a0)) - one
    count = 0
    while zeros:
        zeros &= zeros - one
        count += 1
    return count


@njit(cache=True, nogil=True, inline="always")
def _similarity(la: int, lb: int, common: int) -> float:
    """rapidfuzz's ``Indel.normalized_similarity`` from the lengths and the LCS."""
    total = la + lb
    return 1.0 - (total - 2 * common) / total


@njit(cache=True, nogil=True, inline="always")
def _matched(e: Encoded, mine: int, theirs: int) -> float:
    """``scoring._matched``: weight of ``mine``'s tokens found in ``theirs``, fuzzily."""
    ptr, tokens, tptr, chars = e.form_ptr, e.form_tokens, e.token_ptr, e.token_chars
    matched = 0.0
    for q in range(ptr[mine], ptr[mine + 1]):
        token = tokens[q]
        a0, a1 = tptr[token], tptr[token + 1]
        best = -1.0
        for r in range(ptr[theirs], ptr[theirs + 1]):
            other = tokens[r]
            if other == token:
                best = 1.0
                break
            b0, b1 = tptr[other], tptr[other + 1]
            la, lb = a1 - a0, b1 - b0
            bound = _similarity(la, lb, min(la, lb))
            if bound < TOKEN_MATCH or bound <= best:
                continue  # cannot reach TOKEN_MATCH, or beat the best so far
            similarity = _similarity(la, lb, _lcs(chars, a0, a1, b0, b1))
            best = max(best, similarity)
        if best >= TOKEN_MATCH:
            matched += best * e.token_weight[token]
    return matched


@njit(cache=True, nogil=True, inline="always")
def _name_similarity(e: Encoded, a: int, b: int) -> float:
    if not (e.form_informative[a] and e.form_informative[b]):
        return 0.0
    if a == b:
        return 1.0
    total: float = e.form_total[a] + e.form_total[b]
    if total <= 0:
        return 0.0
    return (_matched(e, a, b) + _matched(e, b, a)) / total


@njit(cache=True, nogil=True, inline="always")
def _name_evidence(similarity: float) -> float:
    if similarity >= 0.97:
        return 5.0
    if similarity >= 0.9:
        return 3.5
    if similarity >= 0.8:
        return 2.0
    if similarity >= 0.65:
        return 0.0
    if similarity >= 0.5:
        return -2.0
    return -5.0


@njit(cache=True, nogil=True, inline="always")
def _prefix_equal(chars: Array, ptr: Array, i: int, j: int, length: int) -> bool:
    """``a[:length] == b[:length]`` for the texts of records i and j."""
    a0, b0 = ptr[i], ptr[j]
    la, lb = min(ptr[i + 1] - a0, length), min(ptr[j + 1] - b0, length)
    if la != lb:
        return False
    for k in range(la):  # noqa: SIM110 - numba compiles loops, not generators
        if chars[a0 + k] != chars[b0 + k]:
            return False
    return True


@njit(cache=True, nogil=True, inline="always")
def _dates(
    chars: Array, ptr: Array, i: int, j: int, full: float, year: float, conflict: float
) -> float:
    la, lb = ptr[i + 1] - ptr[i], ptr[j + 1] - ptr[j]
    if la == 0 or lb == 0:
        return 0.0
    if la == 10 and lb == 10 and _prefix_equal(chars, ptr, i, j, 10):
        return full
    if _prefix_equal(chars, ptr, i, j, 4):
        return year
    return conflict


@njit(cache=True, nogil=True, inline="always")
def _veto(e: Encoded, i: int, j: int) -> int:
    """``scoring.incompatible`` as a code (an index of VETOES)."""
    if e.undisclosed[i] or e.undisclosed[j]:
        return 1
    if (e.kind[i] == _PERSON and e.kind[j] == _ORGANISATION) or (
        e.kind[i] == _ORGANISATION and e.kind[j] == _PERSON
    ):
        return 2
    if e.kind[i] == _PERSON and e.kind[j] == _PERSON:
        la, lb = e.birth_ptr[i + 1] - e.birth_ptr[i], e.birth_ptr[j + 1] - e.birth_ptr[j]
        if la and lb and not _prefix_equal(e.birth_chars, e.birth_ptr, i, j, min(la, lb)):
            return 3
    a0, a1, b0, b1 = e.valid_ptr[i], e.valid_ptr[i + 1], e.valid_ptr[j], e.valid_ptr[j + 1]
    if a0 == a1 or b0 == b1:
        return 0
    same_country = e.country[i] >= 0 and e.country[i] == e.country[j]
    for p in range(a0, a1):
        scheme = e.valid_scheme[p]
        if not (e.scheme_unique[scheme] or (same_country and e.scheme_local[scheme])):
            continue
        theirs = False
        shared = False
        for q in range(b0, b1):
            if e.valid_scheme[q] == scheme:
                theirs = True
                for r in range(a0, a1):
                    if e.valid_scheme[r] == scheme and e.valid_key[r] == e.valid_key[q]:
                        shared = True
        if theirs and not shared:
            return 4
    return 0


@njit(cache=True, nogil=True, inline="always")
def _pair(
    e: Encoded, i: int, j: int
) -> tuple[int, float, float, float, float, float, float, float, float, float, float]:
    """(veto code, the FEATURES in order) of one pair: ``scoring.score``."""
    veto = _veto(e, i, j)
    if veto:
        return veto, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0
    identifier = 0.0
    strong = False
    local = False
    shared = False
    for p in range(e.key_ptr[i], e.key_ptr[i + 1]):
        for q in range(e.key_ptr[j], e.key_ptr[j + 1]):
            if e.keys[p] == e.keys[q]:
                shared = True
                strong = strong or e.key_strong[e.keys[p]]
                local = local or e.key_local[e.keys[p]]
    if shared:
        if strong:
            identifier = 8.0
        elif e.country[i] >= 0 and e.country[i] == e.country[j] and local:
            identifier = 6.0
        else:
            identifier = 3.0
    similarity = 0.0
    for p in range(e.name_ptr[i], e.name_ptr[i + 1]):
        for q in range(e.name_ptr[j], e.name_ptr[j + 1]):
            one = _name_similarity(e, e.names[p], e.names[q])
            if e.name_weak[p] or e.name_weak[q]:
                one = min(one, WEAK_NAME_CAP)
            similarity = max(similarity, one)
            if similarity >= 1.0:
                break  # nothing beats the same name
        if similarity >= 1.0:
            break
    name = _name_evidence(similarity)
    legal_form = 0.0
    if e.legal_forms[i] and e.legal_forms[j]:
        legal_form = 0.5 if e.legal_forms[i] & e.legal_forms[j] else -2.0
    numbers = 0.0
    n0, n1, m0, m1 = e.number_ptr[i], e.number_ptr[i + 1], e.number_ptr[j], e.number_ptr[j + 1]
    if n0 < n1 and m0 < m1:
        numbers = -6.0
        for p in range(n0, n1):
            for q in range(m0, m1):
                if e.numbers[p] == e.numbers[q]:
                    numbers = 0.0
    country = 0.0
    if e.country[i] >= 0 and e.country[j] >= 0:
        country = 1.0 if e.country[i] == e.country[j] else -2.5
    birth = 0.0
    incorporation = 0.0
    if e.kind[i] == _PERSON and e.kind[j] == _PERSON:
        birth = _dates(e.birth_chars, e.birth_ptr, i, j, 3.0, 1.0, 0.0)
    else:
        incorporation = _dates(e.inc_chars, e.inc_ptr, i, j, 1.5, 0.5, -1.5)
    address = 1.0 if e.address[i] >= 0 and e.address[i] == e.address[j] else 0.0
    hint = 0.0
    for k in range(e.hint_ptr[i], e.hint_ptr[i + 1]):
        if e.hint_other[k] == j:
            hint = max(hint, e.hint_weight[k])
    for k in range(e.hint_ptr[j], e.hint_ptr[j + 1]):
        if e.hint_other[k] == i:
            hint = max(hint, e.hint_weight[k])
    return (
        0, PRIOR, identifier, name, legal_form, numbers, country, birth, incorporation, address,
        hint,
    )  # fmt: skip


# -- the kernels: many pairs --------------------------------------------------------------------


@njit(cache=True, parallel=True)
def _score_pairs(e: Encoded, left: Array, right: Array, log_odds: Array, veto: Array) -> None:
    for p in prange(left.shape[0]):
        code, f0, f1, f2, f3, f4, f5, f6, f7, f8, f9 = _pair(e, left[p], right[p])
        veto[p] = code
        # Added in the order of scoring.score's features (zeros change no sum).
        log_odds[p] = 0.0 + f0 + f1 + f2 + f3 + f4 + f5 + f6 + f7 + f8 + f9


@njit(cache=True, parallel=True)
def _feature_rows(e: Encoded, left: Array, right: Array, rows: Array) -> None:
    for p in prange(left.shape[0]):
        _, f0, f1, f2, f3, f4, f5, f6, f7, f8, f9 = _pair(e, left[p], right[p])
        rows[p, 0], rows[p, 1], rows[p, 2] = f0, f1, f2
        rows[p, 3], rows[p, 4], rows[p, 5] = f3, f4, f5
        rows[p, 6], rows[p, 7], rows[p, 8], rows[p, 9] = f6, f7, f8, f9


def score_pairs(encoded: Encoded, left: Array, right: Array) -> tuple[Array, Array]:
    """Log-odds (float64) and veto codes (int8, see VETOES) of the pairs ``left[k], right[k]``.

    A vetoed pair's log-odds is 0 and means nothing."""
    log_odds = np.zeros(len(left), dtype=np.float64)
    veto = np.zeros(len(left), dtype=np.int8)
    if len(left):
        _score_pairs(encoded, left, right, log_odds, veto)
    return log_odds, veto


def feature_rows(encoded: Encoded, left: Array, right: Array) -> Array:
    """The FEATURES of each pair, one row a pair (zeros where a feature does not apply)."""
    rows = np.zeros((len(left), len(FEATURES)), dtype=np.float64)
    if len(left):
        _feature_rows(encoded, left, right, rows)
    return rows


def explanation(row: Array) -> dict[str, float]:
    """A feature row as ``scoring.Match.features``: the features that apply, by name."""
    return {name: float(value) for name, value in zip(FEATURES, row, strict=True) if value}
