#!/usr/bin/env bash
# `make run`: the embedded demo. SQLite, Celery on Kombu's filesystem transport with one
# child worker running beat, the local SMS API simulator, demo users; serves on PORT (8000).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
PY="$VENV/bin/python"
PORT="${PORT:-8000}"
SIM_PORT="${SIM_PORT:-4566}"

export DEBUG="${DEBUG:-true}" EMBEDDED=true
export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-simulator}" AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-simulator}"
export AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2="${AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2:-http://127.0.0.1:$SIM_PORT}"
export EMAIL_URL="${EMAIL_URL:-consolemail://}"
mkdir -p var

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

"$PY" manage.py migrate --noinput
echo "Demo users:"
"$PY" manage.py seed_demo

if "$PY" manage.py help run_sms_simulator >/dev/null 2>&1; then
  "$PY" manage.py run_sms_simulator --port "$SIM_PORT" --state-file var/simulator.json >var/simulator.log 2>&1 &
  pids+=($!)
  echo "SMS simulator on http://127.0.0.1:$SIM_PORT (log: var/simulator.log)"
fi

"$VENV/bin/celery" -A config worker --pool=solo -B -s var/celerybeat-schedule \
  --without-gossip --without-mingle --without-heartbeat -n embedded@%h --loglevel=INFO >var/worker.log 2>&1 &
pids+=($!)
echo "Celery worker + beat running (log: var/worker.log)"
echo "Portal on http://127.0.0.1:$PORT"
"$PY" manage.py runserver "127.0.0.1:$PORT" --noreload
