# The ducha image: Node 24 on Debian bookworm (slim), the runtime dependencies only, run as the unprivileged user
# `node` under an init (tini) that passes SIGTERM on, so the service drains and stops cleanly. Not built in CI (no
# Docker daemon there): see docs/operations.md, "Containers".

# Dependencies in a stage of their own: the image gets node_modules, not npm's cache or the build's layers.
FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:24-bookworm-slim
# tini: the init that forwards signals and reaps; fonts-noto-cjk: the Chinese font of the PDFs ducha writes.
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini fonts-noto-cjk \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production PORT=3000
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json directory.example.yaml ./
COPY src ./src
COPY handlers ./handlers
COPY jobs ./jobs
USER node
EXPOSE 3000
ENTRYPOINT ["/usr/bin/tini", "--"]
# Node itself, not npm start: npm would stand between tini and the service and not pass SIGTERM on.
CMD ["node", "--import", "tsx", "src/main.ts"]
