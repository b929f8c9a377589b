"""`commons dataset publish|version|show|list|lineage|car|verify|curate` (get, export: consume.py;
score, attest: quality.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

import typer

from ..errors import LineageError, OpenCommonsError
from ..ipfs.cid import Cid
from ..ipfs.content import ContentStore, open_store
from .common import (AccountOpt, ApiOpt, _commons, DbOpt, DeploymentsOpt, _emit, err, EXPLAIN_HINT, ExplainOpt,
                     fail, HomeOpt, JsonOpt, lazy, NoIndexOpt, _reader, RpcOpt, say, _sender, StoreOpt, _tx)

if TYPE_CHECKING:
    from .. import names
    from .. import publish as publishing
    from .. import queries
    import web3
else:
    names = lazy("opencommons.names")
    publishing = lazy("opencommons.publish")
    queries = lazy("opencommons.queries")
    web3 = lazy("web3")

CroissantOpt = typer.Option(None, "--croissant", help="A hand-written Croissant JSON-LD file, validated and "
                            "published instead of the generated one.")

DereferenceOpt = typer.Option(False, "--dereference", help="Publish what symbolic links point to instead of the "
                              "links (a link is otherwise published as a link, restored by every download).")
EncodingOpt = typer.Option(None, "--encoding", help="The text encoding (e.g. cp1252) of CSV files that are not "
                           "UTF-8; recorded in the manifest and the Croissant so every reader decodes them.")
dataset_app = typer.Typer(help="Publish, inspect, verify and attest datasets.", no_args_is_help=True)


def _contributors(values: list[str]) -> list[tuple[str, int]]:
    out = []
    for value in values:
        address, sep, bps = value.partition("=")
        if not sep or not bps.strip().isdigit():
            raise OpenCommonsError(f"malformed --contributor {value!r}: use ADDRESS=BPS")
        out.append((address.strip(), int(bps)))
    return out


def _supplied(values: list[str]) -> tuple[tuple[str, str], ...]:
    """ADDRESS=PATTERN pairs: the files (a path or a glob) each contributor supplied."""
    out = []
    for value in values:
        address, sep, pattern = value.partition("=")
        if not sep or not address.strip():
            raise OpenCommonsError(f"malformed --supplied {value!r}: use ADDRESS=PATH or ADDRESS='folder/*.csv'")
        out.append((address.strip(), pattern))
    return tuple(out)


SuppliedOpt = typer.Option([], "--supplied", help="ADDRESS=PATTERN: the files (a path or a glob) that contributor "
                           "supplied; repeatable. The manifest lists each one's files: one who withdraws takes them "
                           "out of the reissue.")


def _in_languages(values: list[str], option: str) -> tuple[tuple[str, str], ...]:
    """LANG=TEXT pairs as given (the publish checks each tag)."""
    pairs = []
    for value in values:
        tag, sep, text = value.partition("=")
        if not sep:
            raise OpenCommonsError(f"malformed {option} {value!r}: use LANG=TEXT, e.g. sw='Mito ya Kenya'")
        pairs.append((tag.strip(), text.strip()))
    return tuple(pairs)


def _publish(directory: Path, license_id: str, commons_code: str, contributor: list[str], parent: list[str],
             ancestor_bps: int, name: Optional[str], description: str, schema: Optional[str],
             previous: Optional[int], rpc: Optional[str], account: Optional[str], deployments: Path,
             store: str, api: Optional[str], home: Optional[Path], as_json: bool, croissant: Optional[Path] = None,
             documents: tuple[tuple[str, bytes], ...] = (), gateways: Optional[list[str]] = None,
             dereference: bool = False, encoding: Optional[str] = None, content_gateway: Optional[str] = None,
             explain: bool = False, terms: Optional[dict[str, Any]] = None,
             names: tuple[tuple[str, str], ...] = (), descriptions: tuple[tuple[str, str], ...] = (),
             supplied: tuple[tuple[str, str], ...] = ()) -> Any:
    """Publishes as `dataset publish` does; returns the publication (a PublishResult)."""
    from ..ml.croissant import load_file

    described = load_file(croissant) if croissant is not None else None  # refused before connecting
    commons = _commons(rpc, deployments)
    request = publishing.PublishRequest(directory, license_id, commons_code, _contributors(contributor),
                                        name or directory.name, description,
                                        tuple(queries.parse_dataset_id(p) for p in parent), ancestor_bps, schema,
                                        previous, described, documents, dereference=dereference, encoding=encoding,
                                        content_gateway=content_gateway, terms=terms, names=names,
                                        descriptions=descriptions, supplied=supplied)
    return _run_publish(commons, request, account, store, api, home, as_json, gateways, explain)


def _run_publish(commons: Any, request: Any, account: Optional[str], store: str, api: Optional[str],
                 home: Optional[Path], as_json: bool, gateways: Optional[list[str]] = None,
                 explain: bool = False) -> Any:
    """Publishes `request` (encrypted first for `gateways`), saying what it noted and what it made;
    returns the publication."""
    if gateways is not None:  # a private dataset: ciphertext is what is hashed, pinned and minted
        from ..private.publish import private_request

        request = private_request(request, gateways)
    if explain:  # the whole lineage check, before anything is written (publish refuses what it refuses)
        findings = publishing.lineage_findings(commons, publishing.validate(request))
        for finding in findings or [f"no parents: nothing to check the licence {request.license} against"]:
            err.print(f"{'explain' if getattr(finding, 'level', 'ok') == 'ok' else finding.level}: {finding}",
                      markup=False)
    from .ipfs import _progress, _size

    try:
        with _progress(_size(request.directory), "hashing") as progress:
            result = publishing.publish(commons, _sender(commons, account), open_store(store, home, api), request,
                                        progress=progress)
    except LineageError as exc:
        raise LineageError(f"{exc}{'' if explain else EXPLAIN_HINT}") from None
    for note in result.notes:
        err.print(f"note: {note}", markup=False)
    if result.displaced:
        err.print(f"note: {result.displaced} had published this content from a younger commitment (a copy of "
                  "this publication seen before it was mined); this publication took the id over", markup=False)
    if gateways:
        from ..private.publish import register_keys

        for problem in register_keys(gateways, result.dataset_id):
            err.print(f"warning: {problem}", markup=False)
    if result.already and not as_json:
        say(f"already published: dataset {result.dataset_id} (content {result.content_cid}, transaction "
            f"{result.tx_hash}); nothing was sent")
        return result
    _emit(_publication(commons, result), as_json)
    return result


def _publication(commons: Any, result: Any) -> dict[str, Any]:
    """What `dataset publish` prints of a publication."""
    from ..references import link_of

    return {"dataset": str(result.dataset_id), "content": str(result.content_cid),
            "manifest": str(result.manifest_cid), "tx": result.tx_hash, "gas": result.gas_used,
            "resumed": result.resumed, "alreadyPublished": result.already, "displaced": result.displaced,
            "link": str(link_of(commons, result.dataset_id))}


def _publish_folders(directories: list[Path], license_id: str, commons_code: str, contributor: list[str],
                     parent: list[str], ancestor_bps: int, description: str, schema: Optional[str],
                     rpc: Optional[str], account: Optional[str], deployments: Path, store: str, api: Optional[str],
                     home: Optional[Path], as_json: bool, dereference: bool = False, encoding: Optional[str] = None,
                     content_gateway: Optional[str] = None, terms: Optional[dict[str, Any]] = None,
                     supplied: tuple[tuple[str, str], ...] = ()) -> list[Any]:
    """`dataset publish` of several folders: one dataset each, named after its folder, published
    as a batch (every commit, then every reveal, in flight at once); one line (or JSON object) each."""
    commons = _commons(rpc, deployments)
    parents = tuple(queries.parse_dataset_id(p) for p in parent)
    requests = [publishing.PublishRequest(d, license_id, commons_code, _contributors(contributor), d.name,
                                          description, parents, ancestor_bps, schema, dereference=dereference,
                                          encoding=encoding, content_gateway=content_gateway, terms=terms,
                                          supplied=supplied)
                for d in directories]
    from .ipfs import _progress, _size

    with _progress(sum(_size(d) for d in directories), "hashing") as progress:
        results = publishing.publish_many(commons, _sender(commons, account), open_store(store, home, api),
                                          requests, progress=progress)
    for request, result in zip(requests, results):
        for note in result.notes:
            err.print(f"note: {request.directory}: {note}", markup=False)
    rows = [{"folder": str(r.directory), **_publication(commons, p)} for r, p in zip(requests, results)]
    if as_json:
        _emit(rows, True)
    else:
        for row in rows:
            said = "already published" if row["alreadyPublished"] else "published"
            say(f"{row['folder']}: {said} dataset {row['dataset']} (content {row['content']}, transaction {row['tx']})")
    return results


def _terms_document(path: Optional[Path], preset: Optional[str], attribution: Optional[str],
                    community: Optional[str]) -> Optional[dict[str, Any]]:
    """The terms document `--terms FILE` or `--preset NAME` gives, checked (None without either)."""
    from ..licensing import odrl

    if path is not None and preset is not None:
        raise OpenCommonsError("give --terms FILE or --preset NAME, not both")
    if path is not None:
        if not path.is_file():
            raise OpenCommonsError(f"no such terms document: {path}")
        return odrl.load(path.read_bytes(), str(path))[0]
    if preset is not None:
        return odrl.to_document(odrl.preset(preset, attribution=attribution, community=community))
    if attribution or community:
        raise OpenCommonsError("--attribution and --terms-community go with --preset")
    return None


@dataset_app.command("publish")
def dataset_publish(directories: list[Path] = typer.Argument(..., metavar="DIRECTORY...", help="The folder to "
                                                             "publish, or several: one dataset each, named after "
                                                             "its folder, published as one batch."),
                    license_id: str = typer.Option(..., "--license",
                                                                    help="SPDX licence expression, e.g. CC-BY-4.0 or "
                                                                         "'MIT OR Apache-2.0'."),
                    commons_code: str = typer.Option(..., "--commons",
                                                     help="CODE of the community it belongs to, e.g. KE/education."),
                    contributor: list[str] = typer.Option(..., "--contributor", help="ADDRESS=BPS, repeatable."),
                    parent: list[str] = typer.Option([], "--parent",
                                                     help="ID of a dataset it derives from (repeat, at most 8)."),
                    ancestor_bps: int = typer.Option(0, "--ancestor-bps",
                                                     help="Basis points of every payment owed to the parents (2000: "
                                                          "20%)."),
                    name: Optional[str] = typer.Option(None, "--name",
                                                       help="NAME of the dataset (default: the folder's)."),
                    description: str = typer.Option("", "--description",
                                                    help="TEXT describing it (in the manifest and Croissant)."),
                    name_in: list[str] = typer.Option([], "--name-in", help="LANG=NAME: its name in another "
                                                      "language, e.g. sw='Mito ya Kenya'; repeatable."),
                    description_in: list[str] = typer.Option([], "--description-in", help="LANG=TEXT: its "
                                                             "description in another language; repeatable."),
                    schema: Optional[str] = typer.Option(None, "--schema",
                                                         help="FILE: a JSON Schema each JSON/CSV record must meet."),
                    rpc: Optional[str] = RpcOpt,
                    account: Optional[str] = AccountOpt, deployments: Path = DeploymentsOpt, store: str = StoreOpt,
                    api: Optional[str] = ApiOpt, home: Optional[Path] = HomeOpt, as_json: bool = JsonOpt,
                    croissant: Optional[Path] = CroissantOpt,
                    private: bool = typer.Option(False, "--private", help="Encrypt every file first; licensees "
                                                 "download through the --gateway that holds the key."),
                    gateway: list[str] = typer.Option([], "--gateway", help="With --private: a gateway's URL "
                                                      "(repeatable) to wrap the data key for."),
                    dereference: bool = DereferenceOpt, encoding: Optional[str] = EncodingOpt,
                    content_gateway: Optional[str] = typer.Option(
                        None, "--content-gateway", help="An HTTP gateway that serves this content at /ipfs/CID "
                        "(pin it there): the Croissant's contentUrls point there, for any Croissant reader."),
                    terms_file: Optional[Path] = typer.Option(None, "--terms", help="FILE: a licence terms document "
                                                              "(ODRL) to publish beside the data and sell licences "
                                                              "under (see `license terms new`)."),
                    preset: Optional[str] = typer.Option(None, "--preset", help="NAME of a terms preset "
                                                         "instead of --terms (`commons license terms new` lists "
                                                         "them)."),
                    attribution: Optional[str] = typer.Option(None, "--attribution", help="TEXT: with --preset, how "
                                                              "to credit the data."),
                    community: Optional[str] = typer.Option(None, "--terms-community", help="NAME: with --preset "
                                                            "community-only, the community the data is for."),
                    explain: bool = ExplainOpt, supplied: list[str] = SuppliedOpt) -> None:
    """Pin DIRECTORY, its Croissant metadata and its manifest to IPFS and mint the dataset NFT
    (resumable, exactly once). Several folders are published as a batch, each exactly once."""
    try:
        if gateway and not private:
            raise OpenCommonsError("--gateway goes with --private (a public dataset needs no gateway)")
        terms = _terms_document(terms_file, preset, attribution, community)
        if len(directories) > 1:
            given = [option for option, value in (("--name", name), ("--name-in", name_in),
                                                  ("--description-in", description_in), ("--croissant", croissant),
                                                  ("--private", private), ("--explain", explain)) if value]
            if given:
                raise OpenCommonsError(f"{given[0]} describes one dataset: publish {len(directories)} folders "
                                       "without it (each is named after its folder), or one at a time")
            _publish_folders(directories, license_id, commons_code, contributor, parent, ancestor_bps, description,
                             schema, rpc, account, deployments, store, api, home, as_json, dereference, encoding,
                             content_gateway, terms, _supplied(supplied))
            return
        directory = directories[0]
        _publish(directory, license_id, commons_code, contributor, parent, ancestor_bps, name, description, schema,
                 None, rpc, account, deployments, store, api, home, as_json, croissant,
                 gateways=gateway if private else None, dereference=dereference, encoding=encoding,
                 content_gateway=content_gateway, explain=explain, terms=terms,
                 names=_in_languages(name_in, "--name-in"),
                 descriptions=_in_languages(description_in, "--description-in"), supplied=_supplied(supplied))
    except OpenCommonsError as exc:
        fail(exc)


@dataset_app.command("link")
def dataset_link(dataset: str, gateway: list[str] = typer.Option([], "--gateway", help="URL of a trustless gateway "
                                                                 "serving the content; repeatable."),
                 rpc: Optional[str] = RpcOpt, deployments: Path = DeploymentsOpt) -> None:
    """Print one string naming DATASET and its commons: `dataset get`, `load_dataset`, the dApp and
    the explorer take it on another machine (the same content in two commons has one id)."""
    from ..references import link_of, CommonsRef, DatasetLink

    try:
        commons = _commons(rpc, deployments)
        dataset_id = queries.parse_dataset_id(dataset)
        if not commons.nft.functions.exists(dataset_id).call():
            raise OpenCommonsError(f"dataset {dataset_id} does not exist in this commons")
        link = link_of(commons, dataset_id)
        if gateway:
            ref = link.commons
            link = DatasetLink(CommonsRef(ref.chain_id, ref.block, ref.addresses, ref.factory, ref.code,
                                          tuple(dict.fromkeys([*ref.gateways, *(g.rstrip("/") for g in gateway)])),
                                          ref.kubo), dataset_id)
            link = DatasetLink.parse(str(link))  # the gateways checked as a joiner checks them
        say(str(link))
    except OpenCommonsError as exc:
        fail(exc)


@dataset_app.command("version")
def dataset_version(directory: Path = typer.Argument(..., metavar="DIR"),
                    previous: str = typer.Argument(..., metavar="PREVIOUS", help="The dataset id (or CID) this "
                                                   "folder is the next version of."),
                    license_id: Optional[str] = typer.Option(None, "--license", help="SPDX expression (default: "
                                                             "the previous version's)."),
                    commons_code: Optional[str] = typer.Option(None, "--commons", help="CODE (default: the previous "
                                                               "version's)."),
                    contributor: list[str] = typer.Option([], "--contributor", help="ADDRESS=BPS, repeatable "
                                                          "(default: the previous version's contributors)."),
                    name: Optional[str] = typer.Option(None, "--name", help="NAME (default: the previous "
                                                       "version's)."),
                    rpc: Optional[str] = RpcOpt, account: Optional[str] = AccountOpt,
                    deployments: Path = DeploymentsOpt, store: str = StoreOpt, api: Optional[str] = ApiOpt,
                    home: Optional[Path] = HomeOpt, as_json: bool = JsonOpt,
                    dereference: bool = DereferenceOpt, encoding: Optional[str] = EncodingOpt,
                    explain: bool = ExplainOpt, supplied: list[str] = SuppliedOpt) -> None:
    """Publish DIR as the next version of dataset PREVIOUS: its licence, commons, contributors,
    name and terms are the previous version's unless given; its Croissant says which version it is."""
    from ..references import content_source

    try:
        if not directory.is_dir() and Path(previous).is_dir():  # the old order (PREVIOUS DIR) still works
            directory, previous = Path(previous), str(directory)
        previous_id = queries.parse_dataset_id(previous)
        commons = _commons(rpc, deployments)
        request = publishing.version_request(
            commons, previous_id, directory, content_source(commons, store, home, api), license=license_id,
            commons_code=commons_code, contributors=_contributors(contributor) if contributor else None, name=name,
            dereference=dereference, encoding=encoding, supplied=_supplied(supplied))
        if not as_json:
            say(f"version {request.version} of {request.succeeds}: licence {request.license}, commons "
                f"{request.commons}, {len(request.contributors)} contributor(s)")
        _run_publish(commons, request, account, store, api, home, as_json, explain=explain)
    except OpenCommonsError as exc:
        fail(exc)


