"""Publishing a dataset, resumable and exactly-once.

scan the directory -> manifest JSON -> commit to the publication on-chain (a hash of the
parameters, the publisher and a secret salt) -> add content and manifest to the IPFS store and pin
both -> once the commitment is old enough, reveal it: mint the dataset NFT with both CIDs -> wait
for the receipt -> read the record back and verify it. A store that announces what it holds (a
Kubo node providing to the DHT) is pinned only after the mint, so nobody learns the CID before its
id is taken. Every step is journaled before and after; running the same publish again after a
crash at any point finishes the job. The token id is the content digest, so a second NFT for the
same content is impossible on-chain too.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from hexbytes import HexBytes
from web3 import Web3
from web3.exceptions import TransactionNotFound

from .chain.batch import call_all, estimate_all, receipts, refuse_reverted
from .chain.reveal import await_reveal, commitment_of, reveal_fn, send_commit
from .chain.transactions import FeeQuote, Sender, send, wait
from .errors import CidMismatchError, OpenCommonsError, PublishError
from .ipfs.cid import Cid
from .ipfs.content import ContentStore
from .ipfs.importer import Importer
from .journal import Journal, default_dir, exclusive, fault_point, key_of
from .suite import Commons

BPS = 10_000



class NotRegisteredError(PublishError):
    """A publisher or contributor that is not a registered contributor (each front end says how
    to register: the command line names its command, the dApp its button)."""

    def __init__(self, account: str, how: str = "run `commons contributor register` from that account first") -> None:
        super().__init__(f"{account} is not a registered contributor: {how}")
        self.account = account

@dataclass(frozen=True)
class PublishRequest:
    directory: Path
    license: str
    commons: str
    contributors: list[tuple[str, int]]
    name: str
    description: str = ""
    parents: tuple[int, ...] = ()
    ancestor_bps: int = 0
    schema: str | None = None
    previous: int | None = None
    #: a hand-written Croissant document (validated) to publish instead of the generated one
    croissant: dict[str, Any] | None = None
    #: more JSON documents pinned beside the manifest, which names each by its CID under its key
    #: (a model's card under "modelCard")
    documents: tuple[tuple[str, bytes], ...] = ()
    #: a private dataset's public metadata and wrapped keys (the folder then holds ciphertext)
    private: dict[str, Any] | None = None
    #: publish what symbolic links point to instead of the links (Kubo's --dereference-symlinks)
    dereference: bool = False
    #: the encoding of CSV files that are not UTF-8 (recorded in the manifest and the Croissant)
    encoding: str | None = None
    #: an HTTP gateway serving the content at /ipfs/CID: the Croissant's contentUrls point there
    content_gateway: str | None = None
    #: a new version's number and the name of the dataset it succeeds (the Croissant's version and text)
    version: int | None = None
    succeeds: str | None = None
    #: the licence terms document (ODRL, JSON-LD) published beside the data: the manifest names it,
    #: the Croissant's usageInfo points at it, and `license offer` sells licences under it by default
    terms: dict[str, Any] | None = None
    #: a model's training record, (Merkle root, total weight): the reveal records it on-chain in
    #: the same transaction (`DatasetNFT.publishModel`), so the ancestor share reaches every
    #: dataset of the training log by weight (see :mod:`opencommons.ml.training`)
    training: tuple[bytes, int] | None = None
    #: the name and description in other languages, (language code, text) pairs: language-tagged in
    #: the manifest (`names`, `descriptions`) and the Croissant (`alternateName`, `description`)
    names: tuple[tuple[str, str], ...] = ()
    descriptions: tuple[tuple[str, str], ...] = ()
    #: which files each contributor supplied, (account, path or glob pattern) pairs: the manifest
    #: lists each one's files, so a contributor who withdraws takes its files out of the reissue
    supplied: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Scanned:
    """What a publication's files hash to: the content CID, the manifest (and its bytes and CID)
    and the documents the manifest points at (Croissant first), each as (CID, bytes)."""

    content: Cid
    manifest_bytes: bytes
    manifest_cid: Cid
    manifest: dict[str, Any]
    documents: tuple[tuple[Cid, bytes], ...] = ()
    #: what the publisher should know and was not asked: skipped hidden files, empty files, links
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Published:
    dataset_id: int
    content_cid: Cid
    manifest_cid: Cid
    tx_hash: str
    gas_used: int
    manifest: dict[str, Any] = field(compare=False)
    resumed: bool = False
    notes: tuple[str, ...] = ()
    #: this very publication had finished before: nothing was sent or pinned this time
    already: bool = False
    #: the account whose younger publication of the same content this one displaced
    displaced: str | None = None


def commons_id(code: str) -> bytes:
    """The bytes32 a commons code is recorded as on-chain (its keccak-256)."""
    return bytes(Web3.keccak(text=code))


LANGUAGE_TAG = r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*"


def check_languages(pairs: tuple[tuple[str, str], ...], what: str, longest: int) -> None:
    """Language-tagged texts: each tag a BCP 47 language (`sw`, `pt-BR`), once, each text given."""
    import re

    seen: set[str] = set()
    for tag, text in pairs:
        if not re.fullmatch(LANGUAGE_TAG, tag):
            raise PublishError(f"{tag!r} is not a language tag (sw, fr, pt-BR...) for the {what} {text!r}")
        if tag.lower() in seen:
            raise PublishError(f"the {what} in {tag} is given twice")
        seen.add(tag.lower())
        if not text.strip() or len(text) > longest:
            raise PublishError(f"the {what} in {tag} must be 1 to {longest} characters")


def validate(request: PublishRequest) -> PublishRequest:
    """Checks everything that needs no chain; returns the request with the canonical licence."""
    if not request.directory.exists():
        raise PublishError(f"no such directory: {request.directory}")
    if not request.directory.is_dir():
        raise PublishError(f"not a directory: {request.directory}")
    if not any(p.is_file() and not p.name.startswith(".") for p in request.directory.rglob("*")):
        raise PublishError(f"directory is empty: {request.directory}")
    from .chain.commons_config import check_code
    from .errors import DeploymentError

    if not request.commons:
        raise PublishError("give the commons code (e.g. KE/education)")
    try:
        check_code(request.commons)
    except DeploymentError as exc:  # the rule the factory holds a commons' own code to
        raise PublishError(str(exc)) from None
    if not request.contributors:
        raise PublishError("at least one --contributor ADDR=BPS is required")
    seen = set()
    for address, bps in request.contributors:
        if not Web3.is_address(address):
            raise PublishError(f"malformed contributor address: {address}")
        if bps <= 0:
            raise PublishError(f"contributor {address} has a share of {bps} bps; shares must be positive")
        if address.lower() in seen:
            raise PublishError(f"contributor {address} is listed twice")
        seen.add(address.lower())
    for address, pattern in request.supplied:
        if not Web3.is_address(address) or address.lower() not in seen:
            raise PublishError(f"--supplied {address}={pattern}: {address} is not one of the --contributor accounts")
        if not pattern.strip().strip("/"):
            raise PublishError(f"--supplied {address}= names no file: give a path or a pattern such as 'schools/*.csv'")
    total = sum(bps for _, bps in request.contributors)
    if total != BPS:
        raise PublishError(f"contributor shares sum to {total} bps; they must sum to exactly {BPS}")
    check_languages(request.names, "name", 300)
    check_languages(request.descriptions, "description", 5000)
    if request.ancestor_bps and not request.parents and request.training is None:
        raise PublishError("--ancestor-bps needs at least one --parent")
    if request.training is not None and not (len(request.training[0]) == 32 and any(request.training[0])
                                             and 0 < request.training[1] < 2**64):
        raise PublishError("a model's training record needs a 32-byte Merkle root and a total weight of 1 to "
                           "2^64 - 1")
    if not request.dereference:
        _check_links(request.directory)
    if request.encoding is not None:
        import codecs

        try:
            codecs.lookup(request.encoding)
        except LookupError:
            raise PublishError(f"unknown encoding {request.encoding!r}: give one Python knows, such as cp1252, "
                               "latin-1 or utf-16") from None
    if request.content_gateway is not None:
        import urllib.parse

        url = urllib.parse.urlsplit(request.content_gateway)
        if url.scheme not in ("http", "https") or not url.netloc or url.query or url.fragment:
            raise PublishError(f"the content gateway must be an http(s) URL, not {request.content_gateway!r}")
    from .licensing import spdx

    expression = spdx.check_expression(request.license)
    if request.directory.is_dir():
        spdx.check_texts(request.directory, expression)
    if request.terms is not None:
        from .licensing import odrl

        odrl.load(request.terms, "the --terms document")
    return PublishRequest(**{**request.__dict__, "license": expression})


def _charsets(request: PublishRequest, paths: list[str]) -> dict[str, str]:
    """The encoding of each text table that is not UTF-8: `request.encoding` when it decodes the
    file, else a refusal naming the file, where it stops being UTF-8 and the fix. A CSV published
    in another encoding without a word advertised rows every consumer then failed to read."""
    from .ml.croissant import utf8_error

    found = {}
    for rel in paths:
        suffix = Path(rel).suffix.lower()
        if suffix not in (".csv", ".jsonl", ".ndjson"):
            continue
        path = request.directory / rel
        problem = utf8_error(path)
        if problem is None:
            continue
        if suffix != ".csv":
            raise PublishError(f"{rel} is not UTF-8 ({problem}); JSON Lines are UTF-8 by definition: re-save it "
                               "as UTF-8")
        if request.encoding is None:
            raise PublishError(f"{rel} is not UTF-8 ({problem}, as Latin-1 or Windows-1252 spreadsheets write it): "
                               "re-save it as UTF-8, or publish with --encoding cp1252 (its encoding) to record it")
        try:
            with open(path, encoding=request.encoding) as handle:
                while handle.read(1 << 20):
                    pass
        except UnicodeDecodeError as exc:
            raise PublishError(f"{rel} is neither UTF-8 ({problem}) nor {request.encoding} ({exc.reason} at offset "
                               f"{exc.start:,} of a piece): name its real encoding with --encoding") from None
        found[rel] = request.encoding
    return found


def _check_links(directory: Path) -> None:
    """A symbolic link is published as a link: its target path becomes public and every download
    restores it. One whose target is absolute or leaves the folder would publish a path of the
    publisher's machine and point downloads outside their folder: refused with the two fixes."""
    for folder, dirs, names in os.walk(directory):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in sorted(n for n in names + dirs if not n.startswith(".")):
            path = Path(folder) / name
            if not path.is_symlink():
                continue
            target = os.readlink(path)
            rel = path.relative_to(directory)
            inside = os.path.normpath(os.path.join(os.path.dirname(rel), target))
            if os.path.isabs(target) or inside == ".." or inside.startswith("../"):
                raise PublishError(f"{rel} is a symbolic link to {target}, outside the folder: publishing it would "
                                   "make that path public and point downloads outside their folder; publish with "
                                   "--dereference to publish what it points to, or remove the link")


