"""The explorer's queries: what the dApp's browse, dataset, contributor, lineage and proposal pages
show, answered from the index in a few indexed lookups each (pages of rows, never the whole table).
"""

from __future__ import annotations

import itertools
import json
import math
import statistics
from collections import defaultdict
from typing import Any

from sqlalchemy import and_, exists, func, or_, select

from ..errors import InvalidCidError, OpenCommonsError
from ..ipfs.cid import Cid
from . import schema as s
from .ingest import hex64
from .reads import STATUS, Earning, IndexReader, _cid, earning_row

PAGE = 50


class Explorer(IndexReader):
    def _burnt_since(self, d: Any) -> Any:
        """Rows of `d` (datasets) burnt since they were published (`~` of it: the live ones)."""
        b = s.burns
        return exists().where(b.c.commons == d.c.commons, b.c.dataset == d.c.dataset,
                              or_(b.c.block > d.c.block, and_(b.c.block == d.c.block, b.c.log_index > d.c.log_index)))

    def search(self, text: str | None = None, license_id: str | None = None, commons_code: str | None = None,
               contributor: str | None = None, status: str | None = None, limit: int = PAGE,
               offset: int = 0) -> dict[str, Any]:
        """Datasets newest first, filtered by a name fragment, an id or CID, licence, commons code,
        contributor or status; one page and the total."""
        from web3 import Web3

        d, m = s.datasets, s.manifests
        burnt_since = self._burnt_since(d)
        where = [d.c.commons == self.commons_id]
        if text:
            text = text.strip()
            key = _as_id(text)
            if key is not None:
                where.append(d.c.dataset == key)
            else:
                named = m.alias("named")  # not the outer query's manifests, which it would correlate to
                where.append(exists().where(named.c.commons == d.c.commons, named.c.digest == d.c.manifest_digest,
                                            named.c.name_lower.contains(text.lower(), autoescape=True)))
        if license_id:
            where.append(func.lower(d.c.license) == license_id.lower())
        if commons_code:
            where.append(d.c.commons_hash == "0x" + bytes(Web3.keccak(text=commons_code)).hex())
        if contributor:
            dc = s.dataset_contributors
            where.append(exists().where(dc.c.commons == d.c.commons, dc.c.block == d.c.block,
                                        dc.c.log_index == d.c.log_index,
                                        dc.c.account == Web3.to_checksum_address(contributor)))
        if status:
            wanted = STATUS.index(status.capitalize()) if status.capitalize() in STATUS else -1
            c = s.curations
            latest = (select(c.c.to_status).where(c.c.commons == d.c.commons, c.c.dataset == d.c.dataset,
                                                  c.c.generation == d.c.generation)
                      .order_by(c.c.block.desc(), c.c.log_index.desc()).limit(1).scalar_subquery())
            where.append(func.coalesce(latest, 1) == wanted)
        limit = max(1, min(limit, 500))
        with self.engine.connect() as conn:
            # the rows that match less those burnt since: each count served by an index (the
            # burnt ones from the few burns), where one count with NOT EXISTS read every row
            matching = conn.execute(select(func.count()).select_from(d).where(*where)).scalar_one()
            burnt = conn.execute(select(func.count()).select_from(d).where(*where, burnt_since)).scalar_one()
            total = int(matching) - int(burnt)
            rows = conn.execute(select(d, m.c.name).select_from(d.outerjoin(
                m, and_(m.c.commons == d.c.commons, m.c.digest == d.c.manifest_digest))).where(*where, ~burnt_since)
                .order_by(d.c.block.desc(), d.c.log_index.desc()).limit(limit).offset(max(0, offset))).all()
            current = self._current(conn, [r.dataset for r in rows])
        items = [{"id": str(int(r.dataset, 16)), "name": r.name, "content": _cid(r.content_codec, r.content_digest),
                  "license": r.license, "status": STATUS[current[r.dataset]["status"]], "publisher": r.publisher,
                  "publishedAt": int(r.published_at), "contributors": int(r.contributor_count)} for r in rows]
        return {"total": int(total), "offset": offset, "items": items}

    def attestation_counts(self, dataset_ids: list[int]) -> dict[str, int]:
        """How many attestations were made of each dataset (revoked ones too), as its logs count,
        by id: one query for a page of rows."""
        at = s.attestations
        counts = {str(i): 0 for i in dataset_ids}
        with self.engine.connect() as conn:
            for key, count in conn.execute(select(at.c.dataset, func.count()).where(
                    at.c.commons == self.commons_id, at.c.dataset.in_([hex64(i) for i in dataset_ids]))
                    .group_by(at.c.dataset)):
                counts[str(int(key, 16))] = int(count)
        return counts

    def dataset_page(self, dataset_id: int, recent: int = 20) -> dict[str, Any]:
        """Everything the dataset page shows: the record, its files, attestations (with the median
        score per kind), licence terms and sales, royalties paid per token and the latest payments."""
        view = self.dataset_view(dataset_id)
        key = hex64(dataset_id)
        c = self.commons_id
        with self.engine.connect() as conn:
            manifest_digest = "0x" + Cid.parse(view["manifest"]).digest.hex()
            found = conn.execute(select(s.manifests).where(s.manifests.c.commons == c,
                                                           s.manifests.c.digest == manifest_digest)).first()
            at, rv = s.attestations, s.attestation_revocations
            revoked = {r for (r,) in conn.execute(select(rv.c.attestation_id).where(rv.c.commons == c,
                                                                                    rv.c.dataset == key))}
            attestations = [{"id": r.attestation_id, "validator": r.validator, "kind": r.kind, "score": int(r.score),
                             "evidence": _cid(r.evidence_codec, r.evidence_digest) if r.evidence_codec else None,
                             "createdAt": int(r.created_at), "revoked": r.attestation_id in revoked}
                            for r in conn.execute(select(at).where(at.c.commons == c, at.c.dataset == key)
                                                  .order_by(at.c.block, at.c.log_index))]
            scores: dict[str, list[int]] = defaultdict(list)
            for a in attestations:
                if not a["revoked"]:
                    scores[a["kind"]].append(a["score"])
            terms: dict[str, dict[str, Any]] = {}
            for r in conn.execute(select(s.license_terms).where(s.license_terms.c.commons == c,
                                                                s.license_terms.c.dataset == key)
                                  .order_by(s.license_terms.c.block, s.license_terms.c.log_index)):
                terms[r.token] = {"token": r.token, "price": r.price, "duration": int(r.duration),
                                  "terms": r.terms_digest, "active": bool(r.active)}
            sold = conn.execute(select(func.count()).select_from(s.licenses)
                                .where(s.licenses.c.commons == c, s.licenses.c.dataset == key)).scalar_one()
            p = s.payments
            generation = self._generation(conn, key)
            paid: dict[str, int] = defaultdict(int)
            for token, amount in conn.execute(select(p.c.token, p.c.amount).where(
                    p.c.commons == c, p.c.dataset == key, p.c.generation == generation)):
                paid[token] += int(amount)
            series = running_totals(conn.execute(select(p.c.at, p.c.token, p.c.amount).where(
                p.c.commons == c, p.c.dataset == key, p.c.generation == generation).order_by(p.c.block, p.c.log_index)))
            latest = [{"block": int(r.block), "tx": r.tx, "payer": r.payer, "token": r.token, "amount": r.amount}
                      for r in conn.execute(select(p).where(p.c.commons == c, p.c.dataset == key,
                                                            p.c.generation == generation)
                                            .order_by(p.c.block.desc(), p.c.log_index.desc()).limit(recent))]
            children = self._children(conn, key)
            rights = self._rights(conn, dataset_id)
        return {**view, "name": found.name if found else None,
                "rights": rights,
                "description": found.description if found else None,
                "files": json.loads(found.files) if found else None,
                "attestations": attestations,
                "medianScore": {k: statistics.median(v) for k, v in sorted(scores.items())},
                "licenseTerms": list(terms.values()), "licencesSold": int(sold),
                "royaltiesPaid": {t: str(v) for t, v in sorted(paid.items())}, "latestPayments": latest,
                "royaltySeries": series,
                "children": [str(int(k, 16)) for k in children]}

    def _rights(self, conn: Any, dataset_id: int) -> dict[str, Any]:
        """Who consented to being named in the dataset, who withdrew (and when, and which files),
        and every dispute of it with its evidence, answer and decisions: the record stays (the
        citation of a taken-down dataset included). From the DatasetRights events the index keeps."""
        from ..present import DISPUTE_REASONS, DISPUTE_STAGE

        o = s.other_events
        # sorted here: an ORDER BY made SQLite walk every other event of the commons in block order
        rows = sorted(conn.execute(select(o.c.block, o.c.log_index, o.c.tx, o.c.name, o.c.args).where(
            o.c.commons == self.commons_id, o.c.contract == "DatasetRights")).all(), key=lambda r: (r.block, r.log_index))
        consented: dict[str, int] = {}
        withdrawn: dict[str, dict[str, Any]] = {}
        disputes: dict[int, dict[str, Any]] = {}
        reissued: dict[str, Any] | None = None
        for r in rows:
            a = json.loads(r.args)
            if r.name == "DatasetReissued" and int(a["previousId"]) == dataset_id:  # governance, past the deadline
                reissued = {"dataset": str(a["datasetId"]), "by": a["by"], "owner": a["owner"], "tx": r.tx}
                continue
            if "datasetId" in a and int(a["datasetId"]) != dataset_id:
                continue
            if r.name == "ConsentGiven":
                consented[a["contributor"]] = int(r.block)
                withdrawn.pop(a["contributor"], None)
            elif r.name == "ContributionWithdrawn":
                consented.pop(a["contributor"], None)
                files = _cid(int(a["filesCodec"]), a["filesDigest"]) if int(a["filesCodec"]) else None
                withdrawn[a["contributor"]] = {"account": a["contributor"], "at": int(a["withdrawnAt"]),
                                               "files": files, "tx": r.tx}
            elif r.name == "DisputeRaised":
                disputes[int(a["disputeId"])] = {
                    "id": int(a["disputeId"]), "raiser": a["raiser"], "reason": DISPUTE_REASONS[int(a["reason"])],
                    "evidence": _cid(int(a["evidenceCodec"]), a["evidenceDigest"]), "bond": str(a["bond"]),
                    "raisedBlock": int(r.block), "tx": r.tx, "stage": DISPUTE_STAGE[1], "answer": None,
                    "decisions": []}
            elif "disputeId" in a and int(a["disputeId"]) in disputes:
                d = disputes[int(a["disputeId"])]
                if r.name == "DisputeAnswered":
                    d["answer"] = _cid(int(a["answerCodec"]), a["answerDigest"])
                elif r.name in ("DisputeDecided", "DisputeClosed"):
                    d["stage"] = DISPUTE_STAGE[int(a["stage"])]
                    d["decisions"].append({"stage": d["stage"], "block": int(r.block), "tx": r.tx})
                elif r.name == "DisputeAppealed":
                    d["stage"] = DISPUTE_STAGE[4]
                    d["decisions"].append({"stage": d["stage"], "block": int(r.block), "tx": r.tx,
                                           "appellant": a["appellant"]})
                elif r.name == "RoyaltiesForfeited":
                    d["forfeited"] = {"block": int(r.block), "tx": r.tx, "by": a["by"]}
        return {"consented": sorted(consented), "withdrawn": list(withdrawn.values()),
                "disputes": sorted(disputes.values(), key=lambda d: d["id"]),
                **({"reissuedByGovernance": reissued} if reissued else {})}

    def contributor_page(self, account: str, offset: int = 0, limit: int | None = None) -> dict[str, Any]:
        """A contributor's profile, totals per token, earnings series and earnings per dataset and
        token: rows `offset` to `offset + limit` of them (all when `limit` is None; a person with a
        thousand datasets gets a page), with their count and, for a claim of what is owed, how many
        datasets have something claimable and the first `CLAIM_BATCH` of them with their tokens (one
        transaction's worth: a claim of thousands would not fit in a block)."""
        from web3 import Web3

        who = Web3.to_checksum_address(account)
        record = self.contributor(who)
        earnings, earned = self.ledger(who)
        totals: dict[str, dict[str, int]] = defaultdict(lambda: {"earned": 0, "claimed": 0, "claimable": 0})
        for entry in earnings:
            total = totals[entry.token]
            total["claimed"] += entry.claimed
            total["claimable"] += entry.claimable
        for total in totals.values():
            total["earned"] = total["claimed"] + total["claimable"]
        owed = [entry for entry in earnings if entry.claimable > 0]
        shown = earnings[offset:] if limit is None else earnings[offset:offset + limit]
        return {"account": who, "registered": record["active"], "community": record["community"],
                "profile": _cid(record["codec"], record["digest"]) if record["codec"] else None,
                "registeredAt": record["registeredAt"],
                "earnings": [earning_row(entry) for entry in shown], "earningsCount": len(earnings),
                "owed": _owed(owed),
                "earnedSeries": earned,
                "totals": {t: {k: str(v) for k, v in x.items()} for t, x in sorted(totals.items())}}

    def lineage_graph(self, dataset_id: int, depth: int = 6) -> dict[str, Any]:
        """Nodes and parent->child edges within `depth` steps up and down, and the dataset's own
        older and newer versions (edges of kind "version", older -> newer)."""
        with self.engine.connect() as conn:  # one connection for the walk, the versions and the names
            return self._lineage_graph(conn, dataset_id, depth)

    def _lineage_graph(self, conn: Any, dataset_id: int, depth: int) -> dict[str, Any]:
        tree, graph = self._lineage(conn, dataset_id, depth)
        nodes: dict[str, dict[str, Any]] = {}
        edges: set[tuple[str, str]] = set()

        def walk(node: dict[str, Any]) -> None:
            nodes[node["id"]] = {k: node[k] for k in ("id", "license", "status") if k in node}
            for parent in node.get("parents", []):
                edges.add((parent["id"], node["id"]))
                walk(parent)
            for child in node.get("children", []):
                edges.add((node["id"], child["id"]))
                walk(child)

        walk(tree)
        versions: list[tuple[str, str]] = []
        links: dict[str, tuple[str | None, str | None]] = {}  # id -> (previous, next), read once each

        def linked(key: str) -> tuple[str | None, str | None]:
            if key not in links:
                graph.load([key])  # the walk read most of them already
                entry = graph.info.get(key)
                links[key] = self._versions(conn, key, entry["row"]) if entry and entry["exists"] else (None, None)
                if entry and entry["exists"] and str(int(key, 16)) not in nodes:
                    nodes[str(int(key, 16))] = {"id": str(int(key, 16)), "license": entry["row"].license,
                                                "status": STATUS[entry["status"]]}
            return links[key]

        for older in (True, False):  # the root's versions: older above, newer below
            at = hex64(dataset_id)
            for _ in range(depth):  # one next version per dataset: a chain, never a cycle
                step = linked(at)[0 if older else 1]
                if not step:
                    break
                linked(step)
                a, b = str(int(at, 16)), str(int(step, 16))
                versions.append((b, a) if older else (a, b))
                at = step
        names = self._names([hex64(int(i)) for i in nodes], conn)
        for node in nodes.values():
            node["name"] = names.get(hex64(int(node["id"])))
        return {"root": str(dataset_id), "nodes": list(nodes.values()),
                "edges": [{"parent": p, "child": c} for p, c in sorted(edges)]
                + [{"parent": p, "child": c, "kind": "version"} for p, c in sorted(versions)]}

    def _names(self, keys: list[str], conn: Any) -> dict[str, str | None]:
        """The manifest name of each dataset id's latest publication (None when the store lacked it)."""
        d, m = s.datasets, s.manifests
        names: dict[str, str | None] = {}
        for key, name in conn.execute(
                select(d.c.dataset, m.c.name).select_from(d.outerjoin(
                    m, and_(m.c.commons == d.c.commons, m.c.digest == d.c.manifest_digest)))
                .where(d.c.commons == self.commons_id, d.c.dataset.in_(keys))
                .order_by(d.c.block, d.c.log_index)):
            names[key] = name
        return names

    def commons_codes(self) -> list[dict[str, Any]]:
        """The commons codes (e.g. KE/education) datasets were published under, with how many live
        datasets each holds, from the manifests the store had; most datasets first."""
        d, m = s.datasets, s.manifests
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(m.c.commons_code, func.count()).select_from(d.join(
                    m, and_(m.c.commons == d.c.commons, m.c.digest == d.c.manifest_digest)))
                .where(d.c.commons == self.commons_id, ~self._burnt_since(d), m.c.commons_code.is_not(None))
                .group_by(m.c.commons_code).order_by(func.count().desc(), m.c.commons_code)).all()
        return [{"code": code, "datasets": int(n)} for code, n in rows]

    def proposals(self, head: int, limit: int = PAGE, offset: int = 0) -> dict[str, Any]:
        """Proposals newest first with their tallies and state (the governor's, at block `head`)."""
        from web3 import Web3

        from .governance import proposal_facts, quorums_at, state_of

        pr, v, pe = s.proposals, s.votes, s.proposal_events
        c = self.commons_id
        with self.engine.connect() as conn:
            # the token house's proposals; the contributors' house's tally and state beside each one made
            # there too (issue 37)
            total = conn.execute(select(func.count()).select_from(pr).where(pr.c.commons == c, pr.c.house == "token")
                                 ).scalar_one()
            rows = conn.execute(select(pr).where(pr.c.commons == c, pr.c.house == "token").order_by(pr.c.block.desc(), pr.c.log_index.desc())
                                .limit(max(1, min(limit, 500))).offset(max(0, offset))).all()
            ids = [r.proposal_id for r in rows]
            tallies: dict[str, list[int]] = {i: [0, 0, 0] for i in ids}
            voters: dict[str, int] = defaultdict(int)
            #: the tally after each block with votes: [block, for, against, abstain, time] (tallies as
            #: decimal strings, the block's time in seconds)
            series: dict[str, list[list[Any]]] = defaultdict(list)
            for pid, support, weight, block, at in conn.execute(
                    select(v.c.proposal_id, v.c.support, v.c.weight, v.c.block, v.c.at)
                    .where(v.c.commons == c, v.c.house == "token", v.c.proposal_id.in_(ids))
                    .order_by(v.c.block, v.c.log_index)):
                tallies[pid][int(support)] += int(weight)
                voters[pid] += 1
                against_, for__, abstain_ = tallies[pid]
                point = [int(block), str(for__), str(against_), str(abstain_), int(at)]
                if series[pid] and series[pid][-1][0] == int(block):
                    series[pid][-1] = point
                else:
                    series[pid].append(point)
            steps: dict[str, dict[str, Any]] = defaultdict(dict)
            queued_tx: dict[str, str] = {}
            in_both = {pid for (pid,) in conn.execute(select(pr.c.proposal_id).where(
                pr.c.commons == c, pr.c.house == "contributors", pr.c.proposal_id.in_(ids)))}
            for r in conn.execute(select(pe).where(pe.c.commons == c, pe.c.house == "token", pe.c.proposal_id.in_(ids))
                                  .order_by(pe.c.block, pe.c.log_index)):
                steps[r.proposal_id][r.kind] = r.eta
                if r.kind == "queued":
                    queued_tx[r.proposal_id] = r.tx
            # the guardian's cancellations, with why (issue 37): kept among the index's other events
            o = s.other_events
            reasons: dict[str, dict[str, str]] = {}
            for r in conn.execute(select(o.c.args).where(o.c.commons == c, o.c.contract == "CommonsGovernor",
                                                        o.c.name == "ProposalCancelledWithReason")):
                a = json.loads(r.args)
                reasons[str(a["proposalId"])] = {"by": a["by"], "reason": a["reason"]}
            quorums = quorums_at(conn, c, [int(r.vote_start) for r in rows if int(r.vote_start) < head])
            items = []
            for r in rows:
                snapshot, deadline = int(r.vote_start), int(r.vote_end)
                against, for_, abstain = tallies[r.proposal_id]
                quorum = quorums.get(snapshot)
                state = state_of(conn, c, steps[r.proposal_id], queued_tx.get(r.proposal_id), snapshot, deadline,
                                 head, reached=quorum is not None and quorum <= for_ + abstain, succeeded=for_ > against)
                items.append({"id": r.proposal_id, "proposer": r.proposer, "description": r.description.split(" [")[0],
                              # what queue and execute take again
                              "targets": json.loads(r.targets), "values": json.loads(r.values),
                              "calldatas": json.loads(r.calldatas),
                              "descriptionHash": "0x" + bytes(Web3.keccak(text=r.description)).hex(),
                              "state": state, "voteStart": snapshot, "voteEnd": deadline, "for": str(for_),
                              "against": str(against), "abstain": str(abstain),
                              "quorum": str(quorum) if quorum is not None else None,
                              "voters": voters[r.proposal_id], "eta": steps[r.proposal_id].get("queued"),
                              "series": series[r.proposal_id][-100:],
                              **({"cancelled": reasons[str(int(r.proposal_id))]}
                                 if str(int(r.proposal_id)) in reasons else {}),
                              **({"contributors": _house_tally(proposal_facts(self.engine, c, int(r.proposal_id),
                                                                              head, "contributors"))}
                                 if r.proposal_id in in_both else {})})
        return {"total": int(total), "offset": offset, "items": items}


