#!/usr/bin/env python3
"""The test suite again, built with AddressSanitizer + UBSan.

Configures a separate build of this source tree in BUILD_DIR with
-Db_sanitize=address,undefined, builds it, and runs `meson test` there for
the unit, golden, accept, fuzz and badinput suites (not this one, not the
slow QGIS ones). Any sanitizer report fails the test: ASan exits non-zero,
UBSan is made to halt on its first report, LeakSanitizer is on.
Usage: run_sanitized.py SOURCE_ROOT BUILD_DIR
"""
import os
import subprocess
import sys

SUITES = ["unit", "golden", "accept", "fuzz", "badinput"]


def run(cmd, env):
    print("+", " ".join(cmd), flush=True)
    return subprocess.run(cmd, env=env).returncode


def main():
    if os.environ.get("GM_SANITIZE_NESTED"):
        print("already inside a sanitized build: skipping")
        return 77
    src, build = sys.argv[1], sys.argv[2]
    env = dict(os.environ, GM_SANITIZE_NESTED="1",
               ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:"
                            "detect_stack_use_after_return=1",
               UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1")
    # The outer build's settings must not leak into the inner one.
    for k in ("GEOMENTION", "GEOMENTION_GAZETTEER", "MESON_TESTTHREADS"):
        env.pop(k, None)
    if not os.path.exists(os.path.join(build, "build.ninja")):
        rc = run(["meson", "setup", build, src,
                  "-Db_sanitize=address,undefined", "-Db_lundef=false",
                  "-Dbuildtype=debugoptimized"], env)
        if rc:
            return 1
    if run(["ninja", "-C", build], env):
        return 1
    cmd = ["meson", "test", "-C", build, "--print-errorlogs",
           "--num-processes", "2"]
    for s in SUITES:
        cmd += ["--suite", s]
    rc = run(cmd, env)
    print("sanitized suites:", "passed" if rc == 0 else "FAILED (rc %d)" % rc)
    return 0 if rc == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
