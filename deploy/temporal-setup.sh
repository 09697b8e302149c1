#!/bin/sh
# The namespace (created, or its retention brought to RETENTION) and the case board's custom search
# attributes (added when missing). Idempotent.
#
# Run by docker-compose.yml (the temporal-setup job, in temporalio/admin-tools) and by
# `npm run start:cluster` (src/toolchain/cluster.ts), with the settings of
# src/toolchain/deployment.ts: TEMPORAL_ADDRESS, NAMESPACE, RETENTION (for example 2557d) and
# SEARCH_ATTRIBUTES (Name=Type ..., from src/process/searchAttributes.ts). TEMPORAL_CLI names the
# Temporal CLI if it is not on PATH.
set -eu
cli=${TEMPORAL_CLI:-temporal}
tries=0
until "$cli" operator cluster health >/dev/null 2>&1; do
  tries=$((tries + 1)); [ $tries -lt 60 ] || { echo "Temporal at $TEMPORAL_ADDRESS did not become healthy"; exit 1; }
  sleep 2
done
if "$cli" operator namespace describe --namespace "$NAMESPACE" >/dev/null 2>&1; then
  "$cli" operator namespace update --namespace "$NAMESPACE" --retention "$RETENTION"
else
  "$cli" operator namespace create --namespace "$NAMESPACE" --retention "$RETENTION" --description "KSCP serious incidents"
fi
# A namespace just created takes a few seconds to reach the frontend's cache: until then it is "not found".
tries=0
until have=$("$cli" operator search-attribute list --namespace "$NAMESPACE" 2>&1); do
  tries=$((tries + 1)); [ $tries -lt 60 ] || { echo "$have"; exit 1; }
  sleep 1
done
for sa in $SEARCH_ATTRIBUTES; do
  name=${sa%%=*}; type=${sa#*=}
  if echo "$have" | grep -qw "$name"; then continue; fi
  "$cli" operator search-attribute create --namespace "$NAMESPACE" --name "$name" --type "$type"
done
echo "Namespace $NAMESPACE: retention $RETENTION, search attributes: $SEARCH_ATTRIBUTES"
