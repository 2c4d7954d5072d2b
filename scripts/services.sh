#!/usr/bin/env bash
# Service bootstrap for `make test` (and anyone who wants a scratch PostgreSQL/Redis):
# installs missing Debian packages, starts PostgreSQL and Redis on loopback on free
# non-default ports under a scratch directory, and stops exactly what it started.
# Source it, then call: services_install; services_start  (exports DATABASE_URL, REDIS_URL).

SERVICES_DIR=""
STARTED_PG=""
STARTED_REDIS=""

log() { printf '[services] %s\n' "$*" >&2; }

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

services_install() {
  local missing=()
  [ -n "${DATABASE_URL:-}" ] || { ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql); }
  [ -n "${REDIS_URL:-}" ] || command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  if [ "${SKIP_BROWSER_TESTS:-}" != "1" ]; then
    [ -x /usr/bin/chromium ] || missing+=(chromium)
    [ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
  fi
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing Debian packages: ${missing[*]}"
    local sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  [ "${SKIP_BROWSER_TESTS:-}" = "1" ] || axe_install
}

# axe-core for tests/e2e/test_accessibility.py, cached in .cache/node (AXE_DIR); npm only when it is absent.
AXE_DIR="${AXE_DIR:-.cache/node}"
axe_install() {
  [ -f "$AXE_DIR/node_modules/axe-core/axe.min.js" ] && return 0
  if ! command -v npm >/dev/null 2>&1; then
    [ -n "${CI:-}" ] && { log "CI: npm is missing, the accessibility tests need axe-core"; return 1; }
    log "npm not found: skipping the axe-core install (the accessibility tests will be skipped)"
    return 0
  fi
  log "installing axe-core into $AXE_DIR"
  mkdir -p "$AXE_DIR"
  npm install --no-save --no-audit --no-fund --silent --prefix "$AXE_DIR" axe-core@4 >/dev/null
}

services_start() {
  SERVICES_DIR="$(mktemp -d /tmp/senderid-services.XXXXXX)"
  chmod 755 "$SERVICES_DIR"
  if [ -z "${DATABASE_URL:-}" ]; then
    local bin port
    bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
    port="$(free_port)"
    mkdir -p "$SERVICES_DIR/pg"
    # PostgreSQL refuses to run as root: run it as the 'postgres' system user.
    local as=()
    if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$SERVICES_DIR/pg"; as=(runuser -u postgres --); fi
    (cd "$SERVICES_DIR" && "${as[@]}" "$bin/initdb" -D "$SERVICES_DIR/pg/data" -U postgres --auth=trust \
        -E UTF8 --locale=C.UTF-8 >"$SERVICES_DIR/pg-init.log" 2>&1) || { cat "$SERVICES_DIR/pg-init.log" >&2; return 1; }
    (cd "$SERVICES_DIR" && "${as[@]}" "$bin/pg_ctl" -D "$SERVICES_DIR/pg/data" -l "$SERVICES_DIR/pg/server.log" \
        -o "-p $port -k $SERVICES_DIR/pg -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
        -w -t 30 start >/dev/null) || { cat "$SERVICES_DIR/pg/server.log" >&2; return 1; }
    STARTED_PG="$bin"
    export PG_PORT="$port"
    export DATABASE_URL="postgres://postgres@127.0.0.1:$port/senderid"
    psql -h 127.0.0.1 -p "$port" -U postgres -qc "CREATE DATABASE senderid" >/dev/null
    log "PostgreSQL on 127.0.0.1:$port"
  fi
  if [ -z "${REDIS_URL:-}" ]; then
    local rport; rport="$(free_port)"
    redis-server --port "$rport" --bind 127.0.0.1 --daemonize yes --dir "$SERVICES_DIR" \
      --pidfile "$SERVICES_DIR/redis.pid" --logfile "$SERVICES_DIR/redis.log" --save '' --appendonly no
    for _ in $(seq 50); do redis-cli -p "$rport" ping >/dev/null 2>&1 && break; sleep 0.1; done
    redis-cli -p "$rport" ping >/dev/null || { cat "$SERVICES_DIR/redis.log" >&2; return 1; }
    STARTED_REDIS="$rport"
    export REDIS_URL="redis://127.0.0.1:$rport/0"
    log "Redis on 127.0.0.1:$rport"
  fi
}

services_stop() {
  if [ -n "$STARTED_REDIS" ]; then
    redis-cli -p "$STARTED_REDIS" shutdown nosave >/dev/null 2>&1 || true
    STARTED_REDIS=""
  fi
  if [ -n "$STARTED_PG" ]; then
    local as=(); [ "$(id -u)" = 0 ] && as=(runuser -u postgres --)
    (cd "$SERVICES_DIR" && "${as[@]}" "$STARTED_PG/pg_ctl" -D "$SERVICES_DIR/pg/data" -m fast -w stop >/dev/null 2>&1) || true
    STARTED_PG=""
  fi
  [ -n "$SERVICES_DIR" ] && rm -rf "$SERVICES_DIR"
  SERVICES_DIR=""
}
