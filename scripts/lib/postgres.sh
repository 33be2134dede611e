# PostgreSQL for scripts/test and scripts/bench (sourced): sets pg_url to TEST_DATABASE_URL,
# or starts a throwaway cluster (installing Debian's postgresql when missing) that the EXIT
# trap of common.sh removes, and then exports CARTWIRE_TEST_PG_CTL, a pg_ctl for it.

as_pg() { if [ "$(id -u)" -eq 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi; }

start_postgres() {
  if [ -n "${TEST_DATABASE_URL:-}" ]; then
    pg_url="$TEST_DATABASE_URL"
    log "PostgreSQL: using TEST_DATABASE_URL"
    return
  fi
  local initdb pgbin pgdir pgport
  initdb=$(ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$initdb" ]; then need_apt postgresql; initdb=$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1); fi
  pgbin=$(dirname "$initdb")
  pgdir=$(mktemp -d /tmp/cartwire-pg.XXXXXX)
  pgport=$(free_port)
  if [ "$(id -u)" -eq 0 ]; then chown postgres "$pgdir"; fi
  log "PostgreSQL: throwaway cluster on 127.0.0.1:$pgport ($pgdir)"
  as_pg "$pgbin/initdb -D $pgdir/data -U postgres --auth=trust -E UTF8 >/dev/null"
  local opts="-p $pgport -k $pgdir -c listen_addresses=127.0.0.1 -c fsync=${PG_FSYNC:-off} -c max_connections=600"
  as_pg "$pgbin/pg_ctl -D $pgdir/data -o '$opts' -w -l $pgdir/log start >/dev/null"
  cleanup_steps+=("as_pg '$pgbin/pg_ctl -D $pgdir/data -m immediate stop >/dev/null'; rm -rf '$pgdir'")
  pg_url="postgres://postgres@127.0.0.1:$pgport/postgres"
  # The chaos soak stops and restarts the cluster it runs on, through this wrapper of pg_ctl
  # (`$CARTWIRE_TEST_PG_CTL restart -m fast`); a server we did not start is left alone.
  local runas=""
  if [ "$(id -u)" -eq 0 ]; then runas="runuser -u postgres --"; fi
  printf '#!/bin/sh\nexec %s %s -D %s -o "%s" -w -l %s "$@"\n' "$runas" "$pgbin/pg_ctl" "$pgdir/data" "$opts" \
    "$pgdir/log" >"$pgdir/pg_ctl"
  chmod +x "$pgdir/pg_ctl"
  export CARTWIRE_TEST_PG_CTL="$pgdir/pg_ctl"
}
