"""A training run's log: which datasets a model learned from and how much of each it read.

    import opencommons
    with opencommons.training_run(trainer="0x...") as run:
        train = opencommons.load_dataset(penguins_id, split="train")
        frame = opencommons.to_pandas(wine_id)
        ...                                   # oc:// reads count too (bytes read)
    run.save("run.json")                      # then: commons model register DIR --run run.json

Every `load_dataset`, `to_pandas` and `oc://` read made inside the block is recorded: the dataset's
id, generation, content and manifest CIDs, the rows loaded and the bytes read. A dataset's weight is
the bytes it gave the run (the unit every loader shares); the log carries the Merkle root of the
(dataset id, weight) leaves in OpenZeppelin's standard tree format, which is what a model's training
record commits to on-chain. The log is a JSON document, pinned beside the model.
"""

from __future__ import annotations

import contextvars
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..errors import OpenCommonsError

SCHEMA = "opencommons/training-run/v1"
LEAF_TYPES = ("uint256", "uint256")

_current: contextvars.ContextVar["TrainingRun | None"] = contextvars.ContextVar("opencommons_training_run",
                                                                                  default=None)


class TrainingLogError(OpenCommonsError):
    """A training-run log that is malformed or whose root does not match its datasets."""


@dataclass
class Used:
    """What the run read of one dataset."""

    dataset: int
    content: str
    manifest: str | None = None
    generation: int | None = None
    rows: int = 0
    bytes: int = 0
    via: set[str] = field(default_factory=set)