def _readable(view: dict[str, Any], store: str, home: Optional[Path], api: Optional[str]) -> dict[str, Any]:
    """What a reader wants beside the raw record: a short id, the date, shares in percent, and the
    name and commons code from the manifest when the store holds it (the code only when it hashes
    to the commons recorded on-chain)."""
    from ..present import short_id, when

    extra: dict[str, Any] = {
        "shortId": short_id(int(view["id"])), "published": when(int(view["publishedAt"])),
        "shares": ", ".join(f"{c['account']} {c['shareBps'] / 100:g}%" for c in view["contributors"]),
    }
    extra.update(names.manifest_names(open_store(store, home, api), view["manifest"], view["commons"]))
    return extra


def _licence_facts(commons: Any, dataset_id: int, view: dict[str, Any], store: str, home: Optional[Path],
                   api: Optional[str]) -> dict[str, Any]:
    """The licence's pages, the Croissant and terms documents the manifest names, and the terms
    document licences are sold under now (with what it permits, when it can be read here)."""
    from ..ipfs.cid import Cid
    from ..ipfs.store import read_document
    from ..licensing import documents, odrl
    from ..ml.croissant import licence_urls
    from ..references import content_source

    source = content_source(commons, store, home, api)
    facts: dict[str, Any] = {"licenceUrls": ", ".join(licence_urls(view["license"]))}
    try:
        manifest = read_document(source, Cid.parse(view["manifest"]), "manifest")
        facts["croissant"] = manifest.get("croissant")
        facts["termsPublished"] = manifest.get("terms")
    except OpenCommonsError:
        facts["croissant"] = "(manifest not at hand: `dataset get` it, or give --gateway)"
    licence = documents.of_dataset(commons, source, dataset_id)
    facts["termsDocument"] = str(licence.terms_cid) if licence.terms_cid else None
    if licence.terms is not None:
        facts["terms"] = " | ".join(odrl.summary(licence.terms)[1:])
    elif licence.unread:
        facts["terms"] = f"not read: {licence.unread}"
    return facts


