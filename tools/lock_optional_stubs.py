"""Adds lockfile entries for platform-specific optional packages that this machine's npm
registry does not serve (it mirrors only the Linux x64 builds): `npm ci` requires every optional
dependency to be in the lock, and skips the other platforms' ones by their os/cpu fields, so it
never fetches them. Run after `npm install --package-lock-only`; it only adds, never changes."""
import json
import re
import sys
from pathlib import Path

LOCK = Path(__file__).resolve().parents[1] / "package-lock.json"
OSES = {"android": "android", "darwin": "darwin", "freebsd": "freebsd", "linux": "linux", "win32": "win32",
        "openbsd": "openbsd", "netbsd": "netbsd", "sunos": "sunos", "aix": "aix", "openharmony": "openharmony",
        "cygwin": "cygwin"}
CPUS = ["arm64", "x64", "arm", "ia32", "loong64", "ppc64", "riscv64", "s390x", "mips64el", "wasm32", "x86"]


def platform_fields(name: str) -> dict:
    tail = name.split("/")[-1]
    fields: dict = {}
    for key, os_name in OSES.items():
        if re.search(rf"(^|-){key}(-|$)", tail):
            fields["os"] = [os_name]
    for cpu in CPUS:
        if re.search(rf"(^|-){cpu}(-|$)", tail):
            fields["cpu"] = ["ia32" if cpu == "x86" else cpu]
    if "musl" in tail:
        fields["libc"] = ["musl"]
    elif "gnu" in tail:
        fields["libc"] = ["glibc"]
    return fields


def main() -> None:
    lock = json.loads(LOCK.read_text())
    packages = lock["packages"]
    added = 0
    for path, meta in list(packages.items()):
        for dep, spec in (meta.get("optionalDependencies") or {}).items():
            base = f"{path}/node_modules/{dep}" if path else f"node_modules/{dep}"
            if base in packages or f"node_modules/{dep}" in packages:
                continue
            fields = platform_fields(dep)
            if not fields.get("os") and not fields.get("cpu"):
                continue  # not a platform build: leave npm's decision alone
            version = re.sub(r"^[\^~=]", "", spec)
            packages[f"node_modules/{dep}"] = {"version": version, "dev": True, "optional": True, **fields}
            added += 1
    lock["packages"] = dict(sorted(packages.items(), key=lambda kv: (kv[0] != "", kv[0])))
    LOCK.write_text(json.dumps(lock, indent=2) + "\n")
    print(f"added {added} platform stubs to {LOCK.name}", file=sys.stderr)


if __name__ == "__main__":
    main()
