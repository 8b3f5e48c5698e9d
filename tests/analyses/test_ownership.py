"""The 50% rules as pure functions: OFAC's own worked examples, the EU and UK differences,
share intervals, dates, cycles and properties that must hold for any ownership graph.

Guidance quoted in docstrings is cited in docs/fifty-percent-rules.md.
"""

import json
from collections.abc import Iterable, Mapping, Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ownergraph.analyses.ownership import (
    Regime,
    Stake,
    Verdict,
    blocked_by_extension,
    held_on,
)
from ownergraph.model import ShareInterval

AS_OF = "2025-06-30"
LISTING = {"authority": "OFAC", "list": "SDN", "record": "36"}


def owns(
    owner: str,
    asset: str,
    share: str = "",
    *,
    start: str | None = "2020-01-01",
    end: str | None = None,
    dataset: str = "registry",
    kind: str = "OWNS",
) -> Stake:
    """A stake as the loaders state it: ``share`` is ``ShareInterval.parse`` text."""
    citation = {"dataset": dataset, "record": f"{owner}>{asset}"}
    return Stake(owner, asset, ShareInterval.parse(share), start, end, citation, kind)


def controls(owner: str, asset: str, share: str = "") -> Stake:
    return owns(owner, asset, share, kind="CONTROLS")


def verdicts(
    stakes: Iterable[Stake],
    listed: Sequence[str] = ("X",),
    regime: Regime = "ofac",
    as_of: str = AS_OF,
) -> dict[str, Verdict]:
    return blocked_by_extension(stakes, {name: [LISTING] for name in listed}, regime, as_of)


def statuses(
    stakes: Iterable[Stake], listed: Sequence[str] = ("X",), regime: Regime = "ofac"
) -> dict[str, str]:
    return {entity: v.status for entity, v in verdicts(stakes, listed, regime).items()}


# -- OFAC: the 2014 revised guidance and FAQs 398-402 -----------------------------------------


def test_one_blocked_owner_at_exactly_50_percent_blocks() -> None:
    """2014 revised guidance: an entity owned 50 percent or more by a blocked person is blocked."""
    assert statuses([owns("X", "A", "50")]) == {"A": "blocked"}


def test_49_percent_does_not_block() -> None:
    """2014 revised guidance: the rule starts at 50 percent; FAQ 398 urges caution below it."""
    assert statuses([owns("X", "A", "49")]) == {}


def test_faq_399_shares_of_different_blocked_persons_aggregate() -> None:
    """FAQ 399 and the 2014 guidance: X owns 25% and Y owns 25% of B; B is blocked in the
    aggregate."""
    result = verdicts([owns("X", "B", "25"), owns("Y", "B", "25")], listed=("X", "Y"))
    assert result["B"].status == "blocked"
    assert (result["B"].share_low, result["B"].share_high) == (50.0, 50.0)
    assert [step.owner for step in result["B"].proof] == ["X", "Y"]


def test_faq_401_example_1_blocks_down_a_chain_of_50_percent_stakes() -> None:
    """FAQ 401 example 1: X owns 50% of A, A owns 50% of B; A and B are blocked."""
    result = verdicts([owns("X", "A", "50"), owns("A", "B", "50")])
    assert {entity: v.status for entity, v in result.items()} == {"A": "blocked", "B": "blocked"}
    (step,) = result["B"].proof
    assert (step.owner, step.owner_status) == ("A", "blocked")
    assert step.as_dict()["see"] == "A"


def test_faq_401_example_2_two_blocked_subsidiaries_aggregate() -> None:
    """FAQ 401 example 2: X owns 50% of A and of B; A and B each own 25% of C; C is blocked."""
    stakes = [owns("X", "A", "50"), owns("X", "B", "50"), owns("A", "C", "25")]
    stakes.append(owns("B", "C", "25"))
    assert statuses(stakes)["C"] == "blocked"


def test_faq_401_example_3_direct_and_indirect_ownership_add_up() -> None:
    """FAQ 401 example 3: X owns 50% of A and 10% of B; A owns 40% of B; B is blocked."""
    result = verdicts([owns("X", "A", "50"), owns("X", "B", "10"), owns("A", "B", "40")])
    assert result["B"].status == "blocked"
    assert result["B"].share_low == 50.0


def test_faq_401_ownership_through_unblocked_entities_does_not_count() -> None:
    """FAQ 401: "indirectly" means through entities 50% or more owned by blocked persons. X owns
    25% of A and of B, A and B each own 50% of C: X is not considered to own any of C."""
    stakes = [owns("X", "A", "25"), owns("X", "B", "25"), owns("A", "C", "50")]
    stakes.append(owns("B", "C", "50"))
    assert statuses(stakes) == {}