@dataset_app.command("show")
def dataset_show(dataset: str, as_json: bool = JsonOpt, rpc: Optional[str] = RpcOpt,
                 deployments: Path = DeploymentsOpt, store: str = StoreOpt, api: Optional[str] = ApiOpt,
                 home: Optional[Path] = HomeOpt, db: Optional[str] = DbOpt, no_index: bool = NoIndexOpt) -> None:
    """Show a dataset (by id or content CID); with its manifest at hand, its name and commons code."""
    try:
        from ..references import link_of

        dataset_id = queries.parse_dataset_id(dataset)  # bad input is refused before connecting
        commons = _commons(rpc, deployments)
        reader = _reader(commons, db, no_index)
        view = reader.dataset_view(dataset_id)
        view["link"] = str(link_of(commons, dataset_id))  # which commons this id is in
        view.update(_readable(view, store, home, api))
        content = open_store(store, home, api)
        named = [(c, names.profile_names(content, reader.contributor(c["account"])).get("name"))
                 for c in view["contributors"]]
        if any(name for _, name in named):
            view["contributorNames"] = ", ".join(f"{name or '(no profile here)'} {c['shareBps'] / 100:g}%"
                                                 for c, name in named)
        view.update(_licence_facts(commons, dataset_id, view, store, home, api))
        from .. import rights

        view["rights"] = rights.facts(commons, dataset_id, [c["account"] for c in view["contributors"]])
        if as_json:
            _emit(view, as_json)
            return
        from .. import present

        view.setdefault("commonsCode", names.own_code(commons, view["commons"]))
        view["contributorNames"] = [(name or present.short_address(c["account"]), int(c["shareBps"]))
                                    for c, name in named]
        for line in present.dataset_lines(view):
            say(line)
    except OpenCommonsError as exc:
        fail(exc)