def version_request(commons: Commons, previous: int, directory: Path, source: Any, *, license: str | None = None,
                    commons_code: str | None = None, contributors: list[tuple[str, int]] | None = None,
                    name: str | None = None, **more: Any) -> PublishRequest:
    """The request that publishes `directory` as the next version of `previous`: its licence,
    commons, contributors, name and terms document inherited (each overridable), its version
    number one past the previous one's, and the previous dataset's name in its Croissant."""
    from .ipfs.store import read_document
    from .queries import contributors_of, no_such_dataset

    if not commons.nft.functions.exists(previous).call():
        raise no_such_dataset(commons, previous)
    record = commons.nft.functions.dataset(previous).call()
    try:
        manifest = read_document(source, Cid.from_chain(record[3], bytes(record[2])), "manifest")
    except OpenCommonsError as exc:
        if commons_code is None:
            raise PublishError(f"dataset {previous}'s manifest could not be read ({exc}): give --commons CODE (and "
                               "--gateway to read the rest from)") from None
        manifest = {}
    code = commons_code or str(manifest.get("commons") or "")
    if code and commons_id(code) != bytes(record[5]):
        raise PublishError(f"the commons {code!r} is not dataset {previous}'s")
    terms = None
    if manifest.get("terms") and "terms" not in more:
        from .licensing import documents

        terms = documents.published_terms(commons, source, previous)
    croissant = _previous_croissant(source, manifest)
    number = _version_number(croissant) + 1
    old_name = str(manifest.get("name") or f"dataset {previous}")
    request = PublishRequest(
        directory, license or str(record[4]), code,
        contributors or [(c["account"], int(c["shareBps"])) for c in contributors_of(commons, previous)],
        name or old_name, previous=previous, version=number, succeeds=f"{old_name} (dataset {previous})",
        terms=terms[0] if terms else None)
    return replace(request, **more)


