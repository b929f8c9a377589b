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