@dataset_app.command("list")
def dataset_list(commons_code: Optional[str] = typer.Option(None, "--commons", help="CODE: only datasets in this "
                                                              "community code (e.g. KE/education)."),
                 contributor: Optional[str] = typer.Option(None, "--contributor", help="ADDRESS: only datasets it "
                                                           "contributed to."),
                 license_id: Optional[str] = typer.Option(None, "--license", help="SPDX id: only datasets under it."),
                 as_json: bool = JsonOpt, rpc: Optional[str] = RpcOpt, deployments: Path = DeploymentsOpt,
                 db: Optional[str] = DbOpt, no_index: bool = NoIndexOpt, store: str = StoreOpt,
                 api: Optional[str] = ApiOpt, home: Optional[Path] = HomeOpt) -> None:
    """List datasets (from the index, else the contract's events), filtered by commons, contributor or licence."""
    try:
        from ..present import chain_name
        from ..references import commons_label

        commons = _commons(rpc, deployments)
        reader = _reader(commons, db, no_index)
        rows = reader.list_datasets(commons_code, contributor, license_id)
        if not as_json:  # which commons these ids are in (the same content in two commons has one id)
            say(f"datasets of {commons_label(commons)} on {chain_name(commons.deployment.chain_id)}:")
            if not rows:
                filtered = any(f is not None for f in (commons_code, contributor, license_id))
                say("  none match these filters" if filtered else
                    "  none yet: publish one with `commons dataset publish DIR --license ... --commons ...`")
                return
            from .. import present

            content = open_store(store, home, api)
            found = {r["id"]: names.manifest_names(content, r["manifest"], "") for r in rows}
            named = {key: value["name"] for key, value in found.items() if "name" in value}
            for line in present.dataset_rows(rows, named):
                say(line)
            return
        _emit(rows, as_json)
    except OpenCommonsError as exc:
        fail(exc)


