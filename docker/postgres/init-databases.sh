#!/bin/sh
# Creates one database and one role per service, named after it, with the password from
# <SERVICE>_DB_PASSWORD (see docker-compose.yml). Runs once, on an empty data volume.
set -eu
for service in $SERVICE_DATABASES; do
  upper=$(echo "$service" | tr '[:lower:]' '[:upper:]')
  password=$(eval "echo \${${upper}_DB_PASSWORD}")
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    -v svc="$service" -v pw="$password" <<'SQL'
CREATE ROLE :"svc" LOGIN PASSWORD :'pw';
CREATE DATABASE :"svc" OWNER :"svc";
SQL
done
