"""`commons license offer|buy|show`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

import typer

from ..errors import LineageError, OpenCommonsError
from .common import (AccountOpt, ApiOpt, _commons, DeploymentsOpt, _emit, err, EXPLAIN_HINT, fail, HomeOpt, JsonOpt,
                     lazy, RpcOpt, _said, say, _sender, StoreOpt)

if TYPE_CHECKING:
    from .. import actions, present, queries, rights, suite
    from ..licensing import documents, odrl
    import web3
else:
    actions = lazy("opencommons.actions")
    present = lazy("opencommons.present")
    queries = lazy("opencommons.queries")
    rights = lazy("opencommons.rights")
    suite = lazy("opencommons.suite")
    documents = lazy("opencommons.licensing.documents")
    odrl = lazy("opencommons.licensing.odrl")
    web3 = lazy("web3")

license_app = typer.Typer(help="Offer, buy and check licences, and write the terms they are sold under.",
                          no_args_is_help=True)
terms_app = typer.Typer(help="Licence terms documents (W3C ODRL policies in JSON-LD): write, read, check.",
                        no_args_is_help=True)
license_app.add_typer(terms_app, name="terms")

GatewayOpt = typer.Option(None, "--gateway", help="An HTTP gateway (URL) to read the terms document from.")
PresetOpt = typer.Option(None, "--preset", help="NAME of a terms preset: open-attribution, research-only, "
                         "commercial-attribution, ai-training-allowed, no-ai-training or community-only.")
AttributionOpt = typer.Option(None, "--attribution", help="TEXT: how a licensee must credit the data.")
CommunityOpt = typer.Option(None, "--community", help="NAME of the community the data is for (community-only).")
TerritoryOpt = typer.Option([], "--territory", help="CODE (ISO 3166, e.g. KE) where use is allowed; repeatable.")
RevenueOpt = typer.Option(None, "--revenue-share", min=0, max=100, help="PERCENT of a derivative's revenue owed "
                          "back (0 to 100).")
LabelOpt = typer.Option([], "--label", help="LABEL: a Local Contexts label such as 'TK Attribution'; repeatable.")


def _preset_terms(preset: str, attribution: Optional[str], community: Optional[str], territory: list[str],
                  revenue_share: Optional[float], label: list[str]) -> "odrl.Terms":
    return odrl.preset(preset, attribution=attribution, community=community, territory=tuple(territory),
                       revenue_share_bps=None if revenue_share is None else round(revenue_share * 100),
                       labels=tuple(label))


def _read_terms_file(path: Path) -> tuple[dict[str, Any], "odrl.Terms"]:
    if not path.is_file():
        raise OpenCommonsError(f"no such terms document: {path}")
    return odrl.load(path.read_bytes(), str(path))


@terms_app.command("new")
def terms_new(preset: Optional[str] = PresetOpt, output: Optional[Path] = typer.Option(
                  None, "--output", "-o", help="FILE to write the document to (default: print it)."),
              attribution: Optional[str] = AttributionOpt, community: Optional[str] = CommunityOpt,
              territory: list[str] = TerritoryOpt, revenue_share: Optional[float] = RevenueOpt,
              label: list[str] = LabelOpt) -> None:
    """Write a terms document from a preset (without --preset: list the presets)."""
    import json

    try:
        if preset is None:
            for chosen in odrl.PRESETS.values():
                say(f"{chosen.name}: {chosen.summary}")
            return
        document = odrl.to_document(_preset_terms(preset, attribution, community, territory, revenue_share, label))
        text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
        if output is None:
            say(text.rstrip("\n"))
            return
        if output.exists():
            raise OpenCommonsError(f"{output} exists: choose another --output or remove it")
        output.write_text(text)
        _, terms = odrl.load(text, str(output))
        say(f"wrote {output}")
        for line in odrl.summary(terms):
            say(line)
    except OpenCommonsError as exc:
        fail(exc)


@terms_app.command("validate")
def terms_validate(document: Path) -> None:
    """Check DOCUMENT (an ODRL policy in JSON-LD) as a buyer's client will read it."""
    try:
        _, terms = _read_terms_file(document)
        say(f"valid: {document} ({terms.title})")
    except OpenCommonsError as exc:
        fail(exc)


@terms_app.command("show")
def terms_show(what: str = typer.Argument(..., help="A terms document FILE, or a DATASET id whose terms to read."),
               gateway: Optional[str] = GatewayOpt, as_json: bool = JsonOpt, rpc: Optional[str] = RpcOpt,
               deployments: Path = DeploymentsOpt, store: str = StoreOpt, api: Optional[str] = ApiOpt,
               home: Optional[Path] = HomeOpt) -> None:
    """Say what a terms document permits, prohibits and requires, and show its text."""
    try:
        cid = None
        if Path(what).is_file():
            document, terms = _read_terms_file(Path(what))
            cid = odrl.cid_of_digest(odrl.digest_of(odrl.canonical(document)))
        else:
            from ..references import content_source

            commons = _commons(rpc, deployments)
            dataset_id = queries.parse_dataset_id(what)
            _exists(commons, dataset_id)
            licence = documents.of_dataset(commons, content_source(commons, store, home, api, gateway), dataset_id,
                                           strict=True)
            if licence.terms is None:
                raise OpenCommonsError(f"dataset {dataset_id} sells no licence under a terms document: its SPDX "
                                       f"licence {licence.expression} alone applies")
            terms, cid = licence.terms, licence.terms_cid
        _emit_terms(terms, cid, as_json)
    except OpenCommonsError as exc:
        fail(exc)


