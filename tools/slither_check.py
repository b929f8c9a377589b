"""Slither gate: every deployable contract, compiled once together, through the solc-js shim (--solc-standard-json, the
OpenZeppelin remapping, node_modules filtered). Fails on any High or Medium finding, and on any
Low/Informational/Optimization finding not listed with a justification in slither-triage.json.
Prints the findings by severity. Runs with the .venv-slither interpreter (slither's own pins)."""
import json
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SLITHER = ROOT / ".venv-slither" / "bin" / "slither"
SOLC = ROOT / ".solcx" / "solc-v0.8.28"


def findings(source: Path) -> list[dict]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.json"
        proc = subprocess.run(
            [str(SLITHER), str(source.relative_to(ROOT)), "--solc", str(SOLC), "--solc-standard-json",
             "--solc-remaps", "@openzeppelin=node_modules/@openzeppelin", "--solc-args", "--evm-version shanghai",
             "--filter-paths", "node_modules", "--json", str(out)],
            cwd=ROOT, capture_output=True, text=True)
        if not out.exists():
            sys.exit(f"slither failed on {source}: {proc.stderr.strip()[-400:]}")
        data = json.loads(out.read_text())
    if not data.get("success"):
        sys.exit(f"slither failed on {source}: {data.get('error')}")
    return data.get("results", {}).get("detectors", [])


def element(result: dict) -> str:
    first = result["elements"][0] if result["elements"] else {}
    parent = first.get("type_specific_fields", {}).get("parent", {}).get("name")
    name = first.get("name", "?")
    return f"{parent}.{name}" if parent and parent != name else name


def main() -> None:
    triage = json.loads((ROOT / "slither-triage.json").read_text())
    accepted = {(t["detector"], t["element"]) for t in triage["accepted"]}
    accepted_detectors = {t["detector"] for t in triage["accepted"] if t["element"] == "*"}
    unique: dict[tuple[str, str], dict] = {}
    # one compilation of every deployable contract (a file importing each): 35 s, where a run per
    # file compiled OpenZeppelin's sources 17 times over (114 s) for the same findings
    with tempfile.TemporaryDirectory(dir=ROOT, prefix=".slither-") as tmp:
        everything = Path(tmp) / "Everything.sol"
        everything.write_text("// SPDX-License-Identifier: MIT\npragma solidity ^0.8.20;\n" + "".join(
            f'import "../contracts/{source.name}";\n' for source in sorted((ROOT / "contracts").glob("*.sol"))))
        for result in findings(everything):
            unique[(result["check"], element(result))] = result
    by_impact = Counter(r["impact"] for r in unique.values())
    print("slither findings by severity:", dict(sorted(by_impact.items())) or "none")
    failures = []
    for (check, name), result in sorted(unique.items()):
        triaged = (check, name) in accepted or check in accepted_detectors
        if result["impact"] in ("High", "Medium") or not triaged:
            failures.append(f"  {result['impact']} {check} {name}: {result['description'].strip().splitlines()[0]}")
    # an entry that names no finding any more is stale: its justification describes code that changed
    found = {(check, name) for check, name in unique} | {(check, "*") for check, _ in unique}
    stale = sorted(f"{t['detector']} {t['element']}" for t in triage["accepted"]
                   if (t["detector"], t["element"]) not in found)
    failures += [f"  stale triage entry (no such finding now; remove or rewrite it): {s}" for s in stale]
    print(f"triaged (justified in slither-triage.json): {len(unique) - len(failures) + len(stale)}, "
          f"failing: {len(failures)}")
    if failures:
        print("\n".join(failures))
        sys.exit(1)


if __name__ == "__main__":
    main()
