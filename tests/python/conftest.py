import functools
import os
from pathlib import Path

import pytest

from kubo_oracle import KuboOracle


@pytest.fixture(scope="session")
def kubo(tmp_path_factory):
    return KuboOracle(tmp_path_factory.mktemp("kubo") / "repo")


@pytest.fixture(scope="session")
def samples(tmp_path_factory) -> Path:
    """The issue's cases: empty, 10 B, exactly one chunk, one chunk + 1, several MB, >174 chunks,
    and a nested directory with an empty sub-directory and a hidden file."""
    root = tmp_path_factory.mktemp("samples")
    rng = __import__("random").Random(7)
    for name, size in [("empty", 0), ("ten", 10), ("chunk", 262_144), ("chunk_plus_one", 262_145),
                       ("several_mb", 5_000_000), ("two_levels", 45_613_057)]:
        with open(root / name, "wb") as handle:
            remaining = size
            while remaining:
                n = min(remaining, 1 << 20)
                handle.write(rng.randbytes(n))
                remaining -= n
    tree = root / "tree"
    (tree / "sub" / "deeper").mkdir(parents=True)
    (tree / "empty_dir").mkdir()
    (tree / "a.csv").write_text("id,value\n1,2\n")
    (tree / "sub" / "b.json").write_text('{"b": 1}')
    (tree / "sub" / "deeper" / "c.bin").write_bytes(os.urandom(300_000))
    (tree / ".hidden").write_text("left out unless asked")
    return root


@pytest.fixture(scope="session")
def jsipfs(tmp_path_factory):
    """A real js-ipfs daemon (Kubo RPC API), started once for the session."""
    from jsipfs_node import JsIpfsNode

    node = JsIpfsNode(tmp_path_factory.mktemp("jsipfs") / "repo").start()
    yield node
    node.stop()


def start_chain_env(tmp_path_factory, *deploy_args):
    """An Anvil chain with the suite deployed through `commons deploy DEPLOY_ARGS`; yields the
    CLI runner and the chain."""
    import subprocess
    import sys

    from web3 import HTTPProvider, Web3

    from opencommons.chain.localnode import LocalChain

    node = LocalChain("anvil").start()
    root = tmp_path_factory.mktemp("chain")
    env = {**os.environ, "OPENCOMMONS_RPC": node.url, "OPENCOMMONS_HOME": str(root / "home"),
           "OPENCOMMONS_IPFS_HOME": str(root / "ipfs")}
    w3 = Web3(HTTPProvider(node.url))

    def commons(*args, extra_env=None, process=False):
        """`commons ARGS` in this process (~0.8 s of start-up less a command: the imports), or as
        its own process with `process=True` and always when a fault is injected (the fault ends
        the process where it stands, as a kill would)."""
        if process or "OPENCOMMONS_FAULT_AT" in (extra_env or {}):
            return subprocess.run([sys.executable, "-m", "opencommons.cli", *args], capture_output=True, text=True,
                                  stdin=subprocess.DEVNULL, env={**env, **(extra_env or {})}, cwd=root)
        return run_here(args, {**env, **(extra_env or {})}, root)

    accounts = w3.eth.accounts
    deployed = commons("deploy", *[a.format(*accounts) for a in deploy_args])
    assert deployed.returncode == 0, deployed.stderr
    yield {"run": commons, "w3": w3, "root": root, "accounts": accounts, "url": node.url}
    node.stop()


def ok(proc):
    assert proc.returncode == 0, proc.stderr
    return proc


def pass_proposal(w3, run, *propose_args):
    """propose -> vote -> queue -> execute on Anvil (the dev profile: a 1-block delay, a 20-block
    vote, a 60 s timelock), as a voter does it with account 0; returns what `propose` printed."""
    out = ok(run("gov", "propose", *propose_args, "--account", "0")).stdout
    proposal = out.strip().splitlines()[-1].split()[-1]
    w3.provider.make_request("anvil_mine", [hex(2)])
    ok(run("gov", "vote", proposal, "for", "--account", "0"))
    w3.provider.make_request("anvil_mine", [hex(25)])
    ok(run("gov", "queue", proposal))
    w3.provider.make_request("evm_increaseTime", [61])
    w3.provider.make_request("evm_mine", [])
    ok(run("gov", "execute", proposal))
    return out


@functools.cache
def _cli_command():
    import typer.main

    from opencommons.cli import app

    return typer.main.get_command(app)


def run_here(args, env, cwd):
    """`python -m opencommons.cli ARGS` with `env` and `cwd`, run in this process through click's
    runner: an object with returncode, stdout and stderr (an unexpected exception's traceback
    included, as the process would print it), and output (both, as a terminal shows them)."""
    import traceback
    from types import SimpleNamespace

    import typer.testing

    from opencommons.cli import app

    changed = {k: v for k, v in env.items() if os.environ.get(k) != v}
    changed.update({k: None for k in os.environ if k not in env})
    before = os.getcwd()
    os.chdir(cwd)
    # the click command typer builds from the app, built once: typer's runner builds it again from
    # every function's signature on each call (~0.12 s, a third of a typical read command's time)
    build = typer.testing._get_command
    typer.testing._get_command = lambda typer_app: _cli_command() if typer_app is app else build(typer_app)
    try:
        result = typer.testing.CliRunner(env=changed).invoke(app, [str(a) for a in args], prog_name="commons")
    finally:
        typer.testing._get_command = build
        os.chdir(before)
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        stderr += "".join(traceback.format_exception(result.exception))
    return SimpleNamespace(returncode=result.exit_code, stdout=result.stdout, stderr=stderr, output=result.output)


def in_process(env, extra_env=None):
    """The CLI run in this process (`run_here`) on `env`'s chain and deployments (about 40x faster
    than a subprocess per command); `extra_env` adds to its environment (a keystore's password,
    another home)."""
    environment = {**os.environ, "OPENCOMMONS_RPC": env["url"], "OPENCOMMONS_HOME": str(env["root"] / "home"),
                   "OPENCOMMONS_IPFS_HOME": str(env["root"] / "ipfs"), **(extra_env or {})}
    environment.pop("OPENCOMMONS_INDEX_DB", None)
    deployments = str(env["root"] / "deployments")
    return lambda *args: run_here([*args, "--deployments", deployments], environment, os.getcwd())


@pytest.fixture(scope="module")
def chain_env(tmp_path_factory):
    """An Anvil chain with the suite deployed through `commons deploy`; yields the CLI runner."""
    yield from start_chain_env(tmp_path_factory, "--curator", "{0}")
