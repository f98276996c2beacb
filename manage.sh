#!/usr/bin/env bash
# One entry point for people and CI: sets up .venv on first use, then runs a task (`./manage.sh help`).
set -euo pipefail
cd "$(dirname "$0")"

PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}  # another Python's environment beside it, e.g. PYTHON=python3.13 VENV=.venv-3.13
SETUP_LOG=$VENV/setup.log

usage() {
  cat <<'USAGE'
Usage: ./manage.sh [TASK] [ARGS…]

Tasks (the first one sets up .venv, which takes about a minute):
  console [-c "/COMMAND …"]   try the bot offline, no token needed (the default task);
                              -c runs one command and exits (repeatable)
  run                         connect to Discord (needs DISCORD_TOKEN in .env)
  sync [--guild ID]           register the slash commands with Discord
  migrate                     migrate and seed the store at DATABASE_URL, then exit
                              (once, before starting several shard processes)
  test [PYTEST ARGS…]         run the test suite
  backup [--list]             back the store up (or list the backups)
  restore [FILE]              put a backup back
  setup                       only set up .venv
  help                        this text

Examples:
  ./manage.sh console
  ./manage.sh console -c "/theme states theme:prevention dialogue:2014"
  ./manage.sh test -q tests/test_commands.py
USAGE
}

# pip gives up on a stalled connection instead of waiting for ever, and retries a few times.
PIP=(-m pip --disable-pip-version-check --no-input --timeout 30 --retries 3)

# One line per setup step with its duration, so a slow or stalled step shows in a log. The step's
# own output (pip's notes and warnings) goes to $SETUP_LOG, and is shown only if the step fails.
step() {
  local what=$1 started=$SECONDS
  shift
  printf 'setup: %s … ' "$what"
  if "$@" >>"$SETUP_LOG" 2>&1; then
    echo "done in $((SECONDS - started)) s"
  else
    echo "failed after $((SECONDS - started)) s; its output:"
    cat "$SETUP_LOG" >&2
    return 1
  fi
}

setup() {
  if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || {
      echo "Python 3.11 or newer is required (found $("$PYTHON" --version 2>&1)). Set PYTHON=/path/to/python3.11." >&2
      exit 1; }
    mkdir -p "$VENV"
    : >"$SETUP_LOG"
    step "creating $VENV with $("$PYTHON" --version 2>&1)" "$PYTHON" -m venv "$VENV"
  fi
  if [ ! -f "$VENV/.installed" ] || [ pyproject.toml -nt "$VENV/.installed" ]; then
    : >"$SETUP_LOG"
    step "upgrading pip" "$VENV/bin/python" "${PIP[@]}" install --quiet --upgrade pip
    step "installing the bot and its test tools" "$VENV/bin/python" "${PIP[@]}" install --quiet -e ".[test,postgres]"
    touch "$VENV/.installed"
  fi
}

task=${1:-console}
[ $# -gt 0 ] && shift
case "$task" in
  help|-h|--help) usage; exit 0 ;;
  console|run|sync|migrate|test|backup|restore|setup) ;;
  *) echo "unknown task '$task'" >&2; usage >&2; exit 2 ;;
esac
setup
case "$task" in
  console) exec "$VENV/bin/python" -m bot console "$@" ;;
  run)     exec "$VENV/bin/python" -m bot "$@" ;;
  sync)    exec "$VENV/bin/python" -m bot sync "$@" ;;
  migrate) exec "$VENV/bin/python" -m bot migrate "$@" ;;
  test)    exec "$VENV/bin/python" -m pytest "$@" ;;
  backup)  exec "$VENV/bin/python" -m bot backup "$@" ;;
  restore) exec "$VENV/bin/python" -m bot restore "$@" ;;
  setup)   echo "Set up in $VENV." ;;
esac
