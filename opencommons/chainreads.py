"""The read commands' answers taken from the chain (calls and event logs), for when no index is
synced; `opencommons.index.reads.IndexReader` gives the same answers from the index."""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Protocol

from web3 import Web3

from . import queries
from .suite import Commons


class Reader(Protocol):
    def list_datasets(self, commons_code: str | None = None, contributor: str | None = None,
                      license_id: str | None = None) -> list[dict[str, Any]]: ...
    def newest(self, offset: int, limit: int) -> tuple[int, list[int]]: ...
    def dataset_view(self, dataset_id: int) -> dict[str, Any]: ...
    def dataset_views(self, dataset_ids: list[int]) -> list[dict[str, Any]]: ...
    def licence_offers(self, dataset_ids: list[int]) -> dict[str, dict[str, Any]]: ...
    def contributors_of(self, dataset_id: int) -> list[dict[str, Any]]: ...
    def claimable(self, dataset_id: int, token: str, account: str) -> int: ...
    def pending_for_parents(self, dataset_id: int, token: str) -> int: ...
    def earnings(self, account: str) -> list[dict[str, Any]]: ...
    def lineage(self, dataset_id: int, depth: int = 32) -> dict[str, Any]: ...
    def contributor(self, account: str) -> dict[str, Any]: ...
    def is_verified(self, account: str, claim_type: str, now: int) -> bool: ...
    def stats(self) -> dict[str, Any]: ...
    def proposal_facts(self, proposal_id: int, head: int) -> dict[str, Any]: ...
    def list_proposals(self, head: int) -> list[dict[str, Any]]: ...
    def listed_tokens(self) -> list[str]: ...
    def training_records(self) -> list[dict[str, Any]]: ...


def _position(log: Any) -> tuple[int, int]:
    return int(log["blockNumber"]), int(log["logIndex"])


