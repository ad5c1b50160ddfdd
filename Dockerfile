# One image for every squadflow process; the command picks the role (docker-compose.yml):
#
#   node --max-semi-space-size=8 dist/orchestrator.mjs   the orchestrator (default)
#   node dist/gateway.mjs                                 the HTTP gateway
#   node dist/squadflow.mjs squad <name>                  one squad (inventory, whatsapp, ...)
#   node dist/healthcheck.mjs <file|url>                  the containers' health check
#
#   docker build -t squadflow .
#
# Two stages: `build` installs every dependency (dev ones included: esbuild, tsx) and bundles each
# process into one JavaScript file (`pnpm build`, scripts/build.ts); the final stage holds only those
# bundles, the squads' data files and the workflow definitions, runs them on plain Node as the
# unprivileged `node` user, and has no node_modules, no package manager and no TypeScript loader.
# test/deploy/compose-processes.test.ts executes these stages on the host and runs the result.

FROM node:20-slim AS build
ENV CI=true
# The version package.json's `packageManager` names (test/deploy/dockerfile.test.ts keeps them equal).
RUN npm install -g pnpm@10.34.9
WORKDIR /app

# Dependencies first, so source edits do not invalidate the install layer.
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./
# pnpm applies these to their packages at install time (patches/README.md).
COPY patches/ patches/
# Every workspace package: a workspace:* dependency on a package whose package.json is missing fails
# the install (the test checks that each packages/*/package.json is here).
COPY packages/shared/package.json packages/shared/
COPY packages/transport/package.json packages/transport/
COPY packages/engine/package.json packages/engine/
COPY packages/squads/package.json packages/squads/
COPY packages/gateway/package.json packages/gateway/
COPY packages/embedded/package.json packages/embedded/
COPY packages/cli/package.json packages/cli/
# The root postinstall builds the UI only once its sources are here: the `pnpm build` below does it.
RUN pnpm install --frozen-lockfile

COPY tsconfig.json ./
COPY packages/ packages/
COPY scripts/ scripts/
RUN pnpm build

FROM node:20-slim
# MALLOC_ARENA_MAX and the orchestrator's 8 MB semi-spaces: ~25-35 MB less peak RSS under load (BENCHMARKS.md).
ENV NODE_ENV=production \
    MALLOC_ARENA_MAX=2
WORKDIR /app
# dist/: the four bundles (with their source maps), dist/data/, the seed squads' data files, and dist/ui/,
# the operator UI the gateway serves at /ui/ (built from packages/gateway/ui by `pnpm build`).
COPY --from=build /app/dist/ dist/
# The seed workflows, which the orchestrators register at boot (SQUADFLOW_WORKFLOWS=/app/workflows).
COPY workflows/ workflows/
USER node
# SIGTERM stops the orchestrator gracefully (events in progress finish).
CMD ["node", "--max-semi-space-size=8", "dist/orchestrator.mjs"]
