"""`commons`: the command line. It parses, calls the library and prints; nothing else."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from . import cli_chain, cli_ipfs
from .cli_common import fail, say, state
from .errors import OpenCommonsError

app = typer.Typer(help="OpenCommons: build a verifiable dataset together and own it together.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
app.add_typer(cli_ipfs.app, name="ipfs")
app.command("deploy")(cli_chain.deploy)
app.add_typer(cli_chain.contributor_app, name="contributor")
app.add_typer(cli_chain.dataset_app, name="dataset")
app.add_typer(cli_chain.license_app, name="license")
app.add_typer(cli_chain.royalties_app, name="royalties")
app.add_typer(cli_chain.gov_app, name="gov")


@app.callback()
def main(debug: bool = typer.Option(False, "--debug", help="Show tracebacks.")) -> None:
    state["debug"] = debug


@app.command()
def demo(rpc: Optional[str] = typer.Option(None, help="Use this RPC URL instead of starting Ganache."),
         deployments: Path = typer.Option(Path("deployments"), help="Where to write <chainId>.json.")) -> None:
    """Run the whole mission story on a local Ganache: deploy, register, publish, license, pay, claim, vote."""
    from .demo import run_demo

    try:
        run_demo(say, rpc, deployments)
    except OpenCommonsError as exc:
        fail(exc)


def run() -> None:
    """The console script: anything unexpected is one line too, unless --debug."""
    import sys

    try:
        app()
    except Exception as exc:  # noqa: BLE001 - the last line of defence of the CLI
        if "--debug" in sys.argv:
            raise
        print(f"error: unexpected {type(exc).__name__}: {exc} (rerun with --debug for the traceback)",
              file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    run()
