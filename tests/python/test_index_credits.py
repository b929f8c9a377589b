"""A payment's credits from its event alone: the rise of the vault's accumulator recovered from the
contributors' share and the new carry, and the four limbs a database adds up exactly."""

from hypothesis import given
from hypothesis import strategies as st

from opencommons.index.ingest import BPS, combine, limbs, rise_of
from opencommons.index.schema import LIMB_BITS, LIMBS

UINT128 = 2**128 - 1


def add_to_pool(earned_per_bps: int, carry: int, amount: int) -> tuple[int, int]:
    """RoyaltyVault._addToPool's arithmetic: whole basis points credited, the rest carried."""
    total = amount + carry
    rest = total % BPS
    return earned_per_bps + (total - rest) // BPS, rest


@given(st.integers(0, UINT128 // 2), st.integers(0, BPS - 1), st.integers(0, 2**200))
def test_rise_of_a_payment_is_what_the_vault_added(earned_per_bps, carry, contributor_share):
    after, new_carry = add_to_pool(earned_per_bps, carry, contributor_share)
    assert rise_of(contributor_share, new_carry) == after - earned_per_bps


@given(st.lists(st.tuples(st.integers(0, BPS), st.integers(0, UINT128)), min_size=1, max_size=50))
def test_limbs_add_up_to_the_sum_of_the_credits(credits):
    values = [share * rise for share, rise in credits]
    parts = [limbs(v) for v in values]
    assert all(0 <= part[limb] < 2**LIMB_BITS for part in parts for limb in LIMBS)
    assert all(combine([part[limb] for limb in LIMBS]) == v for part, v in zip(parts, values))
    # what SUM() of each limb column answers, put together, is the sum of the credits
    assert combine([sum(part[limb] for part in parts) for limb in LIMBS]) == sum(values)
