"""Stateful dispute test: random raises, decisions, appeals, closes after random waits and bond
withdrawals on three datasets, against a Python ghost of every dispute. After every step: the
contract holds exactly the bonds of open disputes plus what it credited and nobody withdrew yet (to
the wei), each account's credit equals the ghost's, and a dataset is suspended exactly when its
dispute stands upheld."""
from collections import defaultdict

import brownie
from brownie import chain
from brownie.test import strategy

from conftest import APPEAL_WINDOW, BOND, CODEC_RAW, DECISION_WINDOW, fuzz_settings, random_digest, read_all

RAISED, UPHELD, REJECTED, APPEALED, UPHELD_FINAL, REJECTED_FINAL, LAPSED = range(1, 8)
ACCEPTED, SUSPENDED = 2, 5
COUNTS = {"steps": 0, "closed": 0, "withdrawn": 0}


class StateMachine:
    st_index = strategy("uint8")
    st_bool = strategy("bool")
    st_wait = strategy("uint8")

    def __init__(cls, accounts, nft, rights, accepted, contributors):
        cls.accounts, cls.nft, cls.rights = accounts, nft, rights
        cls.publisher = contributors[0]
        cls.raisers = list(accounts[5:7])
        cls.arbiter = accounts[7]
        cls.datasets = [accepted() for _ in range(3)]

    def setup(self):
        self.disputes = {}  # id -> dict(dataset, raiser, stage, at, appellant, bonds)
        self.active = {}  # dataset -> dispute id (open or upheld for good)
        self.credited = defaultdict(int)
        self.withdrawn = 0

    def _open(self):
        return [(i, d) for i, d in self.disputes.items() if d["stage"] in (RAISED, UPHELD, REJECTED, APPEALED)]

    def _credit(self, d, result, lapsed_appeal):
        d["stage"] = result
        winner = self.publisher if result == REJECTED_FINAL else d["raiser"]
        self.credited[winner] += BOND
        if d["appellant"] is not None:
            self.credited[d["appellant"] if lapsed_appeal else winner] += BOND
        if result != UPHELD_FINAL:
            self.active.pop(d["dataset"], None)
        COUNTS["closed"] += 1

    def rule_raise(self, st_index, st_bool):
        dataset = self.datasets[st_index % 3]
        raiser = self.raisers[int(st_bool)]
        if dataset in self.active:
            with brownie.reverts(f"DatasetRightsDisputeOpen: {dataset}, {self.active[dataset]}"):
                self.rights.raiseDispute(dataset, 0, random_digest(), CODEC_RAW, {"from": raiser, "value": BOND})
            return
        tx = self.rights.raiseDispute(dataset, 0, random_digest(), CODEC_RAW, {"from": raiser, "value": BOND})
        self.disputes[tx.return_value] = {"dataset": dataset, "raiser": raiser, "stage": RAISED,
                                          "at": tx.timestamp, "appellant": None}
        self.active[dataset] = tx.return_value

    def rule_decide(self, st_index, st_bool):
        candidates = [(i, d) for i, d in self._open() if d["stage"] in (RAISED, APPEALED)]
        if not candidates:
            return
        dispute_id, d = candidates[st_index % len(candidates)]
        if chain.time() > d["at"] + DECISION_WINDOW - 5:  # too close to call: let close() have it
            return
        tx = self.rights.decide(dispute_id, st_bool, {"from": self.arbiter})
        if d["stage"] == RAISED:
            d["stage"], d["at"] = (UPHELD if st_bool else REJECTED), tx.timestamp
        else:
            self._credit(d, UPHELD_FINAL if st_bool else REJECTED_FINAL, False)

    def rule_appeal(self, st_index):
        candidates = [(i, d) for i, d in self._open() if d["stage"] in (UPHELD, REJECTED)]
        if not candidates:
            return
        dispute_id, d = candidates[st_index % len(candidates)]
        if chain.time() > d["at"] + APPEAL_WINDOW - 5:
            return
        loser = self.publisher if d["stage"] == UPHELD else d["raiser"]
        tx = self.rights.appeal(dispute_id, {"from": loser, "value": BOND})
        d["stage"], d["at"], d["appellant"] = APPEALED, tx.timestamp, loser

    def rule_wait(self, st_wait):
        chain.sleep((3_600, 86_400, 3 * 86_400 + 600)[st_wait % 3])
        chain.mine()

    def rule_close(self, st_index):
        candidates = self._open()
        if not candidates:
            return
        dispute_id, d = candidates[st_index % len(candidates)]
        window = DECISION_WINDOW if d["stage"] in (RAISED, APPEALED) else APPEAL_WINDOW
        if chain.time() <= d["at"] + window + 5:
            return
        self.rights.closeDispute(dispute_id, {"from": self.accounts[3]})
        if d["stage"] == RAISED:
            self._credit(d, LAPSED, False)
        elif d["stage"] == APPEALED:
            self._credit(d, UPHELD_FINAL if d["appellant"] == self.publisher else REJECTED_FINAL, True)
        else:
            self._credit(d, UPHELD_FINAL if d["stage"] == UPHELD else REJECTED_FINAL, False)

    def rule_withdraw(self, st_index):
        who = ([self.publisher] + self.raisers)[st_index % 3]
        amount = self.credited[who]
        if amount == 0:
            return
        self.rights.withdrawBonds({"from": who})
        self.credited[who] = 0
        self.withdrawn += amount
        COUNTS["withdrawn"] += 1

    def invariant_bonds_and_suspensions(self):
        COUNTS["steps"] += 1
        held = 0
        for d in self.disputes.values():
            if d["stage"] in (RAISED, UPHELD, REJECTED, APPEALED):
                held += BOND * (2 if d["appellant"] is not None else 1)
        assert self.rights.balance() == held + sum(self.credited.values())
        people = [self.publisher] + self.raisers
        values = iter(read_all([(self.rights, "bondOf", (who.address,)) for who in people]
                               + [(contract, name, (dataset,)) for dataset in self.datasets
                                  for contract, name in ((self.nft, "statusOf"), (self.rights, "activeDisputeOf"))]))
        for who in people:
            assert next(values) == self.credited[who]
        for dataset in self.datasets:
            dispute = self.active.get(dataset)
            d = self.disputes.get(dispute)
            # upheld (first decision, or an appeal of it pending, or final), or an appeal of a
            # rejection not yet decided: only the first three suspend
            suspended = d is not None and (d["stage"] in (UPHELD, UPHELD_FINAL)
                                           or (d["stage"] == APPEALED and d["appellant"] == self.publisher))
            assert next(values) == (SUSPENDED if suspended else ACCEPTED)
            assert next(values) == (dispute or 0)


def test_rights_state_machine(state_machine, accounts, nft, rights, accepted, contributors):
    state_machine(StateMachine, accounts, nft, rights, accepted, contributors,
                  settings=fuzz_settings(examples=15, steps=30))
    print(f"\nrights state machine: {COUNTS['steps']} steps, {COUNTS['closed']} disputes closed, "
          f"{COUNTS['withdrawn']} withdrawals")
    assert COUNTS["steps"] > 0 and COUNTS["closed"] > 0 and COUNTS["withdrawn"] > 0
