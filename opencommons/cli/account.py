"""`commons account new|list`: keystores for contributors, voters and operators."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

import typer

from ..accounts import PASSWORD_ENV, create, keystore_dir, listed
from ..errors import OpenCommonsError
from .common import fail, say

app = typer.Typer(help="Keystore accounts (use them with --account FILE).", no_args_is_help=True)
DirOpt = typer.Option(None, "--dir", help="Keystore folder (default $OPENCOMMONS_HOME/keystores).")


@app.command("new")
def account_new(folder: Optional[Path] = DirOpt) -> None:
    """Create a key, encrypted with a password (from $OPENCOMMONS_KEYSTORE_PASSWORD or a prompt)."""
    try:
        password = os.environ.get(PASSWORD_ENV)
        if password is None:
            password = typer.prompt("password for the new keystore", hide_input=True, confirmation_prompt=True)
        stored = create(password, folder)
        say(f"address {stored.address}")
        say(f"keystore {stored.path}")
    except OpenCommonsError as exc:
        fail(exc)


@app.command("list")
def account_list(folder: Optional[Path] = DirOpt) -> None:
    """Keystores in the folder, with their addresses."""
    accounts = listed(folder)
    if not accounts:
        say(f"no keystores in {folder or keystore_dir()}: `commons account new` creates one")
        return
    for stored in accounts:
        say(f"{stored.address or 'not a keystore':42s} {stored.path}")
