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
from .tables import LocalCopy, choose, hf_dataset, private_copy, read_pandas, verified_copy


def open_local(reference: str | int, *, rpc: str | None = None, deployments: str | Path = "deployments",
               store: str = "embedded", home: str | Path | None = None, api: str | None = None,
               gateway: str | None = None, chain: bool = True, cache: str | Path | None = None,
               commons: str | None = None, account: Any = None, private_gateway: str | None = None) -> LocalCopy:
    """The dataset's verified local copy (downloaded or resumed when needed); a private dataset's
    plaintext through its gateway, for `account` (a licensee: keystore file, unlocked account's
    index or address, or a Sender)."""
    from ..connection import open_commons, sender
    from ..references import DatasetLink, commons_for_link, content_source
    from .download import read_manifest

    target = parse_reference(str(reference))
    link = target if isinstance(target, DatasetLink) else None
    if link is not None:  # a link names its commons: that one, wherever this runs
        opened = commons_for_link(link, rpc, Path(deployments))
        target = link.dataset_id
    else:
        opened = open_commons(rpc, Path(deployments), commons) if chain else None
    source = content_source(opened, store, Path(home) if home else None, api, gateway, link)
    resolved = resolve_reference(target, opened, source)
    manifest = read_manifest(source, resolved.manifest)
    root = Path(cache) if cache else None
    if isinstance(manifest.get("private"), dict):
        signer = None
        if account is not None and opened is not None:
            signer = account if hasattr(account, "address") else sender(opened.w3, str(account))
        return private_copy(opened, resolved, manifest, signer, private_gateway, root)
    return verified_copy(source, resolved, root)


def load_dataset(reference: str | int, split: str | None = None, *, record_set: str | None = None,
                 **where: Any) -> Any:
    """A Hugging Face `datasets.Dataset` of one record set (or of all, when they share a format);
    `split` as `datasets` takes it ("train", "train[:80%]"...)."""
    return hf_dataset(open_local(reference, **where), record_set, split)


def to_pandas(reference: str | int, record_set: str | None = None, **where: Any) -> Any:
    """A pandas DataFrame of one record set."""
    return read_pandas(choose(open_local(reference, **where), record_set)[0])