def _house_tally(facts: dict[str, Any]) -> dict[str, Any]:
    """A house's state and tally as the explorer lists them (votes, not tokens)."""
    return {"state": facts["state"], "for": str(facts["for"]), "against": str(facts["against"]),
            "abstain": str(facts["abstain"]), "quorum": None if facts["quorum"] is None else str(facts["quorum"])}


def _as_id(text: str) -> str | None:
    """A dataset id (decimal, 0x hex) or content CID as the index's key, or None for other text."""
    try:
        if text.isdigit() and int(text) < 1 << 256:
            return hex64(int(text))
        if text.startswith("0x") and len(text) <= 66:
            return hex64(int(text, 16))
        return hex64(int.from_bytes(Cid.parse(text).digest, "big"))
    except (ValueError, InvalidCidError, OpenCommonsError):
        return None


#: datasets one "claim" transaction of the pages takes: a claim of a (dataset, token) pool costs
#: ~30-60k gas, so 100 stay far below a block's 30M however many tokens each pays in
CLAIM_BATCH = 100


def _owed(owed: list[Earning]) -> dict[str, Any]:
    """How many datasets owe something, and the first `CLAIM_BATCH` of them (in the rows' order)
    with every token any of those owes in."""
    datasets = list(dict.fromkeys(e.dataset for e in owed))
    batch = set(datasets[:CLAIM_BATCH])
    return {"count": len(datasets), "datasets": [str(int(key, 16)) for key in datasets[:CLAIM_BATCH]],
            "tokens": list(dict.fromkeys(e.token for e in owed if e.dataset in batch))}


def running_totals(rows: Any, points: int = 100) -> dict[str, list[list[Any]]]:
    """Amounts (time, token, amount) in time order as running totals per token, (time, total)
    pairs: at most `points` per token (the last of each stretch), totals as decimal strings
    (256-bit amounts). What a dataset was paid, or a contributor earned, over time."""
    by_token: dict[str, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
    for at, token, amount in rows:
        times, amounts = by_token[token]
        times.append(int(at))
        amounts.append(int(amount))
    return series_of(by_token, points)


def series_of(by_token: dict[str, tuple[list[int], list[int]]], points: int = 100) -> dict[str, list[list[Any]]]:
    """`running_totals` from each token's times and amounts in time order (two lists)."""
    out: dict[str, list[list[Any]]] = {}
    for token, (times, amounts) in sorted(by_token.items()):
        if not times:
            continue
        totals = list(itertools.accumulate(amounts))
        stride = max(1, math.ceil(len(times) / points))
        kept = list(range(stride - 1, len(times), stride))
        if (times[kept[-1]], totals[kept[-1]]) != (times[-1], totals[-1]):
            kept.append(len(times) - 1)
        out[token] = [[times[i], str(totals[i])] for i in kept]
    return out
