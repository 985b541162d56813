#!/usr/bin/env python3
"""Architecture lint: raw file I/O only in engine/vfs, includes only point down the layering of
docs/architecture.md, and clock reads only through src/util/clock. Exits 1 listing violations."""
import os
import re
import sys

ROOT = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(__file__, "../../.."))
CHECKED = ["include", "src", "engine", "raftstore", "meta", "coordinator", "percolator",
           "thermos", "tools"]

# Rank of each folder (ARCHITECTURE.md section 2); an include may not point to a higher rank.
RANKS = [
    ("src/util/", 1),
    ("engine/vfs/", 2),
    ("engine/", 3),
    ("include/nokv/", 4),
    ("src/db/", 4),
    ("raftstore/raft/", 5),
    ("src/redis/", 6), ("src/metrics/", 6), ("src/rpc/", 6), ("src/config/", 6),
    ("raftstore/", 6), ("meta/", 6),
    ("coordinator/", 6), ("percolator/", 6), ("thermos/", 6),
    ("tools/", 7),
]

RAW_IO = re.compile(r"(?<![\w.>:])(?:::)?(fopen|open|openat|creat|pread|pwrite|fsync|fdatasync|"
                    r"unlink|rename|mkdir|rmdir|opendir|truncate|ftruncate|flock)\s*\(|"
                    r"std::(?:i|o)?fstream|std::filesystem")
RAW_IO_ALLOWED = {"engine/vfs/posix_vfs.cc"}
CLOCK = re.compile(r"std::chrono::(system_clock|steady_clock|high_resolution_clock)::now|"
                   r"\bgettimeofday\s*\(|\bclock_gettime\s*\(|\btime\s*\(\s*(nullptr|NULL|0)\s*\)")
CLOCK_ALLOWED = {"src/util/clock.cc"}
# Daemon mains and the gateway's network loop may read time for socket timeouts; the engine may not.
CLOCK_CHECKED_PREFIXES = ("engine/", "src/db/", "raftstore/raft/")


def rank_of(path):
    for prefix, rank in RANKS:
        if path.startswith(prefix):
            return rank
    return None


def main():
    violations = []
    for top in CHECKED:
        for dirpath, _, files in os.walk(os.path.join(ROOT, top)):
            for name in files:
                if not name.endswith((".h", ".cc", ".cpp", ".hpp")):
                    continue
                path = os.path.relpath(os.path.join(dirpath, name), ROOT)
                text = open(os.path.join(dirpath, name), encoding="utf-8", errors="replace").read()
                code = re.sub(r"//[^\n]*", "", text)
                own = rank_of(path)
                for m in re.finditer(r'#include\s+"([^"]+)"', text):
                    inc = m.group(1)
                    if inc.startswith("nokv/"):
                        inc = "include/" + inc
                    target = rank_of(inc)
                    if own is not None and target is not None and target > own:
                        violations.append(f"{path}: includes {m.group(1)} (layer {target} > {own})")
                if path not in RAW_IO_ALLOWED and not path.startswith(("tools/", "src/redis/",
                                                                       "src/metrics/")):
                    for m in RAW_IO.finditer(code):
                        line = code[:m.start()].count("\n") + 1
                        violations.append(f"{path}:{line}: raw file I/O '{m.group(0)}' "
                                          "outside engine/vfs")
                if path.startswith(CLOCK_CHECKED_PREFIXES) and path not in CLOCK_ALLOWED:
                    for m in CLOCK.finditer(code):
                        line = code[:m.start()].count("\n") + 1
                        violations.append(f"{path}:{line}: clock read '{m.group(0)}' outside "
                                          "the Clock seam")
    for v in violations:
        print(v)
    print(f"lint: {len(violations)} violation(s)")
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
