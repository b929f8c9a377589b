"""`commons`: the command line. It parses, calls the library and prints; nothing else."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from . import cli_ipfs
from .cli_common import fail, say, state
from .errors import OpenCommonsError

app = typer.Typer(help="OpenCommons: build a verifiable dataset together and own it together.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
app.add_typer(cli_ipfs.app, name="ipfs")


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


if __name__ == "__main__":
    app()
