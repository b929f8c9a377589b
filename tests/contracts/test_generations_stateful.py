"""Stateful test of the vault, licences and rewards across generations: random payments (ETH, an
allowed token, a token the vault does not allow), receiver collections, licence purchases, claims,
claimTo, settlements, curation, reinstatement, burns, re-publications, forfeits, sweeps, rewards
and reward claims, reveals held back while a watcher publishes the same content (and displaced), against a Python ghost ledger keyed by (dataset, generation).

Invariants after every step, for every token: what the pools of every generation, their carry,
pending ancestor shares and held amounts plus the treasury owe equals the vault's `owed[token]`,
which never exceeds its balance; nothing of a burnt generation moves except by `forfeit`; terms
and licences belong to the current generation only."""
from collections import defaultdict

import brownie
from brownie.test import strategy
from hypothesis import strategies as st

from brownie import chain

from conftest import (CODEC_DAG_PB, CODEC_RAW, COMMIT_TTL, KE_EDUCATION, NATIVE, contributions, fuzz_settings,
                      random_digest, read_all, reveal)
from test_royalty_stateful import RoyaltyLedger

BPS = 10_000
FEE_BPS = 250
PROPOSED, ACCEPTED, REJECTED, RETIRED, BURNT = 1, 2, 3, 4, 0
COUNTS = {"steps": 0, "invariant_checks": 0}
DONE = defaultdict(int)  # rule -> times it changed state (not an early return)


class Ledger(RoyaltyLedger):
    """The royalty machine's ledger keyed by (dataset, generation), with what each pool still owes
    (`outstanding`) and what the vault holds for it (`held`)."""

    def __init__(self):
        super().__init__()
        self.outstanding = defaultdict(int)
        self.held = defaultdict(int)

    def credit(self, key, token, amount, ancestor_bps, fee_bps):
        before = self.earned[key, token]
        super().credit(key, token, amount, ancestor_bps, fee_bps)
        self.outstanding[key, token] += (self.earned[key, token] - before) * BPS


class Dataset:
    def __init__(self, content, generation, shares, ancestor_bps, parents, owner):
        self.content, self.generation, self.shares = content, generation, shares
        self.ancestor_bps, self.parents, self.owner = ancestor_bps, parents, owner
        self.status = PROPOSED
        self.id = int.from_bytes(content, "big")
        self.licensees = set()

    @property
    def key(self):
        return self.id, self.generation

    @property
    def open(self):
        return self.status not in (BURNT, REJECTED)