def _emit_terms(terms: "odrl.Terms", cid: object, as_json: bool) -> None:
    import dataclasses
    import json

    if as_json:
        say(json.dumps({**dataclasses.asdict(terms), "cid": str(cid) if cid else None}, indent=2, sort_keys=True))
        return
    for line in odrl.summary(terms):
        say(line)
    if cid:
        say(f"document: {cid}")
    say(f"text: {terms.text}")


def _exists(commons: object, dataset_id: int) -> None:
    if not commons.nft.functions.exists(dataset_id).call():  # type: ignore[attr-defined]
        raise queries.no_such_dataset(commons, dataset_id)  # type: ignore[arg-type]


@license_app.command("offer")
def license_offer(dataset: str, price: str = typer.Option(..., "--price", help="AMOUNT per licence in the token's "
                                                          "units (ETH by default), e.g. 0.05."),
                  token: Optional[str] = typer.Option(None, "--token", help="ADDRESS of an ERC-20 to be paid in "
                                                      "(default: ETH)."),
                  days: int = typer.Option(0, "--days", min=0, help="DAYS a licence lasts; 0 for perpetual."),
                  terms_file: Optional[Path] = typer.Option(None, "--terms", help="FILE: the terms document buyers "
                                                            "agree to (see `license terms new`)."),
                  preset: Optional[str] = PresetOpt, attribution: Optional[str] = AttributionOpt,
                  community: Optional[str] = CommunityOpt, territory: list[str] = TerritoryOpt,
                  revenue_share: Optional[float] = RevenueOpt, label: list[str] = LabelOpt,
                  explain: bool = typer.Option(False, "--explain", help="Print the whole check along the lineage."),
                  rpc: Optional[str] = RpcOpt, account: Optional[str] = AccountOpt,
                  deployments: Path = DeploymentsOpt, store: str = StoreOpt, api: Optional[str] = ApiOpt,
                  home: Optional[Path] = HomeOpt) -> None:
    """Offer licences to a dataset you own, under a terms document (--terms or --preset) pinned to
    IPFS and bound on-chain; without one the dataset's SPDX licence alone describes the licence."""
    try:
        if terms_file is not None and preset is not None:
            raise OpenCommonsError("give --terms FILE or --preset NAME, not both")
        commons = _commons(rpc, deployments)
        dataset_id = queries.parse_dataset_id(dataset)
        _exists(commons, dataset_id)
        tok = queries.token_address(token)
        amount = queries.parse_amount(commons, price, tok)
        from ..ipfs.content import open_store
        from ..references import content_source

        document = None
        if preset is not None:
            document = odrl.to_document(documents.bind(commons, dataset_id, _preset_terms(
                preset, attribution, community, territory, revenue_share, label)))
        elif terms_file is not None:
            document = _read_terms_file(terms_file)[0]
        source = content_source(commons, store, home, api)
        if explain and document is not None:
            for finding in documents.check_offer(commons, source, dataset_id, odrl.load(document)[1]):
                err.print(f"{'explain' if finding.level == 'ok' else finding.level}: {finding}", markup=False)
        try:
            offered = actions.offer_under_terms(commons, _sender(commons, account), open_store(store, home, api),
                                                source, dataset_id, amount, days * 86400, tok, document, report=_said)
        except LineageError as exc:
            raise LineageError(f"{exc}{'' if explain else EXPLAIN_HINT}") from None
        for finding in offered.findings:
            if finding.level == "note" and not explain:
                err.print(f"note: {finding}", markup=False)
        if offered.terms is not None:
            say(f"terms: {'the document published with the dataset' if offered.published else 'the document'} "
                f"{offered.terms_cid}, bound on-chain")
            for line in odrl.summary(offered.terms):
                say(line)
    except OpenCommonsError as exc:
        fail(exc)


def _terms_lines(commons: "suite.Commons", dataset_id: int, terms: "actions.Terms", source: object,
                 accept_unread: bool) -> list[str]:
    """What a buyer reads before paying: the price, the length, and what the terms document permits."""
    lines = [f"price: {queries.format_amount(commons, terms.price, terms.token)}, {present.duration(terms.duration_s)}"]
    if terms.document == bytes(32):
        view = queries.dataset_view(commons, dataset_id)
        return lines + [f"no terms document: the dataset's licence {view['license']} describes what you may do"]
    cid = odrl.cid_of_digest(terms.document)
    try:
        _, read = documents.fetch(source, terms.document, "the terms document")
    except odrl.TermsError as exc:
        if not accept_unread:
            raise OpenCommonsError(f"{exc}; or pass --accept-unread to buy without reading it") from None
        return lines + [f"terms document: {cid} (NOT READ: {exc})"]
    return lines + [f"terms document: {cid}", *odrl.summary(read)]


