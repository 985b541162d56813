#!/usr/bin/env python3
"""Clang's thread-safety analysis over the engine and the DB (-Wthread-safety, as errors).

Lock rules are written into the code (ABSL_GUARDED_BY, ABSL_EXCLUSIVE_LOCKS_REQUIRED on
nokv::Mutex, src/util/mutex.h); this checks them. The analysis runs during semantic analysis,
so `clang++ -fsyntax-only` over each translation unit (flags from compile_commands.json) is
enough: no second build. Skipped (exit 0 with a note) when clang++-14 is not installed.
Usage: thread_safety.py BUILD_DIR SOURCE_DIR
"""
import json
import os
import shlex
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

CHECKED = ("engine/", "src/db/", "src/util/")


def main():
    build, source = sys.argv[1], os.path.realpath(sys.argv[2])
    clang = shutil.which("clang++-14") or shutil.which("clang++")
    if clang is None:
        print("thread_safety: clang++ not installed, skipped")
        return 0
    with open(os.path.join(build, "compile_commands.json")) as f:
        commands = json.load(f)
    jobs = []
    for entry in commands:
        path = os.path.realpath(entry["file"])
        rel = os.path.relpath(path, source)
        if not rel.startswith(CHECKED) or not rel.endswith(".cc"):
            continue
        args = shlex.split(entry["command"])
        flags = []
        skip = False
        for i, a in enumerate(args[1:], 1):
            if skip:
                skip = False
                continue
            if a in ("-o", "-MF", "-MT", "-c"):
                skip = a != "-c"
                continue
            if a == path or a.endswith(".cc") or a in ("-MD",) or "ccache" in a:
                continue
            if a.startswith("-fsanitize") or a.startswith("-W"):
                continue
            flags.append(a)
        jobs.append((rel, [clang, "-fsyntax-only", "-Wthread-safety", "-Werror=thread-safety",
                           "-Wno-unknown-warning-option"] + flags + [path]))
    failed = []

    def run(job):
        rel, cmd = job
        r = subprocess.run(cmd, cwd=build, capture_output=True, text=True)
        return rel, r.returncode, r.stderr

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        for rel, code, err in pool.map(run, jobs):
            if code != 0:
                failed.append(rel)
                sys.stderr.write(err)
    print(f"thread_safety: {len(jobs)} translation units checked, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