class StateMachine:
    st_amount = strategy("uint256", min_value=1, max_value=10**17)
    st_index = strategy("uint8")
    st_token = strategy("uint8", max_value=2)
    st_bool = strategy("bool")
    st_life = st.sampled_from(["publish", "curate", "curate", "reinstate", "burn", "forfeit", "republish", "hold",
                               "land"])
    st_money = st.sampled_from(["pay", "reward", "collect", "buy", "claim_reward", "settle", "claim", "claimTo",
                                "sweep", "treasury", "pay", "reward"])

    def __init__(cls, accounts, nft, vault, licenses, usdc, junk, rewards, reward_token, contributors, curator,
                 admin, treasury):
        cls.accounts, cls.nft, cls.vault, cls.licenses = accounts, nft, vault, licenses
        cls.rewards, cls.reward_token = rewards, reward_token
        cls.usdc, cls.junk, cls.people = usdc, junk, contributors
        cls.curator, cls.admin, cls.treasury = curator, admin, treasury
        cls.outsider = accounts.add()
        vault.setProtocolFee(FEE_BPS, treasury, {"from": admin})
        for payer in accounts[5:7]:
            for token in (usdc, junk):
                token.mint(payer, 10**30, {"from": admin})
                token.approve(vault, 2**256 - 1, {"from": payer})
                token.approve(licenses, 2**256 - 1, {"from": payer})

    def setup(self):
        self.ledger = Ledger()
        self.datasets = []  # the live record of each content id
        self.burnt = []  # (dataset id, generation, parents) of every burnt generation
        self.tokens = [NATIVE, self.usdc.address, self.junk.address]
        self.reward = {}  # (dataset, generation) -> reward amount
        self.reward_claimed = set()  # (dataset, generation, account)
        self.held = None  # (params, salt, commit block) of a reveal held back while a watcher copies it
        root = self._publish(random_digest(), parents=[], ancestor_bps=0, generation=0)
        self.datasets.append(root)
        self.datasets.append(self._publish(random_digest(), [root.id], 1500, 0, owner_index=1))

    # ------------------------------------------------------------ helpers
    def _publish(self, content, parents, ancestor_bps, generation, owner_index=0):
        people, shares, params = self._params(content, parents, ancestor_bps, owner_index)
        reveal(self.nft, params, people[0])
        return self._published(content, generation, shares, ancestor_bps, parents, people[0])

    def _params(self, content, parents, ancestor_bps, owner_index):
        n = 1 + len(self.datasets) % 3
        people = self.people[owner_index:owner_index + n] or self.people[:1]
        shares = {p.address: BPS // len(people) for p in people}
        shares[people[0].address] += BPS - sum(shares.values())
        params = (content, CODEC_DAG_PB, random_digest(), CODEC_RAW, "CC-BY-4.0", KE_EDUCATION, ancestor_bps,
                  parents, contributions(shares.items()))
        return people, shares, params

    def _published(self, content, generation, shares, ancestor_bps, parents, owner):
        d = Dataset(content, generation, shares, ancestor_bps, parents, owner)
        self.licenses.setTerms(d.id, NATIVE, 10**12, 0, bytes(32), True, {"from": owner})
        return d

    def _pick(self, index, *, open_only=False):
        choices = [d for d in self.datasets if d.open] if open_only else self.datasets
        return choices[index % len(choices)] if choices else None

    def _accept_if_proposed(self, d):
        if d.status == PROPOSED:
            self.nft.curate(d.id, ACCEPTED, {"from": self.curator})
            d.status = ACCEPTED

    def _token(self, index):
        return self.tokens[index % 3]

    def _by_id(self, dataset_id):
        return next(d for d in self.datasets if d.id == dataset_id)

    def _pay_parents(self, token, amount, parents):
        if not parents:
            self.ledger.treasury[token] += amount
            return
        each = amount // len(parents)
        for j, parent_id in enumerate(parents):
            part = amount - each * (len(parents) - 1) if j == 0 else each
            if not part:
                continue
            parent = self._by_id(parent_id)
            if parent.open:
                self.ledger.credit(parent.key, token, part, parent.ancestor_bps, 0)
            else:
                self.ledger.treasury[token] += part

    # ------------------------------------------------------------ rules
    # Two rules that dispatch: hypothesis's rule choice (swarm testing) starved most of thirteen.
    def rule_lifecycle(self, st_life, st_index, st_bool):
        COUNTS["steps"] += 1
        if st_life in ("publish", "curate", "republish"):
            getattr(self, f"do_{st_life}")(st_index, st_bool)
        else:
            getattr(self, f"do_{st_life}")(st_index)

    def rule_money(self, st_money, st_index, st_token, st_amount, st_bool):
        COUNTS["steps"] += 1
        if st_money in ("pay", "collect"):
            getattr(self, f"do_{st_money}")(st_index, st_token, st_amount)
        elif st_money in ("claim", "claimTo"):
            self.do_claim(st_index, st_money == "claimTo")
        elif st_money == "buy":
            self.do_buy_license(st_index)
        elif st_money == "settle":
            self.do_settle(st_index, st_token)
        elif st_money == "sweep":
            self.do_sweep(st_amount)
        elif st_money == "reward":
            self.do_reward(st_index, st_amount)
        elif st_money == "claim_reward":
            self.do_claim_reward(st_index)
        else:
            self.do_claim_treasury(st_token)

    # ------------------------------------------------------------ actions: datasets
    def do_publish(self, st_index, st_bool):
        if len(self.datasets) >= 6:
            return
        parent = self._pick(st_index)
        derived = st_bool and parent is not None and parent.status != BURNT
        d = self._publish(random_digest(), [parent.id] if derived else [], 1500 if derived else 0, 0,
                          owner_index=st_index % 2)
        self.datasets.append(d)
        DONE["publish"] += 1

    def do_curate(self, st_index, st_bool):
        d = self._pick(st_index)
        moves = {PROPOSED: ACCEPTED if st_bool else REJECTED, ACCEPTED: RETIRED}
        if d.status not in moves:
            return
        self.nft.curate(d.id, moves[d.status], {"from": self.curator})
        d.status = moves[d.status]
        DONE["curate"] += 1

    def do_reinstate(self, st_index):
        d = self._pick(st_index)
        if d.status not in (REJECTED, RETIRED):
            return
        self.nft.reinstate(d.id, {"from": self.admin})
        d.status = PROPOSED if d.status == REJECTED else ACCEPTED
        DONE["reinstate"] += 1

    def do_burn(self, st_index):
        d = self._pick(st_index)
        if d.status == PROPOSED:  # a squat is rejected, then burnt
            self.nft.curate(d.id, REJECTED, {"from": self.curator})
            d.status = REJECTED
        if d.status != REJECTED:
            return
        self.nft.burn(d.id, {"from": self.admin})
        self.burnt.append((d.id, d.generation, d.parents))
        d.status = BURNT
        d.licensees.clear()
        DONE["burn"] += 1

    def do_republish(self, st_index, st_bool):
        """A burnt id published again by someone else: a new generation, new shares, no terms or
        licences carried over; naming one of its own descendants as a parent is refused."""
        d = next((x for x in self.datasets if x.status == BURNT), None)
        if d is None:
            return
        descendant = next((x for x in self.datasets if d.id in x.parents and x.status != BURNT), None)
        if st_bool and descendant is not None:
            with brownie.reverts():
                self._publish(d.content, [descendant.id], 1500, d.generation + 1, owner_index=1)
            DONE["republish refused: cycle"] += 1
            return
        fresh = self._publish(d.content, [], 0, d.generation + 1, owner_index=1)
        self.datasets[self.datasets.index(d)] = fresh
        DONE["republish"] += 1

    def do_hold(self, st_index):
        """A publisher commits and its reveal is held back (stuck in the mempool); a watcher who
        saw the content id publishes it first from a younger commitment."""
        if self.held is not None or len(self.datasets) >= 6:
            return
        content = random_digest()
        people, shares, params = self._params(content, [], 0, 2)
        salt = random_digest()
        tx = self.nft.commit(self.nft.commitmentOf(0, params, people[0], salt), {"from": people[0]})
        self.held = (people[0], shares, params, salt, tx.block_number)
        self.datasets.append(self._publish(content, [], 0, 0, owner_index=st_index % 2))
        DONE["hold"] += 1

    def do_land(self, st_index):
        """The held reveal lands: it displaces the watcher's publication (or a re-publication of
        it) while that is Proposed or Rejected, is refused once it is accepted, publishes plainly
        once it is burnt, and fails once its commitment expired."""
        if self.held is None:
            return
        owner, shares, params, salt, committed = self.held
        self.held = None
        d = self._by_id(int.from_bytes(params[0], "big"))
        if chain.height + 1 > committed + COMMIT_TTL:
            with brownie.reverts():
                self.nft.publish(params, salt, {"from": owner})
            DONE["land refused: expired"] += 1
            return
        if d.status in (ACCEPTED, RETIRED):
            with brownie.reverts():
                self.nft.publish(params, salt, {"from": owner})
            DONE["land refused: accepted"] += 1
            return
        tx = self.nft.publish(params, salt, {"from": owner})
        generation = d.generation + 1
        if d.status != BURNT:  # displaced: what its generation was paid is left to forfeit
            assert tx.events["PublicationDisplaced"]["displaced"] == d.owner
            self.burnt.append((d.id, d.generation, d.parents))
            d.status = BURNT
            d.licensees.clear()
            DONE["land: displaced"] += 1
        else:
            DONE["land: published"] += 1
        self.datasets[self.datasets.index(d)] = self._published(d.content, generation, shares, 0, [], owner)

    # ------------------------------------------------------------ actions: money
    def do_pay(self, st_index, st_token, st_amount):
        d, token = self._pick(st_index, open_only=True), self._token(st_token)
        if d is None or token == self.junk.address:
            return
        value = st_amount if token == NATIVE else 0
        self.vault.pay(d.id, token, st_amount, {"from": self.accounts[5], "value": value})
        self.ledger.paid_in[token] += st_amount
        self.ledger.credit(d.key, token, st_amount, d.ancestor_bps, FEE_BPS)
        DONE["pay"] += 1

    def do_collect(self, st_index, st_token, st_amount):
        """Royalties sent straight to the dataset's receiver (a marketplace's ERC-2981 payment)."""
        d, token = self._pick(st_index, open_only=True), self._token(st_token)
        if d is None:
            return
        receiver = self.vault.royaltyReceiverOf(d.id)
        if token == NATIVE:
            self.accounts[6].transfer(receiver, st_amount)
        else:
            (self.usdc if token == self.usdc.address else self.junk).transfer(receiver, st_amount,
                                                                             {"from": self.accounts[6]})
        self.vault.collect(d.id, token, {"from": self.accounts[7]})
        self.ledger.paid_in[token] += st_amount
        DONE["collect"] += 1
        if token == self.junk.address:
            self.ledger.held[d.key, token] += st_amount
        else:
            self.ledger.credit(d.key, token, st_amount, d.ancestor_bps, FEE_BPS)

    def do_buy_license(self, st_index):
        d = self._pick(st_index)
        buyer = self.accounts[6]
        self._accept_if_proposed(d)
        if d.status != ACCEPTED:
            return
        price = self.licenses.termsOf(d.id)[3]
        self.licenses.buy(d.id, NATIVE, price, 0, bytes(32), {"from": buyer, "value": price})
        d.licensees.add(buyer.address)
        DONE["buy"] += 1
        self.ledger.paid_in[NATIVE] += price
        self.ledger.credit(d.key, NATIVE, price, d.ancestor_bps, FEE_BPS)

    def do_settle(self, st_index, st_token):
        d, token = self._pick(st_index), self._token(st_token)
        if d.status == BURNT:
            return
        self.vault.settle([d.id], token, {"from": self.accounts[7]})
        amount = self.ledger.pending.pop((d.key, token), 0)
        if amount:
            DONE["settle"] += 1
            self._pay_parents(token, amount, d.parents)

    def do_forfeit(self, st_index):
        if not self.burnt:
            return
        dataset_id, generation, parents = self.burnt[st_index % len(self.burnt)]
        key = (dataset_id, generation)
        self.vault.forfeit(dataset_id, generation, self.tokens, {"from": self.accounts[7]})
        DONE["forfeit"] += 1
        for token in self.tokens:
            pending = self.ledger.pending.pop((key, token), 0)
            if pending:
                self._pay_parents(token, pending, parents)
            self.ledger.treasury[token] += (self.ledger.outstanding.pop((key, token), 0)
                                            + self.ledger.carry.pop((key, token), 0)
                                            + self.ledger.held.pop((key, token), 0))

    def do_claim(self, st_index, st_bool):
        account = self.people[st_index % len(self.people)]
        recipient = self.outsider if st_bool else account
        tokens = self.tokens[:2]
        mine = [d for d in self.datasets if account.address in d.shares and d.status not in (BURNT, REJECTED)]
        expected = {t: sum(self.ledger.owed(d.key, t, account.address, d.shares[account.address]) for d in mine)
                    for t in tokens}
        if not mine or not any(expected.values()):
            return
        ids = [d.id for d in mine]
        if st_bool:
            tx = self.vault.claimTo(recipient, ids, tokens, {"from": account})
        else:
            tx = self.vault.claim(ids, tokens, {"from": account})
        assert list(tx.return_value) == [expected[t] for t in tokens]
        DONE["claimTo" if st_bool else "claim"] += 1
        for d in mine:
            for t in tokens:
                owed = self.ledger.owed(d.key, t, account.address, d.shares[account.address])
                self.ledger.outstanding[d.key, t] -= owed
                self.ledger.checkpoint[d.key, t, account.address] = self.ledger.earned[d.key, t]
        for t in tokens:
            self.ledger.paid_out[t] += expected[t]

    def do_sweep(self, st_amount):
        """Tokens sent to the vault by mistake are swept to the treasury: never what is owed."""
        self.usdc.transfer(self.vault, st_amount, {"from": self.accounts[5]})
        tx = self.vault.sweep(self.usdc, {"from": self.accounts[7]})
        assert tx.return_value == st_amount
        DONE["sweep"] += 1

    def do_claim_treasury(self, st_token):
        token = self._token(st_token)
        if self.ledger.treasury[token]:
            self.vault.claimTreasury(token, {"from": self.accounts[7]})
            self.ledger.paid_out[token] += self.ledger.treasury.pop(token)

    def do_reward(self, st_index, st_amount):
        """Governance rewards an Accepted dataset once per generation."""
        d = self._pick(st_index)
        self._accept_if_proposed(d)
        if d.status != ACCEPTED or d.key in self.reward:
            return
        self.rewards.reward(d.id, st_amount, {"from": self.admin})
        self.reward[d.key] = st_amount
        DONE["reward"] += 1

    def do_claim_reward(self, st_index):
        account = self.people[st_index % len(self.people)]
        mine = [d for d in self.datasets if account.address in d.shares and d.status not in (BURNT, REJECTED)]
        if not mine:
            return
        expected = sum(self.reward.get(d.key, 0) * d.shares[account.address] // BPS for d in mine
                       if (d.id, d.generation, account.address) not in self.reward_claimed)
        if expected == 0:  # nothing owed: refused, nothing minted
            with brownie.reverts():
                self.rewards.claimFor(account, [d.id for d in mine], {"from": self.accounts[7]})
            return
        before = self.reward_token.balanceOf(account)
        self.rewards.claimFor(account, [d.id for d in mine], {"from": self.accounts[7]})
        assert self.reward_token.balanceOf(account) - before == expected
        self.reward_claimed |= {(d.id, d.generation, account.address) for d in mine if d.key in self.reward}
        DONE["claim_reward"] += 1

    # ------------------------------------------------------------ invariants
    def invariant_owed_is_everything_every_generation_holds(self):
        COUNTS["invariant_checks"] += 1
        for token in self.tokens:
            ghost = (sum(v for (k, t), v in self.ledger.outstanding.items() if t == token)
                     + sum(v for (k, t), v in self.ledger.carry.items() if t == token)
                     + sum(v for (k, t), v in self.ledger.pending.items() if t == token)
                     + sum(v for (k, t), v in self.ledger.held.items() if t == token)
                     + self.ledger.treasury[token])
            owed = self.vault.owed(token)
            balance = self.vault.balance() if token == NATIVE else \
                (self.usdc if token == self.usdc.address else self.junk).balanceOf(self.vault)
            assert owed == ghost, (token, owed, ghost)
            assert owed <= balance
            assert self.vault.treasuryAccrued(token) == self.ledger.treasury[token]
            assert self.ledger.paid_in[token] == self.ledger.paid_out[token] + owed

    def invariant_every_generations_pool_matches_the_ghost(self):
        COUNTS["invariant_checks"] += 1
        keys = {d.key for d in self.datasets} | {(i, g) for i, g, _ in self.burnt}
        wanted = [(key, token) for key in keys for token in self.tokens]
        pools = read_all([(self.vault, "poolAt", (*key, token)) for key, token in wanted])
        for (key, token), pool in zip(wanted, pools):
            assert pool == (self.ledger.earned[key, token], self.ledger.outstanding[key, token],
                            self.ledger.carry[key, token]), (key, token)

    def invariant_rewards_belong_to_the_current_generation(self):
        """A burnt generation's reward is nobody's now; a re-publication earns only its own."""
        COUNTS["invariant_checks"] += 1
        calls = []
        for d in self.datasets:
            calls.append((self.rewards, "rewardOf", (d.id,)))
            calls += [(self.rewards, "claimableOf", (d.id, account.address)) for account in self.people]
        values = iter(read_all(calls))
        for d in self.datasets:
            current = (d.id, d.generation) if d.status != BURNT else (d.id, d.generation + 1)
            assert next(values) == self.reward.get(current, 0)
            for account in self.people:
                share = d.shares.get(account.address, 0) if d.status not in (BURNT, REJECTED) else 0
                owed = 0 if (d.id, d.generation, account.address) in self.reward_claimed else \
                    self.reward.get(d.key, 0) * share // BPS
                assert next(values) == owed

    def invariant_terms_and_licences_belong_to_the_current_generation(self):
        COUNTS["invariant_checks"] += 1
        buyer = self.accounts[6]
        calls = []
        for d in self.datasets:
            calls += [(self.nft, "generationOf", (d.id,)), (self.licenses, "hasValidLicense", (buyer.address, d.id)),
                      (self.licenses, "termsOf", (d.id,))]
        values = iter(read_all(calls))
        for d in self.datasets:
            assert next(values) == (d.generation + 1 if d.status == BURNT else d.generation)
            assert next(values) == (buyer.address in d.licensees)
            assert next(values)[2] == (d.status != BURNT)


def test_generations_state_machine(state_machine, accounts, nft, vault, licenses, usdc, MockERC20, CommonsToken,
                                   ContributionRewards, attestations, contributors, curator, admin, treasury):
    junk = MockERC20.deploy("Not Allowed", "JUNK", {"from": admin})
    reward_token = CommonsToken.deploy("OpenCommons", "OCT", admin, admin, 0, {"from": admin})
    rewards = ContributionRewards.deploy(nft, reward_token, attestations, admin, {"from": admin})
    reward_token.grantRole(reward_token.MINTER_ROLE(), rewards, {"from": admin})
    state_machine(StateMachine, accounts, nft, vault, licenses, usdc, junk, rewards, reward_token, contributors,
                  curator, admin, treasury,
                  settings=fuzz_settings(examples=12, steps=25))
    print(f"\ngenerations state machine: {COUNTS['steps']} steps, {COUNTS['invariant_checks']} invariant checks; "
          f"effective: {dict(sorted(DONE.items()))}")
    assert COUNTS["steps"] > 0