def test_an_unblocked_intermediary_passes_nothing_on() -> None:
    """X owns 40% of D (not blocked), D owns 60% of E: E is not blocked (FAQ 401)."""
    assert statuses([owns("X", "D", "40"), owns("D", "E", "60")]) == {}


def test_a_blocked_intermediary_passes_its_full_stake_without_multiplication() -> None:
    """FAQ 401 example 1 counts A's 50% of B in full although X owns only 50% of A."""
    result = verdicts([owns("X", "A", "60"), owns("A", "B", "50")])
    assert result["B"].share_low == 50.0  # not 60% x 50% = 30%


def test_faq_398_control_without_ownership_does_not_block() -> None:
    """FAQ 398: the 50 Percent Rule speaks only to ownership and not to control."""
    assert statuses([controls("X", "A")]) == {}
    assert statuses([controls("X", "A"), owns("X", "A", "30")]) == {}


def test_faq_402_divestment_below_50_percent_unblocks() -> None:
    """FAQ 402: once blocked persons' combined ownership falls below 50%, the entity is no
    longer automatically blocked (here a 60% stake ended in 2024 and a 40% one followed)."""
    stakes = [owns("X", "A", "60", end="2024-03-01"), owns("X", "A", "40", start="2024-03-01")]
    assert statuses(stakes) == {}
    assert blocked_by_extension(stakes, {"X": []}, "ofac", "2023-01-01")["A"].status == "blocked"


# -- EU ------------------------------------------------------------------------------------------


def test_eu_owns_at_50_percent_or_more_since_the_2024_best_practices() -> None:
    """EU Best Practices (Council, 3 July 2024): ownership is 50% or more of proprietary rights."""
    assert statuses([owns("X", "A", "50")], regime="eu") == {"A": "blocked"}


def test_eu_aggregates_listed_persons_holdings() -> None:
    """Commission consolidated FAQ on asset freezes (aggregate ownership): one listed person
    owning 30% and another 25% means the entity is owned by listed persons."""
    stakes = [owns("X", "A", "30"), owns("Y", "A", "25")]
    assert statuses(stakes, ("X", "Y"), "eu") == {"A": "blocked"}


def test_eu_control_link_from_a_listed_person_gives_controlled() -> None:
    result = verdicts([controls("X", "A")], regime="eu")
    assert result["A"].status == "controlled"
    assert result["A"].proof[0].kind == "CONTROLS"
    assert "control links from X" in result["A"].explanation()


def test_eu_voting_rights_below_a_majority_are_not_control() -> None:
    """A PSC "voting-rights-25-to-50-percent" is a CONTROLS link but not a majority."""
    assert statuses([controls("X", "A", ">25-50")], regime="eu") == {}
    assert statuses([controls("X", "A", ">50-75")], regime="eu") == {"A": "controlled"}
    assert statuses([controls("X", "A", "40-60")], regime="eu") == {"A": "possibly"}


def test_eu_an_entity_owned_by_a_controlled_one_is_caught() -> None:
    """Control extends to the controlled entity's assets, its shares in others included."""
    stakes = [controls("X", "A"), owns("A", "B", "60")]
    assert statuses(stakes, regime="eu") == {"A": "controlled", "B": "blocked"}


def test_eu_control_by_a_possibly_blocked_owner_is_only_possible() -> None:
    stakes = [owns("X", "A", ">25-50"), controls("A", "B")]
    assert statuses(stakes, regime="eu") == {"A": "possibly", "B": "possibly"}


def test_eu_ownership_wins_over_control_in_the_status() -> None:
    assert statuses([controls("X", "A"), owns("X", "A", "50")], regime="eu") == {"A": "blocked"}


# -- UK ------------------------------------------------------------------------------------------


def test_uk_needs_more_than_50_percent() -> None:
    """OFSI general guidance: the person holds (directly or indirectly) more than 50%."""
    assert statuses([owns("X", "A", "50")], regime="uk") == {}
    assert statuses([owns("X", "A", "50.5")], regime="uk") == {"A": "blocked"}


def test_uk_a_band_just_above_half_is_more_than_50_percent() -> None:
    """The PSC band "more than 50% and less than 75%" starts just above the threshold."""
    assert statuses([owns("X", "A", ">50-75")], regime="uk") == {"A": "blocked"}


