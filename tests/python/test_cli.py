"""The `commons` command line: output shape and one-line errors with a non-zero exit."""
import subprocess
import sys

import pytest

COMMONS = [sys.executable, "-m", "opencommons.cli"]


def run(*args, env=None):
    return subprocess.run([*COMMONS, *args], capture_output=True, text=True, env=env)


def test_ipfs_add_only_hash_prints_cid_on_last_line(samples):
    proc = run("ipfs", "add", str(samples / "ten"), "--only-hash", "--cid-version", "1")
    assert proc.returncode == 0
    assert proc.stdout.strip().splitlines()[-1].startswith("bafkrei")


def test_ipfs_add_then_cat_round_trips(samples, tmp_path):
    home = ["--home", str(tmp_path / "home")]
    cid = run("ipfs", "add", str(samples / "chunk_plus_one"), *home).stdout.strip().splitlines()[-1]
    proc = subprocess.run([*COMMONS, "ipfs", "cat", cid, *home], capture_output=True)
    assert proc.stdout == (samples / "chunk_plus_one").read_bytes()


@pytest.mark.parametrize("args,message", [
    (["ipfs", "add", "/no/such/path", "--only-hash"], "error: no such file or directory: /no/such/path"),
    (["ipfs", "cat", "notacid"], "error: invalid CID 'notacid'"),
])
def test_bad_input_gives_one_line_error_and_exit_1(args, message, tmp_path):
    proc = run(*args, "--home", str(tmp_path)) if args[1] == "cat" else run(*args)
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(message)


def test_ipfs_verify_reports_mismatch(samples):
    good = run("ipfs", "add", str(samples / "ten"), "--only-hash").stdout.strip().splitlines()[-1]
    assert run("ipfs", "verify", str(samples / "ten"), good).returncode == 0
    proc = run("ipfs", "verify", str(samples / "empty"), good)
    assert proc.returncode == 1 and "hashes to" in proc.stderr


def test_ipfs_get_pin_gc_and_car_commands(samples, tmp_path):
    home = ["--home", str(tmp_path / "home")]
    cid = run("ipfs", "add", str(samples / "tree"), "--cid-version", "1", *home).stdout.strip().splitlines()[-1]
    assert run("ipfs", "get", cid, str(tmp_path / "out"), *home).returncode == 0
    assert run("ipfs", "verify", str(tmp_path / "out"), cid).returncode == 0
    assert run("ipfs", "check", cid, *home).stdout.startswith(f"ok {cid}")
    assert run("ipfs", "car", "export", cid, str(tmp_path / "t.car"), *home).returncode == 0
    assert cid in run("ipfs", "pin", "ls", *home).stdout
    assert run("ipfs", "pin", "rm", cid, *home).returncode == 0
    assert run("ipfs", "gc", *home).stdout.startswith("removed ")
    imported = run("ipfs", "car", "import", str(tmp_path / "t.car"), *home)
    assert imported.stdout.strip() == cid


def test_ipfs_check_names_corrupted_block(samples, tmp_path):
    home = tmp_path / "home"
    cid = run("ipfs", "add", str(samples / "ten"), "--home", str(home)).stdout.strip().splitlines()[-1]
    block = next((home / "blocks").glob("*/*"))
    block.write_bytes(b"rot")
    proc = run("ipfs", "check", cid, "--home", str(home))
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1 and "corrupted" in proc.stderr and block.name in proc.stderr


def test_ipfs_add_to_unreachable_kubo_names_address(samples):
    proc = run("ipfs", "add", str(samples / "ten"), "--store", "kubo", "--api", "http://127.0.0.1:9")
    assert proc.returncode == 1
    assert proc.stderr.strip() == "error: IPFS node unreachable at /ip4/127.0.0.1/tcp/9/http"


