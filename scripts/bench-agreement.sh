#!/usr/bin/env bash
# Benchmarks `concord agreement` against the PyPI package `krippendorff`.
#
#   scripts/bench-agreement.sh [BINARY]
#
# BINARY defaults to target/release/concord, which is then built with
# `cargo build --release -p server --bin concord`; pass another path (for
# example target/release/examples/agreement from
# `cargo build --release -p concord-stats --example agreement`) to use it
# as is. Generates two deterministic data sets (100,000 units x 5 raters,
# 5 ordinal levels, 10% missing; and 1,000,000 ratings), installs
# krippendorff and numpy into a throwaway venv under /tmp, and reports the
# speed-up (of the best times, and the median of paired runs) and peak
# memory of whole processes, checking that both agree on
# the ordinal alpha to 1e-9.
#
# Environment: BENCH_DIR (work directory, default a fresh /tmp dir, removed
# afterwards unless KEEP_BENCH_DIR=1), BENCH_REPEATS (default 3).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DEFAULT_BIN="$ROOT/target/release/concord"
BIN=${1:-$DEFAULT_BIN}
REPEATS=${BENCH_REPEATS:-3}

if [[ -n "${BENCH_DIR:-}" ]]; then
  WORK=$BENCH_DIR
  mkdir -p "$WORK"
else
  WORK=$(mktemp -d /tmp/concord-bench.XXXXXX)
  if [[ "${KEEP_BENCH_DIR:-0}" != 1 ]]; then
    trap 'rm -rf "$WORK"' EXIT
  fi
fi

step() { printf '\n==> %s\n' "$*"; }

for tool in python3 /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "error: $tool is required" >&2; exit 1; }
done

if [[ "$BIN" == "$DEFAULT_BIN" ]]; then
  step "building the release binary (cargo build --release -p server --bin concord)"
  (cd "$ROOT" && LEPTOS_OUTPUT_NAME=${LEPTOS_OUTPUT_NAME:-concord} cargo build --release -p server --bin concord)
fi
[[ -x "$BIN" ]] || { echo "error: no executable at $BIN" >&2; exit 1; }

step "generating data in $WORK"
SMALL="$WORK/ratings-100k-units.csv"
LARGE="$WORK/ratings-1m.csv"
[[ -s "$SMALL" ]] || python3 "$ROOT/scripts/bench_agreement_data.py" --units 100000 --raters 5 --levels 5 --missing 0.1 --seed 20240601 --out "$SMALL"
# 200,000 units x 5 raters, nothing missing: exactly 1,000,000 ratings.
[[ -s "$LARGE" ]] || python3 "$ROOT/scripts/bench_agreement_data.py" --units 200000 --raters 5 --levels 5 --missing 0 --seed 20240602 --out "$LARGE"

step "installing krippendorff and numpy into a throwaway venv"
VENV="$WORK/venv"
[[ -x "$VENV/bin/python" ]] || python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check krippendorff numpy
"$VENV/bin/python" -c 'import importlib.metadata as m; print("krippendorff", m.version("krippendorff"), "/ numpy", m.version("numpy"))'

step "timing whole processes, the two in turn (best of $REPEATS, and the median of the paired ratios)"
"$VENV/bin/python" "$ROOT/scripts/bench_agreement_compare.py" \
  --bin "$BIN" --python "$VENV/bin/python" --reference "$ROOT/scripts/bench_agreement_python.py" \
  --repeats "$REPEATS" "$SMALL" "$LARGE"
