#!/usr/bin/env bash
# One entry point for people and CI: sets up .venv on first use, then runs a task.
#   ./manage.sh console [-c "/theme states theme:prevention dialogue:2014"]   offline console
#   ./manage.sh run                                                          the Discord bot
#   ./manage.sh sync [--guild ID]                                            register slash commands
#   ./manage.sh test [pytest args]                                           the test suite
#   ./manage.sh backup [--list] · ./manage.sh restore [FILE]                 back the store up, put a backup back
set -euo pipefail
cd "$(dirname "$0")"

PYTHON=${PYTHON:-python3}
VENV=.venv

# pip gives up on a stalled connection instead of waiting for ever, and retries a few times.
PIP=(-m pip --disable-pip-version-check --no-input --timeout 30 --retries 3)

# One line per setup step with its duration, so a slow or stalled step shows in a log.
step() {
  local what=$1 started=$SECONDS
  shift
  printf 'setup: %s … ' "$what"
  if "$@"; then echo "done in $((SECONDS - started)) s"; else echo "failed after $((SECONDS - started)) s"; return 1; fi
}

setup() {
  if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
      echo "Python 3.11 or newer is required (found $("$PYTHON" --version))." >&2; exit 1; }
    step "creating $VENV" "$PYTHON" -m venv "$VENV"
  fi
  if [ ! -f "$VENV/.installed" ] || [ pyproject.toml -nt "$VENV/.installed" ]; then
    step "upgrading pip" "$VENV/bin/python" "${PIP[@]}" install --quiet --upgrade pip
    step "installing the bot and its test tools" "$VENV/bin/python" "${PIP[@]}" install --quiet -e ".[test]"
    touch "$VENV/.installed"
  fi
}

task=${1:-console}
[ $# -gt 0 ] && shift
setup
case "$task" in
  console) exec "$VENV/bin/python" -m bot console "$@" ;;
  run)     exec "$VENV/bin/python" -m bot "$@" ;;
  sync)    exec "$VENV/bin/python" -m bot sync "$@" ;;
  test)    exec "$VENV/bin/python" -m pytest "$@" ;;
  backup)  exec "$VENV/bin/python" -m bot backup "$@" ;;
  restore) exec "$VENV/bin/python" -m bot restore "$@" ;;
  setup)   echo "Set up in $VENV." ;;
  *) echo "unknown task '$task' (console, run, sync, test, backup, restore, setup)" >&2; exit 2 ;;
esac
