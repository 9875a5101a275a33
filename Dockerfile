# syntax=docker/dockerfile:1
# compchem-fileprocessor image: build with dev dependencies, run with production ones only.
#   docker build -t compchem-fileprocessor:0.1.0 .
# Not built in this repository's CI (no container engine there); docs/operator-guide.md says so.

ARG NODE_IMAGE=node:24-bookworm-slim

# --- build: compile TypeScript and generate the Prisma client -----------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV CI=true
# The postinstall hook runs `prisma generate`, which needs the schema and its config.
COPY package.json package-lock.json prisma.config.ts ./
COPY prisma ./prisma
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.ui.json ./
COPY ui ./ui
COPY src ./src
COPY scripts ./scripts
# Compiles src/ (the generated Prisma client in src/db/generated included) into dist/.
RUN npm run build

# --- runtime ---------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
# tini as PID 1 forwards SIGTERM to node (main.ts shuts down gracefully on it) and reaps zombies.
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production \
  PORT=8080 \
  CATALOG_FILE=/app/config/catalog.yaml
# --ignore-scripts: the root postinstall (`prisma generate`) needs dev dependencies; the generated
# client comes compiled from the build stage instead (dist/db/generated).
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# Read at run time: migrations (by the migrator), the default catalog, the shipped WorkflowTemplates.
COPY prisma ./prisma
COPY config ./config
COPY workflow-templates ./workflow-templates
COPY bin ./bin
# A fixed numeric user, so Kubernetes can check runAsNonRoot; it owns nothing it could rewrite.
RUN groupadd --system --gid 10001 fileprocessor \
  && useradd --system --uid 10001 --gid 10001 --no-create-home --shell /usr/sbin/nologin fileprocessor
USER 10001:10001
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/api/v1/health/liveness').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/main.js"]
