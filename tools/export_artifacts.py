"""Copies brownie's build output (ABI, creation and runtime bytecode, compiler) into the package's data folder."""
import json
import sys
from pathlib import Path

root = Path(__file__).resolve().parents[1]
source, target = root / "build" / "contracts", root / "opencommons" / "data" / "contracts"
target.mkdir(parents=True, exist_ok=True)
count = 0
for path in sorted(source.glob("*.json")):
    data = json.loads(path.read_text())
    if not data.get("abi") and not data.get("bytecode"):
        continue
    slim = {k: data.get(k) for k in ("contractName", "abi", "bytecode", "deployedBytecode", "compiler", "sourcePath")}
    (target / path.name).write_text(json.dumps(slim, sort_keys=True) + "\n")
    count += 1
if count == 0:
    sys.exit("no artifacts in build/contracts: run `brownie compile` first")
print(f"exported {count} artifacts to {target.relative_to(root)}")