class ChainReader:
    def __init__(self, commons: Commons) -> None:
        self.commons = commons
        self._published: list[Any] | None = None

    def published(self) -> list[Any]:
        if self._published is None:
            self._published = queries.published_events(self.commons)
        return self._published

    def list_datasets(self, commons_code: str | None = None, contributor: str | None = None,
                      license_id: str | None = None) -> list[dict[str, Any]]:
        return queries.list_datasets(self.commons, commons_code, contributor, license_id)

    def newest(self, offset: int, limit: int) -> tuple[int, list[int]]:
        """How many publications `list_datasets` lists, and the ids of `limit` of them from
        `offset`, newest first."""
        listed = self.list_datasets()[::-1]
        return len(listed), [int(r["id"]) for r in listed[offset:offset + limit]]

    def dataset_view(self, dataset_id: int) -> dict[str, Any]:
        return queries.dataset_view(self.commons, dataset_id)

    def dataset_views(self, dataset_ids: list[int]) -> list[dict[str, Any]]:
        """`dataset_view` of each of the ids that exists (a burnt one is left out), in their order."""
        nft = self.commons.nft.functions
        return [queries.dataset_view(self.commons, i) for i in dataset_ids if nft.exists(i).call()]

    def licence_offers(self, dataset_ids: list[int]) -> dict[str, dict[str, Any]]:
        return {str(i): queries.licence_offer(self.commons, i) for i in dataset_ids}

    def contributors_of(self, dataset_id: int) -> list[dict[str, Any]]:
        return queries.contributors_of(self.commons, dataset_id)

    def proposal_facts(self, proposal_id: int, head: int) -> dict[str, Any]:
        """At the chain's latest block (`head`, read just before by the caller)."""
        return queries.proposal_facts(self.commons, proposal_id)

    def list_proposals(self, head: int) -> list[dict[str, Any]]:
        return queries.list_proposals(self.commons)

    def listed_tokens(self) -> list[str]:
        return queries.listed_tokens(self.commons)

    def training_records(self) -> list[dict[str, Any]]:
        from .ml.training import models

        return models(self.commons)

    def claimable(self, dataset_id: int, token: str, account: str) -> int:
        return int(self.commons.vault.functions.claimable(dataset_id, token, account).call())

    def pending_for_parents(self, dataset_id: int, token: str) -> int:
        return int(self.commons.vault.functions.pendingAncestorOf(dataset_id, token).call())

    def _node(self, dataset_id: int) -> tuple[dict[str, Any], bool]:
        nft = self.commons.nft.functions
        out: dict[str, Any] = {"id": str(dataset_id)}
        if not nft.exists(dataset_id).call():
            out["status"] = "None"
            return out, False
        record = nft.dataset(dataset_id).call()
        out.update(license=record[4], status=queries.STATUS[record[6]])
        return out, True

    def _children(self, dataset_id: int) -> list[int]:
        nft = self.commons.nft.functions
        children: list[int] = []
        for log in self.published():
            child = int(log["args"]["datasetId"])
            if dataset_id in log["args"]["params"]["parents"] and child not in children:
                if nft.exists(child).call() and dataset_id in nft.parentsOf(child).call():
                    children.append(child)
        return children

    def lineage(self, dataset_id: int, depth: int = 32) -> dict[str, Any]:
        nft = self.commons.nft.functions

        def node(number: int, direction: str, level: int, seen: frozenset[int]) -> dict[str, Any]:
            out, exists = self._node(number)
            if not exists or level >= depth or number in seen:
                return out
            nexts = list(nft.parentsOf(number).call()) if direction == "parents" else self._children(number)
            out[direction] = [node(int(n), direction, level + 1, seen | {number}) for n in nexts]
            return out

        if not nft.exists(dataset_id).call():
            from .errors import NotFoundError

            raise NotFoundError(f"dataset {dataset_id} does not exist")
        up = node(dataset_id, "parents", 0, frozenset())
        down = node(dataset_id, "children", 0, frozenset())
        return {**up, "children": down.get("children", [])}

    def earnings(self, account: str) -> list[dict[str, Any]]:
        c = self.commons
        rows: list[dict[str, Any]] = []
        seen: list[int] = []
        latest: dict[int, Any] = {}
        for log in self.published():
            dataset_id = int(log["args"]["datasetId"])
            latest[dataset_id] = log
            if dataset_id not in seen and any(x["account"] == account for x in log["args"]["params"]["contributors"]):
                seen.append(dataset_id)
        for dataset_id in seen:
            share = next((x["shareBps"] for x in queries.contributors_of(c, dataset_id) if x["account"] == account), 0)
            if share == 0:
                continue
            since = _position(latest[dataset_id])
            tokens: list[str] = []
            for log in c.vault.events.RoyaltyPaid().get_logs(from_block=latest[dataset_id]["blockNumber"],
                                                             argument_filters={"datasetId": dataset_id}):
                if _position(log) > since and log["args"]["token"] not in tokens:
                    tokens.append(log["args"]["token"])
            for token in tokens:
                claimed = sum(int(log["args"]["amount"]) for log in c.vault.events.RoyaltyClaimed().get_logs(
                    from_block=latest[dataset_id]["blockNumber"],
                    argument_filters={"datasetId": dataset_id, "token": token, "account": account})
                    if _position(log) > since)
                claimable = self.claimable(dataset_id, token, account)
                rows.append({"dataset": str(dataset_id), "token": token, "shareBps": share, "claimed": str(claimed),
                             "claimable": str(claimable), "earned": str(claimed + claimable)})
        return rows

    def contributor(self, account: str) -> dict[str, Any]:
        registry = self.commons.registry
        digest, codec, registered_at, active = registry.functions.contributorOf(account).call()
        # the community code is kept in the events only: the latest registration or update says it
        since, filters = self.commons.deployment.block, {"account": account}
        said = [*registry.events.ContributorRegistered().get_logs(from_block=since, argument_filters=filters),
                *registry.events.ContributorUpdated().get_logs(from_block=since, argument_filters=filters)]
        community = bytes(max(said, key=_position)["args"]["community"]) if said else bytes(32)
        return {"digest": "0x" + bytes(digest).hex() if codec else None, "codec": codec,
                "community": "0x" + community.hex(), "registeredAt": registered_at, "active": active}

    def is_verified(self, account: str, claim_type: str, now: int) -> bool:
        return bool(self.commons.registry.functions.isVerified(account, bytes.fromhex(claim_type[2:])).call())

    def stats(self) -> dict[str, Any]:
        c = self.commons
        start = c.deployment.block
        by_status: dict[str, int] = defaultdict(int)
        for dataset_id in {int(log["args"]["datasetId"]) for log in self.published()}:
            if c.nft.functions.exists(dataset_id).call():
                by_status[queries.STATUS[c.nft.functions.statusOf(dataset_id).call()]] += 1
        accounts = {log["args"]["account"] for log in c.registry.events.ContributorRegistered().get_logs(from_block=start)}
        paid: dict[str, int] = defaultdict(int)
        payments = 0
        for log in c.vault.events.RoyaltyPaid().get_logs(from_block=start):
            if log["args"]["payer"] != c.vault.address:
                paid[log["args"]["token"]] += int(log["args"]["amount"])
                payments += 1
        claimed: dict[str, int] = defaultdict(int)
        for log in c.vault.events.RoyaltyClaimed().get_logs(from_block=start):
            claimed[log["args"]["token"]] += int(log["args"]["amount"])
        licences = len(c.licenses.events.LicensePurchased().get_logs(from_block=start))
        proposals = len(c.governor.events.ProposalCreated().get_logs(from_block=start))
        return {"datasets": sum(by_status.values()), "byStatus": dict(sorted(by_status.items())),
                "contributors": len(accounts), "payments": payments, "licences": licences, "proposals": proposals,
                "paid": {Web3.to_checksum_address(t): str(v) for t, v in sorted(paid.items())},
                "claimed": {Web3.to_checksum_address(t): str(v) for t, v in sorted(claimed.items())}}
