"""What every `commons` command shares: consoles, one-line errors, the --debug switch, the
options of chain commands and their helpers.

Nothing heavy is imported when the CLI starts (`--help` answers in well under half a second):
web3, eth-account and the library modules that use them are loaded on first use (:func:`lazy`).
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, NoReturn, Optional

import typer
from rich.console import Console

from ..errors import OpenCommonsError

def _flags_take_no_value() -> None:
    """Help shows `--json` as a flag, not as `--json <bool>` (typer 0.29 prints every option's
    type, flags' too, which reads as if they took a value)."""
    from typer.core import TyperOption

    shown = TyperOption.display_type_rich
    if getattr(shown, "opencommons", False):
        return

    def display_type_rich(self: TyperOption, ctx: Any) -> str | None:
        return None if self.is_flag else shown(self, ctx)

    display_type_rich.opencommons = True  # type: ignore[attr-defined]
    TyperOption.display_type_rich = display_type_rich  # type: ignore[method-assign]


_flags_take_no_value()
out = Console(soft_wrap=True, highlight=False)
err = Console(stderr=True, soft_wrap=True, highlight=False)
state = {"debug": False}


def lazy(name: str) -> ModuleType:
    """The module `name`, executed on its first attribute access (importlib's LazyLoader)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ImportError(f"no module named {name!r}")
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module


if TYPE_CHECKING:
    import web3

    from .. import connection, suite
    from ..chain import transactions
else:
    connection = lazy("opencommons.connection")
    suite = lazy("opencommons.suite")
    transactions = lazy("opencommons.chain.transactions")
    web3 = lazy("web3")


def fail(exc: Exception) -> NoReturn:
    """One line on stderr and exit 1; the traceback only with --debug."""
    if state["debug"]:
        raise exc
    message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    from ..errors import BlockNotFoundError

    if isinstance(exc, BlockNotFoundError) and "gateway" not in message:  # content that is elsewhere: where to look
        message += (": fetch it through a gateway that has it (--gateway URL) or from a Kubo node "
                    "(--store kubo --api URL)")
    err.print(f"error: {printable(message)}", markup=False)
    raise typer.Exit(1)


def printable(text: str) -> str:
    """`text` with a file name's undecodable bytes (kept as surrogates) shown as \\xNN escapes:
    printing them raw would fail with a UnicodeEncodeError that names no file."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def say(line: str) -> None:
    out.print(printable(line), markup=False)


RpcOpt = typer.Option(None, "--rpc", "--network", envvar="OPENCOMMONS_RPC",
                      help="JSON-RPC URL or network name (local, development, ganache-cli; default local).")
AccountOpt = typer.Option(None, "--account", help="Unlocked account index or address, or a keystore .json file.")
DeploymentsOpt = typer.Option(Path("deployments"), "--deployments", help="Folder of <chainId>.json files.")
JsonOpt = typer.Option(False, "--json", help="Machine-readable output.")
StoreOpt = typer.Option("embedded", "--store", help="IPFS store: embedded or kubo.")
ApiOpt = typer.Option(None, "--api", help="Kubo RPC address for --store kubo.")
HomeOpt = typer.Option(None, "--home", envvar="OPENCOMMONS_IPFS_HOME", help="Embedded IPFS store folder.")
#: what a lineage refusal adds on the command line (the library's message names no flag)
EXPLAIN_HINT = " (--explain prints the whole check)"
ExplainOpt = typer.Option(False, "--explain", help="Print how the licence was checked against every parent's.")
YesOpt = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation.")


def _commons(rpc: Optional[str], deployments: Path) -> suite.Commons:
    return connection.open_commons(rpc, deployments)


def _sender(commons: suite.Commons, account: Optional[str]) -> transactions.Sender:
    asks = sys.stdin is not None and sys.stdin.isatty()  # no terminal (a script, a pipe): say what to set instead
    return connection.sender(commons.w3, account, prompt=(lambda text: typer.prompt(text, hide_input=True))
                             if asks else None)


def _tx(label: str, commons: suite.Commons, who: transactions.Sender, fn: Any, value: int = 0,
        through: tuple[str, ...] = ()) -> Any:
    """Sends `fn` and prints its hash and gas; `through` names the contracts it runs through (their
    implementations go in the access list when the commons is factory-made)."""
    from ..actions import send

    return send(commons, who, label, fn, value, through, report=_said)


def _said(label: str, receipt: Any) -> None:
    """How the command line reports a transaction the library sent."""
    say(f"{label}: tx {receipt['transactionHash'].to_0x_hex()} gas {receipt['gasUsed']}")


OfOpt = typer.Option(None, "--of", help="ADDRESS whose figures to show (default: --account).")


def _account_of(commons: suite.Commons, of: Optional[str], account: Optional[str]) -> str:
    """The account a read is about: --of, else the --account's address."""
    if of is not None and not web3.Web3.is_address(of):
        raise OpenCommonsError(f"malformed address {of!r}")
    return web3.Web3.to_checksum_address(of) if of else _sender(commons, account).address


def _emit(data: Any, as_json: bool) -> None:
    if as_json:
        say(json.dumps(data, indent=2, sort_keys=True, default=str))
    elif isinstance(data, list):
        for row in data:
            say("  ".join(f"{k}={v}" for k, v in row.items()))
    else:
        for key, value in data.items():
            say(f"{key:18s} {value}")


def _checked_address(text: str) -> str:
    if not web3.Web3.is_address(text):
        raise OpenCommonsError(f"malformed address {text!r}")
    return web3.Web3.to_checksum_address(text)


def _approve(commons: suite.Commons, who: transactions.Sender, token: str, spender: str, amount: int) -> None:
    """ERC-20 `approve` before a payment (see :func:`opencommons.actions.approve`)."""
    from ..actions import approve

    approve(commons, who, token, spender, amount, report=_said)


DbOpt = typer.Option(None, "--db", envvar="OPENCOMMONS_INDEX_DB",
                     help="Index database: a SQLite file or postgresql://... URL (default "
                          "$OPENCOMMONS_HOME/index.sqlite).")
NoIndexOpt = typer.Option(False, "--no-index", help="Answer from the chain even when an index is synced.")


def _reader(commons: suite.Commons, db: Optional[str], no_index: bool) -> Any:
    """Where a read command answers from: a synced index, else the chain (identical answers)."""
    from ..index.source import reader_for

    return reader_for(commons, db, no_index, note=lambda line: err.print(line, markup=False))