def test_uk_a_band_above_a_quarter_plus_a_quarter_is_more_than_half() -> None:
    """X holds "more than 25%" directly and 25% through its subsidiary: more than 50%."""
    stakes = [owns("X", "S", "100"), owns("X", "A", ">25-50"), owns("S", "A", "25")]
    assert statuses(stakes, regime="uk") == {"S": "blocked", "A": "blocked"}


def test_uk_does_not_aggregate_different_designated_persons() -> None:
    """OFSI general guidance (aggregation, 2022): OFSI would not simply aggregate different
    designated persons' holdings without a joint arrangement or one controlling the other."""
    stakes = [owns("X", "A", "30"), owns("Y", "A", "30")]
    assert statuses(stakes, ("X", "Y"), "uk") == {}
    assert statuses(stakes, ("X", "Y"), "ofac") == {"A": "blocked"}


def test_uk_adds_one_persons_direct_and_indirect_holdings() -> None:
    """Regulation 7 and Schedule 1: shares held through an entity the person has a majority
    stake in are held indirectly, in full."""
    stakes = [owns("X", "A", "60"), owns("X", "C", "30"), owns("A", "C", "25")]
    result = verdicts(stakes, regime="uk")
    assert result["C"].status == "blocked"
    assert (result["C"].share_low, result["C"].via) == (55.0, "X")
    assert result["C"].as_dict()["via"] == "X"
    assert "designated person X holds" in result["C"].explanation()


def test_uk_does_not_count_through_an_entity_owned_at_exactly_half() -> None:
    """X owns 50% of A: no majority stake, so A's 25% of C is not X's; X holds 30% of C.
    (OFAC and the EU block C: A is blocked there and aggregates with X.)"""
    stakes = [owns("X", "A", "50"), owns("X", "C", "30"), owns("A", "C", "25")]
    assert statuses(stakes, regime="uk") == {}
    assert statuses(stakes, regime="ofac") == {"A": "blocked", "C": "blocked"}


def test_uk_one_designated_person_controlling_another_pools_their_holdings() -> None:
    """OFSI: holdings aggregate where one party controls the rights of another."""
    stakes = [controls("X", "Y"), owns("X", "A", "30"), owns("Y", "A", "30")]
    assert statuses(stakes, ("X", "Y"), "uk") == {"A": "blocked"}


def test_uk_control_gives_controlled() -> None:
    """OFSI: the right to appoint or remove a majority of the board is control."""
    assert statuses([controls("X", "A")], regime="uk") == {"A": "controlled"}


# -- share intervals and unknown shares -------------------------------------------------------


def test_a_psc_band_up_to_half_leaves_ofac_open_with_the_missing_share() -> None:
    result = verdicts([owns("X", "G", ">25-50")])
    verdict = result["G"]
    assert (verdict.status, verdict.share_low, verdict.share_high) == ("possibly", 25.0, 50.0)
    assert verdict.missing == 25.0
    assert "more than 25% and at most 50%" in verdict.explanation()
    assert "another 25% would decide it" in verdict.explanation()
    assert statuses([owns("X", "G", ">25-50")], regime="uk") == {}


def test_a_band_plus_an_exact_stake_can_decide_it() -> None:
    stakes = [owns("X", "A", ">25-50"), owns("Y", "A", "25")]
    assert statuses(stakes, ("X", "Y")) == {"A": "blocked"}


def test_an_unknown_share_of_a_listed_owner_is_possibly_with_half_missing() -> None:
    verdict = verdicts([owns("X", "A", "unknown")])["A"]
    assert (verdict.status, verdict.share_low, verdict.share_high) == ("possibly", 0.0, 100.0)
    assert verdict.missing == 50.0
    assert "an unknown share" in verdict.explanation()


def test_a_stake_without_a_share_is_of_unknown_size() -> None:
    assert verdicts([owns("X", "A", "")])["A"].status == "possibly"


def test_upper_bounds_are_capped_at_100() -> None:
    stakes = [owns("X", "A", "unknown"), owns("Y", "A", "unknown")]
    assert verdicts(stakes, ("X", "Y"))["A"].share_high == 100.0


def test_possibly_blocked_owners_propagate_only_possibly() -> None:
    result = verdicts([owns("X", "A", ">25-50"), owns("A", "B", "100")])
    assert {entity: v.status for entity, v in result.items()} == {"A": "possibly", "B": "possibly"}
    (step,) = result["B"].proof
    assert (step.owner_status, step.low, step.high) == ("possibly", 0.0, 100.0)
    assert result["B"].missing == 50.0


# -- dates -------------------------------------------------------------------------------------


def test_a_stake_that_ended_before_the_date_does_not_count() -> None:
    assert statuses([owns("X", "A", "60", end="2025-01-01")]) == {}


