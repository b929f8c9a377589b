"""The three lines an ML engineer writes:

    import opencommons
    train = opencommons.load_dataset("4242...", split="train")        # a datasets.Dataset
    frame = opencommons.to_pandas("4242...", record_set="penguins")   # a pandas.DataFrame

A dataset is named by its id, its content CID or its manifest CID; it is fetched once into
``$OPENCOMMONS_HOME/datasets``, every block and file verified against the chain and the manifest,
and read from there. Connection options are those of the `commons` command line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .download import parse_reference, resolve_reference
from .tables import LocalCopy, choose, hf_dataset, read_pandas, verified_copy


def open_local(reference: str | int, *, rpc: str | None = None, deployments: str | Path = "deployments",
               store: str = "embedded", home: str | Path | None = None, api: str | None = None,
               gateway: str | None = None, chain: bool = True, cache: str | Path | None = None) -> LocalCopy:
    """The dataset's verified local copy (downloaded or resumed when needed)."""
    from ..connection import connect, load_deployment
    from ..ipfs.content import open_store
    from ..ipfs.gateway import GatewaySource

    source: Any = GatewaySource(gateway) if gateway else open_store(store, Path(home) if home else None, api)
    commons = load_deployment(connect(rpc), Path(deployments)) if chain else None
    target = parse_reference(str(reference))
    return verified_copy(source, resolve_reference(target, commons, source), Path(cache) if cache else None)


def load_dataset(reference: str | int, split: str | None = None, *, record_set: str | None = None,
                 **where: Any) -> Any:
    """A Hugging Face `datasets.Dataset` of one record set (or of all, when they share a format);
    `split` as `datasets` takes it ("train", "train[:80%]"...)."""
    return hf_dataset(open_local(reference, **where), record_set, split)


def to_pandas(reference: str | int, record_set: str | None = None, **where: Any) -> Any:
    """A pandas DataFrame of one record set."""
    return read_pandas(choose(open_local(reference, **where), record_set)[0])
