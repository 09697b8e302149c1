# One image for the incident worker (the default command) and the codec server
# (`node dist/workers/codec.js`), used by docker-compose.yml. See docs/deployment.md.
#
# Stage 1 installs every dependency, compiles the TypeScript and bundles the workflow code
# (`npm run build` writes dist/ and dist/workflow-bundle.js), then drops the dev dependencies.
# Stage 2 is the runtime: production dependencies, dist/, bin/ and config/ only, run as the
# unprivileged `node` user with NODE_ENV=production, so the worker loads the prebuilt bundle.
ARG NODE_IMAGE=node:20.19-bookworm-slim

FROM ${NODE_IMAGE} AS build
# better-sqlite3 (the case archive's SQLite store) is native: a prebuilt binary when one can be
# fetched, else compiled with these. Same base image as the runtime, so the binary fits it.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would build before the source is copied; the build runs below.
# Then the one native module's own install script, which --ignore-scripts skipped.
RUN npm ci --no-audit --no-fund --ignore-scripts && npm rebuild better-sqlite3
COPY tsconfig.json tsconfig.build.json ./
COPY src src
COPY workflows workflows
COPY activities activities
COPY workers workers
RUN npm run build && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    KSCP_DATA_DIR=/data
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
COPY bin bin
COPY config config
# /data holds the SQLite case archive and its email ledger when no KSCP_ARCHIVE_URL (mount a volume there); the code stays owned by root, read-only to
# the app. `kscp` on PATH for `docker compose exec worker kscp ...`.
RUN mkdir -p /data && chown node:node /data && ln -s /app/bin/kscp.js /usr/local/bin/kscp
USER node
# 8234: codec server; 8235: the worker's /healthz and /readyz (when KSCP_HEALTH_PORT is set).
EXPOSE 8234 8235
CMD ["node", "dist/workers/main.js"]