def test_a_stake_ending_on_the_date_no_longer_counts() -> None:
    assert statuses([owns("X", "A", "60", end=AS_OF)]) == {}


def test_a_stake_starting_after_the_date_does_not_count_yet() -> None:
    assert statuses([owns("X", "A", "60", start="2025-07-01")]) == {}


def test_a_stake_dated_only_to_the_year_of_the_date_counts_as_possibly() -> None:
    """Started some time in 2025: held on 30 June only maybe; one from 2024 surely."""
    assert statuses([owns("X", "A", "60", start="2025")]) == {"A": "possibly"}
    assert statuses([owns("X", "A", "60", start="2024")]) == {"A": "blocked"}


def test_a_listing_not_yet_active_is_left_out_of_the_listed_mapping() -> None:
    """The caller passes only listings active on the date; without X there is nothing."""
    assert statuses([owns("X", "A", "60")], listed=()) == {}


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (None, None, "yes"),
        ("2025-06-30", None, "yes"),
        ("2025-07-01", None, "no"),
        ("2025", None, "maybe"),
        ("2025-06", None, "yes"),
        ("2024", "2026", "yes"),
        ("2020-01-01", "2025", "maybe"),
        ("2020-01-01", "2025-07", "yes"),
        ("2020-01-01", "2025-06", "no"),
        (None, "2025-06-30T09:00:00", "no"),
    ],
)
def test_held_on_reads_partial_dates_as_their_whole_period(
    start: str | None, end: str | None, expected: str
) -> None:
    assert held_on(start, end, AS_OF) == expected


def test_the_date_must_be_a_full_date() -> None:
    with pytest.raises(ValueError, match="full date"):
        verdicts([owns("X", "A", "60")], as_of="2025-06")


# -- cycles and self-ownership -------------------------------------------------------------------


def test_a_cycle_without_a_listed_owner_blocks_nothing() -> None:
    """A owns 60% of B and B 60% of A: neither is blocked by the other's say-so."""
    assert statuses([owns("A", "B", "60"), owns("B", "A", "60")]) == {}


def test_self_ownership_is_ignored() -> None:
    """The generated world's "ownership cycle": X owns 60% of I, I owns 10% of itself."""
    result = verdicts([owns("X", "I", "60"), owns("I", "I", "10")])
    assert (result["I"].status, result["I"].share_low) == ("blocked", 60.0)


def test_a_cycle_through_blocked_entities_terminates_and_counts_every_blocked_stake() -> None:
    stakes = [owns("X", "A", "50"), owns("A", "B", "50"), owns("B", "A", "10")]
    result = verdicts(stakes)
    assert {entity: v.status for entity, v in result.items()} == {"A": "blocked", "B": "blocked"}
    assert result["A"].share_low == 60.0


def test_a_cycle_cannot_lift_itself_over_the_threshold() -> None:
    """X owns 40% of A; A and B own 30% of each other: A would reach 70% only if B were blocked,
    and B only if A were."""
    stakes = [owns("X", "A", "40"), owns("A", "B", "60"), owns("B", "A", "30")]
    assert statuses(stakes) == {}


# -- several sources ---------------------------------------------------------------------------


def test_the_same_stake_from_two_sources_counts_once() -> None:
    stakes = [owns("X", "A", "30", dataset="psc"), owns("X", "A", "30", dataset="bods")]
    assert statuses(stakes) == {}
    (step,) = verdicts([*stakes, owns("Y", "A", "20")], ("X", "Y"))["A"].proof[:1]
    assert len(step.citations) == 2


def test_two_stakes_of_one_source_add_up() -> None:
    stakes = [owns("X", "A", "30"), owns("X", "A", "30", start="2021-01-01")]
    assert statuses(stakes) == {"A": "blocked"}


def test_sources_narrow_a_band_to_what_they_agree_on() -> None:
    stakes = [owns("X", "A", ">25-50", dataset="psc"), owns("X", "A", "50", dataset="filing")]
    verdict = verdicts(stakes)["A"]
    assert (verdict.status, verdict.share_low, verdict.share_high) == ("blocked", 50.0, 50.0)


# -- proof and JSON ----------------------------------------------------------------------------


def test_the_proof_cites_listings_stakes_and_dates() -> None:
    result = verdicts([owns("X", "A", "50"), owns("A", "C", "50")])
    data = result["C"].as_dict()
    json.dumps(data)
    assert set(data) == {"status", "share", "missing", "explanation", "proof"}
    assert data["share"] == {"low": 50.0, "high": 50.0}
    assert data["proof"][0]["citations"] == [
        {"dataset": "registry", "record": "A>C", "start_date": "2020-01-01"}
    ]
    listed = result["A"].as_dict()["proof"][0]
    assert (listed["owner_status"], listed["listings"]) == ("listed", [LISTING])
    assert listed["counted"] == {"low": 50.0, "high": 50.0}


