"""`commons`: the command line, one module per command group. It parses, calls the library and
prints; nothing else."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from ..errors import OpenCommonsError
from . import (account, commons_group, consume, contributor, dataset, deploy, gateway, gov, guardian, index, ipfs,
               license, model, quality, rewards, rights, royalties)
from .common import (_commons, DbOpt, DeploymentsOpt, _emit, fail, JsonOpt, NoIndexOpt, _reader, RpcOpt, say,
                     state)

app = typer.Typer(help="OpenCommons: build a verifiable dataset together and own it together.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
app.add_typer(ipfs.app, name="ipfs")
app.add_typer(account.app, name="account")
app.add_typer(deploy.deploy_app, name="deploy")
app.add_typer(commons_group.app, name="commons")
app.add_typer(contributor.contributor_app, name="contributor")
app.add_typer(dataset.dataset_app, name="dataset")
app.add_typer(license.license_app, name="license")
app.add_typer(royalties.royalties_app, name="royalties")
app.add_typer(rewards.rewards_app, name="rewards")
app.add_typer(gov.gov_app, name="gov")
app.add_typer(index.app, name="index")
app.add_typer(model.model_app, name="model")
app.add_typer(gateway.app, name="gateway")
app.add_typer(rights.consent_app, name="consent")
app.add_typer(rights.dispute_app, name="dispute")
app.add_typer(guardian.safe_app, name="safe")


@app.command("stats")
def stats(as_json: bool = JsonOpt, rpc: Optional[str] = RpcOpt, deployments: Path = DeploymentsOpt,
          db: Optional[str] = DbOpt, no_index: bool = NoIndexOpt) -> None:
    """The commons in figures: datasets by status, contributors, payments, licences, proposals, money paid."""
    try:
        commons = _commons(rpc, deployments)
        figures = _reader(commons, db, no_index).stats()
        if as_json:
            _emit(figures, as_json)
            return
        from .. import present, queries

        for line in present.stats_lines(figures, lambda value, token: queries.format_amount(commons, value, token)):
            say(line)
    except OpenCommonsError as exc:
        fail(exc)


def _version(value: bool) -> None:
    if value:
        from .. import __version__

        typer.echo(f"commons (OpenCommons) {__version__}")
        raise typer.Exit()


@app.callback()
def main(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                     help="Print the version and exit."),
         debug: bool = typer.Option(False, "--debug", help="Show tracebacks."),
         commons: Optional[str] = typer.Option(
             None, "--commons", envvar="OPENCOMMONS_COMMONS",
             help="The commons to act on, by code (e.g. KE/education), for any command; default: the "
                  "directly deployed suite, or the only commons launched on the chain.")) -> None:
    state["debug"] = debug
    if commons:
        import os

        os.environ["OPENCOMMONS_COMMONS"] = commons


#: commands whose own --commons names the commons a dataset belongs to: the same code also picks
#: that factory-made commons to act on when the chain has one, else the directly deployed suite
LABEL_COMMANDS = {("dataset", "publish"), ("dataset", "version"), ("dataset", "list"), ("model", "register")}


def hoist_commons(argv: list[str]) -> list[str]:
    """`--commons CODE` may follow any command (`commons royalties pay 1 0.5 --commons KE/education`):
    it is moved in front of the command, where the root option reads it. The commands of
    LABEL_COMMANDS keep it (it is their own option too) and pass it on in OPENCOMMONS_COMMONS_LABEL."""
    import os

    words = [a for a in argv if not a.startswith("-")][:2]
    keep = tuple(words) in LABEL_COMMANDS
    if tuple(words) == ("contributor", "register"):  # its --community picks that commons, as publish's --commons
        for i, arg in enumerate(argv):
            if arg == "--community" and i + 1 < len(argv):
                os.environ["OPENCOMMONS_COMMONS_LABEL"] = argv[i + 1]
            elif arg.startswith("--community="):
                os.environ["OPENCOMMONS_COMMONS_LABEL"] = arg.split("=", 1)[1]
    args, picked, i = [], [], 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--commons" and i + 1 < len(argv):
            picked = [arg, argv[i + 1]]
        elif arg.startswith("--commons="):
            picked = arg.split("=", 1)
            picked[0] = "--commons"
        else:
            args.append(arg)
            i += 1
            continue
        if keep:
            os.environ["OPENCOMMONS_COMMONS_LABEL"] = picked[1]
            args += picked
        i += 2 if arg == "--commons" else 1
    return args if keep else picked + args


@app.command()
def demo(rpc: Optional[str] = typer.Option(None, help="Use this RPC URL instead of starting Ganache."),
         deployments: Path = typer.Option(Path("deployments"), help="Where to write <chainId>.json."),
         keep: bool = typer.Option(False, "--keep", help="Keep the Ganache it started running afterwards (Ctrl-C "
                                   "stops it), to try the next steps on it.")) -> None:
    """Run the whole mission story on a local Ganache: deploy, register, publish, license, pay, claim, vote."""
    from ..demo import run_demo

    try:
        run_demo(say, rpc, deployments, keep=keep)
    except OpenCommonsError as exc:
        fail(exc)


INTERRUPTED_EXIT = 130  # as a shell reports a process ended by SIGINT


def _interrupted(signum: int, frame: object) -> None:
    """Ctrl-C: one line, and the cleanup every command already does for a failure (a `get` removes
    its partial files; a publish keeps its journal and resumes exactly once)."""
    import sys

    print("interrupted: run the same command again to resume (nothing half-written is kept under "
          "its final name)", file=sys.stderr)
    raise SystemExit(INTERRUPTED_EXIT)


def run() -> None:
    """The console script: anything unexpected is one line too, unless --debug."""
    import signal
    import sys

    from typer import _click
    from typer.exceptions import Abort

    signal.signal(signal.SIGINT, _interrupted)
    try:
        code = app(args=hoist_commons(sys.argv[1:]), prog_name="commons", standalone_mode=False)
    except _click.exceptions.UsageError as exc:  # one line, not a box: what was wrong and where help is
        where = exc.ctx.command_path if exc.ctx is not None else "commons"
        print(f"error: {exc.format_message()} (see `{where} --help`)", file=sys.stderr)
        sys.exit(exc.exit_code)
    except _click.exceptions.ClickException as exc:
        print(f"error: {exc.format_message()}", file=sys.stderr)
        sys.exit(exc.exit_code)
    except Abort:
        print("error: aborted", file=sys.stderr)
        sys.exit(1)
    except Exception as exc:  # noqa: BLE001 - the last line of defence of the CLI
        if "--debug" in sys.argv:
            raise
        if isinstance(exc, (ConnectionError, TimeoutError)) or "ConnectionError" in type(exc).__name__:
            # requests' and urllib3's connection errors (the chain or IPFS node went away mid-command)
            print("error: lost the connection to the chain or the IPFS node mid-command; check that it runs, "
                  "then run the same command again (what was confirmed before stays done)", file=sys.stderr)
        else:
            first = str(exc).splitlines()[0] if str(exc) else ""
            print(f"error: unexpected {type(exc).__name__}: {first} (rerun with --debug for the traceback)",
                  file=sys.stderr)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)


@app.command()
def dapp(port: int = typer.Option(8600, "--port", min=0, max=65535, help="PORT to serve on (0: any free port)."),
         rpc: Optional[str] = typer.Option(None, "--rpc", envvar="OPENCOMMONS_RPC",
                                           help="JSON-RPC URL of the chain (default: a local one)."),
         deployments: Path = DeploymentsOpt,
         relayer: Optional[str] = typer.Option(None, "--relayer", help="ACCOUNT (index, address or "
                                                                   "keystore FILE) that pays for gasless calls."),
         store: str = typer.Option("embedded", "--store", help="IPFS store: embedded or kubo."),
         api: Optional[str] = typer.Option(None, "--api", help="Kubo RPC address for --store kubo."),
         home: Optional[Path] = typer.Option(None, "--home", envvar="OPENCOMMONS_IPFS_HOME",
                                             help="Embedded IPFS store folder."),
         gateway: Optional[str] = typer.Option(None, "--gateway", help="Link content to this gateway (e.g. a "
                                               "local Kubo node's http://127.0.0.1:8080/ipfs/); default: this "
                                               "server's own verified /ipfs/."),
         db: Optional[str] = DbOpt,
         no_index: bool = typer.Option(False, "--no-index", help="Serve the wallet pages only, without the "
                                       "explorer's index."),
         host_names: list[str] = typer.Option([], "--host-name", help="Another HOST:PORT the pages are opened "
                                              "at (behind a reverse proxy); repeatable. Any other Host is "
                                              "refused (DNS rebinding)."),
         host: str = typer.Option("127.0.0.1", "--host", help="The address to listen on (0.0.0.0: every "
                                  "interface, for a public explorer behind --public-url)."),
         public_url: Optional[str] = typer.Option(None, "--public-url", help="The URL people open the pages at "
                                                  "(https://data.example.org): its host is allowed."),
         wallet_rpc: Optional[str] = typer.Option(None, "--wallet-rpc", help="The RPC URL offered to a wallet "
                                                  "that lacks the chain (default: --rpc when it is local)."),
         link_hosts: list[str] = typer.Option([], "--link-host", help="HOST a dataset's card (its README) may "
                                              "link to, e.g. doi.org; repeatable. Other links show as text.")
         ) -> None:
    """Serve the web app (wallet and explorer) and its local API on HOST:PORT; the explorer
    answers from the index, which the server keeps following the chain."""
    import os

    from ..connection import open_commons, sender
    from ..dapp_server import DIST, DappServer
    from ..ipfs.content import open_store

    try:
        dist = Path(os.environ.get("OPENCOMMONS_DAPP_DIST") or DIST)
        if not (dist / "index.html").is_file():
            raise OpenCommonsError(f"the dApp is not built ({dist / 'index.html'} is missing): run `make dapp`, "
                                   "then `commons dapp` again")
        for url, what in ((public_url, "--public-url"), (wallet_rpc, "--wallet-rpc")):
            if url is not None and not url.startswith(("http://", "https://")):
                raise OpenCommonsError(f"{what} must be an http(s) URL, not {url!r}")
        commons = open_commons(rpc, deployments)
        w3 = commons.w3
        content = open_store(store, home, api)
        explorer = None
        if not no_index:
            from ..index.api import ExplorerApi
            from ..index.database import open_engine, resolve_url, safe_url

            url = resolve_url(db)
            explorer = ExplorerApi(open_engine(url), w3, commons.deployment, content).start()
            say(f"explorer index: {safe_url(url)} (followed in the background)")
        try:
            server = DappServer(commons, str(w3.provider.endpoint_uri), content,  # type: ignore[attr-defined]
                                sender(w3, relayer), port, dist, gateway, explorer, host_names, host, public_url,
                                wallet_rpc, link_hosts=link_hosts)
        except OSError as exc:
            if explorer is not None:
                explorer.stop()
            raise OpenCommonsError(f"cannot listen on {host}:{port} ({exc.strerror or exc}): another program "
                                   "uses it; choose another port with --port") from None
        say(f"OpenCommons dApp on {server.public_url}/ ({server.label}, chain {commons.deployment.chain_id})")
        server.serve_forever()
    except OpenCommonsError as exc:
        fail(exc)
