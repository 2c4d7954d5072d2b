#!/usr/bin/env bash
# `make run`: the embedded demo. SQLite, Celery on Kombu's filesystem transport with one child
# worker running beat, the local SMS API simulator, moto's AWS Support API, demo users; serves on
# PORT (8000). Every child is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
PY="$VENV/bin/python"
PORT="${PORT:-8000}"
SIM_PORT="${SIM_PORT:-4566}"
SUPPORT_PORT="${SUPPORT_PORT:-4567}"

export DEBUG="${DEBUG:-true}" EMBEDDED=true
# The default account's Region. seed_demo makes it "Production" (eu-west-1 + ap-south-1) and adds
# "Staging" (us-east-1, an assumed role through moto's STS); India is routed to ap-south-1, the Region
# family where AWS offers its registration form.
export AWS_REGION="${AWS_REGION:-eu-west-1}"
export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-simulator}" AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-simulator}"
export AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2="${AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2:-http://127.0.0.1:$SIM_PORT}"
export AWS_ENDPOINT_URL_SUPPORT="${AWS_ENDPOINT_URL_SUPPORT:-http://127.0.0.1:$SUPPORT_PORT}"
# moto answers STS (AssumeRole for Staging, GetCallerIdentity) and SQS too; the simulator asks the same
# STS which account an access key belongs to.
export AWS_ENDPOINT_URL_STS="${AWS_ENDPOINT_URL_STS:-http://127.0.0.1:$SUPPORT_PORT}"
export AWS_ENDPOINT_URL_SQS="${AWS_ENDPOINT_URL_SQS:-http://127.0.0.1:$SUPPORT_PORT}"
# Demo pace: the simulator reviews a registration in 30 s and the portal polls every 10 s.
export REGISTRATION_POLL_SECONDS="${REGISTRATION_POLL_SECONDS:-10}"
export AWS_SMS_TPS="${AWS_SMS_TPS:-5}"
export EMAIL_URL="${EMAIL_URL:-consolemail://}"
# Links in emails and webhooks point at this run's port.
export PORTAL_BASE_URL="${PORTAL_BASE_URL:-http://127.0.0.1:$PORT}"
mkdir -p var

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

wait_port() {
  for _ in $(seq 100); do
    "$PY" -c "import socket,sys; socket.create_connection(('127.0.0.1', int(sys.argv[1])), 0.2)" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "nothing answers on port $1 (see var/*.log)" >&2; return 1
}

"$PY" manage.py migrate --noinput

events_args=()
if [ -x "$VENV/bin/moto_server" ]; then
  "$VENV/bin/moto_server" -H 127.0.0.1 -p "$SUPPORT_PORT" >var/moto.log 2>&1 &
  pids+=($!)
  wait_port "$SUPPORT_PORT"
  # AWS's Registration Status Change events: the simulator publishes them to moto's SQS, beat consumes
  # them (a short long-poll: the demo's one worker also runs everything else).
  export AWS_EVENTS_QUEUE_URL="${AWS_EVENTS_QUEUE_URL:-http://127.0.0.1:$SUPPORT_PORT/123456789012/sender-id-portal-registration-events}"
  export AWS_EVENTS_WAIT_SECONDS="${AWS_EVENTS_WAIT_SECONDS:-2}"
  "$PY" -c "import boto3,os; boto3.client('sqs', region_name=os.environ['AWS_REGION']).create_queue(QueueName=os.environ['AWS_EVENTS_QUEUE_URL'].rsplit('/', 1)[1])"
  events_args=(--events-queue-url "$AWS_EVENTS_QUEUE_URL")
fi
"$PY" manage.py run_sms_simulator --port "$SIM_PORT" --state-file var/simulator.json --review-delay 30 \
  "${events_args[@]}" >var/simulator.log 2>&1 &
pids+=($!)
wait_port "$SIM_PORT"
echo "Demo users, team and AWS accounts:"
"$PY" manage.py seed_demo
# Registration types as each (simulated) account and Region offers them.
"$PY" manage.py load_countries --sync

"$VENV/bin/celery" -A config worker --pool=solo -B -s var/celerybeat-schedule \
  --without-gossip --without-mingle --without-heartbeat -n embedded@%h --loglevel=INFO >var/worker.log 2>&1 &
pids+=($!)

echo
echo "SMS simulator:   http://127.0.0.1:$SIM_PORT  (log var/simulator.log; GET /_calls)"
echo "AWS Support, STS, SQS: http://127.0.0.1:$SUPPORT_PORT (moto)"
echo "Celery worker + beat (filesystem broker): log var/worker.log"
echo
echo "Portal on http://127.0.0.1:$PORT  — Ctrl-C stops everything."
"$PY" manage.py runserver "127.0.0.1:$PORT" --noreload
