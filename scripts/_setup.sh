# Shared set-up for scripts/run and scripts/test: sourced, not run.
# Creates .venv with Python 3.12+ if missing, installs the project when pyproject.toml
# has changed since the last install, and migrates the database. Safe to repeat.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

find_python() {
    local candidate
    for candidate in python3.14 python3.13 python3.12 python3; do
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
            echo "$candidate"
            return
        fi
    done
    # pyenv installs versions without putting them on PATH: take the newest.
    for candidate in $(ls -d "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.1[2-9]* 2>/dev/null | sort -rV); do
        candidate="$candidate/bin/python3"
        if [ -x "$candidate" ]; then
            echo "$candidate"
            return
        fi
    done
    echo "Python 3.12 or newer is needed (Django 6 does not run on older versions)." >&2
    exit 1
}

if [ ! -x .venv/bin/python ]; then
    python=$(find_python)
    echo "Creating .venv with $("$python" --version)"
    "$python" -m venv .venv
fi

stamp=.venv/.installed-pyproject
if [ ! -f "$stamp" ] || ! cmp -s pyproject.toml "$stamp"; then
    echo "Installing dependencies into .venv"
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -e ".[dev]"
    cp pyproject.toml "$stamp"
fi
