#!/usr/bin/env python3
"""The arm64 SHA-2 engine (src/util/sha256_hw.cc built for aarch64) against Python's hashlib.

On an x86-64 host it builds tests/arm64/sha256_hw_driver.cc with aarch64-linux-gnu-g++ (static) and runs it under
qemu-aarch64; on an arm64 host it builds with the native compiler and runs it directly. The driver hashes messages
named by offset and size inside one random data file, each pair with the two-lane compressor and the first of the
pair alone; every digest must equal hashlib's. The jobs: every length 0..4096 paired with an equal length, the
same number of blocks with another tail, one block more, one block less, nothing, and nothing paired with it; then
random lengths up to 4 MiB; every offset mod 16 on both lanes.

The whole set runs on QEMU's `max` CPU; a shorter one on its Cortex-A53 model, an ARMv8.0 core with the crypto
extension, so that an instruction newer than ARMv8.0 + SHA-2 in the build would fail there. Every CPU model QEMU
offers has SHA-2, so the fallback (no HWCAP_SHA2) cannot be run here; the driver must report the instructions as
available on both models, else the test fails (a run that compared nothing would prove nothing). On an arm64 host
without SHA-2 it is skipped.

Skipped (exit 77) with the reason when the cross compiler or QEMU is missing on a non-arm64 host
(scripts/install-deps.sh --test installs g++-aarch64-linux-gnu and qemu-user)."""

import hashlib
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.environ.get("TREEPRINT_SOURCE_DIR", os.path.join(HERE, "..", ".."))
SKIP = 77
MIB = 1 << 20
DATA_SIZE = 8 * MIB + 4096
WARNINGS = ["-Wall", "-Wextra", "-Wpedantic", "-Wshadow", "-Wconversion", "-Wno-sign-conversion"]


def toolchain():
    """(compiler, runner prefix) or exits SKIP."""
    if platform.machine() in ("aarch64", "arm64"):
        cxx = shutil.which("g++") or shutil.which("c++")
        if not cxx:
            print("SKIP: no C++ compiler on this arm64 host")
            sys.exit(SKIP)
        return cxx, []
    missing = [t for t in ("aarch64-linux-gnu-g++", "qemu-aarch64") if not shutil.which(t)]
    if missing:
        print(f"SKIP: {' and '.join(missing)} not found; scripts/install-deps.sh --test installs "
              "g++-aarch64-linux-gnu and qemu-user")
        sys.exit(SKIP)
    return shutil.which("aarch64-linux-gnu-g++"), [shutil.which("qemu-aarch64")]


def build(cxx, out):
    cmd = [cxx, "-std=c++20", "-O2", "-static", *WARNINGS, "-I", os.path.join(SOURCE, "src"),
           os.path.join(SOURCE, "tests", "arm64", "sha256_hw_driver.cc"),
           os.path.join(SOURCE, "src", "util", "sha256_hw.cc"), "-o", out]
    r = subprocess.run(cmd, capture_output=True, text=True)
    sys.stdout.write(r.stderr)
    if r.returncode != 0:
        print("FAIL: building the driver failed: " + " ".join(cmd))
        sys.exit(1)


def small_jobs(lengths):
    """Pairs around every length in `lengths`; lane A in the first 64 KiB, lane B from 4 MiB on."""
    jobs = []
    for n in lengths:
        same_blocks = (n // 64) * 64 + (63 - n % 64)
        less = n - 64 if n >= 64 else 4096 - n
        for i, (a, b) in enumerate([(n, n), (n, same_blocks), (n, n + 64), (n, less), (n, 0), (0, n)]):
            off_a = (n * 7 + i) % 64 + 64 * (i + 1)
            off_b = 4 * MIB + (n * 5 + 3 * i) % 64 + 8192 * i
            jobs.append((off_a, a, off_b, b))
    return jobs


def large_jobs(rng, count):
    jobs = []
    for i in range(count):
        a = rng.randrange(0, 4 * MIB)
        kind = i % 4
        if kind == 0:
            b = a  # equal: every block paired
        elif kind == 1:
            b = max(0, a + rng.randrange(-200, 200))  # nearly equal: a few blocks alone, tails differ
        elif kind == 2:
            b = rng.randrange(0, 64 * 1024)  # one long, one short
        else:
            b = rng.randrange(0, 4 * MIB)
        jobs.append((rng.randrange(0, DATA_SIZE - a + 1), a, rng.randrange(0, DATA_SIZE - b + 1), b))
    return jobs


def check(runner, driver, data_path, data, jobs, label):
    """Runs the driver on `jobs`; returns the number of wrong digests (printed)."""
    stdin = "".join(f"{oa} {a} {ob} {b}\n" for oa, a, ob, b in jobs)
    r = subprocess.run([*runner, driver, data_path], input=stdin, capture_output=True, text=True)
    if r.returncode != 0:
        print(f"FAIL [{label}]: the driver exited {r.returncode}: {r.stderr.strip()}")
        return 1
    lines = r.stdout.splitlines()
    if not runner and lines and lines[0].endswith("available: no"):
        print(f"SKIP: this arm64 CPU lacks the SHA-2 instructions ({lines[0]})")
        sys.exit(SKIP)
    if not lines or not lines[0].endswith("available: yes"):
        print(f"FAIL [{label}]: the emulated CPU has SHA-2 but the driver says: {lines[:1]}")
        return 1
    results = lines[1:]
    if len(results) != len(jobs):
        print(f"FAIL [{label}]: {len(jobs)} jobs, {len(results)} result lines")
        return 1
    wrong = 0
    for (oa, a, ob, b), line in zip(jobs, results):
        want_a = hashlib.sha256(data[oa:oa + a]).hexdigest()
        want_b = hashlib.sha256(data[ob:ob + b]).hexdigest()
        got = line.split()
        for what, g, w in (("pair A", got[0], want_a), ("pair B", got[1], want_b), ("A alone", got[2], want_a)):
            if g != w:
                wrong += 1
                if wrong <= 10:
                    print(f"FAIL [{label}]: {what} of A = {a} bytes at {oa}, B = {b} bytes at {ob}: "
                          f"{g}, want {w}")
    print(f"[{label}] {lines[0]}; {len(jobs)} pairs, {3 * len(jobs)} digests, {wrong} wrong")
    return wrong


def main():
    cxx, runner = toolchain()
    rng = random.Random(20261201)
    data = rng.randbytes(DATA_SIZE)
    with tempfile.TemporaryDirectory() as tmp:
        driver = os.path.join(tmp, "sha256_hw_driver")
        build(cxx, driver)
        data_path = os.path.join(tmp, "data")
        with open(data_path, "wb") as f:
            f.write(data)
        full = small_jobs(range(4097)) + large_jobs(rng, 24)
        short = small_jobs(range(0, 4097, 37)) + large_jobs(rng, 2)
        if runner:
            runs = [(["-cpu", "max"], full, "qemu -cpu max"), (["-cpu", "cortex-a53"], short, "qemu -cpu cortex-a53")]
        else:
            runs = [([], full, platform.machine())]
        wrong = 0
        for cpu, jobs, label in runs:
            wrong += check(runner + cpu, driver, data_path, data, jobs, label)
    if wrong:
        sys.exit(1)
    print("ok")


if __name__ == "__main__":
    main()
