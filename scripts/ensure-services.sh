#!/usr/bin/env bash
# The servers the job queue's integration tests need (tests/integration/test_queue*.py),
# installed from Debian and started on loopback, idempotently (quick and quiet when they are
# installed and answering already):
#   - redis-server, the Celery broker: its own instance on 127.0.0.1:${GRADER_TEST_REDIS_PORT:-6390}
#     (append-only file on, 64 databases: each test takes a database number of its own)
#   - PostgreSQL, the store: its own cluster on 127.0.0.1:${GRADER_TEST_POSTGRES_PORT:-5440},
#     a superuser `grader` trusted on loopback only (each test creates a database of its own)
# Both live in ${GRADER_SERVICES_DIR:-/var/tmp/grader-test-services}; nothing of the machine's
# own redis or PostgreSQL service is touched. Prints `export GRADER_TEST_REDIS_URL=...` and
# `export GRADER_TEST_POSTGRES_URL=...` on stdout; scripts/test.sh evals them.
set -euo pipefail
log() { printf '[services] %s\n' "$*" >&2; }

dir="${GRADER_SERVICES_DIR:-/var/tmp/grader-test-services}"
redis_port="${GRADER_TEST_REDIS_PORT:-6390}"
pg_port="${GRADER_TEST_POSTGRES_PORT:-5440}"

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

missing=()
command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1 \
  || missing+=(redis-server redis-tools)
[ -n "$(pg_bin)" ] && [ -x "$(pg_bin)/pg_ctl" ] || missing+=(postgresql)
command -v psql >/dev/null 2>&1 || missing+=(postgresql-client)
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    log "installing Debian's ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    # a policy-rc.d stops the packages from starting the machine's own services (this script
    # starts instances of its own below); one already there is left as it is
    if [ ! -e /usr/sbin/policy-rc.d ]; then
      printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
      chmod +x /usr/sbin/policy-rc.d
      trap 'rm -f /usr/sbin/policy-rc.d' EXIT
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      "${missing[@]}" >/dev/null
  else
    log "missing ${missing[*]}, and they cannot be installed here (need root and apt-get)"
    exit 3
  fi
fi

mkdir -p "$dir"
# Who runs the servers: PostgreSQL refuses root, so as root both run as the postgres user the
# Debian package created; otherwise as whoever runs this.
as_service() {
  if [ "$(id -u)" = "0" ]; then
    su postgres -s /bin/sh -c "$(printf '%q ' "$@")"
  else
    "$@"
  fi
}
[ "$(id -u)" = "0" ] && chown postgres "$dir"

# -- redis ---------------------------------------------------------------------------------
if [ "$(redis-cli -h 127.0.0.1 -p "$redis_port" ping 2>/dev/null || true)" != "PONG" ]; then
  log "starting redis-server on 127.0.0.1:$redis_port"
  as_service mkdir -p "$dir/redis"
  as_service redis-server --bind 127.0.0.1 --port "$redis_port" --protected-mode yes \
    --daemonize yes --dir "$dir/redis" --pidfile "$dir/redis/redis.pid" \
    --logfile "$dir/redis/redis.log" --appendonly yes --appendfsync everysec \
    --databases 64 --save ''
  for _ in $(seq 1 50); do
    [ "$(redis-cli -h 127.0.0.1 -p "$redis_port" ping 2>/dev/null || true)" = "PONG" ] && break
    sleep 0.1
  done
  [ "$(redis-cli -h 127.0.0.1 -p "$redis_port" ping 2>/dev/null || true)" = "PONG" ] \
    || { log "redis-server did not answer: $dir/redis/redis.log"; exit 3; }
fi

# -- postgresql ----------------------------------------------------------------------------
bin="$(pg_bin)"
data="$dir/postgres"
if ! "$bin/pg_isready" -q -h 127.0.0.1 -p "$pg_port" 2>/dev/null; then
  if [ ! -f "$data/PG_VERSION" ]; then
    log "creating a PostgreSQL cluster in $data"
    as_service mkdir -p "$data"
    as_service "$bin/initdb" -D "$data" -U grader -A trust --no-sync -E UTF8 >/dev/null
  fi
  log "starting PostgreSQL on 127.0.0.1:$pg_port"
  as_service "$bin/pg_ctl" -D "$data" -w -t 60 -l "$dir/postgres.log" \
    -o "-p $pg_port -k $data -c listen_addresses=127.0.0.1 -c max_connections=200" \
    start >/dev/null \
    || { log "PostgreSQL did not start: $dir/postgres.log"; exit 3; }
fi

echo "export GRADER_TEST_REDIS_URL=redis://127.0.0.1:$redis_port"
echo "export GRADER_TEST_POSTGRES_URL=postgres://grader@127.0.0.1:$pg_port/postgres"
