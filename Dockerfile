# The incident worker (first draft; see docker-compose.yml).
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src src
COPY workflows workflows
COPY activities activities
COPY workers workers
COPY bin bin
COPY config config
# better-sqlite3 (the case archive's SQLite store) builds from source where no prebuilt binary can be fetched.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
RUN npm ci && npm prune --omit=dev
USER node
CMD ["node", "dist/workers/main.js"]
