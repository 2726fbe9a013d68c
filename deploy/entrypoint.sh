#!/bin/sh
# Entrypoint of the service images (deploy/Dockerfile). CF_SERVICE is set at build time.
#   serve   [uvicorn args...]  the service on :$PORT (default); <SERVICE>_ROLE says what it
#                              runs: api (HTTP), worker (relay, consumers, jobs) or all
#   migrate                    alembic upgrade head on <SERVICE>_DATABASE_URL
#   wait-migrated              wait until that database is at head (a k8s init container)
#   anything else              run as given (e.g. `cf token --scope ...`)
set -eu
service="${CF_SERVICE:?CF_SERVICE is not set}"
command="${1:-serve}"
[ "$#" -gt 0 ] && shift
case "$command" in
  serve)
    exec uvicorn --factory "${service}.main:create_app" --host 0.0.0.0 --port "${PORT:-8000}" \
      --proxy-headers --forwarded-allow-ips '*' --no-server-header --no-access-log "$@"
    ;;
  migrate)
    exec alembic -c "/app/services/${service}/alembic.ini" upgrade head
    ;;
  wait-migrated)
    ini="/app/services/${service}/alembic.ini"
    heads="$(alembic -c "$ini" heads 2>/dev/null | awk '{print $1}' | sort)"
    until [ "$(alembic -c "$ini" current 2>/dev/null | awk '{print $1}' | sort)" = "$heads" ]; do
      echo "waiting for the ${service} migrations (to reach: ${heads})"
      sleep 3
    done
    ;;
  *)
    exec "$command" "$@"
    ;;
esac