def _previous_croissant(source: Any, manifest: dict[str, Any]) -> dict[str, Any]:
    from .ipfs.store import read_document

    try:
        found = read_document(source, Cid.parse(str(manifest["croissant"])), "Croissant document")
    except (KeyError, OpenCommonsError):
        return {}
    return found if isinstance(found, dict) else {}


def _version_number(croissant: dict[str, Any]) -> int:
    """The major number of a Croissant `version` ("2.0.0" -> 2); 1 when it has none."""
    try:
        return max(1, int(str(croissant.get("version", "1")).split(".")[0]))
    except ValueError:
        return 1


def check_chain(commons: Commons, publisher: str, request: PublishRequest, source: Any = None,
                checked: set[tuple[str, str]] | None = None) -> list[Any]:
    """Registered publisher and contributors, existing parents whose licences allow this child:
    before anything is written. Returns the lineage findings (what the child owes its parents).
    `checked` (a batch's) remembers the registrations already found, so each is read once."""
    registry = commons.registry.functions
    checked = set() if checked is None else checked
    wanted = [("isRegistered", Web3.to_checksum_address(publisher))] + [
        # as the contract checks: ever registered (deactivating later does not undo a naming)
        ("hasRegistered", Web3.to_checksum_address(a)) for a, _ in request.contributors if a != publisher]
    unread = [w for w in dict.fromkeys(wanted) if w not in checked]
    for (name, account), registered in zip(unread, call_all(commons.w3, [registry[name](account) for name, account
                                                                         in unread])):
        if not registered:
            raise NotRegisteredError(account)
        checked.add((name, account))
    for parent in request.parents:
        if not commons.nft.functions.exists(parent).call():
            raise PublishError(f"parent dataset {parent} does not exist")
    if request.previous is not None and not commons.nft.functions.exists(request.previous).call():
        raise PublishError(f"previous version {request.previous} does not exist")
    findings = lineage_findings(commons, request, source)
    from .licensing.lineage import refusal

    refused = refusal(findings)
    if refused:
        from .errors import LineageError

        raise LineageError(refused)
    return findings


def _terms(request: PublishRequest) -> Any:
    if request.terms is None:
        return None
    from .licensing import odrl

    return odrl.load(request.terms, "the --terms document")[1]


