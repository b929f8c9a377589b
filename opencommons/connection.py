"""Connecting to a chain, picking the account that signs, finding the deployment.

Accounts: a keystore file (eth-account JSON, password from ``OPENCOMMONS_KEYSTORE_PASSWORD`` or a
prompt) or one of the node's unlocked development accounts (index or address) on a local chain.
No private key is ever taken from a command line or a config file.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from eth_account import Account
from web3 import Web3

from .chain.provider import web3_for
from .chain.deploy import Deployment, deployment_path, stale_reason
from .chain.transactions import KeyAccount, NodeAccount, Sender
from .accounts import PASSWORD_ENV
from .errors import ChainError, DeploymentError
from .suite import Commons

if TYPE_CHECKING:
    from .references import DatasetLink

DEFAULT_RPC = "http://127.0.0.1:8545"
NETWORKS = {
    "local": DEFAULT_RPC, "ganache": DEFAULT_RPC, "anvil": DEFAULT_RPC,
    "development": "http://127.0.0.1:18545",  # brownie's Anvil (brownie-config.yaml)
    "ganache-cli": "http://127.0.0.1:18546",  # brownie's Ganache
}


def resolve_rpc(value: str | None) -> str:
    """`--rpc URL` or `--network NAME` (a name above, or OPENCOMMONS_NETWORK_<NAME> from the environment)."""
    value = value or os.environ.get("OPENCOMMONS_RPC") or DEFAULT_RPC
    if "://" in value:
        return value
    from_env = os.environ.get("OPENCOMMONS_NETWORK_" + value.upper().replace("-", "_"))
    if from_env:
        return from_env
    if value in NETWORKS:
        return NETWORKS[value]
    raise ChainError(f"unknown network {value!r}: use an RPC URL, one of {', '.join(sorted(NETWORKS))}, "
                     f"or set OPENCOMMONS_NETWORK_{value.upper().replace('-', '_')}")


def connect(rpc: str | None) -> Web3:
    """A Web3 on `rpc` (a URL or a network name, see :func:`resolve_rpc`), refused in one line
    when unreachable."""
    url = resolve_rpc(rpc)
    w3 = web3_for(url)
    try:
        w3.eth.chain_id
    except Exception as exc:  # noqa: BLE001 - any transport failure means unreachable
        raise ChainError(f"chain unreachable at {url}: {type(exc).__name__}") from exc
    return w3


COMMONS_ENV = "OPENCOMMONS_COMMONS"
#: the dataset's commons given to `dataset publish/version/list` and `model register` (see cli.hoist_commons)
LABEL_ENV = "OPENCOMMONS_COMMONS_LABEL"


def open_commons(rpc: str | None, directory: Path, commons: str | None = None) -> Commons:
    """The commons a command acts on, from any folder: `commons` (default $OPENCOMMONS_COMMONS,
    which `--commons` sets) names a commons joined on this machine or one recorded in the
    operator's `directory`; without a name, the operator's record in `directory` when there is
    one, else the default joined commons. A joined commons is reached through the RPC URL it was
    joined with unless `rpc` (or $OPENCOMMONS_RPC) says otherwise."""
    from . import references

    code = commons or os.environ.get(COMMONS_ENV) or None
    rpc = rpc or os.environ.get("OPENCOMMONS_RPC") or None
    operator = directory.is_dir() and any(directory.glob("*.json"))
    joined = references.find(code) if code is not None or not operator else None
    if joined is not None and not (operator and code is not None and _recorded(directory, code)):
        w3 = connect(rpc or joined.rpc)
        if w3.eth.chain_id != joined.deployment.chain_id:
            raise DeploymentError(f"the joined commons {joined.name} is on chain {joined.deployment.chain_id}, but "
                                  f"{resolve_rpc(rpc)} reaches chain {w3.eth.chain_id}")
        stale = stale_reason(w3, joined.deployment)
        if stale:
            raise DeploymentError(f"the joined commons {joined.name} is not on chain {w3.eth.chain_id} any more: "
                                  f"{stale} (a restarted chain?); join it again from a fresh reference")
        return Commons(w3, joined.deployment)
    if not operator and rpc is None and not references.joined():
        raise DeploymentError(f"no commons here: this folder has no {directory}/ and none is joined on this machine; "
                              "join one with `commons commons join REFERENCE --rpc URL`")
    return load_deployment(connect(rpc), directory, commons=commons)


def _recorded(directory: Path, code: str) -> bool:
    """Whether an operator's deployment file in `directory` records commons `code`."""
    for path in directory.glob("*.json"):
        try:
            if code in Deployment.from_file(path).commons:
                return True
        except DeploymentError:
            continue
    return False


