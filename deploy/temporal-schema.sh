#!/bin/sh
# Temporal's two databases, created or brought up to this server version with temporal-sql-tool,
# and the case archive's database (docs/archive.md; the worker creates its tables). Safe to run on
# every start: existing databases are kept, and update-schema applies only the versions not yet
# applied (this is how an upgrade migrates). Prints every statement: send the output to a log.
#
# Run by docker-compose.yml (the temporal-schema job, in temporalio/admin-tools) and by
# `npm run start:cluster` (src/toolchain/cluster.ts), with the settings of
# src/toolchain/deployment.ts: temporal-sql-tool's own SQL_PLUGIN, SQL_HOST, SQL_PORT, SQL_USER and
# SQL_PASSWORD; DBNAME, VISIBILITY_DBNAME and KSCP_ARCHIVE_DBNAME; TEMPORAL_SCHEMA_DIR, the
# server's schema/postgresql/v12 folder. TEMPORAL_SQL_TOOL names the tool if it is not on PATH.
set -eu
tool=${TEMPORAL_SQL_TOOL:-temporal-sql-tool}
for db in "$DBNAME" "$VISIBILITY_DBNAME"; do
  if [ "$db" = "$DBNAME" ]; then dir=temporal; else dir=visibility; fi
  # On a later start the database and its version table already exist: those two steps then fail
  # harmlessly, and update-schema (which must succeed) applies what is new.
  "$tool" --db "$db" create-database || echo "database $db already exists"
  "$tool" --db "$db" setup-schema -v 0.0 || echo "schema of $db already set up"
  "$tool" --db "$db" update-schema -d "$TEMPORAL_SCHEMA_DIR/$dir/versioned"
done
"$tool" --db "$KSCP_ARCHIVE_DBNAME" create-database || echo "database $KSCP_ARCHIVE_DBNAME already exists"
echo "Temporal schemas are up to date."
