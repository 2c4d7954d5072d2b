#!/usr/bin/env bash
# `make test`: lint, then the whole suite on real PostgreSQL + Redis (+ Celery worker and
# headless Chromium, both started by the test fixtures). Stops what it started, also on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
source scripts/services.sh

if [ "${SKIP_LINT:-}" != "1" ]; then
  "$VENV/bin/ruff" check .
  "$VENV/bin/ruff" format --check .
  # The dependency rule (DESIGN.md): apps and the layers inside each app import one way only.
  "$VENV/bin/lint-imports" --no-cache
fi

services_install
trap services_stop EXIT INT TERM
services_start

export TESTING=true
"$VENV/bin/python" -m pytest "$@"
