"""`commons consent give|sign|relay|withdraw|show` and `commons dispute raise|answer|decide|appeal|close|show|
bonds|enforce`: the rights people keep over data in the commons."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

import typer

from ..errors import OpenCommonsError
from .common import (AccountOpt, ApiOpt, _commons, DeploymentsOpt, _emit, fail, HomeOpt, JsonOpt, lazy, RpcOpt,
                     _said, say, _sender, StoreOpt)
from .dataset import dataset_app

if TYPE_CHECKING:
    from .. import present, queries, rights
    from ..chain import transactions
    from ..ipfs import content
else:
    content = lazy("opencommons.ipfs.content")
    present = lazy("opencommons.present")
    queries = lazy("opencommons.queries")
    rights = lazy("opencommons.rights")
    transactions = lazy("opencommons.chain.transactions")

consent_app = typer.Typer(help="Consent to being named in a dataset, or withdraw your contribution.",
                          no_args_is_help=True)
dispute_app = typer.Typer(help="Dispute a dataset (takedown with due process): raise, answer, decide, appeal, close.",
                          no_args_is_help=True)

PurposesOpt = typer.Option(None, "--purposes", help="FILE: what you agree the data may be used for (pinned; "
                                                    "default: the dataset's own licence and terms).")


def _store(store: str, home: Optional[Path], api: Optional[str]) -> Any:
    return content.open_store(store, home, api)


@consent_app.command("give")
def consent_give(dataset: str, purposes: Optional[Path] = PurposesOpt, rpc: Optional[str] = RpcOpt,
                 account: Optional[str] = AccountOpt, deployments: Path = DeploymentsOpt, store: str = StoreOpt,
                 api: Optional[str] = ApiOpt, home: Optional[Path] = HomeOpt) -> None:
    """Consent, as --account, to being named in DATASET (your share's royalties are yours to claim)."""
    try:
        dataset_id = queries.parse_dataset_id(dataset)
        commons = _commons(rpc, deployments)
        who = _sender(commons, account)
        cid = rights.pin_purposes(_store(store, home, api), purposes) if purposes else None
        rights.consent(commons, who, dataset_id, cid, report=_said)
        say(f"{who.address} consents to being named in dataset {dataset_id}"
            + (f" for the purposes in {cid}" if cid else " under its licence and terms"))
    except OpenCommonsError as exc:
        fail(exc)


@consent_app.command("sign")
def consent_sign(dataset: str, out: Path = typer.Option(..., "--out", help="FILE to write the signed consent to "
                                                                            "(JSON: give it to a relayer)."),
                 purposes: Optional[Path] = PurposesOpt, valid_for: int = typer.Option(
                     86_400, "--valid-for", min=60, help="Seconds the signature stays valid."),
                 rpc: Optional[str] = RpcOpt, account: Optional[str] = AccountOpt,
                 deployments: Path = DeploymentsOpt, store: str = StoreOpt, api: Optional[str] = ApiOpt,
                 home: Optional[Path] = HomeOpt) -> None:
    """Sign your consent without paying gas (--account must be a keystore); `consent relay` sends it."""
    try:
        dataset_id = queries.parse_dataset_id(dataset)
        if out.exists():
            raise OpenCommonsError(f"{out} exists: choose another --out (nothing is overwritten)")
        commons = _commons(rpc, deployments)
        who = _sender(commons, account)
        if not isinstance(who, transactions.KeyAccount):
            raise OpenCommonsError("consent sign needs --account KEYSTORE.json: the signer must hold its key")
        cid = rights.pin_purposes(_store(store, home, api), purposes) if purposes else None
        signed = rights.sign_consent(commons, who.account, dataset_id, cid, valid_for)
        out.write_text(json.dumps(signed, indent=2, sort_keys=True) + "\n")
        say(f"signed: {who.address} consents to dataset {dataset_id}, valid until "
            f"{present.when(int(signed['deadline']))}; a relayer sends it with `commons consent relay {out}`")
    except OpenCommonsError as exc:
        fail(exc)


@consent_app.command("relay")
def consent_relay(signed: Path = typer.Argument(..., metavar="FILE"), rpc: Optional[str] = RpcOpt,
                  account: Optional[str] = AccountOpt, deployments: Path = DeploymentsOpt) -> None:
    """Send a consent someone signed (`consent sign`), paying its gas as --account."""
    try:
        try:
            data = json.loads(signed.read_text())
        except (OSError, ValueError) as exc:
            raise OpenCommonsError(f"cannot read the signed consent {signed}: {exc}") from None
        if not isinstance(data, dict):
            raise OpenCommonsError(f"{signed} is not a signed consent (a JSON object)")
        commons = _commons(rpc, deployments)
        who = _sender(commons, account)
        rights.relay_consent(commons, who, data, report=_said)
        say(f"consent of {data['contributor']} to dataset {data['dataset']} recorded (gas paid by {who.address})")
    except OpenCommonsError as exc:
        fail(exc)


@consent_app.command("withdraw")
def consent_withdraw(dataset: str, files: list[str] = typer.Option([], "--files", help="PATH in the dataset you "
                                                                   "supplied (repeat); default: all you supplied."),
                     rpc: Optional[str] = RpcOpt, account: Optional[str] = AccountOpt,
                     deployments: Path = DeploymentsOpt, store: str = StoreOpt, api: Optional[str] = ApiOpt,
                     home: Optional[Path] = HomeOpt) -> None:
    """Withdraw your contribution to DATASET (on-chain, with its time); the owner then publishes a version without it."""
    try:
        dataset_id = queries.parse_dataset_id(dataset)
        commons = _commons(rpc, deployments)
        who = _sender(commons, account)
        _, listed = rights.withdraw(commons, who, _store(store, home, api), dataset_id, files, report=_said)
        say(f"{who.address} withdrew " + (f"{len(rights.clean_paths(files))} file(s) (listed in {listed})" if listed
                                           else "its whole contribution") + f" from dataset {dataset_id}")
    except OpenCommonsError as exc:
        fail(exc)


@consent_app.command("show")
def consent_show(dataset: str, as_json: bool = JsonOpt, rpc: Optional[str] = RpcOpt,
                 deployments: Path = DeploymentsOpt) -> None:
    """Who consented to being named in DATASET, who has not yet, who withdrew; its dispute, if any."""
    try:
        dataset_id = queries.parse_dataset_id(dataset)
        commons = _commons(rpc, deployments)
        facts = rights.facts(commons, dataset_id)
        if as_json:
            _emit(facts, True)
            return
        for line in present.rights_lines(facts):
            say(line)
    except OpenCommonsError as exc:
        fail(exc)


# ---------------------------------------------------------------------- disputes
@dispute_app.command("raise")
def dispute_raise(dataset: str, reason: str = typer.Option(..., "--reason", help="REASON: personal-data, copyright, "
                                                           "cultural-protocol, unlawful-content or "
                                                           "improper-registration."),
                  evidence: Path = typer.Option(..., "--evidence", help="FILE: your evidence (pinned to IPFS)."),
                  rpc: Optional[str] = RpcOpt, account: Optional[str] = AccountOpt,
                  deployments: Path = DeploymentsOpt, store: str = StoreOpt, api: Optional[str] = ApiOpt,
                  home: Optional[Path] = HomeOpt) -> None:
    """Dispute DATASET with evidence, paying the commons' bond (back to you if upheld, to the publisher if not)."""
    try:
        dataset_id = queries.parse_dataset_id(dataset)
        rights.reason_code(reason)  # refused before connecting
        commons = _commons(rpc, deployments)
        who = _sender(commons, account)
        _, dispute_id, cid = rights.raise_dispute(commons, who, _store(store, home, api), dataset_id, reason,
                                                  evidence, report=_said)
        say(f"dispute {dispute_id} raised against dataset {dataset_id} ({reason}, evidence {cid})")
    except OpenCommonsError as exc:
        fail(exc)


@dispute_app.command("answer")
def dispute_answer(dispute: int, document: Path = typer.Option(..., "--document", help="FILE: the publisher's "
                                                                "answer (pinned to IPFS)."),
                   rpc: Optional[str] = RpcOpt, account: Optional[str] = AccountOpt,
                   deployments: Path = DeploymentsOpt, store: str = StoreOpt, api: Optional[str] = ApiOpt,
                   home: Optional[Path] = HomeOpt) -> None:
    """The publisher's answer to DISPUTE, while the arbiter decides."""
    try:
        commons = _commons(rpc, deployments)
        _, cid = rights.answer(commons, _sender(commons, account), _store(store, home, api), dispute, document,
                               report=_said)
        say(f"dispute {dispute} answered ({cid})")
    except OpenCommonsError as exc:
        fail(exc)


@dispute_app.command("decide")
def dispute_decide(dispute: int, uphold: bool = typer.Option(..., "--uphold/--reject",
                                                             help="Uphold the dispute (take the dataset down) or "
                                                                  "reject it."),
                   rpc: Optional[str] = RpcOpt, account: Optional[str] = AccountOpt,
                   deployments: Path = DeploymentsOpt) -> None:
    """The arbiter's decision on DISPUTE (or on its appeal)."""
    try:
        commons = _commons(rpc, deployments)
        rights.decide(commons, _sender(commons, account), dispute, uphold, report=_said)
        d = rights.dispute(commons, dispute)
        say(f"dispute {dispute} is {d.stage_name}"
            + (f": dataset {d.dataset_id} is taken down" if uphold else f": dataset {d.dataset_id} stands"))
    except OpenCommonsError as exc:
        fail(exc)


@dispute_app.command("appeal")
def dispute_appeal(dispute: int, rpc: Optional[str] = RpcOpt, account: Optional[str] = AccountOpt,
                   deployments: Path = DeploymentsOpt) -> None:
    """Appeal the decision on DISPUTE (the side that lost it), paying the bond."""
    try:
        commons = _commons(rpc, deployments)
        rights.appeal(commons, _sender(commons, account), dispute, report=_said)
        say(f"dispute {dispute} appealed: the arbiter decides again")
    except OpenCommonsError as exc:
        fail(exc)


@dispute_app.command("close")
def dispute_close(dispute: int, rpc: Optional[str] = RpcOpt, account: Optional[str] = AccountOpt,
                  deployments: Path = DeploymentsOpt) -> None:
    """End DISPUTE once its window passed: an undecided one lapses, an unappealed decision becomes final."""
    try:
        commons = _commons(rpc, deployments)
        rights.close(commons, _sender(commons, account), dispute, report=_said)
        say(f"dispute {dispute} is {rights.dispute(commons, dispute).stage_name}")
    except OpenCommonsError as exc:
        fail(exc)


@dispute_app.command("forfeit")
def dispute_forfeit(dispute: int, rpc: Optional[str] = RpcOpt, account: Optional[str] = AccountOpt,
                    deployments: Path = DeploymentsOpt) -> None:
    """Send the royalties of the dataset DISPUTE took down for good to the treasury (anyone may, once final)."""
    try:
        commons = _commons(rpc, deployments)
        _, forfeited = rights.forfeit(commons, _sender(commons, account), dispute, report=_said)
        d = rights.dispute(commons, dispute)
        amounts = [queries.format_amount(commons, amount, token) for token, amount in forfeited.items() if amount]
        say(f"dataset {d.dataset_id}'s royalties forfeited to the treasury: " + (", ".join(amounts) if amounts
                                                                                  else "nothing was left unclaimed"))
    except OpenCommonsError as exc:
        fail(exc)


@dispute_app.command("show")
def dispute_show(dispute: int, as_json: bool = JsonOpt, rpc: Optional[str] = RpcOpt,
                 deployments: Path = DeploymentsOpt) -> None:
    """A dispute: its dataset, reason, evidence, answer, stage and bonds."""
    try:
        commons = _commons(rpc, deployments)
        d = rights.dispute(commons, dispute)
        if as_json:
            _emit(d.as_dict(), True)
            return
        for line in present.dispute_lines(d.as_dict(), lambda value: queries.format_amount(commons, value,
                                                                                           queries.NATIVE)):
            say(line)
    except OpenCommonsError as exc:
        fail(exc)


@dispute_app.command("bonds")
def dispute_bonds(withdraw: bool = typer.Option(False, "--withdraw", help="Send them to you."),
                  rpc: Optional[str] = RpcOpt, account: Optional[str] = AccountOpt,
                  deployments: Path = DeploymentsOpt) -> None:
    """The dispute bonds credited to --account; --withdraw sends them."""
    try:
        commons = _commons(rpc, deployments)
        who = _sender(commons, account)
        if withdraw:
            _, amount = rights.withdraw_bonds(commons, who, report=_said)
            say(f"sent {queries.format_amount(commons, amount, queries.NATIVE)} to {who.address}")
            return
        amount = int(commons.rights.functions.bondOf(who.address).call()) if "DatasetRights" in \
            commons.deployment.addresses else 0
        say(f"{who.address} has {queries.format_amount(commons, amount, queries.NATIVE)} of bonds to withdraw")
    except OpenCommonsError as exc:
        fail(exc)


@dispute_app.command("enforce")
def dispute_enforce(rpc: Optional[str] = RpcOpt, deployments: Path = DeploymentsOpt, store: str = StoreOpt,
                    api: Optional[str] = ApiOpt, home: Optional[Path] = HomeOpt) -> None:
    """Remove this machine's pins (the embedded store, or the Kubo node of --store kubo) of every taken-down dataset."""
    try:
        commons = _commons(rpc, deployments)
        removed = rights.enforce(commons, _store(store, home, api))
        for dataset_id, cid in removed:
            say(f"unpinned {cid} of taken-down dataset {dataset_id}")
        say(f"{len(removed)} pin(s) removed" if removed else "no pin of a taken-down dataset here")
    except OpenCommonsError as exc:
        fail(exc)


@dataset_app.command("erase")
def dataset_erase(dataset: str, rpc: Optional[str] = RpcOpt, account: Optional[str] = AccountOpt,
                  deployments: Path = DeploymentsOpt, store: str = StoreOpt, api: Optional[str] = ApiOpt,
                  home: Optional[Path] = HomeOpt) -> None:
    """Erase a private dataset: every gateway destroys its data key (crypto-shredding), on the record.

    Run it again while a gateway has not confirmed (one that was down destroys the key itself when it
    next reads the chain about the dataset)."""
    try:
        dataset_id = queries.parse_dataset_id(dataset)
        commons = _commons(rpc, deployments)
        done = rights.erase(commons, _sender(commons, account), _store(store, home, api), dataset_id, report=_said)
        for url in done.confirmed:
            say(f"{url}: data key destroyed")
        if done.unconfirmed:
            url, why = next(iter(done.unconfirmed.items()))
            raise OpenCommonsError(f"erasure of dataset {dataset_id} recorded ({done.report}) but {len(done.unconfirmed)}"
                                   f" gateway(s) did not confirm, {url}: {why}; run `commons dataset erase "
                                   f"{dataset_id}` again once it is back")
        say(f"dataset {dataset_id} erased: {len(done.confirmed)} gateway(s) destroyed its key (report {done.report})")
    except OpenCommonsError as exc:
        fail(exc)


@dataset_app.command("reissue")
def dataset_reissue(dataset: str, rpc: Optional[str] = RpcOpt, account: Optional[str] = AccountOpt,
                    deployments: Path = DeploymentsOpt, store: str = StoreOpt, api: Optional[str] = ApiOpt,
                    home: Optional[Path] = HomeOpt, as_json: bool = JsonOpt) -> None:
    """Publish DATASET's next version without what its contributors withdrew, in one command.

    Its content is fetched (verified), the withdrawn files left out, contributors who withdrew
    everything left out (with the files the manifest says they supplied) and the others' shares
    re-split; licence, commons, name and terms stay. The owner reissues; once the owner's deadline
    passed, an arbiter does it for governance (the new version is still the owner's)."""
    import tempfile

    from .dataset import _run_publish

    try:
        dataset_id = queries.parse_dataset_id(dataset)
        commons = _commons(rpc, deployments)
        who = _sender(commons, account)
        owner = str(commons.nft.functions.ownerOf(dataset_id).call()) if commons.nft.functions.exists(
            dataset_id).call() else None
        if owner is not None and owner.lower() != who.address.lower():
            with tempfile.TemporaryDirectory(prefix="opencommons-reissue-") as work:
                _, new_id, dropped = rights.governance_reissue(commons, who, _store(store, home, api), dataset_id,
                                                               Path(work), report=None if as_json else _said)
            if as_json:
                _emit({"dataset": str(new_id), "previous": str(dataset_id), "owner": owner, "leftOut": dropped}, True)
            else:
                say(f"dataset {new_id} published for governance as the version of {dataset_id} without "
                    f"{len(dropped)} withdrawn file(s); it belongs to {owner}")
            return
        with tempfile.TemporaryDirectory(prefix="opencommons-reissue-") as work:
            request, dropped = rights.reissue_request(commons, who.address, _store(store, home, api), dataset_id,
                                                      Path(work))
            if not as_json:
                say(f"version {request.version} of {request.succeeds} without {len(dropped)} withdrawn file(s); "
                    f"{len(request.contributors)} contributor(s): "
                    + ", ".join(f"{present.short_address(a)} {s / 100:g}%" for a, s in request.contributors))
            _run_publish(commons, request, account, store, api, home, as_json)
    except OpenCommonsError as exc:
        fail(exc)