def lineage_findings(commons: Commons, request: PublishRequest, source: Any = None) -> list[Any]:
    """The child's licence checked against each parent's (and the previous version's): SPDX
    expressions by the rules table, restricted by each parent's terms document when it sells one."""
    from .licensing import documents, lineage

    if not request.parents and request.previous is None:
        return []
    if source is None:
        from .references import content_source

        source = content_source(commons)
    child = lineage.Licensed("the child", request.license, _terms(request))
    kind = "model" if any(key == "modelCard" for key, _ in request.documents) else "derived"
    findings = []
    for dataset_id, as_kind in [*((p, kind) for p in request.parents),
                                *(((request.previous, "version"),) if request.previous is not None else ())]:
        licence = documents.of_dataset(commons, source, dataset_id)
        if licence.unread:
            findings.append(lineage.Finding("note", f"parent {dataset_id}", f"its terms document was not read, so "
                                            f"only its licence {licence.expression} was checked: {licence.unread}"))
        findings += lineage.check(child, [licence.licensed()], as_kind)
    return findings


def scan(request: PublishRequest, progress: Callable[[int], None] | None = None) -> Scanned:
    """Hashes the folder as IPFS does (`progress` told each chunk's bytes), describes it in
    Croissant and writes the manifest."""
    from .ml import croissant

    importer = Importer(cid_version=1, file_digests=True, workers=0, progress=progress,  # each file read once
                        dereference=request.dereference)
    content = importer.add_path(request.directory).cid
    entries = [croissant.FileEntry(e.path, e.size, e.sha256, str(e.cid)) for e in importer.files]
    charsets = _charsets(request, [e.path for e in entries]) if request.private is None else {}
    files = [{"path": e.path, "size": e.size, "sha256": e.sha256, "cid": e.cid,
              **({"encoding": charsets[e.path]} if e.path in charsets else {})} for e in entries]
    described = request.croissant or croissant.build(
        request.directory, entries, name=request.name,
        description=request.description, license_id=request.license, content=str(content),
        contributors=[Web3.to_checksum_address(a) for a, _ in request.contributors],
        parents=[str(p) for p in request.parents], commons=request.commons,
        tabular=request.private is None, charsets=charsets,  # ciphertext has no rows to read
        gateway=request.content_gateway, usage=str(_terms_cid(request)) if request.terms else None,
        version=request.version, succeeds=request.succeeds)
    if request.croissant is None and (request.names or request.descriptions):
        described = croissant.with_languages(described, request.description or request.name, request.names,
                                             request.descriptions)
    documents = [("croissant", croissant.encode(described)), *request.documents,
                 *((("terms", _terms_bytes(request)),) if request.terms else ())]
    pinned = tuple((Importer(cid_version=1).add_bytes(data).cid, data) for _, data in documents)
    manifest: dict[str, Any] = {
        "schema": request.schema or "opencommons/manifest/v1",
        "name": request.name,
        "description": request.description,
        "license": request.license,
        "commons": request.commons,
        "content": str(content),
        "files": files,
        "contributors": _manifest_contributors(request, [e.path for e in entries]),
        "parents": [str(p) for p in request.parents],
        "ancestorBps": request.ancestor_bps,
        **({"names": dict(request.names)} if request.names else {}),
        **({"descriptions": dict(request.descriptions)} if request.descriptions else {}),
        **{key: str(cid) for (key, _), (cid, _) in zip(documents, pinned)},
        **({"private": request.private} if request.private else {}),
        **({"links": [{"path": path, "target": target} for path, target in importer.links]}
           if importer.links else {}),
    }
    manifest_bytes = json.dumps(manifest, indent=2, sort_keys=True).encode() + b"\n"
    return Scanned(content, manifest_bytes, Importer(cid_version=1).add_bytes(manifest_bytes).cid, manifest, pinned,
                   _notes(importer))


def _manifest_contributors(request: PublishRequest, paths: list[str]) -> list[dict[str, Any]]:
    """The manifest's contributors: each one's account and share, and the files it supplied when
    the request says (every pattern must name at least one file)."""
    import fnmatch

    supplied: dict[str, set[str]] = {}
    for address, pattern in request.supplied:
        wanted = pattern.strip().strip("/")
        matched = [p for p in paths if fnmatch.fnmatchcase(p, wanted)]
        if not matched:
            raise PublishError(f"--supplied {address}={pattern} matches no file of {request.directory}")
        supplied.setdefault(Web3.to_checksum_address(address), set()).update(matched)
    rows = []
    for address, bps in request.contributors:
        account = Web3.to_checksum_address(address)
        rows.append({"account": account, "shareBps": bps,
                     **({"files": sorted(supplied[account])} if account in supplied else {})})
    return rows


def supplied_files(manifest: Any) -> dict[str, list[str]]:
    """What a (hostile) manifest says each contributor supplied: {checksummed account: [paths]}."""
    out: dict[str, list[str]] = {}
    rows = manifest.get("contributors") if isinstance(manifest, dict) else None
    for row in rows if isinstance(rows, list) else []:
        if not isinstance(row, dict) or not isinstance(row.get("files"), list) or not Web3.is_address(
                str(row.get("account"))):
            continue
        out[Web3.to_checksum_address(str(row["account"]))] = [p for p in row["files"] if isinstance(p, str)]
    return out


def _terms_bytes(request: PublishRequest) -> bytes:
    from .licensing import odrl

    return odrl.canonical(request.terms or {})


def _terms_cid(request: PublishRequest) -> Cid:
    return Cid.from_chain(0x55, hashlib.sha256(_terms_bytes(request)).digest())  # one raw block, as odrl pins it


