"""A dataset's licence as the chain and IPFS state it: its SPDX expression (the dataset record),
the digest of the terms document its licences are sold under (LicenseManager's terms), and that
document, fetched by the CID the digest stands for and re-hashed before it is read."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from ..errors import OpenCommonsError
from . import odrl, spdx
from .lineage import Licensed


@dataclass(frozen=True)
class DatasetLicence:
    dataset_id: int
    expression: str
    #: the terms document's CID (None: licences carry no terms document)
    terms_cid: Any = None
    terms: odrl.Terms | None = None
    #: why the document could not be read (then `terms` is None)
    unread: str | None = None

    def licensed(self) -> Licensed:
        return Licensed(f"parent {self.dataset_id}", self.expression, self.terms)


def pin(store: Any, document: dict[str, Any]) -> tuple[bytes, Any]:
    """Pins a validated terms document as one raw block; returns (digest for the chain, CID)."""
    data = odrl.canonical(document)
    odrl.load(data)
    cid = store.add_bytes(data)
    digest = odrl.digest_of(data)
    if cid != odrl.cid_of_digest(digest):  # a store that chunked or wrapped it: the chain's digest would lie
        raise OpenCommonsError(f"the IPFS store gave the terms document the CID {cid}, not the raw block "
                               f"{odrl.cid_of_digest(digest)}")
    return digest, cid


def fetch(source: Any, digest: bytes, where: str) -> tuple[dict[str, Any], odrl.Terms]:
    """The terms document whose digest the chain holds, from `source`, checked."""
    cid = odrl.cid_of_digest(digest)
    try:
        data = source.get_block(cid)
    except Exception as exc:  # noqa: BLE001 - a missing block is reported, whatever the source's error
        raise odrl.TermsError(f"{where} {cid} could not be read ({exc}): fetch it from a gateway that has it "
                              "(--gateway URL) or ask the dataset's owner to pin it") from None
    if hashlib.sha256(data).digest() != bytes(digest):
        raise odrl.TermsError(f"{where} {cid} came back with other bytes than the chain's digest: refused")
    return odrl.load(data, f"{where} {cid}")


def of_dataset(commons: Any, source: Any, dataset_id: int, strict: bool = False) -> DatasetLicence:
    """The licence of `dataset_id`; with `strict`, a terms document that cannot be read raises."""
    expression, _, digest = _chain_facts(commons, dataset_id)
    return _licence(source, dataset_id, expression, digest, strict)


def _chain_facts(commons: Any, dataset_id: int) -> tuple[str, list[int], bytes]:
    """The dataset's SPDX expression, parents and terms' digest, from the chain."""
    record = commons.nft.functions.dataset(dataset_id).call()
    digest = bytes(commons.licenses.functions.termsOf(dataset_id).call()[4])
    return str(record[4]), [int(p) for p in record[14]], digest


def _licence(source: Any, dataset_id: int, expression: str, digest: bytes, strict: bool = False) -> DatasetLicence:
    """`of_dataset` from the dataset's SPDX expression and its terms' digest, as read."""
    if digest == bytes(32):
        return DatasetLicence(dataset_id, expression)
    cid = odrl.cid_of_digest(digest)
    try:
        _, terms = fetch(source, digest, f"dataset {dataset_id}'s terms document")
    except odrl.TermsError as exc:
        if strict:
            raise
        return DatasetLicence(dataset_id, expression, cid, None, str(exc))
    return DatasetLicence(dataset_id, expression, cid, terms)


def bind(commons: Any, dataset_id: int, terms: odrl.Terms) -> odrl.Terms:
    """`terms` as an Offer for `dataset_id`: its target the dataset's link, its assigner the owner."""
    from dataclasses import replace

    from ..references import link_of

    owner = commons.nft.functions.ownerOf(dataset_id).call()
    return replace(terms, target=str(link_of(commons, dataset_id)),
                   assigner=f"did:pkh:eip155:{commons.deployment.chain_id}:{owner}")


