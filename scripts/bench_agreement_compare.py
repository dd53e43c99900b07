#!/usr/bin/env python3
"""Times `concord agreement FILE --level ordinal` against the PyPI
`krippendorff` package, whole process against whole process, for
scripts/bench-agreement.sh.

For each file: best-of-N wall time of each command (time.perf_counter around
subprocess.run, the two commands taking turns so that both see the machine
in the same state), the median of the N paired ratios (steadier than the
ratio of the bests on a virtual machine whose speed drifts), peak resident
memory of each from `/usr/bin/time -v`, and a check that both print the
same ordinal alpha to 1e-9. Exits non-zero when
the alphas disagree or a command fails; prints whether the targets (>= 50x
faster on the first file, peak memory < 3x the file size) were met.
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from typing import NamedTuple

SPEED_TARGET = 50.0
MEMORY_TARGET = 3.0


def run(cmd):
    """Runs cmd, returning (seconds, stdout); raises on failure."""
    start = time.perf_counter()
    done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"command failed ({done.returncode}): {' '.join(cmd)}\n{done.stderr}")
    return elapsed, done.stdout


def paired_times(ours_cmd, theirs_cmd, repeats):
    """Runs the two commands in turn `repeats` times: (our times, our last
    output, their times, their last output)."""
    ours, theirs = [], []
    for _ in range(repeats):
        t, ours_out = run(ours_cmd)
        ours.append(t)
        t, theirs_out = run(theirs_cmd)
        theirs.append(t)
    return ours, ours_out, theirs, theirs_out


class FileResult(NamedTuple):
    path: str
    size: int
    ratings: int
    ours_t: float
    theirs_t: float
    paired: float
    ours_alpha: float
    theirs_alpha: float
    agree: bool
    ours_rss: int
    theirs_rss: int


def peak_rss_bytes(cmd):
    """Maximum resident set size of cmd, from GNU time -v."""
    done = subprocess.run(["/usr/bin/time", "-v", *cmd], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        raise SystemExit(f"command failed under /usr/bin/time: {' '.join(cmd)}\n{done.stderr}")
    match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    if not match:
        raise SystemExit("could not read the peak RSS from /usr/bin/time -v")
    return int(match.group(1)) * 1024


def mib(n):
    return n / (1024 * 1024)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bin", required=True, help="the concord binary (or a stand-in taking the same arguments)")
    parser.add_argument("--python", required=True, help="python of the venv with krippendorff and numpy")
    parser.add_argument("--reference", required=True, help="scripts/bench_agreement_python.py")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()

    ok = True
    results = []
    for path in args.files:
        size = os.path.getsize(path)
        ours_cmd = [args.bin, "agreement", path, "--level", "ordinal"]
        theirs_cmd = [args.python, args.reference, path, "ordinal"]
        ours_ts, ours_out, theirs_ts, theirs_out = paired_times(ours_cmd, theirs_cmd, args.repeats)
        ours_t, theirs_t = min(ours_ts), min(theirs_ts)
        paired = statistics.median(t / o for o, t in zip(ours_ts, theirs_ts))
        report = json.loads(ours_out)
        ours_alpha = report["krippendorff_alpha"]["ordinal"]
        theirs_alpha = float(theirs_out.strip())
        agree = ours_alpha is not None and abs(ours_alpha - theirs_alpha) <= 1e-9
        ok &= agree
        ours_rss = peak_rss_bytes(ours_cmd)
        theirs_rss = peak_rss_bytes(theirs_cmd)
        results.append(FileResult(path, size, report["ratings"], ours_t, theirs_t, paired, ours_alpha, theirs_alpha, agree, ours_rss, theirs_rss))

    print()
    print(f"{'file':<28} {'size':>8} {'ratings':>9} {'concord':>9} {'python':>9} {'speed-up':>9} {'paired':>7} {'concord RSS':>12} {'RSS/size':>9} {'python RSS':>11}  alpha (ordinal)")
    for r in results:
        print(
            f"{os.path.basename(r.path):<28} {mib(r.size):>6.1f}MB {r.ratings:>9} {r.ours_t * 1000:>7.1f}ms {r.theirs_t * 1000:>7.0f}ms"
            f" {r.theirs_t / r.ours_t:>8.1f}x {r.paired:>6.1f}x {mib(r.ours_rss):>10.1f}MB {r.ours_rss / r.size:>8.2f}x {mib(r.theirs_rss):>9.1f}MB"
            f"  {r.ours_alpha!r} vs {r.theirs_alpha!r} {'(same to 1e-9)' if r.agree else '(DIFFERENT)'}"
        )
    print()
    first = results[0]
    speed = first.theirs_t / first.ours_t
    print(f"speed target (>= {SPEED_TARGET:.0f}x on {os.path.basename(first.path)}): {speed:.1f}x -> {'met' if speed >= SPEED_TARGET else 'MISSED'}"
          f" (median of paired runs: {first.paired:.1f}x)")
    for r in results:
        print(f"memory target (< {MEMORY_TARGET:.0f}x file size) on {os.path.basename(r.path)}: {r.ours_rss / r.size:.2f}x -> {'met' if r.ours_rss < MEMORY_TARGET * r.size else 'MISSED'}")
    if not ok:
        print("ERROR: concord and krippendorff disagree on the ordinal alpha", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
