#!/bin/sh
# PostgreSQL init script (docker-entrypoint-initdb.d; runs once, on an empty data directory):
# one database per service, each owned by a login role of the same name, so that a service can
# reach only its own tables. Passwords come from <SERVICE>_DB_PASSWORD (development defaults).
set -eu
for service in ${CF_SERVICE_DATABASES:-scheduling reviews knowledge}; do
  variable="$(echo "$service" | tr '[:lower:]' '[:upper:]')_DB_PASSWORD"
  password="$(printenv "$variable" || echo "${service}-dev")"
  echo "creating role and database ${service}"
  psql -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname postgres \
    -v service="$service" -v password="$password" <<'SQL'
CREATE ROLE :"service" LOGIN PASSWORD :'password';
CREATE DATABASE :"service" OWNER :"service";
REVOKE ALL ON DATABASE :"service" FROM PUBLIC;
SQL
done