@dataclass
class TrainingRun:
    trainer: str | None = None
    started: str = field(default_factory=lambda: _now())
    finished: str | None = None
    used: dict[int, Used] = field(default_factory=dict)

    def record(self, dataset: int, content: str, *, manifest: str | None = None, generation: int | None = None,
               rows: int = 0, read: int = 0, via: str = "manual") -> None:
        """Counts `rows` and `read` bytes of `dataset` (its id, the digest of its content CID)."""
        entry = self.used.setdefault(int(dataset), Used(int(dataset), str(content)))
        entry.manifest = entry.manifest or manifest
        entry.generation = entry.generation if entry.generation is not None else generation
        entry.rows += int(rows)
        entry.bytes += int(read)
        entry.via.add(via)

    def document(self, model_files: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        """The log: each dataset with its weight, the total and the Merkle root of the weights."""
        rows = [u for u in sorted(self.used.values(), key=lambda u: u.dataset) if u.bytes > 0]
        if not rows:
            raise TrainingLogError("the run read no dataset through OpenCommons: nothing to credit")
        datasets = [{"id": str(u.dataset), "generation": u.generation, "content": u.content, "manifest": u.manifest,
                     "rows": u.rows, "bytes": u.bytes, "weight": u.bytes, "via": sorted(u.via)} for u in rows]
        return {"schema": SCHEMA, "trainer": self.trainer, "started": self.started,
                "finished": self.finished or _now(), "weighting": "bytes read", "datasets": datasets,
                "totalWeight": str(sum(u.bytes for u in rows)), "merkleRoot": "0x" + root_of(datasets).hex(),
                "leafTypes": list(LEAF_TYPES), "model": {"files": model_files or []}}

    def save(self, path: str | Path, model_files: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        """Writes the log to `path` (JSON) and returns it."""
        document = self.document(model_files)
        target = Path(path)
        partial = target.with_name(f".{target.name}.partial")
        partial.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")
        partial.replace(target)
        return document


def resume(log: dict[str, Any]) -> TrainingRun:
    """A run to go on with from a checked log (:func:`load_log`): what it read is kept."""
    run = TrainingRun(trainer=log.get("trainer"), started=str(log.get("started") or _now()))
    for d in log["datasets"]:
        run.used[int(d["id"])] = Used(int(d["id"]), str(d.get("content")), d.get("manifest"), d.get("generation"),
                                      int(d.get("rows") or 0), int(d["weight"]), set(d.get("via") or ()))
    return run


def record_into(path: Path, dataset: int, content: str, *, manifest: str | None = None,
                generation: int | None = None, rows: int = 0, read: int = 0, via: str = "manual") -> dict[str, Any]:
    """Adds what was read of `dataset` to the training log at `path`, made when it does not exist
    (what `commons dataset get --run LOG` does, for trainers outside Python): once per way in, so
    getting a dataset again (a resumed download) does not count it twice. Returns the log."""
    run = resume(load_log(path.read_bytes(), str(path))) if path.exists() else TrainingRun()
    known = run.used.get(int(dataset))
    if known is not None and via in known.via:
        return run.document()
    run.record(dataset, content, manifest=manifest, generation=generation, rows=rows, read=read, via=via)
    return run.save(path)


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@contextmanager
def training_run(trainer: str | None = None) -> Iterator[TrainingRun]:
    """Records every dataset read through OpenCommons inside the block (see the module's doc)."""
    run = TrainingRun(trainer=trainer)
    token = _current.set(run)
    try:
        yield run
    finally:
        run.finished = _now()
        _current.reset(token)


def current() -> TrainingRun | None:
    """The training run in progress in this context, if any."""
    return _current.get()


def leaves(datasets: list[dict[str, Any]]) -> list[tuple[int, int]]:
    return [(int(d["id"]), int(d["weight"])) for d in datasets]


def root_of(datasets: list[dict[str, Any]]) -> bytes:
    from ..merkle import StandardTree

    return StandardTree.of(leaves(datasets), LEAF_TYPES).root


def load_log(data: bytes | str, where: str = "the training log") -> dict[str, Any]:
    """A log read back, checked: its schema, each dataset's id and positive weight, each listed
    once, the total, and the Merkle root recomputed from the weights."""
    try:
        log = json.loads(data)
    except ValueError as exc:
        raise TrainingLogError(f"{where} is not JSON ({exc})") from None
    if not isinstance(log, dict) or log.get("schema") != SCHEMA:
        raise TrainingLogError(f"{where} is not an OpenCommons training log (schema {SCHEMA})")
    datasets = log.get("datasets")
    if not isinstance(datasets, list) or not datasets:
        raise TrainingLogError(f"{where} lists no dataset")
    seen: set[int] = set()
    for d in datasets:
        try:
            ident, weight = int(d["id"]), int(d["weight"])
        except (TypeError, KeyError, ValueError):
            raise TrainingLogError(f"{where}: every dataset needs an id and a whole-number weight") from None
        if weight <= 0 or not 0 <= ident < 2**256:
            raise TrainingLogError(f"{where}: dataset {d.get('id')} has weight {weight}; weights must be positive")
        if ident in seen:
            raise TrainingLogError(f"{where}: dataset {ident} is listed twice")
        seen.add(ident)
    trainer = log.get("trainer")
    if trainer is not None and not (isinstance(trainer, str) and _is_address(trainer)):
        raise TrainingLogError(f"{where}: trainer {trainer!r} is not an account address (0x and 40 hex digits)")
    total = sum(int(d["weight"]) for d in datasets)
    if total >= 2**64:  # what the on-chain record holds: refused before anything is published
        raise TrainingLogError(f"{where}: the weights sum to {total}, more than a training record holds "
                               "(2^64 - 1)")
    if str(log.get("totalWeight")) != str(total):
        raise TrainingLogError(f"{where}: totalWeight {log.get('totalWeight')} is not the sum of the weights ({total})")
    root = "0x" + root_of(datasets).hex()
    if log.get("merkleRoot") != root:
        raise TrainingLogError(f"{where}: merkleRoot {log.get('merkleRoot')} is not the root of its weights ({root})")
    return log


def _is_address(text: str) -> bool:
    from web3 import Web3

    return bool(Web3.is_address(text))


def holder_of(log: dict[str, Any], registrant: str) -> str:
    """Who must hold the licences the datasets' terms require: the log's trainer, else whoever
    registers the model."""
    from web3 import Web3

    return str(Web3.to_checksum_address(str(log.get("trainer") or registrant)))


def check_licences(commons: Any, log: dict[str, Any], holder: str) -> None:
    """Every dataset of the log that its owner licenses on-chain (terms on sale) is licensed to
    `holder` (or owned by it) now: a model is registered only on data its trainer was allowed to
    use. Raises LicenceError naming every dataset missing a licence."""
    from ..errors import LicenceError

    missing = []
    for d in log["datasets"]:
        ident = int(d["id"])
        if not commons.licenses.functions.termsOf(ident).call()[2]:
            continue  # no licence sold: its SPDX licence and terms alone apply (check_log read them)
        if commons.licenses.functions.hasValidLicense(holder, ident).call():
            continue
        if str(commons.nft.functions.ownerOf(ident).call()).lower() == holder.lower():
            continue
        missing.append(ident)
    if missing:
        from ..present import short_id

        named = ", ".join(short_id(i) for i in missing[:5]) + (f" and {len(missing) - 5} more"
                                                              if len(missing) > 5 else "")
        raise LicenceError(f"the trainer {holder} holds no valid licence to {len(missing)} dataset(s) whose terms "
                           f"sell one: {named}; buy them first (`commons license buy {missing[0]}`); nothing "
                           "was published")


def check_log(commons: Any, source: Any, log: dict[str, Any], model_licence: str) -> list[Any]:
    """Every dataset of the log exists in this commons, is the content the log names, and allows
    a model under `model_licence` (its licence and terms, as `lineage.check` reads them for a
    model: a dataset whose terms forbid AI training refuses). Findings as `lineage.check` gives
    them; raises LineageError on the first refusal, naming the dataset and the term."""
    from ..errors import LineageError
    from ..licensing import documents, lineage

    findings: list[Any] = []
    child = lineage.Licensed("the model", model_licence, None)
    for d in log["datasets"]:
        ident = int(d["id"])
        if not commons.nft.functions.exists(ident).call():
            raise TrainingLogError(f"the training log names dataset {ident}, which does not exist in this commons")
        found = lineage.check(child, [documents.of_dataset(commons, source, ident).licensed()], "model")
        refused = lineage.refusal(found)
        if refused:
            raise LineageError(refused)
        findings += found
    return findings


def log_of_model(commons: Any, source: Any, model_id: int) -> dict[str, Any]:
    """The training log a model was published with (its manifest's `trainingRun`), checked, and
    checked against the record on-chain."""
    from ..ipfs.cid import Cid
    from ..ipfs.store import cat
    from ..queries import manifest_of
    from .download import read_manifest

    manifest = read_manifest(source, manifest_of(commons, model_id))
    named = manifest.get("trainingRun")
    if not named:
        raise TrainingLogError(f"dataset {model_id} was published without a training log (not a model registered "
                               "with --run)")
    log = load_log(b"".join(cat(source, Cid.parse(str(named)))), f"model {model_id}'s training log")
    if not matches_record(commons, model_id, log):
        root = record_of(commons, model_id)[1]
        raise TrainingLogError(f"model {model_id}'s training log does not match its record on-chain (root "
                               f"0x{bytes(root).hex()}...)")
    return log


def record_of(commons: Any, model_id: int) -> tuple[int, bytes, int]:
    """The training record of the model's current publication: (generation, the root's first 24
    bytes, total weight; 0 when it has none)."""
    generation = int(commons.nft.functions.generationOf(model_id).call())
    root, total = commons.vault.functions.trainingRecordOf(model_id, generation).call()
    return generation, bytes(root), int(total)


def matches_record(commons: Any, model_id: int, log: dict[str, Any]) -> bool:
    """Whether `log` is what model `model_id`'s record on-chain holds (its root's first 24 bytes,
    all the record keeps, and its total weight), or the model has no record."""
    _, root, total = record_of(commons, model_id)
    if not total:
        return True
    return bytes(root) == bytes.fromhex(str(log["merkleRoot"])[2:])[:24] and int(total) == int(log["totalWeight"])


def models(commons: Any) -> list[dict[str, Any]]:
    """The models of this commons with a training record: id, root, total weight, block."""
    logs = commons.vault.events.TrainingRecordSet().get_logs(from_block=commons.deployment.block)
    return latest_records((log["args"]["modelId"], log["args"]["generation"], bytes(log["args"]["root"]),
                           log["args"]["totalWeight"], log["blockNumber"]) for log in logs)


def latest_records(events: Iterable[tuple[Any, Any, bytes, Any, Any]]) -> list[dict[str, Any]]:
    """`models`' answer from TrainingRecordSet events in order, (model, generation, root, total
    weight, block) each: a model published again (a new generation) shows its latest record."""
    latest: dict[str, dict[str, Any]] = {}
    for model, generation, root, total, block in events:
        latest[str(model)] = {"model": str(model), "generation": int(generation), "root": "0x" + root.hex(),
                              "totalWeight": str(total), "block": int(block)}
    return list(latest.values())


def pulled(commons: Any, model_id: int, dataset_id: int | None = None) -> dict[str, int]:
    """What datasets pulled from a model's training pool so far, per token (one dataset's, or all)."""
    filters: dict[str, Any] = {"modelId": model_id}
    if dataset_id is not None:
        filters["datasetId"] = dataset_id
    out: dict[str, int] = {}
    for log in commons.vault.events.TrainingSharePulled().get_logs(from_block=commons.deployment.block,
                                                                    argument_filters=filters):
        token = str(log["args"]["token"])
        out[token] = out.get(token, 0) + int(log["args"]["amount"])
    return out


def models_of_dataset(commons: Any, source: Any, dataset_id: int, tokens: list[str],
                      with_proof: bool = False, records: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """The models trained on `dataset_id` (their training logs name it): its weight and share,
    what it pulled so far and what it can pull now, per token (and with `with_proof` the Merkle
    proof of its weight, for whoever sends the pull). A model whose log cannot be read here is
    listed with the reason. `records`: `models(commons)` as an index already read them."""
    out = []
    for record in models(commons) if records is None else records:
        model_id = int(record["model"])
        try:
            log = log_of_model(commons, source, model_id)
        except OpenCommonsError as exc:
            out.append({"model": record["model"], "unread": str(exc)})
            continue
        weight = next((int(d["weight"]) for d in log["datasets"] if int(d["id"]) == dataset_id), None)
        if weight is None:
            continue
        share, generation = commons.vault.functions.trainingShareOf, record["generation"]
        found = {"model": record["model"], "generation": generation, "weight": weight,
                 "totalWeight": int(log["totalWeight"]), "pulled": pulled(commons, model_id, dataset_id),
                 "pending": {t: int(share(model_id, generation, dataset_id, weight, t).call()) for t in tokens}}
        if with_proof:
            from ..merkle import StandardTree

            values = leaves(log["datasets"])
            tree = StandardTree.of(values, LEAF_TYPES)
            found["proof"] = ["0x" + p.hex() for p in tree.proof(values.index((dataset_id, weight)))]
        out.append(found)
    return out


def model_view(commons: Any, source: Any, model_id: int, tokens: list[str], limit: int = 50) -> dict[str, Any] | None:
    """A model's training record as pages show it: root, total, the `limit` heaviest datasets
    with their shares, its pool and what was pulled, per token. None for a dataset that is no
    model with a training log."""
    try:
        log = log_of_model(commons, source, model_id)
    except OpenCommonsError:  # no model, or its manifest or log is not at hand here
        return None
    generation, _, total = record_of(commons, model_id)
    ranked = sorted(log["datasets"], key=lambda d: (-int(d["weight"]), int(d["id"])))
    whole = int(log["totalWeight"])
    return {"root": log["merkleRoot"], "bound": int(total) != 0, "datasets": len(ranked),
            "heaviest": [{"id": str(d["id"]), "share": int(d["weight"]) / whole} for d in ranked[:limit]],
            "pool": {t: str(commons.vault.functions.trainingPoolOf(model_id, generation, t).call()[1])
                     for t in tokens},
            "pulled": {t: str(v) for t, v in pulled(commons, model_id).items()}}


def model_request(commons: Any, source: Any, store: Any, directory: Path, log: dict[str, Any], *, license: str,
                  commons_code: str, contributors: list[tuple[str, int]], registrant: str, ancestor_bps: int = 1000,
                  name: str | None = None, description: str = "", croissant: dict[str, Any] | None = None) -> Any:
    """The publication of a model trained as `log` says, after every check a registration makes
    before anything is written: each dataset exists and is the content the log names, its licence
    and terms allow a model under `license`, and the trainer holds every licence the terms sell.
    The reveal records the log's Merkle root and total weight on-chain in the same transaction
    (`DatasetNFT.publishModel`): the model's ancestor share then goes to every dataset of the log
    by weight, so it names no parents (its lineage is the log: its card lists every dataset with
    its share, and the log is pinned beside it as the manifest's `trainingRun`)."""
    from ..publish import PublishRequest
    from . import model_card

    if ancestor_bps <= 0:
        raise OpenCommonsError("the ancestors' share must be above 0 bps: it is what the training data's "
                               "contributors earn")
    check_log(commons, source, log, license)
    check_licences(commons, log, holder_of(log, registrant))
    weights = {str(d["id"]): int(d["weight"]) for d in log["datasets"]}
    datasets = model_card.trained_on(commons, store, [int(d["id"]) for d in log["datasets"]])
    title = name or directory.name
    card = model_card.render(title, description, license, datasets, weights)
    documents = (("modelCard", card), ("trainingRun", json.dumps(log, sort_keys=True, separators=(",", ":")).encode()))
    return PublishRequest(directory, license, commons_code, list(contributors), title, description, (), ancestor_bps,
                          model_card.SCHEMA, None, croissant, documents,
                          training=(bytes.fromhex(str(log["merkleRoot"])[2:]), int(log["totalWeight"])))


def register_model(commons: Any, who: Any, store: Any, source: Any, directory: Path, log: dict[str, Any],
                   **request: Any) -> Any:
    """Publishes a model from its training `log` (:func:`model_request` takes the rest) with its
    training record: one transaction, one write for the record whatever the number of datasets,
    after which each dataset pulls its share of what the model earns. A re-run resumes as any
    publication does. Returns the publication (`opencommons.publish.Published`)."""
    from ..publish import publish

    return publish(commons, who, store, model_request(commons, source, store, directory, log,
                                                      registrant=who.address, **request))
