"""`commons dataset score|attest`: measure a dataset's quality and attest it (validators)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

import typer

from ..errors import OpenCommonsError
from ..ipfs.cid import Cid
from .common import AccountOpt, ApiOpt, _commons, DeploymentsOpt, fail, HomeOpt, JsonOpt, lazy, RpcOpt, say, _sender, \
    StoreOpt, _tx
from .consume import GatewayOpt, source_for
from .dataset import dataset_app

if TYPE_CHECKING:
    from .. import queries
    from ..quality import scorer, subjects
    import web3
else:
    queries = lazy("opencommons.queries")
    scorer = lazy("opencommons.quality.scorer")
    subjects = lazy("opencommons.quality.subjects")
    web3 = lazy("web3")

#: the attestation kind of each metric (and of the combined score)
METRIC_KINDS = {"score": "quality", "integrity": "integrity", "validity": "validity", "uniqueness": "uniqueness",
                "ownership": "ownership"}


@dataset_app.command("score")
def dataset_score(target: str = typer.Argument(..., metavar="ID_OR_DIR"),
                  weights: Optional[Path] = typer.Option(None, "--weights", help="JSON weights (bps per metric)."),
                  out: Optional[Path] = typer.Option(None, "--out", help="Write the results JSON here."),
                  pin: bool = typer.Option(False, "--pin", help="Pin the results to the store and print the CID."),
                  gateway: Optional[str] = GatewayOpt, rpc: Optional[str] = RpcOpt, deployments: Path = DeploymentsOpt,
                  store: str = StoreOpt, api: Optional[str] = ApiOpt, home: Optional[Path] = HomeOpt,
                  as_json: bool = JsonOpt) -> None:
    """Measure integrity, validity, uniqueness and ownership of a dataset (or a folder), reproducibly."""
    from ..ipfs.content import open_store
    from ..quality.near_duplicates import NearDuplicateIndex

    try:
        chosen = scorer.load_weights(weights)
        folder = Path(target)
        index = None
        if folder.is_dir():
            subject = subjects.from_directory(folder)
        else:
            dataset_id = queries.parse_dataset_id(target)
            commons = _commons(rpc, deployments)
            if weights is None:  # the weights governance set for this commons, when it set them
                chosen = scorer.chain_weights(commons) or chosen
            source = source_for(store, home, api, gateway, commons)
            subject = subjects.from_dataset(commons, source, dataset_id)
            index = NearDuplicateIndex.for_commons(f"{commons.deployment.chain_id}-{subject.commons_key}")
            subjects.index_earlier(commons, source, subject, index)
        results = scorer.score(subject, chosen, index)
        data = scorer.encode(results)
        if out is not None:
            out.write_bytes(data)
        if subject.missing:  # written for diagnosis, never pinned or printed as a score to attest
            first = subject.missing[0]
            raise scorer.ScoreError(
                f"{len(subject.missing)} of {len(subject.files)} files could not be read ({first}: "
                f"{(subject.integrity or {}).get(first, 'missing')}): no score to attest; fetch the content from "
                "its commons' gateway (--gateway URL) or an IPFS node (--store kubo --api URL) and score again")
        cid = open_store(store, home, api).add_bytes(data, 1) if pin else None
        if as_json:
            say(data.decode().rstrip())
            return
        say(f"score {results['score']} / 10000 " + " ".join(
            f"{k}={v}" for k, v in sorted(results["scores"].items())))
        for line in results["explanations"]:
            say(f"  {line}")
        if cid is not None:
            say(f"results pinned: {cid}")
    except OpenCommonsError as exc:
        fail(exc)


def _results(reference: str, store: str, home: Optional[Path], api: Optional[str]) -> tuple[dict[str, Any], Cid]:
    """Scorer results from a file (pinned now, so the attestation can name them) or a CID."""
    from ..ipfs.content import open_store

    content = open_store(store, home, api)
    path = Path(reference)
    if path.is_file():
        data = path.read_bytes()
        cid = content.add_bytes(data, 1)
    else:
        cid = Cid.parse(reference)
        data = b"".join(content.cat(cid))
    try:
        results = json.loads(data)
    except ValueError:
        raise OpenCommonsError(f"{reference} is not a scorer's results JSON") from None
    if not isinstance(results, dict) or not str(results.get("scorer", "")).startswith("opencommons-quality/"):
        raise OpenCommonsError(f"{reference} is not a scorer's results JSON")
    return results, cid


@dataset_app.command("attest")
def dataset_attest(dataset: str, kind: Optional[str] = typer.Option(
                       None, "--kind", help="KIND: quality, integrity, validity, uniqueness, ownership, schema, "
                       "completeness, accuracy, provenance, license, duplicates or bias."),
                   score: Optional[int] = typer.Option(None, "--score", min=0, max=10_000,
                                                       help="Score in basis points, 0..10000 (default: the measured "
                                                            "one)."),
                   evidence: Optional[str] = typer.Option(None, "--evidence", help="Evidence CID."),
                   from_score: Optional[str] = typer.Option(None, "--from-score",
                                                            help="Scorer results (file or CID): one "
                                                            "attestation per metric, the results as evidence."),
                   store: str = StoreOpt, api: Optional[str] = ApiOpt, home: Optional[Path] = HomeOpt,
                   rpc: Optional[str] = RpcOpt, account: Optional[str] = AccountOpt,
                   deployments: Path = DeploymentsOpt) -> None:
    """Attest a dataset (validator role): --kind K --score S [--evidence CID], or --from-score RESULTS."""
    try:
        dataset_id = queries.parse_dataset_id(dataset)
        if from_score is None and (kind is None or score is None):
            raise OpenCommonsError("give --kind and --score, or --from-score RESULTS")
        if from_score is not None and (kind is not None or score is not None or evidence is not None):
            raise OpenCommonsError("--from-score takes the kinds, scores and evidence from the results: "
                                   "drop --kind, --score and --evidence")
        cid: Optional[Cid] = None
        if from_score is not None:
            results, cid = _results(from_score, store, home, api)
            if str((results.get("inputs") or {}).get("dataset")) != str(dataset_id):
                raise OpenCommonsError(f"{from_score} scores dataset {(results.get('inputs') or {}).get('dataset')}, "
                                       f"not {dataset_id}")
            attestations = [(METRIC_KINDS["score"], int(results["score"]))] + [
                (METRIC_KINDS[m], int(v)) for m, v in sorted(results["scores"].items())]
        else:
            from ..quality.kinds import check_kind

            cid = Cid.parse(evidence) if evidence else None
            attestations = [(check_kind(str(kind)), int(score or 0))]
        commons = _commons(rpc, deployments)
        who = _sender(commons, account)
        for name, value in attestations:
            _tx(f"attested {name} {value}", commons, who, commons.attestations.functions.attest(
                dataset_id, web3.Web3.keccak(text=name), value, cid.digest if cid else bytes(32), cid.codec if cid else 0))
        if from_score is not None:
            say(f"evidence: {cid}")
    except OpenCommonsError as exc:
        fail(exc)
