"""Stateful royalty test: random payments (ETH and token), licences, claims, settlements and
derived datasets against a Python ghost ledger; conservation to the wei after every step. A model
trained on 10,000 weighted datasets (its training record a Merkle root) is paid, settled into its
training pool and pulled from by its datasets, in the same ledger."""
import random
from collections import defaultdict


import pytest
from brownie.test import strategy

from conftest import (CODEC_DAG_PB, CODEC_RAW, KE_EDUCATION, NATIVE, contributions, fuzz_settings, hx, random_digest,
                      read_all, reveal, reveal_model)
from opencommons.merkle import StandardTree

BPS = 10_000
FEE_BPS = 300
SCALE = 10**18
#: the model's training data besides the machine's first dataset: 9,999 datasets of other commons
#: (ids no dataset here has, so their shares go to the treasury), the same in every example
FAR = [(random.Random(35).getrandbits(256) + i, 1 + (i * 7919) % 40_000) for i in range(9_999)]


class RoyaltyLedger:
    """The vault's arithmetic, written again independently, over the same events."""

    def __init__(self):
        self.earned = defaultdict(int)  # (dataset, token) -> earned per bps
        self.carry = defaultdict(int)
        self.pending = defaultdict(int)
        self.checkpoint = defaultdict(int)  # (dataset, token, account)
        self.treasury = defaultdict(int)
        self.paid_in = defaultdict(int)
        self.paid_out = defaultdict(int)
        self.per_weight = defaultdict(int)  # token -> the model's training pool per unit of weight
        self.training = defaultdict(int)  # token -> what the training pool holds
        self.pulled_at = defaultdict(int)  # (leaf dataset, token) -> per_weight at its last pull

    def credit(self, dataset, token, amount, ancestor_bps, fee_bps):
        fee = amount * fee_bps // BPS
        self.treasury[token] += fee
        ancestor = (amount - fee) * ancestor_bps // BPS
        self.pending[(dataset, token)] += ancestor
        total = amount - fee - ancestor + self.carry[(dataset, token)]
        self.earned[(dataset, token)] += total // BPS
        self.carry[(dataset, token)] = total % BPS

    def owed(self, dataset, token, account, share):
        return share * (self.earned[(dataset, token)] - self.checkpoint[(dataset, token, account)])


COUNTS = {"steps": 0, "invariant_checks": 0, "training_pulls": 0, "forfeits": 0}


