"""Stateful dataset test: publish, version, curate and attest at random; a Python ghost model of
the registry, the NFT and the attestations is compared with the chain after every step."""
import brownie

import pytest
from brownie.test import strategy

from conftest import CODEC_DAG_PB, CODEC_RAW, KE_EDUCATION, contributions, fuzz_settings, random_digest, read_all, reveal

NONE, PROPOSED, ACCEPTED, REJECTED, RETIRED = range(5)
ALLOWED = {(PROPOSED, ACCEPTED), (PROPOSED, REJECTED), (ACCEPTED, RETIRED)}


COUNTS = {"steps": 0, "invariant_checks": 0}


class StateMachine:
    st_index = strategy("uint8")
    st_status = strategy("uint8", min_value=1, max_value=4)
    st_score = strategy("uint16", max_value=12_000)
    st_bool = strategy("bool")

    def __init__(cls, accounts, nft, attestations, contributors, curator):
        cls.accounts, cls.nft, cls.attestations = accounts, nft, attestations
        cls.people, cls.curator, cls.validator = contributors, curator, accounts[7]

    def setup(self):
        self.datasets = {}  # id -> dict(owner, status, shares, parents, previous, next)
        self.order = []
        self.attested = {}  # attestation id -> (dataset, revoked)

    def _pick(self, index):
        return self.order[index % len(self.order)] if self.order else None

    def _params(self, index, parents):
        n = 1 + index % 3
        people = self.people[:n]
        shares = [10_000 // n] * n
        shares[0] += 10_000 - sum(shares)
        content = random_digest()
        ancestor = 500 if parents else 0
        return content, (content, CODEC_DAG_PB, random_digest(), CODEC_RAW, "CC-BY-4.0", KE_EDUCATION, ancestor,
                         parents, contributions(zip(people, shares)))

    def _record(self, content, params, publisher, previous=0):
        dataset_id = int.from_bytes(content, "big")
        self.datasets[dataset_id] = {"owner": publisher.address, "status": PROPOSED,
                                     "shares": {a: s for a, s in params[8]}, "parents": list(params[7]),
                                     "previous": previous, "next": 0}
        if previous:
            self.datasets[previous]["next"] = dataset_id
        self.order.append(dataset_id)

    def rule_publish(self, st_index, st_bool):
        COUNTS["steps"] += 1
        parent = self._pick(st_index)
        parents = [parent] if (st_bool and parent) else []
        publisher = self.people[st_index % 3]
        content, params = self._params(st_index, parents)
        reveal(self.nft, params, publisher)
        self._record(content, params, publisher)

    def rule_publish_duplicate(self, st_index):
        COUNTS["steps"] += 1
        existing = self._pick(st_index)
        if existing is None:
            return
        _, params = self._params(st_index, [])
        params = (existing.to_bytes(32, "big"),) + params[1:]
        with brownie.reverts(f"DatasetNFTAlreadyPublished: {existing}, {self.datasets[existing]['owner'].lower()}"):
            reveal(self.nft, params, self.people[0])

    def rule_publish_version(self, st_index):
        COUNTS["steps"] += 1
        previous = self._pick(st_index)
        if previous is None:
            return
        owner = next(p for p in self.people if p.address == self.datasets[previous]["owner"])
        content, params = self._params(st_index, [])
        if self.datasets[previous]["next"]:
            with brownie.reverts(f"DatasetNFTVersionExists: {previous}, {self.datasets[previous]['next']}"):
                reveal(self.nft, params, owner, previous)
            return
        reveal(self.nft, params, owner, previous)
        self._record(content, params, owner, previous)

    def rule_curate(self, st_index, st_status):
        COUNTS["steps"] += 1
        dataset_id = self._pick(st_index)
        if dataset_id is None:
            return
        current = self.datasets[dataset_id]["status"]
        if (current, st_status) in ALLOWED:
            self.nft.curate(dataset_id, st_status, {"from": self.curator})
            self.datasets[dataset_id]["status"] = st_status
        else:
            with brownie.reverts(f"DatasetNFTInvalidTransition: {dataset_id}, {current}, {st_status}"):
                self.nft.curate(dataset_id, st_status, {"from": self.curator})

    def rule_attest(self, st_index, st_score):
        COUNTS["steps"] += 1
        dataset_id = self._pick(st_index)
        if dataset_id is None:
            return
        if st_score > 10_000:
            with brownie.reverts(f"DatasetAttestationsInvalidScore: {st_score}"):
                self.attestations.attest(dataset_id, bytes(32), st_score, bytes(32), 0, {"from": self.validator})
            return
        tx = self.attestations.attest(dataset_id, bytes(32), st_score, bytes(32), 0, {"from": self.validator})
        self.attested[tx.return_value] = (dataset_id, False)

    def rule_revoke(self, st_index):
        COUNTS["steps"] += 1
        if not self.attested:
            return
        attestation_id = sorted(self.attested)[st_index % len(self.attested)]
        dataset_id, revoked = self.attested[attestation_id]
        if revoked:
            with brownie.reverts(f"DatasetAttestationsNotRevocable: {attestation_id}"):
                self.attestations.revoke(attestation_id, {"from": self.validator})
        else:
            self.attestations.revoke(attestation_id, {"from": self.validator})
            self.attested[attestation_id] = (dataset_id, True)

    def invariant_chain_matches_ghost(self):
        COUNTS["invariant_checks"] += 1
        for dataset_id, ghost in self.datasets.items():
            record = self.nft.dataset(dataset_id)
            assert record["status"] == ghost["status"]
            assert record["owner"] == ghost["owner"]
            assert list(record["parents"]) == ghost["parents"]
            assert record["previousVersion"] == ghost["previous"]
            assert record["nextVersion"] == ghost["next"]
            assert record["contributorCount"] == len(ghost["shares"])
            accounts = [*ghost["shares"], self.validator.address]
            shares = read_all([(self.nft, "shareOf", (dataset_id, account)) for account in accounts])
            assert shares == [*ghost["shares"].values(), 0]
            listed = [tuple(c) for c in self.nft.contributorsOf(dataset_id)]
            assert listed == sorted(ghost["shares"].items(), key=lambda c: int(c[0], 16))
        assert self.attestations.attestationCount() == len(self.attested)
        for attestation_id, (dataset_id, revoked) in self.attested.items():
            stored = self.attestations.attestationOf(attestation_id)
            assert (stored[0], stored[3]) == (dataset_id, revoked)


def test_dataset_state_machine(state_machine, accounts, nft, attestations, contributors, curator):
    state_machine(StateMachine, accounts, nft, attestations, contributors, curator,
                  settings=fuzz_settings(examples=15, steps=20))
    print(f"\ndataset state machine: {COUNTS['steps']} steps, {COUNTS['invariant_checks']} invariant checks "
          f"(1 invariant: chain equals the ghost model)")
    assert COUNTS["steps"] > 0
