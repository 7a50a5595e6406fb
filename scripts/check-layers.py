#!/usr/bin/env python3
"""Fails when an #include crosses a layer the wrong way (docs/ARCHITECTURE.md, "Layers").

Every folder is one unit; a unit may include its own headers and those of the units listed for
it below, nothing else. Headers of a library with a single user are checked the same way
(<fuse3/...> only in fs/fuse/, <curl/...> only in client/http/, ...). tests/ and bench/ may
include anything and are not checked.

usage: check-layers.py [SOURCE_ROOT]    (default: the repository holding this script)
Prints one line per offending include and exits 1, or exits 0 when there is none.
"""

import os
import re
import sys

# unit -> the units it may include besides itself. "client" is client/*.h (the RemoteStore
# interface and domain types), "fs" is the filesystem core (fs/*.h).
ALLOWED = {
    "common": [],
    "client": ["common"],
    "client/wire": ["common", "client"],
    "client/auth": ["common", "client", "client/wire"],
    "client/http": ["common", "client", "client/wire", "client/auth"],
    "client/testing": ["common", "client"],
    "cache": ["common"],
    "fs": ["common", "client", "cache"],
    "fs/fuse": ["common", "client", "cache", "fs"],
    "fs/cli": ["common", "client", "client/wire", "client/auth", "client/http", "cache", "fs",
               "fs/fuse"],
    "emulator": ["common"],
}

# <header prefix> -> the units that may include it.
SYSTEM_HEADERS = {
    "fuse": ["fs/fuse"],
    "curl/": ["client/http"],
    "lmdb.h": ["cache"],
    "httplib.h": ["emulator"],
    "sqlite3.h": ["emulator"],
}

CHECKED_ROOTS = ("common", "client", "cache", "fs", "emulator")
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')


def unit_of(path):
    """The unit of a path relative to the source root, or None outside the checked layers."""
    parts = path.split("/")
    if parts[0] not in CHECKED_ROOTS:
        return None
    if parts[0] == "emulator":
        return "emulator"  # the emulator is one unit: it shares only common/
    if parts == ["fs", "main.cpp"]:
        return "fs/cli"  # the composition root, with the command line
    if len(parts) <= 2:
        return parts[0]
    return parts[0] + "/" + parts[1]


def problems(root):
    found = []
    for top in CHECKED_ROOTS:
        for folder, _, files in os.walk(os.path.join(root, top)):
            for name in sorted(files):
                if not name.endswith((".h", ".hpp", ".cpp", ".cc")):
                    continue
                full = os.path.join(folder, name)
                rel = os.path.relpath(full, root).replace(os.sep, "/")
                found += file_problems(full, rel)
    return found


def file_problems(full, rel):
    unit = unit_of(rel)
    if unit is None:
        return []
    if unit not in ALLOWED:
        return [f"{rel}: folder {unit}/ has no place in the layers of scripts/check-layers.py"]
    out = []
    with open(full, encoding="utf-8", errors="replace") as f:
        for number, line in enumerate(f, 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            kind, target = m.groups()
            if kind == "<":
                for prefix, units in SYSTEM_HEADERS.items():
                    if target.startswith(prefix) and unit not in units:
                        out.append(f"{rel}:{number}: {unit}/ may not include <{target}>")
                continue
            if "/" not in target:
                continue  # a header next to the file
            included = unit_of(target)
            if included is None or included == unit or included in ALLOWED[unit]:
                continue
            out.append(f"{rel}:{number}: {unit}/ may not include \"{target}\" ({included}/)")
    return out


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(here)
    found = problems(root)
    for p in found:
        print(p)
    if found:
        print(f"check-layers: {len(found)} include(s) cross a layer the wrong way "
              "(see docs/ARCHITECTURE.md, Layers)")
        return 1
    print("check-layers: every include points down")
    return 0


if __name__ == "__main__":
    sys.exit(main())