def test_ipfs_add_to_real_node_through_cli(jsipfs, samples):
    proc = run("ipfs", "add", str(samples / "tree"), "--store", "kubo", "--api", jsipfs.api, "--cid-version", "1")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == run("ipfs", "add", str(samples / "tree"), "--only-hash",
                                                        "--cid-version", "1").stdout.strip()


def test_ipfs_car_import_rejects_missing_file(tmp_path):
    proc = run("ipfs", "car", "import", str(tmp_path / "nope.car"), "--home", str(tmp_path))
    assert proc.returncode == 1 and proc.stderr.strip() == f"error: no such file: {tmp_path / 'nope.car'}"


def test_ipfs_add_symlinks_get_restores_and_dereference_follows(tmp_path):
    import os

    d = tmp_path / "linked"
    (d / "sub").mkdir(parents=True)
    (d / "sub" / "data.csv").write_text("x,y\n")
    os.symlink("sub/data.csv", d / "shortcut")
    home = ["--home", str(tmp_path / "home")]
    cid = run("ipfs", "add", str(d), "--cid-version", "1", *home).stdout.strip().splitlines()[-1]
    assert run("ipfs", "get", cid, str(tmp_path / "out"), *home).returncode == 0
    assert os.readlink(tmp_path / "out" / "shortcut") == "sub/data.csv"
    proc = subprocess.run([*COMMONS, "ipfs", "cat", f"{cid}/sub/data.csv", *home], capture_output=True)
    assert proc.returncode == 0 and proc.stdout == b"x,y\n"
    refused = run("ipfs", "cat", f"{cid}/shortcut", *home)
    assert refused.returncode == 1 and "symbolic link to 'sub/data.csv'" in refused.stderr
    followed = run("ipfs", "add", str(d), "--cid-version", "1", "--dereference", "--only-hash").stdout.split()[-1]
    assert followed != cid
    assert run("ipfs", "verify", str(d), followed, "--dereference").returncode == 0
    os.symlink("missing", d / "broken")
    proc = run("ipfs", "add", str(d), "--dereference", "--only-hash")
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 1 and len(lines) == 1 and "broken points to 'missing', which does not exist" in lines[0]


HELP_SCRIPT = """
import sys
from opencommons.cli import app
sys.argv = ["commons", *sys.argv[1:], "--help"]
try:
    app()
except SystemExit:
    pass
# a lazily loaded module that was never used is still an importlib _LazyModule (type() does not load it)
heavy = [m for m in ("web3", "web3.main", "eth_account", "eth_account.account", "opencommons.queries",
                     "opencommons.connection") if m in sys.modules and type(sys.modules[m]).__name__ == "module"]
print("HEAVY", heavy, file=sys.stderr)
"""


@pytest.mark.parametrize("command", [[], ["dataset", "publish"], ["gov", "propose"], ["royalties", "claim"],
                                     ["deploy"], ["account", "new"], ["ipfs", "add"], ["dataset", "get"],
                                     ["model", "register"], ["dataset", "score"], ["gateway", "serve"]])
def test_help_loads_no_chain_library(command):
    """`--help` answers without loading web3 or eth-account (what made it take 1.7 s): they are
    imported on first use. benchmarks/cli_help.py prints the times."""
    proc = subprocess.run([sys.executable, "-c", HELP_SCRIPT, *command], capture_output=True, text=True)
    assert "Usage:" in proc.stdout
    assert "HEAVY []" in proc.stderr, proc.stderr


def test_ipfs_get_prints_undecodable_name_escaped(tmp_path):
    import os

    raw = os.path.join(os.fsencode(tmp_path), b"caf\xe9")
    with open(raw, "wb") as handle:
        handle.write(b"x")
    home = ["--home", str(tmp_path / "home")]
    cid = run("ipfs", "add", os.fsdecode(raw), *home).stdout.split()[-1]
    proc = run("ipfs", "get", cid, os.fsdecode(raw) + "-copy", *home)
    assert proc.returncode == 0 and "caf\\xe9-copy" in proc.stdout


