"""The Python SDK: every role of a commons from a notebook or a script, as the command line does it.

    from opencommons import Client
    client = Client(account="me.json")                       # the default joined commons
    client.register("Amina", "KE/education")
    published = client.publish(frame, name="rivers", license="CC-BY-4.0")   # a DataFrame
    client.buy_licence(4242...)
    client.claim([published.dataset_id])

A client acts on one commons: `commons` names one joined on this machine (or launched in
`deployments`), else the default one (see :func:`opencommons.connection.open_commons`). The
account is a keystore file (its password from ``OPENCOMMONS_KEYSTORE_PASSWORD``) or, on a local
chain, an unlocked account's index or address. Every method refuses in one line before sending
anything that would revert or do nothing; the pipelines are the library's (:mod:`opencommons.actions`,
:mod:`opencommons.publish`).
"""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from . import actions
from .errors import OpenCommonsError
from .publish import Published, PublishRequest

ETH = actions.NATIVE


class Client:
    """One account acting on one commons."""

    def __init__(self, commons: str | None = None, *, account: str | None = None, rpc: str | None = None,
                 deployments: str | Path = "deployments", store: str = "embedded", home: str | Path | None = None,
                 api: str | None = None, gateway: str | None = None) -> None:
        from .connection import open_commons, sender
        from .ipfs.content import open_store

        self.commons = open_commons(rpc, Path(deployments), commons)
        self.sender = sender(self.commons.w3, account)
        self.store = open_store(store, Path(home) if home else None, api)
        self._where = {"rpc": rpc, "deployments": deployments, "store": store, "home": home, "api": api,
                       "gateway": gateway}
        self._commons_name = commons

    @property
    def address(self) -> str:
        """The account this client signs with."""
        return self.sender.address

    # ------------------------------------------------------------------ contributors
    def register(self, name: str, community: str) -> Any:
        """Registers this account with a profile (pinned to the store) in `community`."""
        return actions.register(self.commons, self.sender, self.store, name, community)[0]

    def publish(self, data: Any, *, license: str, name: str | None = None, commons: str | None = None,
                contributors: dict[str, int] | None = None, description: str = "", parents: tuple[int, ...] = (),
                ancestor_bps: int = 0, private_gateways: list[str] | None = None,
                content_gateway: str | None = None, names: dict[str, str] | None = None,
                descriptions: dict[str, str] | None = None) -> Published:
        """Publishes `data`: a folder, a pandas DataFrame or a `datasets.Dataset` (written as one
        Parquet file, described by the Croissant the pipeline generates). `contributors` maps
        accounts to basis points (default: this account, 10,000); `commons` is the dataset's
        commons code (default: the code the commons was launched under). With
        `private_gateways` it is published encrypted, its key held by those gateways.
        `content_gateway`, an HTTP gateway that serves the content at /ipfs/CID, is where the
        Croissant's contentUrls point (default: `ipfs://CID`). `names` and `descriptions` give
        them in other languages (language tag -> text, e.g. {"sw": "Mito ya Kenya"})."""
        from .publish import publish
        from .private.publish import private_request, register_keys

        shares = [(a, int(b)) for a, b in (contributors or {self.address: 10_000}).items()]
        with _as_folder(data, name) as (folder, default_name):
            request = PublishRequest(folder, license, commons or self._dataset_commons(), shares,
                                     name or default_name, description, tuple(parents), ancestor_bps,
                                     content_gateway=content_gateway, names=tuple((names or {}).items()),
                                     descriptions=tuple((descriptions or {}).items()))
            if private_gateways:
                request = private_request(request, private_gateways)
            result = publish(self.commons, self.sender, self.store, request)
        if private_gateways:  # published either way; a gateway that could not keep the key is noted
            problems = tuple(register_keys(private_gateways, result.dataset_id))
            result = dataclasses.replace(result, notes=result.notes + problems)
        return result

    def register_model(self, directory: str | Path, run: Any, *, license: str, commons: str | None = None,
                       contributors: dict[str, int] | None = None, ancestor_bps: int = 1000, name: str | None = None,
                       description: str = "") -> Any:
        """Publishes the model in `directory` trained as `run` says (a `training_run`, its saved
        log's path, or the log itself) and binds the log on-chain, so every dataset it read is
        paid by weight from what the model earns. Refused before anything is written when a
        dataset's licence or terms forbid it or the trainer lacks a licence they sell. Returns the
        publication (its `dataset_id` is the model's)."""
        from .ml import training

        if isinstance(run, training.TrainingRun):
            log = training.load_log(json.dumps(run.document()), "the training run")
        elif isinstance(run, dict):
            log = training.load_log(json.dumps(run), "the training log")
        else:
            path = Path(run)
            if not path.is_file():
                raise OpenCommonsError(f"no such training log: {path}")
            log = training.load_log(path.read_bytes(), str(path))
        source = self._source()
        shares = [(a, int(b)) for a, b in (contributors or {self.address: 10_000}).items()]
        return training.register_model(self.commons, self.sender, self.store, source, Path(directory), log,
                                       license=license, commons_code=commons or self._dataset_commons(),
                                       contributors=shares, ancestor_bps=ancestor_bps, name=name,
                                       description=description)

    def offer_licence(self, dataset: int | str, price: int, *, days: int = 0, token: str = ETH,
                      terms: str | dict[str, Any] | None = None, **preset: Any) -> Any:
        """Offers licences to a dataset this account owns: `price` in wei (or the token's units),
        for `days` (0: perpetual), under `terms`: a preset's name (its options, such as
        attribution="...", as keywords), an ODRL terms document, or None for the document the
        dataset was published with (if any). Returns `actions.Offered` (the terms and their CID)."""
        from .licensing import documents, odrl
        from .queries import parse_dataset_id

        dataset_id = parse_dataset_id(str(dataset))
        document = terms if isinstance(terms, dict) or terms is None else \
            odrl.to_document(documents.bind(self.commons, dataset_id, odrl.preset(terms, **preset)))
        source = self._source()
        return actions.offer_under_terms(self.commons, self.sender, self.store, source, dataset_id, price,
                                         days * 86_400, token, document)

    # ------------------------------------------------------------------ consumers
    def buy_licence(self, dataset: int | str, max_price: int | None = None) -> Any:
        """Buys a licence to `dataset` at its current terms (never above `max_price`, in wei or
        the terms token's units)."""
        from .queries import parse_dataset_id

        return actions.buy_licence(self.commons, self.sender, parse_dataset_id(str(dataset)), max_price)[0]

    def pay(self, dataset: int | str, amount: int, token: str = ETH) -> Any:
        """Pays `amount` (wei, or units of the ERC-20 `token`) to a dataset's contributors."""
        from .queries import parse_dataset_id

        return actions.pay(self.commons, self.sender, parse_dataset_id(str(dataset)), amount, token)

    def load_dataset(self, dataset: int | str, split: str | None = None, record_set: str | None = None) -> Any:
        """A `datasets.Dataset` of one record set, fetched, verified and read as
        :func:`opencommons.load_dataset` does; a private dataset through its gateway, with this
        account's licence."""
        from .ml.api import load_dataset

        return load_dataset(dataset, split, record_set=record_set, **self._load_options())

    def to_pandas(self, dataset: int | str, record_set: str | None = None) -> Any:
        """A pandas DataFrame of one record set, as :func:`opencommons.to_pandas` reads it."""
        from .ml.api import to_pandas

        return to_pandas(dataset, record_set, **self._load_options())

    # ------------------------------------------------------------------ contributors' money, governance
    def claim(self, datasets: list[int | str], tokens: list[str] | None = None) -> dict[str, int]:
        """Claims everything owed to this account from `datasets`: token -> amount claimed."""
        from .queries import parse_dataset_id

        ids = [parse_dataset_id(str(d)) for d in datasets]
        return actions.claim(self.commons, self.sender, ids, tokens or [ETH]).amounts

    def vote(self, proposal: int, support: str) -> Any:
        """Votes for, against or abstain on an active proposal."""
        return actions.vote(self.commons, self.sender, int(proposal), support)

    # ------------------------------------------------------------------ private
    def _dataset_commons(self) -> str:
        code = self.commons.deployment.code
        if not code:
            raise OpenCommonsError("name the dataset's commons code: publish(..., commons='KE/education') (this "
                                   "commons was not launched under a code)")
        return code

    def _source(self) -> Any:
        """Where this client reads content: its store, then the network it was given."""
        from .references import content_source

        home, api, gateway = self._where["home"], self._where["api"], self._where["gateway"]
        return content_source(self.commons, str(self._where["store"]), Path(home) if home else None,
                              str(api) if api else None, str(gateway) if gateway else None)

    def _load_options(self) -> dict[str, Any]:
        options: dict[str, Any] = {k: v for k, v in self._where.items() if v is not None}
        if self._commons_name:
            options["commons"] = self._commons_name
        options["account"] = self.sender
        return options


