# Shared by scripts/run and scripts/test. Sourced, not executed.
# Installs what is missing, says clearly what it cannot install, and never installs twice.

RUNTIME_PACKAGES="ca-certificates python3-venv libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk"
TEST_PACKAGES="chromium libatomic1 poppler-utils postgresql"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

missing_packages() {
    local missing=""
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing="$missing $pkg"
    done
    echo "$missing"
}

# ensure_packages "why" pkg… — installs missing Debian packages as root; otherwise names them and fails.
ensure_packages() {
    local why="$1"; shift
    command -v dpkg-query >/dev/null 2>&1 || { say "not a Debian system: make sure these are installed: $*"; return 0; }
    local missing
    missing=$(missing_packages "$@")
    [ -z "$missing" ] && return 0
    if [ "$(id -u)" = "0" ]; then
        say "installing system packages for $why:$missing"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        # shellcheck disable=SC2086
        apt-get install -y -qq --no-install-recommends $missing >/dev/null
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        say "installing system packages for $why (sudo):$missing"
        sudo DEBIAN_FRONTEND=noninteractive apt-get update -qq
        # shellcheck disable=SC2086
        sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
    else
        say "missing system packages for $why:$missing"
        say "install them as root:  apt-get install --no-install-recommends$missing"
        return 1
    fi
}

# ensure_venv EXTRAS — a virtualenv in .venv with the project installed (editable), re-done only
# when pyproject.toml changes.
ensure_venv() {
    local extras="$1" python="${PYTHON:-python3}"
    if [ ! -x .venv/bin/python ]; then
        say "creating .venv with $($python --version 2>&1)"
        "$python" -m venv .venv
    fi
    local stamp=".venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)${extras:+-$extras}"
    if [ ! -f "$stamp" ]; then
        say "installing Python packages${extras:+ ($extras)}"
        .venv/bin/python -m pip install -q --upgrade pip >/dev/null
        .venv/bin/python -m pip install -q -e ".${extras:+[$extras]}"
        rm -f .venv/.installed-*
        touch "$stamp"
    fi
}

compile_translations() {
    [ -d translations ] || return 0
    .venv/bin/pybabel compile -q -d translations 2>/dev/null || .venv/bin/pybabel compile -d translations
}

# ensure_axe — axe-core (the accessibility engine the browser tests inject) in a cache folder outside the repo,
# installed once with npm when npm is there. Offline-safe: a failed install only says so; the test then fails
# in CI (CI=true) with a clear message and is skipped with that message elsewhere.
AXE_DIR="${OVERSIGHT_AXE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/oversight/axe}"
export OVERSIGHT_AXE_DIR="$AXE_DIR"
ensure_axe() {
    [ -f "$AXE_DIR/node_modules/axe-core/axe.min.js" ] && return 0
    if ! command -v npm >/dev/null 2>&1; then
        say "npm not found: axe-core is not installed, the accessibility test cannot run (apt-get install npm)"
        return 0
    fi
    say "installing axe-core into $AXE_DIR"
    mkdir -p "$AXE_DIR"
    npm install --prefix "$AXE_DIR" --prefer-offline --no-audit --no-fund --silent axe-core@4 >/dev/null 2>&1 \
        || say "could not install axe-core (offline?); the accessibility test will say so"
}
