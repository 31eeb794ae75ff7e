#!/bin/sh
# Gatehouse container entrypoint (also runs natively: the tests start it as an unprivileged user).
#
#   gatehouse-entrypoint [server]        start the server (default)
#   gatehouse-entrypoint healthcheck     exit 0 when /health/ready answers 200 (Docker HEALTHCHECK)
#   gatehouse-entrypoint gatehouse ...   run the CLI (backup, restore, admin reset-2fa, ...)
#   gatehouse-entrypoint <command> ...   run anything else
#
# GATEHOUSE_APP_DIR (default /app) is where the sources are; the server reads its own GATEHOUSE_*
# variables. Nothing here writes outside GATEHOUSE_DATA_DIR and /tmp.
set -eu

APP_DIR="${GATEHOUSE_APP_DIR:-/app}"
BUN="${GATEHOUSE_BUN:-bun}"

fail() {
  echo "gatehouse: $*" >&2
  exit 1
}

preflight() {
  if [ -z "${GATEHOUSE_MASTER_KEY:-}" ] && [ -n "${GATEHOUSE_MASTER_KEY_FILE:-}" ] && [ ! -r "$GATEHOUSE_MASTER_KEY_FILE" ]; then
    fail "cannot read the master key at $GATEHOUSE_MASTER_KEY_FILE (uid $(id -u)); provide the Docker secret master_key (openssl rand -hex 32), readable by this user"
  fi
  if [ -z "${GATEHOUSE_DATABASE_URL:-}" ] && [ -z "${GATEHOUSE_DATABASE_URL_FILE:-}" ]; then
    data="${GATEHOUSE_DATA_DIR:-/data}"
    [ -d "$data" ] || fail "the data directory $data does not exist (mount a volume there)"
    probe="$data/.gatehouse-write-test.$$"
    if ! (: >"$probe") 2>/dev/null; then
      fail "the data directory $data is not writable by uid $(id -u); chown it to that user (the image uses 10001)"
    fi
    rm -f "$probe"
  fi
  tmp="${TMPDIR:-/tmp}"
  # The gateway creates upstream MCP servers' private homes here: it must be writable (a tmpfs).
  if ! (: >"$tmp/.gatehouse-write-test.$$") 2>/dev/null; then
    fail "$tmp is not writable by uid $(id -u); mount a tmpfs there (docker run --tmpfs /tmp)"
  fi
  rm -f "$tmp/.gatehouse-write-test.$$"
}

cmd="${1:-server}"
[ $# -gt 0 ] && shift

case "$cmd" in
  server)
    preflight
    exec "$BUN" "$APP_DIR/apps/server/src/main.ts" "$@"
    ;;
  healthcheck)
    exec "$BUN" -e '
      const port = process.env.GATEHOUSE_PORT || "3100";
      fetch(`http://127.0.0.1:${port}/health/ready`, { signal: AbortSignal.timeout(4000) })
        .then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1));
    '
    ;;
  gatehouse | cli)
    exec "$BUN" "$APP_DIR/packages/cli/src/main.ts" "$@"
    ;;
  *)
    exec "$cmd" "$@"
    ;;
esac