class StateMachine:
    st_amount = strategy("uint256", min_value=1, max_value=10**17)
    st_index = strategy("uint8")
    st_bool = strategy("bool")
    st_ancestor = strategy("uint16", min_value=1, max_value=5000)

    def __init__(cls, accounts, nft, vault, licenses, usdc, contributors, curator, admin, treasury):
        cls.accounts, cls.nft, cls.vault, cls.licenses = accounts, nft, vault, licenses
        cls.usdc, cls.people, cls.curator, cls.admin, cls.treasury = usdc, contributors, curator, admin, treasury
        cls.outsider = accounts.add()  # receives claimTo payments; never sends a transaction
        vault.setProtocolFee(FEE_BPS, treasury, {"from": admin})
        nft.grantRole(nft.TAKEDOWN_ROLE(), admin, {"from": admin})  # suspends and forfeits, as a DatasetRights would
        for payer in accounts[5:7]:
            usdc.mint(payer, 10**30, {"from": admin})
            usdc.approve(vault, 2**256 - 1, {"from": payer})
            usdc.approve(licenses, 2**256 - 1, {"from": payer})

    def setup(self):
        self.ledger = RoyaltyLedger()
        self.datasets = []  # (id, shares dict, ancestor_bps, parents)
        self._publish(parents=[], ancestor_bps=0)
        # the model: no parents on-chain, its training record 10,000 leaves (the first dataset one)
        self.leaves = [(self.datasets[0][0], 7_000), *FAR]
        self.tree = StandardTree.of(self.leaves, ["uint256", "uint256"])
        self.total_weight = sum(w for _, w in self.leaves)
        self._publish(parents=[], ancestor_bps=2500, training=(hx(self.tree.root), self.total_weight))
        self.model = self.datasets[-1][0]

    # ------------------------------------------------------------ helpers
    def _publish(self, parents, ancestor_bps, training=None):
        n = 1 + len(self.datasets) % 4
        people = self.people[:n]
        base = BPS // n
        shares = {p.address: base for p in people}
        shares[people[0].address] += BPS - base * n
        content = random_digest()
        params = (content, CODEC_DAG_PB, random_digest(), CODEC_RAW, "CC-BY-4.0", KE_EDUCATION, ancestor_bps,
                  parents, contributions(shares.items()))
        if training is None:
            reveal(self.nft, params, people[0])
        else:
            reveal_model(self.nft, params, people[0], *training)
        dataset_id = int.from_bytes(content, "big")
        self.nft.curate(dataset_id, 2, {"from": self.curator})
        self.licenses.setTerms(dataset_id, NATIVE, 10**12 + len(self.datasets), 0, bytes(32), True,
                               {"from": people[0]})
        self.datasets.append((dataset_id, shares, ancestor_bps, parents))

    def _dataset(self, index):
        return self.datasets[index % len(self.datasets)]

    # ------------------------------------------------------------ rules
    def rule_pay_eth(self, st_index, st_amount):
        COUNTS["steps"] += 1
        dataset_id, _, ancestor_bps, _ = self._dataset(st_index)
        self.vault.pay(dataset_id, NATIVE, st_amount, {"from": self.accounts[5], "value": st_amount})
        self.ledger.paid_in[NATIVE] += st_amount
        self.ledger.credit(dataset_id, NATIVE, st_amount, ancestor_bps, FEE_BPS)

    def rule_pay_token(self, st_index, st_amount):
        COUNTS["steps"] += 1
        dataset_id, _, ancestor_bps, _ = self._dataset(st_index)
        self.vault.pay(dataset_id, self.usdc, st_amount, {"from": self.accounts[6]})
        self.ledger.paid_in[self.usdc.address] += st_amount
        self.ledger.credit(dataset_id, self.usdc.address, st_amount, ancestor_bps, FEE_BPS)

    def rule_buy_license(self, st_index):
        COUNTS["steps"] += 1
        dataset_id, _, ancestor_bps, _ = self._dataset(st_index)
        price = self.licenses.termsOf(dataset_id)[3]
        self.licenses.buy(dataset_id, NATIVE, price, 0, bytes(32), {"from": self.accounts[6], "value": price})
        self.ledger.paid_in[NATIVE] += price
        self.ledger.credit(dataset_id, NATIVE, price, ancestor_bps, FEE_BPS)

    def rule_publish_derived(self, st_index, st_ancestor):
        COUNTS["steps"] += 1
        if len(self.datasets) >= 8:
            return
        parent = self._dataset(st_index)[0]
        self._publish(parents=[parent], ancestor_bps=st_ancestor)

    def rule_pay_model(self, st_amount, st_bool):
        """Someone pays for the model (its users pay it more than any one dataset)."""
        COUNTS["steps"] += 1
        token = NATIVE if st_bool else self.usdc.address
        payer = self.accounts[5] if st_bool else self.accounts[6]
        self.vault.pay(self.model, token, st_amount, {"from": payer, "value": st_amount if st_bool else 0})
        self.ledger.paid_in[token] += st_amount
        self.ledger.credit(self.model, token, st_amount, 2500, FEE_BPS)

    def rule_settle(self, st_index, st_bool):
        COUNTS["steps"] += 1
        dataset_id, _, _, parents = self._dataset(st_index)
        self._settle(dataset_id, parents, NATIVE if st_bool else self.usdc.address)

    def _settle(self, dataset_id, parents, token):
        self.vault.settle([dataset_id], token, {"from": self.accounts[7]})
        self._settled(dataset_id, parents, token)

    def _settled(self, dataset_id, parents, token):
        """The ledger's side of a settlement (or a forfeit's) of `dataset_id`'s pending ancestor share."""
        amount = self.ledger.pending.pop((dataset_id, token), 0)
        if amount and dataset_id == self.model:  # into the training pool, not to the parents
            self.ledger.per_weight[token] += amount * SCALE // self.total_weight
            self.ledger.training[token] += amount
            return
        if amount and parents:
            each = amount // len(parents)
            for j, parent in enumerate(parents):
                part = amount - each * (len(parents) - 1) if j == 0 else each
                parent_bps = next(d[2] for d in self.datasets if d[0] == parent)
                if part:
                    self.ledger.credit(parent, token, part, parent_bps, 0)

    def rule_pull_training_share(self, st_index, st_bool):
        """A training dataset (the first, or one of another commons) pulls its weight's share."""
        COUNTS["steps"] += 1
        position = (0, 1, 4_999, 9_999)[st_index % 4]
        leaf, weight = self.leaves[position]
        token = NATIVE if st_bool else self.usdc.address
        self._settle(self.model, self.datasets[1][3], token)  # as its datasets do: settle the model, then pull
        index = self.tree.values.index((leaf, weight))
        tx = self.vault.pullTrainingShare(self.model, 0, leaf, weight, [hx(p) for p in self.tree.proof(index)], [token],
                                          {"from": self.accounts[7]})
        per_weight = self.ledger.per_weight[token]
        expected = min(weight * (per_weight - self.ledger.pulled_at[(leaf, token)]) // SCALE,
                       self.ledger.training[token])
        self.ledger.pulled_at[(leaf, token)] = per_weight
        assert list(tx.return_value) == [expected]
        self.ledger.training[token] -= expected
        COUNTS["training_pulls"] += bool(expected)
        if expected and position == 0:
            self.ledger.credit(leaf, token, expected, 0, 0)
        elif expected:
            self.ledger.treasury[token] += expected

    def rule_take_down_and_forfeit(self, st_index):
        """A dataset nobody derives from is taken down for good (a final upheld dispute: here the
        admin holds the takedown role) and its royalties forfeited: what its contributors had not
        claimed goes to the treasury, its pending ancestor share to its parents."""
        COUNTS["steps"] += 1
        parents_of_others = {p for d in self.datasets for p in d[3]}
        candidates = [d for d in self.datasets[2:] if d[0] not in parents_of_others]
        if not candidates:
            return
        dataset_id, shares, _, parents = candidates[st_index % len(candidates)]
        self.nft.setSuspended(dataset_id, 5, {"from": self.admin})
        tokens = [NATIVE, self.usdc.address]
        tx = self.vault.forfeitTakenDown(dataset_id, tokens, {"from": self.admin})
        forfeited = {e["token"]: e["amount"] for e in tx.events["RoyaltyForfeited"]} if "RoyaltyForfeited" in \
            tx.events else {}
        for token in tokens:
            self._settled(dataset_id, parents, token)
            amount = sum(self.ledger.owed(dataset_id, token, a, share) for a, share in shares.items())
            amount += self.ledger.carry.pop((dataset_id, token), 0)
            for account in shares:
                self.ledger.checkpoint[(dataset_id, token, account)] = self.ledger.earned[(dataset_id, token)]
            self.ledger.treasury[token] += amount
            assert forfeited.get(token, 0) == amount
        self.datasets = [d for d in self.datasets if d[0] != dataset_id]
        COUNTS["forfeits"] += 1

    def rule_claim(self, st_index, st_bool):
        COUNTS["steps"] += 1
        self._claim(self.people[st_index % len(self.people)], st_bool, recipient=None)

    def rule_claim_to(self, st_index, st_bool):
        """claimTo: the caller's earnings go to an outsider (who never sends a transaction)."""
        COUNTS["steps"] += 1
        self._claim(self.people[st_index % len(self.people)], st_bool, recipient=self.outsider)

    def _claim(self, account, st_bool, recipient):
        tokens = [NATIVE, self.usdc.address] if st_bool else [self.usdc.address]
        ids = [d[0] for d in self.datasets if account.address in d[1]]
        expected = {t: 0 for t in tokens}
        for dataset_id, shares, _, _ in self.datasets:
            if account.address not in shares:
                continue
            for t in tokens:
                expected[t] += self.ledger.owed(dataset_id, t, account.address, shares[account.address])
        if sum(expected.values()) == 0:
            return
        if recipient is None:
            tx = self.vault.claim(ids, tokens, {"from": account})
        else:
            before = (recipient.balance(), self.usdc.balanceOf(recipient))
            tx = self.vault.claimTo(recipient, ids, tokens, {"from": account})
            assert recipient.balance() - before[0] == expected.get(NATIVE, 0)
            assert self.usdc.balanceOf(recipient) - before[1] == expected[self.usdc.address]
        assert list(tx.return_value) == [expected[t] for t in tokens]
        for dataset_id, shares, _, _ in self.datasets:
            if account.address in shares:
                for t in tokens:
                    self.ledger.checkpoint[(dataset_id, t, account.address)] = self.ledger.earned[(dataset_id, t)]
        for t in tokens:
            self.ledger.paid_out[t] += expected[t]

    def rule_claim_treasury(self, st_bool):
        COUNTS["steps"] += 1
        token = NATIVE if st_bool else self.usdc.address
        if self.ledger.treasury[token]:
            self.vault.claimTreasury(token, {"from": self.accounts[7]})
            self.ledger.paid_out[token] += self.ledger.treasury.pop(token)

    # ------------------------------------------------------------ invariants
    def _read(self, token):
        """What the invariants compare, for one token, in one batch of reads."""
        vault = self.vault
        calls = [(vault, "treasuryAccrued", (token,)), (vault, "trainingPoolOf", (self.model, 0, token)),
                 (vault, "owed", (token,))]
        for dataset_id, shares, _, _ in self.datasets:
            calls += [(vault, "poolOf", (dataset_id, token)), (vault, "pendingAncestorOf", (dataset_id, token))]
            calls += [(vault, "claimable", (dataset_id, token, account)) for account in shares]
        values = iter(read_all(calls))
        read = {"accrued": next(values), "training": next(values), "owed": next(values)}
        for dataset_id, shares, _, _ in self.datasets:
            read[("pool", dataset_id)], read[("pending", dataset_id)] = next(values), next(values)
            for account in shares:
                read[("claimable", dataset_id, account)] = next(values)
        return read

    def invariant_vault_holds_exactly_what_is_owed(self):
        COUNTS["invariant_checks"] += 1
        for token in (NATIVE, self.usdc.address):
            read = self._read(token)
            claimable = sum(read[("claimable", d, a)] for d, shares, _, _ in self.datasets for a in shares)
            carry = sum(read[("pool", d)][2] for d, *_ in self.datasets)
            pending = sum(read[("pending", d)] for d, *_ in self.datasets)
            training = read["training"][1]
            balance = self.vault.balance() if token == NATIVE else self.usdc.balanceOf(self.vault)
            assert balance == claimable + carry + pending + read["accrued"] + training
            assert read["owed"] == balance  # nothing above what is owed: nothing to sweep
            assert self.ledger.paid_in[token] == self.ledger.paid_out[token] + balance

    def invariant_ghost_ledger_matches_chain(self):
        COUNTS["invariant_checks"] += 1
        for token in (NATIVE, self.usdc.address):
            read = self._read(token)
            assert read["accrued"] == self.ledger.treasury[token]
            per_weight, training = self.ledger.per_weight[token], self.ledger.training[token]
            assert read["training"] == (per_weight, training)
            # all 10,000 datasets pulling now would never take more than the pool holds
            shares = sum(w * (per_weight - self.ledger.pulled_at[(d, token)]) // SCALE for d, w in self.leaves)
            assert shares <= training
            for dataset_id, shares, _, _ in self.datasets:
                outstanding = sum(read[("claimable", dataset_id, a)] for a in shares)
                assert read[("pool", dataset_id)] == (self.ledger.earned[(dataset_id, token)], outstanding,
                                                      self.ledger.carry[(dataset_id, token)])
                assert read[("pending", dataset_id)] == self.ledger.pending[(dataset_id, token)]
                for account, share in shares.items():
                    # never more than its share of what the pool ever earned
                    assert read[("claimable", dataset_id, account)] == \
                        self.ledger.owed(dataset_id, token, account, share)


def test_royalty_state_machine(state_machine, accounts, nft, vault, licenses, usdc, contributors, curator,
                               admin, treasury):
    # CI: 25 derandomized examples of up to 25 steps; `make fuzz` sets OPENCOMMONS_FUZZ_EXAMPLES / _STEPS much higher
    state_machine(StateMachine, accounts, nft, vault, licenses, usdc, contributors, curator, admin, treasury,
                  settings=fuzz_settings(examples=25, steps=25))
    print(f"\nroyalty state machine: {COUNTS['steps']} steps, {COUNTS['invariant_checks']} invariant checks "
          f"(2 invariants: conservation to the wei, ghost ledger equality), {COUNTS['training_pulls']} training "
          f"shares pulled, {COUNTS['forfeits']} taken-down datasets forfeited")
    assert COUNTS["steps"] > 0 and COUNTS["training_pulls"] > 0 and COUNTS["forfeits"] > 0
