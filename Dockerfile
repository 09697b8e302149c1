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
RUN npm ci && npm prune --omit=dev
USER node
CMD ["node", "dist/workers/main.js"]
