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
from .tables import (LocalCopy, choose, hf_dataset, offline_copy, private_copy, read_pandas,
                     remember_verified, verified_copy)


def _resolve(reference: str | int, rpc: str | None, deployments: str | Path, store: str, home: str | Path | None,
             api: str | None, gateway: str | None, chain: bool, commons: str | None) -> tuple[Any, Any, Any, Any]:
    """(commons or None, content source, what the reference resolves to, its manifest)."""
    from ..connection import commons_for_link, open_commons
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
    if opened is not None:
        import warnings

        from ..rights import notices

        for line in notices(opened, resolved.dataset_id):  # withdrawn contributions, a dispute under way
            warnings.warn(line, UserWarning, stacklevel=3)
    return opened, source, resolved, read_manifest(source, resolved.manifest)


def open_local(reference: str | int, *, rpc: str | None = None, deployments: str | Path = "deployments",
               store: str = "embedded", home: str | Path | None = None, api: str | None = None,
               gateway: str | None = None, chain: bool = True, cache: str | Path | None = None,
               commons: str | None = None, account: Any = None, private_gateway: str | None = None) -> LocalCopy:
    """The dataset's verified local copy (downloaded or resumed when needed); a private dataset's
    plaintext through its gateway, for `account` (a licensee: keystore file, unlocked account's
    index or address, or a Sender)."""
    from ..connection import sender
    from ..errors import ChainError

    root = Path(cache) if cache else None
    try:
        opened, source, resolved, manifest = _resolve(reference, rpc, deployments, store, home, api, gateway, chain,
                                                      commons)
    except ChainError as exc:  # the chain is down: a copy verified against it before still loads, said so
        return _offline(reference, exc, root)
    if isinstance(manifest.get("private"), dict):
        signer = None
        if account is not None and opened is not None:
            signer = account if hasattr(account, "address") else sender(opened.w3, str(account))
        copy = private_copy(opened, resolved, manifest, signer, private_gateway, root)
    else:
        copy = verified_copy(source, resolved, root)
        if opened is not None:
            remember_verified(source, resolved, copy, root)
    from dataclasses import replace

    from ..licensing.documents import DatasetLicence, of_dataset

    licence = of_dataset(opened, source, resolved.dataset_id) if opened is not None and \
        resolved.dataset_id is not None else DatasetLicence(-1, str(manifest.get("license")))
    from .training import current

    generation = None
    if current() is not None and opened is not None and resolved.dataset_id is not None:
        generation = int(opened.nft.functions.generationOf(resolved.dataset_id).call())
    from .download import licence_note

    holder = None  # whose licence to check: an address, a Sender, or an unlocked account's index (no prompt)
    if account is not None and opened is not None:
        if hasattr(account, "address"):
            holder = account.address
        elif str(account).isdigit() or str(account).startswith("0x"):
            holder = sender(opened.w3, str(account)).address
    note = tuple(licence_note(opened, resolved, manifest, holder, source))
    return replace(copy, licence=licence, generation=generation, licence_note=note)


def _record_use(copy: LocalCopy, chosen: list[Any], rows: int, via: str) -> None:
    """Counts what was loaded into the training run in progress, if any (see `training_run`)."""
    from ..ipfs.cid import Cid
    from .training import current

    run = current()
    if run is None:
        return
    content = str(copy.manifest.get("content"))
    read = sum(c.path.stat().st_size for c in chosen)
    run.record(int.from_bytes(Cid.parse(content).digest, "big"), content, manifest=copy.directory.name,
               generation=copy.generation, rows=rows, read=read, via=via)


def _offline(reference: str | int, exc: Exception, root: Path | None) -> LocalCopy:
    """The copy verified against the chain before, when the chain cannot be reached now (warned)."""
    import warnings

    from ..errors import ChainError
    from ..references import DatasetLink

    target = parse_reference(str(reference))
    dataset_id = target.dataset_id if isinstance(target, DatasetLink) else target
    copy = offline_copy(dataset_id, root) if isinstance(dataset_id, int) else None
    if copy is None:
        raise ChainError(f"{exc}: no copy of this dataset was verified here before, so it cannot be loaded without "
                         "the chain (start the chain, or pass rpc= to one that is up)") from None
    warnings.warn(f"{exc}: loading the copy of dataset {dataset_id} verified against the chain before (manifest "
                  f"{copy.directory.name}, every file checked again); its curation status and licence terms were not "
                  "read again", stacklevel=4)
    return copy