@license_app.command("buy")
def license_buy(dataset: str, max_price: Optional[str] = typer.Option(None, "--max-price", help="AMOUNT in the "
                                                                      "token's units you will pay at most."),
                gateway: Optional[str] = GatewayOpt,
                accept_unread: bool = typer.Option(False, "--accept-unread", help="Buy even when the terms "
                                                   "document cannot be read here."),
                rpc: Optional[str] = RpcOpt, account: Optional[str] = AccountOpt,
                deployments: Path = DeploymentsOpt, store: str = StoreOpt, api: Optional[str] = ApiOpt,
                home: Optional[Path] = HomeOpt) -> None:
    """Buy a licence at the current price (never above --max-price), after printing its terms."""
    from ..references import content_source

    try:
        commons = _commons(rpc, deployments)
        dataset_id = queries.parse_dataset_id(dataset)
        _exists(commons, dataset_id)
        terms = actions.terms_of(commons, dataset_id)
        limit = queries.parse_amount(commons, max_price, terms.token) if max_price else None
        if terms.for_sale:  # the purchase is bound to exactly these terms: a change before it mines reverts
            for line in _terms_lines(commons, dataset_id, terms, content_source(commons, store, home, api, gateway),
                                     accept_unread):
                say(line)
        actions.buy_licence(commons, _sender(commons, account), dataset_id, limit, report=_said)
    except OpenCommonsError as exc:
        fail(exc)


@license_app.command("move")
def license_move(dataset: str, rpc: Optional[str] = RpcOpt, account: Optional[str] = AccountOpt,
                 deployments: Path = DeploymentsOpt) -> None:
    """Move your licence to DATASET (contributors withdrew from it; it was reissued) to its newest version, free."""
    try:
        commons = _commons(rpc, deployments)
        dataset_id = queries.parse_dataset_id(dataset)
        _exists(commons, dataset_id)
        _, to_id, expires = rights.move_licence(commons, _sender(commons, account), dataset_id, report=_said)
        say(f"licence moved from dataset {dataset_id} to {to_id}: {present.expiry(expires)}")
    except OpenCommonsError as exc:
        fail(exc)


@license_app.command("show")
def license_show(dataset: str, licensee: Optional[str] = typer.Option(None, "--of", "--licensee", help="ADDRESS "
                                                                      "whose licence to check (default: --account)."),
                 gateway: Optional[str] = GatewayOpt, as_json: bool = JsonOpt,
                 rpc: Optional[str] = RpcOpt, account: Optional[str] = AccountOpt,
                 deployments: Path = DeploymentsOpt, store: str = StoreOpt, api: Optional[str] = ApiOpt,
                 home: Optional[Path] = HomeOpt) -> None:
    """Show a dataset's terms, what its terms document permits, and whether LICENSEE holds a valid licence."""
    from ..references import content_source

    try:
        commons = _commons(rpc, deployments)
        dataset_id = queries.parse_dataset_id(dataset)
        _exists(commons, dataset_id)
        who = web3.Web3.to_checksum_address(licensee) if licensee else _sender(commons, account).address
        terms = actions.terms_of(commons, dataset_id)
        expires = commons.licenses.functions.licenseExpiry(who, dataset_id).call()
        valid = commons.licenses.functions.hasValidLicense(who, dataset_id).call()
        shown = {"dataset": str(dataset_id), "token": terms.token, "price": str(terms.price),
                 "durationS": terms.duration_s, "forSale": terms.for_sale, "licensee": who, "valid": valid,
                 "expiresAt": expires, "priceText": queries.format_amount(commons, terms.price, terms.token),
                 "duration": present.duration(terms.duration_s), "expires": present.expiry(expires, valid),
                 "termsDocument": None, "terms": None}
        if terms.document != bytes(32):
            shown["termsDocument"] = str(odrl.cid_of_digest(terms.document))
            try:
                _, read = documents.fetch(content_source(commons, store, home, api, gateway), terms.document,
                                          "the terms document")
                shown["terms"] = " | ".join(odrl.summary(read))
            except odrl.TermsError as exc:
                shown["terms"] = f"not read: {exc}"
        if as_json:
            _emit(shown, as_json)
            return
        rows = [("dataset", f"{present.short_id(dataset_id)} ({dataset_id})"),
                ("licence", f"{shown['priceText']}, {shown['duration']}" if terms.for_sale else "not for sale")]
        if shown["termsDocument"]:
            rows += [("terms", str(shown["terms"]).replace(" | ", "; ")), ("terms document", shown["termsDocument"])]
        else:
            rows.append(("terms", "no terms document: the dataset's licence alone says what may be done"))
        rows.append(("licensee", f"{who}: {shown['expires']}"))
        for line in present.fact_lines(rows):
            say(line)
    except OpenCommonsError as exc:
        fail(exc)
