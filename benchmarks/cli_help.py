"""Seconds for `commons ... --help` (a whole process, as a user types it), per command group.

Goal (issue 20): every command answers `--help` in under 0.5 s. Prints one line per command
(best of --runs) and, with --json, one object.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

COMMANDS = [[], ["ipfs", "add"], ["account", "new"], ["deploy"], ["contributor", "register"], ["dataset", "publish"],
            ["license", "buy"], ["royalties", "claim"], ["rewards", "claim"], ["gov", "propose"], ["demo"],
            ["dataset", "get"], ["model", "register"]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    out: dict[str, float] = {}
    for command in COMMANDS:
        best = float("inf")
        for _ in range(args.runs):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "opencommons.cli", *command, "--help"], capture_output=True, check=True)
            best = min(best, time.perf_counter() - start)
        out[" ".join(command) or "(root)"] = round(best, 3)
    out["max_s"] = max(out.values())
    if args.json:
        print(json.dumps(out, sort_keys=True))
    else:
        for key, value in out.items():
            print(f"{key:24s} {value}")


if __name__ == "__main__":
    main()