_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


@contextmanager
def _as_folder(data: Any, name: str | None) -> Iterator[tuple[Path, str]]:
    """`data` as a folder to publish, and the name it suggests: a folder as it is; a DataFrame or
    a `datasets.Dataset` written as `<name>.parquet` into a temporary folder."""
    if isinstance(data, (str, Path)):
        folder = Path(data)
        if not folder.is_dir():
            raise OpenCommonsError(f"no such directory: {folder} (publish a folder, a DataFrame or a datasets.Dataset)")
        yield folder, folder.name
        return
    stem = _SAFE.sub("-", name or "data").strip("-.") or "data"
    writer = _parquet_writer(data)
    staging = Path(tempfile.mkdtemp(prefix="opencommons-publish-"))
    try:
        writer(staging / f"{stem}.parquet")
        yield staging, stem
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _parquet_writer(data: Any) -> Any:
    kind = f"{type(data).__module__}.{type(data).__name__}"
    if kind.startswith("pandas.") and type(data).__name__ == "DataFrame":
        return lambda path: data.to_parquet(path, index=False)
    if kind.startswith("datasets.") and type(data).__name__ == "Dataset":
        return lambda path: data.to_parquet(str(path))
    raise OpenCommonsError(f"cannot publish a {kind}: give a folder, a pandas DataFrame or a datasets.Dataset")
