"""The toolchain itself: solc-js behind the shim, OpenZeppelin 5.3.0, shanghai, Anvil."""
import json
import os
import subprocess
from pathlib import Path

import brownie
import solcx

ROOT = Path(__file__).resolve().parents[2]


def test_compiler_reports_pinned_version_and_shanghai():
    config = brownie.project.get_loaded_projects()[0]._compiler_config
    shim = solcx.install.get_executable("0.8.28")
    assert shim.parent == Path(os.environ["SOLCX_BINARY_PATH"])
    assert str(solcx.wrapper.get_solc_version(shim)) == "0.8.28"
    assert config["evm_version"] == "shanghai"
    assert config["solc"]["version"] == "0.8.28"


def test_build_artifacts_record_compiler_and_evm(MockERC20):
    build = MockERC20._build
    assert build["compiler"]["version"].startswith("0.8.28+commit.7893614a")
    assert build["compiler"]["evm_version"] == "shanghai"
    assert "node_modules/@openzeppelin/contracts/token/ERC20/ERC20.sol" in build["allSourcePaths"].values()


def test_shim_standard_json_equals_solc_js():
    source = "pragma solidity 0.8.28; contract A { function f() external pure returns (uint) { return 7; } }"
    payload = json.dumps({
        "language": "Solidity",
        "sources": {"A.sol": {"content": source}},
        "settings": {"evmVersion": "shanghai", "outputSelection": {"*": {"*": ["abi", "evm.bytecode.object"]}}},
    })
    shim = Path(os.environ["SOLCX_BINARY_PATH"]) / "solc-v0.8.28"
    via_shim = json.loads(subprocess.run([str(shim), "--standard-json"], input=payload,
                                         capture_output=True, text=True, check=True).stdout)
    direct = json.loads(subprocess.run(
        ["node", "-e", "const s=require('solc');let d='';process.stdin.on('data',c=>d+=c)"
         ".on('end',()=>process.stdout.write(s.compile(d)))"],
        input=payload, capture_output=True, text=True, check=True, cwd=ROOT).stdout)
    assert via_shim == direct
    assert via_shim["contracts"]["A.sol"]["A"]["evm"]["bytecode"]["object"]


def test_shim_output_over_64kib_is_not_truncated():
    shim = Path(os.environ["SOLCX_BINARY_PATH"]) / "solc-v0.8.28"
    payload = json.dumps({
        "language": "Solidity",
        "sources": {"T.sol": {"content": '// SPDX-License-Identifier: MIT\npragma solidity 0.8.28; import "@openzeppelin/contracts/governance/Governor.sol";'}},
        "settings": {"remappings": ["@openzeppelin=node_modules/@openzeppelin"],
                     "outputSelection": {"*": {"": ["ast"]}}},
    })
    out = subprocess.run([str(shim), "--standard-json"], input=payload, capture_output=True,
                         text=True, check=True, cwd=ROOT).stdout
    assert len(out) > 65536
    parsed = json.loads(out)
    assert [e for e in parsed.get("errors", []) if e["severity"] == "error"] == []
    assert "node_modules/@openzeppelin/contracts/governance/Governor.sol" in parsed["sources"]


def test_shim_combined_json_compiles_through_py_solc_x():
    compiled = solcx.compile_source(
        "pragma solidity 0.8.28; contract B { uint public x; }", output_values=["abi", "bin"],
        solc_version="0.8.28")
    assert compiled["<stdin>:B"]["abi"][0]["name"] == "x"
    assert compiled["<stdin>:B"]["bin"]


def test_shim_rejects_unknown_option():
    shim = Path(os.environ["SOLCX_BINARY_PATH"]) / "solc-v0.8.28"
    proc = subprocess.run([str(shim), "--no-such-flag"], capture_output=True, text=True)
    assert proc.returncode == 1
    assert proc.stderr.strip() == "unrecognised option '--no-such-flag'"


def test_openzeppelin_erc20_transfer_works_on_anvil(MockERC20, accounts, web3):
    assert "anvil" in web3.client_version.lower()
    token = MockERC20.deploy("Test", "TST", {"from": accounts[0]})
    token.mint(accounts[0], 1000, {"from": accounts[0]})
    tx = token.transfer(accounts[1], 250, {"from": accounts[0]})
    assert tx.events["Transfer"]["value"] == 250
    assert token.balanceOf(accounts[1]) == 250