def _tree(node: dict[str, Any], key: str, prefix: str = "") -> list[str]:
    lines = []
    items = node.get(key, [])
    for i, child in enumerate(items):
        last = i == len(items) - 1
        lines.append(f"{prefix}{'└── ' if last else '├── '}{child['id']} {child.get('license', '')} "
                     f"[{child['status']}]".replace("  [", " ["))
        lines.extend(_tree(child, key, prefix + ("    " if last else "│   ")))
    return lines


@dataset_app.command("models")
def dataset_models(dataset: str, as_json: bool = JsonOpt, rpc: Optional[str] = RpcOpt,
                   deployments: Path = DeploymentsOpt, store: str = StoreOpt, api: Optional[str] = ApiOpt,
                   home: Optional[Path] = HomeOpt) -> None:
    """The models trained on DATASET (their training logs name it): its share of each, what it
    pulled and what it can pull now (`commons royalties pull-training MODEL --dataset ID`)."""
    try:
        from .. import present
        from ..ml.training import models_of_dataset
        from ..references import content_source

        dataset_id = queries.parse_dataset_id(dataset)
        commons = _commons(rpc, deployments)
        found = models_of_dataset(commons, content_source(commons, store, home, api), dataset_id,
                                  queries.listed_tokens(commons))
        if as_json:
            say(json.dumps([{**m, "pulled": {t: str(v) for t, v in m.get("pulled", {}).items()},
                             "pending": {t: str(v) for t, v in m.get("pending", {}).items()}} for m in found],
                           indent=2, sort_keys=True))
            return
        if not found:
            say(f"no model with a training record names dataset {dataset_id}")
            return

        def money(amounts: dict[str, int]) -> str:
            return ", ".join(queries.format_amount(commons, v, t) for t, v in amounts.items() if v) or "nothing"

        for m in found:
            if "unread" in m:
                say(f"  model {present.short_id(int(m['model']))}: its training log could not be read ({m['unread']})")
                continue
            say(f"  model {present.short_id(int(m['model']))}: {100 * m['weight'] / m['totalWeight']:.2f}% of its "
                f"training data; pulled {money(m['pulled'])}; can pull {money(m['pending'])}")
    except OpenCommonsError as exc:
        fail(exc)