def _notes(importer: Importer) -> tuple[str, ...]:
    """What the publisher should hear about the folder as it was published."""
    notes = []
    if importer.hidden:
        shown = ", ".join(importer.hidden[:5]) + (f" and {len(importer.hidden) - 5} more" if len(importer.hidden) > 5
                                                  else "")
        notes.append(f"left out {len(importer.hidden)} hidden file(s) or folder(s): {shown} (rename them without "
                     "the leading '.' to publish them)")
    empty = [f.path for f in importer.files if f.size == 0]
    if empty:
        notes.append(f"{len(empty)} empty file(s), published as they are: {', '.join(empty[:5])}"
                     + (" ..." if len(empty) > 5 else ""))
    for path, target in importer.links:
        notes.append(f"{path} is published as a symbolic link to {target} (every download restores the link; "
                     "--dereference publishes what it points to)")
    return tuple(notes)


def publish(commons: Commons, sender: Sender, store: ContentStore, request: PublishRequest,
            journal_dir: Path | None = None, progress: Callable[[int], None] | None = None) -> Published:
    """Publishes `request` from `sender`: hashes the folder as Kubo does, commits, pins to
    `store`, reveals and verifies the record; exactly once under kills (a journal in
    `journal_dir`), resumed by running it again."""
    return publish_many(commons, sender, store, [request], journal_dir, progress)[0]


#: publications a batch carries through its rounds at once (each holds a lock file open)
BATCH_LIMIT = 256


def publish_many(commons: Commons, sender: Sender, store: ContentStore, requests: list[PublishRequest],
                 journal_dir: Path | None = None,
                 progress: Callable[[int], None] | None = None) -> list[Published]:
    """Publishes every one of `requests` from `sender` as :func:`publish` publishes one, in rounds
    instead of one after the other: every request checked and hashed before anything is sent, every
    commit sent before the first is waited for, one wait for the commitments' age, every reveal sent
    before the first is waited for (nonces pipelined). Each publication keeps its own journal:
    exactly once under kills, and running the same batch again resumes it (finished ones are
    answered from their journals, `already`). At most :data:`BATCH_LIMIT` at a time, and no more
    than the first commit of a round can wait for: where every transaction is a block of its own
    (a local chain), a round's commits and reveals must fit in the commitment's time to live."""
    checked: set[tuple[str, str]] = set()  # registrations found: read once for the batch
    prepared = [_prepare(commons, sender, store, validate(request), progress, checked) for request in requests]
    _refuse_repeats(prepared)
    directory = journal_dir or default_dir()
    published: list[Published] = []
    size = _round_size(commons) if len(prepared) > 1 else 1
    for at in range(0, len(prepared), size):
        group = prepared[at:at + size]
        with ExitStack() as locks:  # the same publication started twice: one at a time
            for key in sorted(key_of(inputs) for _, _, inputs in group):
                locks.enter_context(exclusive(directory, key))
            items = [_Item(request, scanned, Journal(directory, key_of(inputs), inputs))
                     for request, scanned, inputs in group]
            published += _publish_round(commons, sender, store, items)
    return published


