"""`commons gateway keygen|serve|register`: the licence-checking gateway of private datasets."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from ..errors import OpenCommonsError
from .common import ApiOpt, _commons, DeploymentsOpt, fail, HomeOpt, RpcOpt, say, StoreOpt

app = typer.Typer(help="Serve private datasets to their licensees (Sign-In with Ethereum, licence checked on-chain).",
                  no_args_is_help=True)
KeyOpt = typer.Option(..., "--key", help="FILE: the gateway's key (`commons gateway keygen`).")


@app.command("keygen")
def gateway_keygen(file: Path) -> None:
    """Make the gateway's X25519 key (owner-readable only); publishers wrap data keys for it."""
    from ..private.gateway import new_key_file

    try:
        say(f"public key {new_key_file(file)} written to {file}")
    except OpenCommonsError as exc:
        fail(exc)


@app.command("serve")
def gateway_serve(key: Path = KeyOpt, db: str = typer.Option(..., "--db", help="Key store: a SQLite file or a "
                                                              "postgresql:// URL (shared by every instance)."),
                  host: str = typer.Option("127.0.0.1", "--host",
                                           help="ADDRESS to listen on (0.0.0.0: every interface)."),
                  port: int = typer.Option(8700, "--port", help="PORT to serve on (0: any free port)."),
                  domain: Optional[str] = typer.Option(None, "--domain", help="The domain consumers sign in to "
                                                       "(default HOST:PORT; behind a load balancer, its name)."),
                  rpc: Optional[str] = RpcOpt, deployments: Path = DeploymentsOpt, store: str = StoreOpt,
                  api: Optional[str] = ApiOpt, home: Optional[Path] = HomeOpt,
                  cors: list[str] = typer.Option([], "--cors", help="A web origin allowed to call the gateway from "
                                                 "a browser (the dApp's, e.g. http://127.0.0.1:8600); repeatable.")
                  ) -> None:
    """Serve private datasets: decrypted files to licence holders, checked at every request."""
    import logging

    import uvicorn

    from ..ipfs.content import open_store
    from ..private.gateway import Gateway, create_app, load_key
    from ..private.gateway_store import open_keystore

    try:
        gateway = Gateway(_commons(rpc, deployments), open_store(store, home, api), load_key(key),
                          open_keystore(db), domain or f"{host}:{port}")
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
        say(f"gateway for chain {gateway.commons.deployment.chain_id} on http://{host}:{port} "
            f"(domain {gateway.domain}, public key {gateway.public_key})")
        uvicorn.run(create_app(gateway, cors), host=host, port=port, log_level="warning")
    except OpenCommonsError as exc:
        fail(exc)


@app.command("register")
def gateway_register(dataset: str, gateway: str = typer.Option(..., "--gateway", help="The gateway's URL.")) -> None:
    """Ask a gateway to keep a private dataset's key (wrapped for it in the manifest)."""
    from ..private.publish import register_key
    from ..queries import parse_dataset_id

    try:
        dataset_id = parse_dataset_id(dataset)
        register_key(gateway, dataset_id)
        say(f"{gateway} holds the key of dataset {dataset_id}")
    except OpenCommonsError as exc:
        fail(exc)