@dataset_app.command("lineage")
def dataset_lineage(dataset: str, depth: int = typer.Option(32, "--depth", min=1,
                                                           help="LEVELS of parents and children to show."),
                    as_json: bool = JsonOpt, rpc: Optional[str] = RpcOpt, deployments: Path = DeploymentsOpt,
                    db: Optional[str] = DbOpt, no_index: bool = NoIndexOpt) -> None:
    """A dataset's ancestors (what it derives from) and descendants (what derives from it), as a tree."""
    try:
        dataset_id = queries.parse_dataset_id(dataset)
        reader = _reader(_commons(rpc, deployments), db, no_index)
        tree = reader.lineage(dataset_id, depth)
        tree["versions"] = _versions(reader, dataset_id)
        if as_json:
            _emit(tree, True)
            return
        say(f"{tree['id']} {tree.get('license', '')} [{tree['status']}]")
        if len(tree["versions"]) > 1:
            say("versions: " + ", ".join(f"{n} {v}{' (this one)' if v == str(dataset_id) else ''}"
                                         for n, v in enumerate(tree["versions"], 1)))
        say("derives from:" if tree.get("parents") else "derives from: nothing")
        for line in _tree(tree, "parents"):
            say(line)
        say("derived by:" if tree.get("children") else "derived by: nothing")
        for line in _tree(tree, "children"):
            say(line)
    except OpenCommonsError as exc:
        fail(exc)