def load_deployment(w3: Web3, directory: Path, file: Path | None = None, commons: str | None = None) -> Commons:
    """The commons to act on: `commons` (a code launched through the factory; default
    $OPENCOMMONS_COMMONS, which `--commons CODE` sets), else the chain's directly deployed suite."""
    chain_id = w3.eth.chain_id
    path = file or deployment_path(directory, chain_id)
    if not path.is_file():
        raise DeploymentError(f"no commons found for chain {chain_id} (no {path}, and none joined on this "
                              "machine): join one with `commons commons join REFERENCE --rpc URL`; an operator "
                              "launches one with `commons deploy`")
    deployment = Deployment.from_file(path)
    if deployment.chain_id != chain_id:
        raise DeploymentError(f"{path} is for chain {deployment.chain_id} but the node is chain {chain_id}")
    code = commons or os.environ.get(COMMONS_ENV) or None
    label = os.environ.get(LABEL_ENV)
    if code is None and label and label in deployment.commons:
        code = label  # `dataset publish --commons KE/education` acts on that commons when it was launched here
    deployment = deployment.for_commons(code)
    stale = stale_reason(w3, deployment)
    if stale:
        raise DeploymentError(f"the deployment in {path} is stale: {stale} on chain {chain_id} (a restarted "
                              f"chain?); nothing was sent. Run `commons deploy` to deploy the suite afresh")
    return Commons(w3, deployment)


def sender(w3: Web3, account: str | None, prompt: Callable[[str], str] | None = None) -> Sender:
    """The account that signs: a keystore file (password from the environment or `prompt`), an
    unlocked account's index or address, or the node's first unlocked account."""
    if account and (account.endswith(".json") or Path(account).is_file()):
        return _keystore(Path(account), prompt)
    unlocked = [Web3.to_checksum_address(a) for a in w3.eth.accounts]
    if account is None:
        if not unlocked:
            raise ChainError("the node holds no unlocked accounts: pass --account KEYSTORE.json")
        return NodeAccount(unlocked[0])
    if account.isdigit():
        index = int(account)
        if index >= len(unlocked):
            raise ChainError(f"account index {index} out of range: the node holds {len(unlocked)} accounts")
        return NodeAccount(unlocked[index])
    if not Web3.is_address(account):
        raise ChainError(f"malformed account {account!r}: give an index, an address or a keystore file")
    address = Web3.to_checksum_address(account)
    if address not in unlocked:
        raise ChainError(f"account {address} is not unlocked on this node: use a keystore file")
    return NodeAccount(address)


def _keystore(path: Path, prompt: Callable[[str], str] | None) -> KeyAccount:
    try:
        keyfile = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise ChainError(f"cannot read keystore {path}: {exc}") from exc
    password = os.environ.get(PASSWORD_ENV)
    if password is None:
        if prompt is None:
            raise ChainError(f"keystore {path} needs its password and there is no terminal to ask on: set "
                             f"{PASSWORD_ENV}")
        password = prompt(f"password for {path.name}")
    if not isinstance(keyfile, dict) or not isinstance(keyfile.get("crypto") or keyfile.get("Crypto"), dict):
        raise ChainError(f"{path} is not an Ethereum keystore (no crypto section)")
    try:
        key = Account.decrypt(keyfile, password)
    except ValueError:
        raise ChainError(f"wrong password for keystore {path}") from None
    except (KeyError, TypeError) as exc:
        raise ChainError(f"{path} is not a valid Ethereum keystore (missing {exc})") from None
    return KeyAccount(Account.from_key(key))


def commons_for_link(link: "DatasetLink", rpc: str | None, directory: Path) -> Commons:
    """The commons a dataset link names, from any folder: one joined here or recorded in the
    operator's `directory` that it names, else the link's own commons read from the chain at
    `rpc` and checked as `join` checks it (not recorded). Refused when it names another chain
    than `rpc` reaches."""
    from .references import CommonsReferenceError, joined, names_commons, resolve

    for record in joined():
        if names_commons(link.commons, record.deployment):
            return Commons(connect(rpc or record.rpc), record.deployment)
    w3 = connect(rpc)
    if directory.is_dir() and any(directory.glob("*.json")):
        try:
            operator = load_deployment(w3, directory, commons=link.commons.code)
            if names_commons(link.commons, operator.deployment):
                return operator
        except DeploymentError:
            pass
    if w3.eth.chain_id != link.commons.chain_id:
        raise CommonsReferenceError(f"the link is to a dataset of a commons on chain {link.commons.chain_id}; "
                                    f"{resolve_rpc(rpc)} reaches chain {w3.eth.chain_id}: pass --rpc of that chain")
    return Commons(w3, resolve(w3, link.commons))
