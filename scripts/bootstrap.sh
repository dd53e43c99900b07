# Sourced by scripts/run and scripts/test: installs what building (and,
# with `bootstrap_tests`, testing) Concord needs. Every step checks first,
# so a second run installs nothing.
# shellcheck shell=bash

CONCORD_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CARGO_LEPTOS_VERSION=0.3.10
BINARYEN_VERSION=132.0.0
export PATH="$HOME/.cargo/bin:$CONCORD_ROOT/.tools/node_modules/.bin:$PATH"
# cargo-leptos bakes these into the build; setting them for plain cargo too
# keeps `cargo test` and `cargo leptos build` from rebuilding each other's crates.
export LEPTOS_OUTPUT_NAME=concord

step() { printf '\n==> %s\n' "$*"; }

# Build tools are installed with a cheap release profile: they only drive
# the build, so cargo-leptos's own fat LTO in one codegen unit at opt-level 3
# buys us nothing. (Much of its install is C code, which this barely
# shortens; no before/after timing on one machine exists.)
install_tool() {
  CARGO_PROFILE_RELEASE_LTO=off CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    CARGO_PROFILE_RELEASE_OPT_LEVEL=1 cargo install "$@"
}

bootstrap_build() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    step "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
  if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
    step "installing cargo-leptos $CARGO_LEPTOS_VERSION (compiles for about 20 minutes, once)"
    install_tool cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked --features no_downloads
  fi
  # The CLI must equal the wasm-bindgen crate pinned in Cargo.lock.
  local wb
  wb=$(grep -A1 '^name = "wasm-bindgen"$' "$CONCORD_ROOT/Cargo.lock" | sed -n 's/^version = "\(.*\)"/\1/p')
  if ! wasm-bindgen --version 2>/dev/null | grep -q " $wb\$"; then
    step "installing wasm-bindgen-cli $wb"
    install_tool wasm-bindgen-cli --version "$wb" --force
  fi
  # Debian's binaryen is too old for what rustc emits; npm's is current.
  if ! "$CONCORD_ROOT/.tools/node_modules/.bin/wasm-opt" --version >/dev/null 2>&1; then
    step "installing wasm-opt (binaryen $BINARYEN_VERSION from npm)"
    mkdir -p "$CONCORD_ROOT/.tools"
    npm install --prefix "$CONCORD_ROOT/.tools" --no-audit --no-fund --no-save "binaryen@$BINARYEN_VERSION"
  fi
}

bootstrap_tests() {
  bootstrap_build
  if [ ! -x /usr/bin/chromium ]; then
    step "installing Debian's chromium"
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium
  fi
  # The download tests read Concord's CSV files with pandas and with R.
  if ! command -v Rscript >/dev/null; then
    step "installing Debian's R (for the read.csv test of the downloads)"
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends r-base-core
  fi
  if ! "$CONCORD_ROOT/.tools/venv/bin/python" -c "import pandas" 2>/dev/null; then
    step "installing pandas into .tools/venv (for the read_csv test of the downloads)"
    python3 -m venv "$CONCORD_ROOT/.tools/venv"
    "$CONCORD_ROOT/.tools/venv/bin/pip" install --quiet "pandas==2.2.3"
  fi
  local stamp="$CONCORD_ROOT/end2end/node_modules/.package-lock.json"
  if [ ! -f "$stamp" ] || [ "$CONCORD_ROOT/end2end/package-lock.json" -nt "$stamp" ]; then
    step "installing the end-to-end test packages (npm ci)"
    (cd "$CONCORD_ROOT/end2end" && npm ci --no-audit --no-fund)
  fi
}

# PostgreSQL for the integration tests: started if this machine has a
# cluster that is down.
ensure_postgres() {
  if command -v pg_isready >/dev/null && pg_isready -q -h 127.0.0.1 -p 5432; then
    return 0
  fi
  if [ -d /etc/postgresql ] && command -v pg_ctlcluster >/dev/null; then
    step "starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start || true
    for _ in $(seq 1 30); do
      pg_isready -q -h 127.0.0.1 -p 5432 && return 0
      sleep 1
    done
  fi
  echo "PostgreSQL is not reachable at 127.0.0.1:5432" >&2
  return 1
}