def test_dataset_id_too_large_is_one_line_before_connecting():
    proc = run("dataset", "show", str(1 << 256), "--rpc", "http://127.0.0.1:9")
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 1 and len(lines) == 1 and "ids are 256-bit numbers" in lines[0], proc.stderr


def test_dapp_refuses_to_start_when_not_built(tmp_path):
    import os

    proc = run("dapp", "--rpc", "http://127.0.0.1:9", env={**os.environ, "OPENCOMMONS_DAPP_DIST": str(tmp_path)})
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 1 and len(lines) == 1
    assert lines[0] == f"error: the dApp is not built ({tmp_path / 'index.html'} is missing): run `make dapp`, " \
                       "then `commons dapp` again"


def test_every_help_shows_flags_as_flags_and_keeps_its_brackets():
    """Flags take no value (no `<bool>` beside them), and help text in brackets is not eaten as
    markup (`deploy --config` names its [governance] and [allocations] tables)."""
    from typer.main import get_command
    from typer.testing import CliRunner

    from opencommons.cli import app

    runner, root = CliRunner(), get_command(app)

    def walk(command, path):
        yield path
        for name, sub in getattr(command, "commands", {}).items():  # a group's subcommands
            yield from walk(sub, [*path, name])

    paths = list(walk(root, []))
    assert len(paths) > 60
    for path in paths:
        shown = runner.invoke(app, [*path, "--help"])
        assert shown.exit_code == 0 and "Usage:" in shown.output, path
        assert "<bool>" not in shown.output, path
    deploy = runner.invoke(app, ["deploy", "--help"]).output
    assert "TOML FILE with [governance] overrides and [allocations]" in " ".join(deploy.replace("│", " ").split())


def test_every_option_says_what_it_takes():
    """Issue 31: no option without help; the value options whose names do not say it name what
    they take (an upper-case placeholder such as ADDRESS, DAYS, CODE or FILE, a unit, or the
    choices)."""
    import re

    from typer.main import get_command

    from opencommons.cli import app

    def options(command, path):
        for name, sub in getattr(command, "commands", {}).items():
            yield from options(sub, [*path, name])
        for param in getattr(command, "params", []):
            if getattr(param, "param_type_name", "") == "option":
                yield " ".join(path), param

    found = list(options(get_command(app), []))
    assert len(found) > 300
    silent = [(path, param.opts) for path, param in found if not (param.help or "").strip()]
    assert silent == []
    said = re.compile(r"\b[A-Z][A-Z_,]{1,}\b|bps|basis points|seconds|[Ss]econds|days|blocks|URL|embedded|"
                      r"eth or|e\.g\.|\d")
    vague = [(path, param.opts, param.help) for path, param in found
             if not getattr(param, "is_flag", False) and not said.search(param.help or "")
             and param.opts[0] not in ("--rpc", "--network", "--deployments", "--home", "--dir", "--account",
                                       "--name", "--description", "--as")]
    assert vague == []


@pytest.mark.parametrize("args, message", [
    (["royalties", "pay", "7", "-1", "--rpc", "http://127.0.0.1:9"], "error: amount must be positive, got -1"),
    (["ipfs", "cat"], "error: Missing argument 'CID[/PATH]'. (see `commons ipfs cat --help`)"),
    (["nosuch"], "error: No such command 'nosuch'. (see `commons --help`)"),
    (["dataset", "show", "1", "--rpc", "http://127.0.0.1:9", "--jsn"], "error: No such option: --jsn (Possible "
                                                                             "options: --json) (see `commons dataset "
                                                                             "show --help`)"),
])
def test_usage_errors_are_one_line_not_a_box(args, message):
    """Issue 31: a usage error (or a negative amount) is one line naming the fix, not a box."""
    proc = run(*args)
    assert proc.returncode in (1, 2) and proc.stderr.strip().splitlines() == [message], proc.stderr
    assert proc.stdout == ""
