"""What every `commons` command shares: consoles, one-line errors, the --debug switch."""

from __future__ import annotations

from typing import NoReturn

import typer
from rich.console import Console

out = Console(soft_wrap=True, highlight=False)
err = Console(stderr=True, soft_wrap=True, highlight=False)
state = {"debug": False}


def fail(exc: Exception) -> NoReturn:
    """One line on stderr and exit 1; the traceback only with --debug."""
    if state["debug"]:
        raise exc
    message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    err.print(f"error: {message}", markup=False)
    raise typer.Exit(1)


def say(line: str) -> None:
    out.print(line, markup=False)
