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
    from ..connection import commons_for_link, open_commons, sender
    from ..references import DatasetLink, content_source
    from .download import read_manifest

    target = parse_reference(str(reference))
    link = target if isinstance(target, DatasetLink) else None
    opened: Any
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
        copy = private_copy(opened, resolved, manifest, signer, private_gateway, root)
    else:
        copy = verified_copy(source, resolved, root)
    from dataclasses import replace

    from ..licensing.documents import DatasetLicence, of_dataset

    licence = of_dataset(opened, source, resolved.dataset_id) if opened is not None and \
        resolved.dataset_id is not None else DatasetLicence(-1, str(manifest.get("license")))
    return replace(copy, licence=licence)


def check_use(copy: LocalCopy, purpose: str | None, strict: bool | None = None) -> None:
    """Warns (LicenceWarning) when `purpose` is "training" and the dataset's licence or terms
    forbid training AI models; refuses (LicenceError) instead when `strict` is true, or when
    $OPENCOMMONS_STRICT_LICENCES is 1 and `strict` is not given."""
    import os
    import warnings

    from ..errors import LicenceError
    from ..licensing.documents import LicenceWarning, training_refusal

    if purpose != "training" or copy.licence is None:
        return
    reason = training_refusal(copy.licence.expression, copy.licence.terms, copy.licence.terms_cid)
    if reason is None:
        return
    named = f"dataset {copy.licence.dataset_id}" if copy.licence.dataset_id >= 0 else "this dataset"
    if strict if strict is not None else os.environ.get("OPENCOMMONS_STRICT_LICENCES") == "1":
        raise LicenceError(f"{named}: {reason}; refused to load it for training (strict licences)")
    warnings.warn(f"{named}: {reason}; training a model on it may breach its licence (pass purpose='analysis' "
                  "if you are not training, strict=True to refuse)", LicenceWarning, stacklevel=3)


def load_dataset(reference: str | int, split: str | None = None, *, record_set: str | None = None,
                 purpose: str | None = "training", strict: bool | None = None, **where: Any) -> Any:
    """A Hugging Face `datasets.Dataset` of one record set (or of all, when they share a format);
    `split` as `datasets` takes it ("train", "train[:80%]"...). Loaded for `purpose` "training"
    by default: a dataset whose licence or terms forbid training AI models warns (refuses with
    `strict=True` or $OPENCOMMONS_STRICT_LICENCES=1); pass purpose="analysis" otherwise."""
    copy = open_local(reference, **where)
    check_use(copy, purpose, strict)
    return hf_dataset(copy, record_set, split)


def to_pandas(reference: str | int, record_set: str | None = None, *, purpose: str | None = None,
              strict: bool | None = None, **where: Any) -> Any:
    """A pandas DataFrame of one record set (purpose and strict as `load_dataset` takes them)."""
    copy = open_local(reference, **where)
    check_use(copy, purpose, strict)
    return read_pandas(choose(copy, record_set)[0])
