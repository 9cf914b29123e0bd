#!/usr/bin/env python3
"""Fails when one part of the tree reaches into another part's private code.

Rules (docs/ARCHITECTURE.md):
  1. A part's src/ is private: no file outside the part includes a header that lives there,
     and no CMake file outside the part names that src/ folder.
  2. The collector depends on the wire format and base only: it includes no header of the
     recorder (telemetry/include) or the pings library, and links neither.
  3. The simulator's expected KPIs are an independent reading of KPI.md: tools/simulate
     includes nothing of collector/ and links neither the collector nor its KPI library.
A part's own tests live inside the part and may reach its internals.

Usage: check_boundaries.py [ROOT]   (ROOT: the source tree, default: this script's parent's parent)
Prints one line per violation, file:line first; exits 1 when there is any.
"""
import os
import re
import sys

PRIVATE_PARTS = ["base", "wire", "telemetry", "pings"]
SOURCE_ENDINGS = (".cc", ".h", ".cpp", ".hpp")
SKIP_DIRS = {".git", "build", "node_modules"}
SIMULATE = os.path.join("tools", "simulate") + os.sep
INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"')


def part_of(rel):
    top = rel.split(os.sep, 1)[0]
    return top


def tree_files(root):
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS and not d.startswith("build")]
        for name in filenames:
            path = os.path.join(dirpath, name)
            yield os.path.relpath(path, root)


def public_headers(root, part):
    base = os.path.join(root, part, "include")
    found = set()
    for dirpath, _, filenames in os.walk(base):
        for name in filenames:
            found.add(os.path.relpath(os.path.join(dirpath, name), base))
    return found


def main():
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                           os.path.join(os.path.dirname(__file__), ".."))
    problems = []
    recorder_headers = public_headers(root, "telemetry") | public_headers(root, "pings")
    for rel in tree_files(root):
        owner = part_of(rel)
        full = os.path.join(root, rel)
        if rel.endswith(SOURCE_ENDINGS):
            with open(full, encoding="utf-8", errors="replace") as f:
                for number, line in enumerate(f, 1):
                    m = INCLUDE.match(line)
                    if not m:
                        continue
                    header = m.group(1)
                    local = os.path.exists(os.path.join(os.path.dirname(full), header))
                    for part in PRIVATE_PARTS:
                        if part == owner:
                            continue
                        if header.startswith(part + "/src/") or (
                                not local and
                                os.path.isfile(os.path.join(root, part, "src", header))):
                            problems.append(f"{rel}:{number}: includes \"{header}\", private to "
                                            f"{part}/src (use {part}'s public headers)")
                    if rel.startswith(SIMULATE) and header.startswith("collector/"):
                        problems.append(f"{rel}:{number}: the simulator includes \"{header}\" "
                                        "(its reference KPIs share no code with the collector)")
                    if owner == "collector" and header in recorder_headers:
                        problems.append(f"{rel}:{number}: the collector includes \"{header}\" of "
                                        "the recorder or pings (it may use wire and base only)")
        name = os.path.basename(rel)
        if name == "CMakeLists.txt" or name.endswith(".cmake"):
            with open(full, encoding="utf-8", errors="replace") as f:
                for number, line in enumerate(f, 1):
                    code = line.split("#", 1)[0]
                    for part in PRIVATE_PARTS:
                        if part != owner and re.search(r"\b" + part + r"/src\b", code):
                            problems.append(f"{rel}:{number}: names {part}/src, private to {part}")
                    if owner == "collector" and re.search(
                            r"telemetry::(recorder|registry|pings)\b|\btelemetry_(recorder|pings)\b",
                            code):
                        problems.append(f"{rel}:{number}: the collector links the recorder or pings")
                    if rel.startswith(SIMULATE) and re.search(r"\btelemetry_(kpi|collector)\b",
                                                              code):
                        problems.append(f"{rel}:{number}: the simulator links the collector's code")
    for p in sorted(problems):
        print(p)
    if problems:
        print(f"check_boundaries: {len(problems)} violation(s) of the part boundaries",
              file=sys.stderr)
        return 1
    print("check_boundaries: every part keeps to the public headers of the others")
    return 0


if __name__ == "__main__":
    sys.exit(main())