def licence(reference: str | int, *, account: str | None = None, rpc: str | None = None,
            deployments: str | Path = "deployments", store: str = "embedded", home: str | Path | None = None,
            api: str | None = None, gateway: str | None = None, commons: str | None = None) -> list[str]:
    """What licence applies to a dataset, as `commons dataset get` says it, without downloading
    it: its SPDX licence, the licence sold on-chain and what its terms document permits, and
    whether `account` (an address) holds a valid licence."""
    from .download import licence_note

    opened, source, resolved, manifest = _resolve(reference, rpc, deployments, store, home, api, gateway, True,
                                                  commons)
    return licence_note(opened, resolved, manifest, account, source)


def check_use(copy: LocalCopy, purpose: str | None, strict: bool | None = None) -> None:
    """:func:`check_purpose` for a local copy's licence."""
    if copy.licence is not None:
        check_purpose(copy.licence, purpose, strict, stacklevel=4)


def check_purpose(licence: Any, purpose: str | None, strict: bool | None = None, stacklevel: int = 3) -> None:
    """Warns (LicenceWarning) when `purpose` is "training" and `licence` (a DatasetLicence: its
    SPDX expression and terms) forbids training AI models; refuses (LicenceError) instead when
    `strict` is true, or when $OPENCOMMONS_STRICT_LICENCES is 1 and `strict` is not given."""
    import os
    import warnings

    from ..errors import LicenceError
    from ..licensing.documents import LicenceWarning, training_refusal

    if purpose != "training":
        return
    reason = training_refusal(licence.expression, licence.terms, licence.terms_cid)
    if reason is None:
        return
    named = f"dataset {licence.dataset_id}" if licence.dataset_id >= 0 else "this dataset"
    if strict if strict is not None else os.environ.get("OPENCOMMONS_STRICT_LICENCES") == "1":
        raise LicenceError(f"{named}: {reason}; refused to load it for training (strict licences)")
    warnings.warn(f"{named}: {reason}; training a model on it may breach its licence (pass purpose='analysis' "
                  "if you are not training, strict=True to refuse)", LicenceWarning, stacklevel=stacklevel)


def load_dataset(reference: str | int, split: str | None = None, *, record_set: str | None = None,
                 purpose: str | None = "training", strict: bool | None = None, **where: Any) -> Any:
    """A Hugging Face `datasets.Dataset` of one record set (or of all, when they share a format);
    `split` as `datasets` takes it ("train", "train[:80%]"...). Loaded for `purpose` "training"
    by default: a dataset whose licence or terms forbid training AI models warns (refuses with
    `strict=True` or $OPENCOMMONS_STRICT_LICENCES=1); pass purpose="analysis" otherwise."""
    copy = open_local(reference, **where)
    check_use(copy, purpose, strict)
    loaded = hf_dataset(copy, record_set, split)
    if copy.licence is not None:  # the dataset says its licence, as every `datasets` dataset may
        loaded.info.license = copy.licence.expression
    if copy.licence_note:  # and what it permits, and whether `account` holds a licence
        loaded.info.description = "\n".join(filter(None, [loaded.info.description, *copy.licence_note]))
    _record_use(copy, choose(copy, record_set), len(loaded), "load_dataset")
    return loaded


def to_pandas(reference: str | int, record_set: str | None = None, *, purpose: str | None = None,
              strict: bool | None = None, **where: Any) -> Any:
    """A pandas DataFrame of one record set (purpose and strict as `load_dataset` takes them)."""
    copy = open_local(reference, **where)
    check_use(copy, purpose, strict)
    chosen = choose(copy, record_set)
    frame = read_pandas(chosen[0])
    _record_use(copy, chosen[:1], len(frame), "to_pandas")
    if copy.licence is not None:
        frame.attrs["licence"] = copy.licence.expression
        if copy.licence.terms_cid is not None:
            frame.attrs["termsDocument"] = str(copy.licence.terms_cid)
    if copy.licence_note:
        frame.attrs["licenceNote"] = list(copy.licence_note)
    return frame