def _versions(reader: Any, dataset_id: int, limit: int = 64) -> list[str]:
    """Every version of the dataset, oldest first (its previous and next versions, followed)."""
    view = reader.dataset_view(dataset_id)
    older: list[str] = []
    newer: list[str] = []
    current = view
    while current.get("previousVersion") and len(older) < limit:
        older.append(current["previousVersion"])
        current = reader.dataset_view(int(current["previousVersion"]))
    current = view
    while current.get("nextVersion") and len(newer) < limit:
        newer.append(current["nextVersion"])
        current = reader.dataset_view(int(current["nextVersion"]))
    return [*reversed(older), str(dataset_id), *newer]


@dataset_app.command("car")
def dataset_car(dataset: str, file: Path, force: bool = typer.Option(False, "--force", help="Overwrite FILE."),
                rpc: Optional[str] = RpcOpt, deployments: Path = DeploymentsOpt,
                home: Optional[Path] = HomeOpt) -> None:
    """Write a dataset's content and its manifest (both roots) from the embedded store to one CAR file."""
    try:
        from ..ipfs.car import export_car
        from ..ipfs.store import EmbeddedStore

        view = queries.dataset_view(_commons(rpc, deployments), queries.parse_dataset_id(dataset))
        roots = [Cid.parse(view["content"]), Cid.parse(view["manifest"])]
        count = export_car(EmbeddedStore(home), roots, file, overwrite=force)
        say(f"{count} blocks written to {file} (content {roots[0]}, manifest {roots[1]})")
    except OpenCommonsError as exc:
        fail(exc)


