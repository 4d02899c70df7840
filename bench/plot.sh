#!/usr/bin/env bash
# Plot Loupe benchmark results into PNG charts.
#
#   bench/plot.sh [--results bench/results] [--out bench/results]
#
# Creates (or reuses) a virtual environment at bench/.venv, installs the pinned
# packages from bench/requirements.txt when the venv is new or the file has
# changed since the last install, then runs bench/plot.py with all arguments.
# Set PYTHON to choose the interpreter used to create the venv (default python3).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/.venv"
requirements="$here/requirements.txt"
stamp="$venv/.requirements-stamp"
python="${PYTHON:-python3}"

fail() {
    echo "plot.sh: $*" >&2
    exit 1
}

command -v "$python" >/dev/null 2>&1 || fail "$python not found; install Python 3 first"

need_venv_package() {
    local version
    version="$("$python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")' 2>/dev/null || echo 3)"
    fail "Python's venv module is not usable (ensurepip missing).
On Debian/Ubuntu install it with:  apt-get install python3-venv   (or python${version}-venv)
then run bench/plot.sh again."
}

# A venv whose interpreter no longer runs (Python upgraded or removed) is rebuilt.
if [ -e "$venv" ] && ! "$venv/bin/python" -c '' >/dev/null 2>&1; then
    echo "plot.sh: rebuilding broken virtual environment $venv" >&2
    rm -rf "$venv"
fi

if [ ! -e "$venv" ]; then
    "$python" -c 'import venv, ensurepip' >/dev/null 2>&1 || need_venv_package
    echo "plot.sh: creating virtual environment $venv" >&2
    if ! "$python" -m venv "$venv"; then
        rm -rf "$venv"
        need_venv_package
    fi
fi

# The stamp records the requirements hash and the venv's Python version.
wanted="$("$venv/bin/python" - "$requirements" <<'EOF'
import hashlib, sys
with open(sys.argv[1], "rb") as f:
    print(hashlib.sha256(f.read()).hexdigest(), sys.version.split()[0])
EOF
)"
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$wanted" ]; then
    echo "plot.sh: installing packages from $requirements" >&2
    rm -f "$stamp"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements" \
        || fail "pip install -r $requirements failed"
    # Build matplotlib's font cache now so the first plot run prints no notice about it.
    MPLBACKEND=Agg "$venv/bin/python" -c 'import matplotlib.font_manager' >/dev/null 2>&1 || true
    printf '%s\n' "$wanted" >"$stamp"
fi

export MPLBACKEND=Agg
exec "$venv/bin/python" "$here/plot.py" "$@"