def _round_size(commons: Commons) -> int:
    """Publications per round: a round spans at most its commits, the commitments' minimum age and
    its reveals, in blocks, and its first reveal must land within the commitment's time to live."""
    nft = commons.nft.functions
    return max(1, min(BATCH_LIMIT, (int(nft.commitTtl().call()) - int(nft.minCommitAge().call())) // 2))


def _prepare(commons: Commons, sender: Sender, store: ContentStore, request: PublishRequest,
             progress: Callable[[int], None] | None,
             checked: set[tuple[str, str]]) -> tuple[PublishRequest, Scanned, dict[str, Any]]:
    """Checks `request` against the chain and hashes its folder: (request, scan, journal inputs)."""
    findings = check_chain(commons, sender.address, request, checked=checked)
    scanned = scan(request, progress)
    owed = tuple(str(f) for f in findings if f.level == "note")
    if owed:
        scanned = replace(scanned, notes=scanned.notes + owed)
    inputs = {"chain": commons.deployment.chain_id, "nft": commons.nft.address, "sender": sender.address,
              "content": str(scanned.content), "manifest": str(scanned.manifest_cid), "store": store.location}
    return request, scanned, inputs


def _refuse_repeats(prepared: list[tuple[PublishRequest, Scanned, dict[str, Any]]]) -> None:
    """One content is one dataset: a batch naming it twice is refused before anything is sent."""
    seen: dict[str, Path] = {}
    for request, scanned, _ in prepared:
        content = str(scanned.content)
        if content in seen:
            raise PublishError(f"{seen[content]} and {request.directory} hold the same content ({content}): "
                               "one content is one dataset, publish it once")
        seen[content] = request.directory


@dataclass
class _Item:
    """One publication as a batch carries it through the rounds."""
    request: PublishRequest
    scanned: Scanned
    journal: Journal
    done: Published | None = None
    resumed: bool = False
    params: tuple[Any, ...] = ()
    pending_commit: tuple[bytes, HexBytes] | None = None
    displacing: str | None = None
    tx_hash: str = ""
    receipt: Any = None

    @property
    def dataset_id(self) -> int:
        return int.from_bytes(self.scanned.content.digest, "big")


def _publish_round(commons: Commons, sender: Sender, store: ContentStore, items: list[_Item]) -> list[Published]:
    """The rounds of :func:`publish_many` for `items`, every one under its lock; the fault points
    (tests) fall where a single publication has them."""
    nft = commons.nft.functions
    for item in items:
        item.resumed = bool(item.journal.data["events"])
        item.done = _finished(commons, sender, item)
    todo = [item for item in items if item.done is None]
    for item in todo:
        content = item.scanned.content
        item.journal.finish("scan", {"content": str(content), "manifest": str(item.scanned.manifest_cid),
                                     "files": len(item.scanned.manifest["files"])})
        item.params = params_of(item.request, content, item.scanned.manifest_cid)
    if todo:
        fault_point("after-scan")
    announces = bool(getattr(store, "announces", True))
    if todo and announces and hasattr(store, "version"):
        store.version()  # an unreachable node fails the publish before anything goes on-chain
    fees = FeeQuote(commons.w3)  # read once for the round's transactions (again after a few seconds)
    exist = call_all(commons.w3, [nft.exists(item.dataset_id) for item in todo])
    # every fresh commitment costs the same gas: estimated once (None: each send estimates, and
    # raises the decoded reason when the commit would revert)
    commit_gas = estimate_all(commons.w3, sender.address, [nft.commit(os.urandom(32))])[0] if len(todo) > 1 else None
    for item, exists in zip(todo, exist):  # every commit sent, then every one waited for
        if not exists:
            item.pending_commit = _send_commit(commons, sender, item.request, item.params, item.journal, fees,
                                               commit_gas)
    waiting = [(item, item.pending_commit) for item in todo if item.pending_commit is not None]
    hashes = [tx.to_0x_hex() for _, (_, tx) in waiting]
    mined = receipts(commons.w3, hashes, check=False)
    for (item, (salt, _)), landed in zip(waiting, mined):  # every landed commitment journaled first
        if landed["status"] == 1:
            item.journal.finish("commit", {"salt": "0x" + salt.hex(), "block": landed["blockNumber"]})
    refuse_reverted(hashes, mined)
    if todo:
        fault_point("after-commit")
    if not announces:
        for item in todo:
            _pin(store, item.request, item.scanned, item.journal)
    exist = call_all(commons.w3, [nft.exists(item.dataset_id) for item in todo])
    for item, exists in zip(todo, exist):
        item.displacing = _displaceable(commons, sender, item.dataset_id, item.journal, exists)
    committed = [int(c["block"]) for c in (item.journal.done("commit") for item in todo) if c]
    if committed:
        await_reveal(commons.w3, commons.nft, max(committed))  # once for the whole round
    gases = _reveal_gas(commons, sender, [item for item, exists in zip(todo, exist) if not exists])
    for item, exists in zip(todo, exist):  # every reveal sent, then every one waited for
        item.tx_hash = _mint(commons, sender, item.request, item.scanned.content, item.params, item.dataset_id,
                             item.journal, item.displacing, exists=exists, fees=fees, awaited=True,
                             gas=gases.get(id(item)))
    if todo:
        fault_point("after-send")
    hashes = [item.tx_hash for item in todo]
    mined = receipts(commons.w3, hashes, check=False)
    for item, landed in zip(todo, mined):  # every landed reveal journaled before a reverted one fails
        item.receipt = landed
        if landed["status"] == 1:
            item.journal.finish("mined", {"tx": item.tx_hash, "block": landed["blockNumber"],
                                          "gas": landed["gasUsed"]})
    refuse_reverted(hashes, mined)
    if todo:
        fault_point("after-receipt")
    if announces:
        for item in todo:
            _pin(store, item.request, item.scanned, item.journal)
    verify_records(commons, [(item.dataset_id, item.scanned.manifest_cid, item.request) for item in todo])
    for item in todo:
        item.journal.finish("verified", {"dataset": str(item.dataset_id)})
        item.done = Published(item.dataset_id, item.scanned.content, item.scanned.manifest_cid, item.tx_hash,
                              int(item.receipt["gasUsed"]), item.scanned.manifest, item.resumed, item.scanned.notes,
                              displaced=item.displacing)
    return [item.done for item in items if item.done is not None]


def _reveal_gas(commons: Commons, sender: Sender, items: list[_Item]) -> dict[int, int]:
    """The reveals' gas limits, estimated in one batch: {id(item): gas} for each item whose
    journaled commitment is still to be revealed and whose estimate the node gave."""
    ready = [(item, commit) for item in items
             if (commit := item.journal.done("commit")) and not item.journal.done("sent")]
    if len(ready) < 2:
        return {}
    fns = [reveal_fn(commons.nft, item.params, HexBytes(commit["salt"]), item.request.previous or 0,
                     item.request.training) for item, commit in ready]
    gases = estimate_all(commons.w3, sender.address, fns, commons.access_list("ContributorRegistry"))
    return {id(item): gas for (item, _), gas in zip(ready, gases) if gas is not None}


def _finished(commons: Commons, sender: Sender, item: _Item) -> Published | None:
    """The publication a finished journal recorded, if it still stands (else None: go on)."""
    finished, mined = item.journal.done("verified"), item.journal.done("mined")
    if not (finished and mined and commons.nft.functions.exists(item.dataset_id).call()):
        return None
    _refuse_taken(commons, sender, item.dataset_id, item.scanned.content)  # displaced since by an older commitment
    scanned = item.scanned
    return Published(int(finished["dataset"]), scanned.content, scanned.manifest_cid, str(mined["tx"]),
                     int(mined["gas"]), scanned.manifest, True, scanned.notes, already=True)


def _displaceable(commons: Commons, sender: Sender, dataset_id: int, journal: Journal,
                  exists: bool | None = None) -> str | None:
    """The other account holding `dataset_id` that this publication's commitment displaces on
    reveal (its commitment is older, still live, and that publication is not accepted yet), or None.
    It happens when a watcher copied this publication's content id and revealed first. `exists`:
    whether the dataset exists, when the caller has just read it."""
    nft = commons.nft.functions
    committed = journal.done("commit")
    if committed is None or journal.done("sent") or not (
            nft.exists(dataset_id).call() if exists is None else exists):
        return None
    owner = Web3.to_checksum_address(nft.ownerOf(dataset_id).call())
    status, _ = nft.statusAndGenerationOf(dataset_id).call()
    ours = int(committed["block"])
    if (owner == Web3.to_checksum_address(sender.address) or status not in (1, 3)
            or commons.w3.eth.block_number > ours + nft.commitTtl().call()
            or nft.publicationCommittedAt(dataset_id).call() <= ours):
        return None
    return owner


def params_of(request: PublishRequest, content: Cid, manifest_cid: Cid) -> tuple[Any, ...]:
    """DatasetNFT's `PublishParams` for the request and its computed CIDs."""
    return (content.digest, content.codec, manifest_cid.digest, manifest_cid.codec, request.license,
            commons_id(request.commons), request.ancestor_bps, list(request.parents),
            on_chain_contributors(request.contributors))


def _pin(store: ContentStore, request: PublishRequest, scanned: Scanned, journal: Journal) -> None:
    if journal.done("pin"):
        return
    journal.begin("pin")
    pin_content(store, request.directory, scanned, request.dereference)
    journal.finish("pin", {"content": str(scanned.content), "manifest": str(scanned.manifest_cid),
                           "store": store.location})
    fault_point("after-pin")


def pin_content(store: ContentStore, directory: Path, scanned: Scanned, dereference: bool = False) -> None:
    """Adds the dataset's folder, the documents its manifest points at and the manifest to
    `store`, checking the store computed the same CIDs as the scan."""
    if not store.add_path(directory, 1, dereference=dereference).same_content(scanned.content):
        raise CidMismatchError(f"the store computed another CID for the content than {scanned.content}")
    fault_point("during-pin")
    for cid, data in (*scanned.documents, (scanned.manifest_cid, scanned.manifest_bytes)):
        if not store.add_bytes(data, 1).same_content(cid):
            raise CidMismatchError(f"the store computed another CID for a document of the manifest than {cid}")


def _commit(commons: Commons, sender: Sender, request: PublishRequest, params: tuple[Any, ...],
            journal: Journal) -> None:
    """Commits to the publication once; a commitment that expired (or never landed) is made again
    with a fresh salt. The salt stays in the local journal until the reveal."""
    pending = _send_commit(commons, sender, request, params, journal)
    if pending is not None:
        salt, tx = pending
        journal.finish("commit", {"salt": "0x" + salt.hex(), "block": wait(commons.w3, tx)["blockNumber"]})


def _send_commit(commons: Commons, sender: Sender, request: PublishRequest, params: tuple[Any, ...],
                 journal: Journal, fees: FeeQuote | None = None,
                 gas: int | None = None) -> tuple[bytes, HexBytes] | None:
    """Sends the publication's commitment unless a live one is journaled: (salt, transaction),
    which the caller waits for and journals as done, or None."""
    nft = commons.nft.functions
    previous = request.previous or 0
    done = journal.done("commit")
    if done:
        commitment = commitment_of(sender.address, reveal_fn(commons.nft, params, HexBytes(done["salt"]), previous,
                                                             request.training))
        at = nft.committedAt(commitment).call()
        if at and commons.w3.eth.block_number <= at + nft.commitTtl().call():
            return None
    journal.begin("commit")
    return send_commit(commons.w3, commons.nft, sender, params, previous, training=request.training, fees=fees,
                       gas=gas)


def _mint(commons: Commons, sender: Sender, request: PublishRequest, content: Cid, params: tuple[Any, ...],
          dataset_id: int, journal: Journal, displacing: str | None = None, exists: bool | None = None,
          fees: FeeQuote | None = None, awaited: bool = False, gas: int | None = None) -> str:
    """Reveals the commitment once: a recorded transaction is waited for, never sent twice. An
    existing publication of the content by `displacing` is taken over by the reveal. `exists`:
    whether the dataset exists, when the caller has just read it; `awaited`: the caller has waited
    for the journaled commitment's age (a batch waits once for all); `gas`: the reveal's limit,
    estimated by the caller for this commitment."""
    w3 = commons.w3
    sent = journal.done("sent")
    if sent:
        try:
            w3.eth.get_transaction(HexBytes(sent["tx"]))
            return str(sent["tx"])
        except TransactionNotFound:
            pass  # dropped before it was mined: fall through (the on-chain check below decides)
    if displacing is None and (commons.nft.functions.exists(dataset_id).call() if exists is None else exists):
        _refuse_taken(commons, sender, dataset_id, content)
        tx = _publish_tx_hash(commons, dataset_id)
        journal.finish("sent", {"tx": tx, "recovered": True})
        return tx
    committed = journal.done("commit")
    if committed is None:  # the dataset existed at commit time and has gone since (burnt)
        _commit(commons, sender, request, params, journal)
        committed, awaited, gas = journal.done("commit"), False, None
        assert committed is not None
    if not awaited:
        await_reveal(w3, commons.nft, int(committed["block"]))
    fn = reveal_fn(commons.nft, params, HexBytes(committed["salt"]), request.previous or 0, request.training)
    journal.begin("sent")
    tx_hash = send(w3, sender, fn, access_list=commons.access_list("ContributorRegistry"), fees=fees,
                   gas=gas).to_0x_hex()
    journal.finish("sent", {"tx": tx_hash})
    return tx_hash


def _refuse_taken(commons: Commons, sender: Sender, dataset_id: int, content: Cid) -> None:
    """Fails unless `sender` holds existing `dataset_id`."""
    owner = Web3.to_checksum_address(commons.nft.functions.ownerOf(dataset_id).call())
    if owner != Web3.to_checksum_address(sender.address):
        raise PublishError(f"dataset {dataset_id} (content {content}) was already published by {owner}, "
                           "who committed to it first or was accepted by the curators")


def on_chain_contributors(contributors: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Contributors as DatasetNFT takes them: checksummed, in ascending order of account."""
    rows = [(Web3.to_checksum_address(a), b) for a, b in contributors]
    return sorted(rows, key=lambda row: int(row[0], 16))


def _publish_tx_hash(commons: Commons, dataset_id: int) -> str:
    logs = commons.nft.events.DatasetPublished().get_logs(
        from_block=commons.deployment.block, argument_filters={"datasetId": dataset_id})
    if not logs:
        raise PublishError(f"dataset {dataset_id} exists but its DatasetPublished event was not found")
    return str(logs[-1]["transactionHash"].to_0x_hex())  # the latest: an id comes back after a burn


def verify_record(commons: Commons, dataset_id: int, manifest_cid: Cid, request: PublishRequest) -> None:
    """Fails unless the on-chain record of `dataset_id` names `manifest_cid`, the request's licence
    and commons, and each contributor's share."""
    verify_records(commons, [(dataset_id, manifest_cid, request)])


def verify_records(commons: Commons, published: list[tuple[int, Cid, PublishRequest]]) -> None:
    """:func:`verify_record` for each (dataset, manifest, request), read in one batch."""
    nft = commons.nft.functions
    reads = [[nft.dataset(dataset_id), *(nft.shareOf(dataset_id, Web3.to_checksum_address(account))
                                          for account, _ in request.contributors)]
             for dataset_id, _, request in published]
    values = iter(call_all(commons.w3, [fn for fns in reads for fn in fns]))
    for (dataset_id, manifest_cid, request), fns in zip(published, reads):
        record, shares = next(values), [next(values) for _ in fns[1:]]
        if bytes(record[2]) != manifest_cid.digest or record[3] != manifest_cid.codec:
            raise PublishError(f"on-chain manifest of dataset {dataset_id} is not {manifest_cid}")
        if record[4] != request.license or bytes(record[5]) != commons_id(request.commons):
            raise PublishError(f"on-chain licence or commons of dataset {dataset_id} differ from the manifest")
        # every listed share is on-chain as listed; with on-chain shares summing to 10,000 by
        # construction, that also proves nobody else holds a share
        for (account, bps), share in zip(request.contributors, shares):
            if share != bps:
                raise PublishError(f"on-chain share of {account} in dataset {dataset_id} differs from the manifest")


def verify_directory(commons: Commons, dataset_id: int, directory: Path,
                     manifest: dict[str, Any] | None = None) -> Cid:
    """Re-hashes a local copy and compares it with the on-chain content digest; on a difference
    names the first file that differs from the manifest (changed, missing or extra)."""
    record = commons.nft.functions.dataset(dataset_id).call()
    expected = Cid.from_chain(record[1], bytes(record[0]))
    importer = Importer(cid_version=1, file_digests=True)
    actual = importer.add_path(directory).cid
    if not actual.same_content(expected):
        detail = _first_difference(importer, manifest) if manifest else None
        raise CidMismatchError(f"{directory} hashes to {actual}, dataset {dataset_id} records {expected}"
                               + (f": {detail}" if detail else ""))
    return actual


def _first_difference(importer: Importer, manifest: dict[str, Any]) -> str | None:
    listed = {str(f.get("path")): f for f in manifest.get("files", []) if isinstance(f, dict)}
    local = {f.path: f for f in importer.files}
    for path in sorted(set(listed) | set(local)):
        if path not in local:
            return f"{path} is missing"
        if path not in listed:
            return f"{path} is not in the manifest"
        if local[path].sha256 != listed[path].get("sha256"):
            return (f"{path} differs (sha256 {local[path].sha256[:16]}..., manifest "
                    f"{str(listed[path].get('sha256'))[:16]}...)")
    return None