@dataset_app.command("verify")
def dataset_verify(dataset: str, path: Optional[Path] = typer.Option(None, "--path",
                                                                     help="DIR: a local copy to check."),
                   rpc: Optional[str] = RpcOpt, deployments: Path = DeploymentsOpt, store: str = StoreOpt,
                   api: Optional[str] = ApiOpt, home: Optional[Path] = HomeOpt) -> None:
    """Re-hash a local copy (or fetch from the store) and compare with the on-chain digest and manifest."""
    try:
        commons = _commons(rpc, deployments)
        dataset_id = queries.parse_dataset_id(dataset)
        view = queries.dataset_view(commons, dataset_id)
        content_store: ContentStore = open_store(store, home, api)
        manifest = json.loads(b"".join(content_store.cat(Cid.parse(view["manifest"]))))
        if manifest.get("content") != view["content"]:
            raise OpenCommonsError(f"manifest {view['manifest']} names content {manifest.get('content')}, "
                                   f"the chain records {view['content']}")
        if path is not None:
            publishing.verify_directory(commons, dataset_id, path, manifest)
            say(f"ok: {path} matches dataset {dataset_id} ({view['content']}) and its manifest")
        else:
            blocks = content_store.verify(Cid.parse(view["content"]))
            say(f"ok: {view['content']} fetched from the store ({blocks} blocks re-hashed) matches the chain")
    except OpenCommonsError as exc:
        fail(exc)


CURATION = {"accept": 2, "reject": 3, "retire": 4}  # IDatasetNFT.Status


@dataset_app.command("curate")
def dataset_curate(dataset: str, action: str = typer.Argument(..., help="accept, reject or retire"),
                   rpc: Optional[str] = RpcOpt, account: Optional[str] = AccountOpt,
                   deployments: Path = DeploymentsOpt) -> None:
    """Accept or reject a Proposed dataset, or retire an Accepted one (curator role)."""
    try:
        if action not in CURATION:
            raise OpenCommonsError(f"unknown curation action {action!r}: use accept, reject or retire")
        commons = _commons(rpc, deployments)
        dataset_id = queries.parse_dataset_id(dataset)
        who = _sender(commons, account)
        role = commons.nft.functions.CURATOR_ROLE().call()
        if not commons.nft.functions.hasRole(role, who.address).call():
            raise OpenCommonsError(f"account {who.address} does not hold the curator role: curate from a "
                                   "curator's account, or ask governance to grant CURATOR_ROLE")
        _tx(f"curated ({action})", commons, who, commons.nft.functions.curate(dataset_id, CURATION[action]))
    except OpenCommonsError as exc:
        fail(exc)