def check_offer(commons: Any, source: Any, dataset_id: int, terms: odrl.Terms) -> list[Any]:
    """What offering `terms` for `dataset_id` means along its lineage (its parents' licences and
    terms must allow them) and beside its own SPDX licence (terms cannot take back what the
    licence already grants everyone). Findings as `lineage.check` gives them, plus notes."""
    from . import lineage

    own = of_dataset(commons, source, dataset_id)
    parents = [int(p) for p in commons.nft.functions.dataset(dataset_id).call()[14]]
    child = Licensed(f"dataset {dataset_id}", own.expression, terms)
    findings: list[Any] = []
    for parent in parents:
        licence = of_dataset(commons, source, parent)
        findings += lineage.check(child, [licence.licensed()], "derived")
    granted = {alt_use for alt in spdx.alternatives(own.expression)
               for alt_use, allowed in (lineage.view_of(alt).permits or {}).items() if allowed}
    taken = [odrl.USE_WORDS[u] for u in ("commercial", "derivatives", "redistribution", "ai_training")
             if u in granted and not terms.permits(u)]
    if taken:
        findings.append(lineage.Finding("note", f"dataset {dataset_id}", f"its licence {own.expression} already "
                                        f"permits {odrl.join_words(taken)} to everyone: these terms bind buyers of a "
                                        "licence, not those who take the data under its public licence"))
    return findings


class LicenceWarning(UserWarning):
    """Loading data for a use its licence or terms do not permit."""


def training_refusal(expression: str, terms: odrl.Terms | None = None, terms_cid: Any = None) -> str | None:
    """Why training AI models on data under `expression` (and its terms document) is not
    permitted, or None when it is (or the licence is not in the rules table)."""
    from . import lineage

    if terms is not None and not terms.ai_training:
        return f"its terms document ({terms.title}{f', {terms_cid}' if terms_cid else ''}) forbids training AI models"
    views = [v for v in (lineage.view_of(a) for a in spdx.alternatives(expression)) if v.permits is not None]
    if views and not any(v.permits["ai_training"] and v.permits["derivatives"] for v in views):  # type: ignore[index]
        return f"its licence {expression} permits no derivatives or AI training"
    return None


def published_terms(commons: Any, source: Any, dataset_id: int) -> tuple[dict[str, Any], odrl.Terms, Any] | None:
    """The terms document the dataset was published with (its manifest's `terms`), checked;
    None when it names none. Raises OpenCommonsError when the manifest cannot be read."""
    from ..ipfs.cid import Cid
    from ..ipfs.store import read_document

    record = commons.nft.functions.dataset(dataset_id).call()
    manifest = read_document(source, Cid.from_chain(record[3], bytes(record[2])), "manifest")
    named = manifest.get("terms") if isinstance(manifest, dict) else None
    if not named:
        return None
    cid = Cid.parse(str(named))
    if cid.codec != odrl.CODEC_RAW or cid.version != 1:
        raise odrl.TermsError(f"the manifest names the terms document {cid}, which is not a raw block: refused")
    document, terms = fetch(source, cid.digest, "the terms document published with the dataset")
    return document, terms, cid


def _facts(commons: Any, reader: Any, dataset_id: int) -> tuple[str, list[int], bytes] | None:
    """The dataset's SPDX expression, parents and terms' digest, from `reader` (the index's
    `dataset_views` and `licence_offers`) or, without one, the chain; None when it does not exist."""
    if reader is None:
        return _chain_facts(commons, dataset_id) if commons.nft.functions.exists(dataset_id).call() else None
    views = reader.dataset_views([dataset_id])
    if not views:
        return None
    offer = reader.licence_offers([dataset_id])[str(dataset_id)]
    return str(views[0]["license"]), [int(p) for p in views[0]["parents"]], bytes.fromhex(offer["terms"][2:])


def chain_of(commons: Any, source: Any, dataset_id: int, limit: int = 32, reader: Any = None) -> list[dict[str, Any]]:
    """The dataset's licence and every ancestor's (breadth first, each once, at most `limit`):
    id, SPDX expression and its pages, the terms document and what it permits (summary lines).
    Read from `reader` (a synced index's `IndexReader`) when given, else from the chain."""
    from ..ml.croissant import licence_urls

    out: list[dict[str, Any]] = []
    queue, seen = [dataset_id], {dataset_id}
    while queue and len(out) < limit:
        current = queue.pop(0)
        facts = _facts(commons, reader, current)
        if facts is None:
            continue
        expression, parents, digest = facts
        licence = _licence(source, current, expression, digest)
        out.append({"id": str(current), "licence": licence.expression, "licenceUrls": licence_urls(licence.expression),
                    "termsDocument": str(licence.terms_cid) if licence.terms_cid else None,
                    "terms": odrl.summary(licence.terms) if licence.terms else None,
                    "text": licence.terms.text if licence.terms else None, "unread": licence.unread})
        for parent in parents:
            if parent not in seen:
                seen.add(parent)
                queue.append(parent)
    return out