def test_listed_entities_are_not_blocked_by_extension() -> None:
    assert statuses([owns("X", "Y", "100")], ("X", "Y")) == {}


# -- properties over random ownership graphs -----------------------------------------------------

NAMES = ("X", "Y", "A", "B", "C", "D", "E")
SHARES = st.integers(min_value=1, max_value=100)
GRAPHS = st.lists(st.tuples(st.sampled_from(NAMES), st.sampled_from(NAMES), SHARES), max_size=14)


def _stakes(edges: Iterable[tuple[str, str, int]]) -> list[Stake]:
    # One stake per owner and asset, so raising a share is a well-defined change.
    merged = {(owner, asset): share for owner, asset, share in edges}
    return [owns(owner, asset, str(share)) for (owner, asset), share in merged.items()]


def _reference(stakes: Sequence[Stake], listed: Sequence[str]) -> set[str]:
    """OFAC by brute force: repeat "blocked = owned 50% or more by listed or blocked" to a
    fixed point, starting from nothing (the least fixed point)."""
    blocked: set[str] = set()
    while True:
        holders = set(listed) | blocked
        held: dict[str, float] = {}
        for stake in stakes:
            if stake.owner in holders and stake.owner != stake.asset and stake.share:
                held[stake.asset] = held.get(stake.asset, 0.0) + (stake.share.low or 0.0)
        found = {asset for asset, share in held.items() if share >= 50} - set(listed)
        if found == blocked:
            return blocked
        blocked = found


LISTED = ("X", "Y")


@settings(max_examples=200, deadline=None)
@given(GRAPHS)
def test_ofac_matches_a_brute_force_fixed_point(edges: list[tuple[str, str, int]]) -> None:
    stakes = _stakes(edges)
    assert set(statuses(stakes, LISTED)) == _reference(stakes, LISTED)


@settings(max_examples=200, deadline=None)
@given(GRAPHS, st.sampled_from(NAMES), st.sampled_from(NAMES), SHARES)
def test_a_stake_from_a_non_blocked_owner_changes_nothing(
    edges: list[tuple[str, str, int]], owner: str, asset: str, share: int
) -> None:
    stakes = _stakes(edges)
    for regime in ("ofac", "eu", "uk"):
        before = verdicts(stakes, LISTED, regime)
        if owner in LISTED or owner in before:
            continue
        after = verdicts([*stakes, owns(owner, asset, str(share), dataset="new")], LISTED, regime)
        assert _summary(after) == _summary(before)


@settings(max_examples=200, deadline=None)
@given(GRAPHS, st.integers(min_value=0, max_value=30))
def test_raising_a_blocked_owners_share_never_weakens_a_verdict(
    edges: list[tuple[str, str, int]], seed: int
) -> None:
    stakes = _stakes(edges)
    for regime in ("ofac", "eu", "uk"):
        before = verdicts(stakes, LISTED, regime)
        holders = [s for s in stakes if s.owner in LISTED or s.owner in before]
        if not holders:
            continue
        raised = holders[seed % len(holders)]
        old = raised.share.low if raised.share and raised.share.low else 0.0
        new = owns(raised.owner, raised.asset, str(min(100.0, old + 1 + seed)))
        after = verdicts([new if s is raised else s for s in stakes], LISTED, regime)
        for entity, verdict in before.items():
            assert _rank(after.get(entity)) >= _rank(verdict)


@settings(max_examples=200, deadline=None)
@given(GRAPHS)
def test_uk_blocks_a_subset_of_what_ofac_blocks(edges: list[tuple[str, str, int]]) -> None:
    """More than 50% held by one person implies 50% or more held by blocked persons."""
    stakes = _stakes(edges)
    uk = {e for e, v in verdicts(stakes, LISTED, "uk").items() if v.status == "blocked"}
    ofac = {e for e, v in verdicts(stakes, LISTED, "ofac").items() if v.status == "blocked"}
    assert uk <= ofac


def _summary(result: Mapping[str, Verdict]) -> dict[str, tuple[str, float, float]]:
    return {e: (v.status, v.share_low, v.share_high) for e, v in result.items()}


def _rank(verdict: Verdict | None) -> int:
    return {None: 0, "possibly": 1, "controlled": 2, "blocked": 3}[
        None if verdict is None else verdict.status
    ]
