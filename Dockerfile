# One image for every squadflow process; the command picks the role.
# The orchestrator and the gateway run from their bundles (`pnpm build` → dist/*.mjs, plain Node: about
# half the memory of running the sources); squad services run their sources with `node --import tsx`.
#
#   docker build -t squadflow .
#   docker run -e SQUADFLOW_NATS_URL=nats://nats:4222 squadflow            # the orchestrator (default)
#
# Squad services will use the same image with their own command (see docker-compose.yml).
FROM node:20-slim

ENV CI=true
RUN npm install -g pnpm@10.34.9

WORKDIR /app

# Dependencies first, so source edits do not invalidate the install layer.
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./
# pnpm applies these to their packages at install time (patches/README.md).
COPY patches/ patches/
# Every workspace package: a workspace:* dependency on a package whose package.json is missing fails the install.
COPY packages/shared/package.json packages/shared/
COPY packages/transport/package.json packages/transport/
COPY packages/engine/package.json packages/engine/
COPY packages/squads/package.json packages/squads/
COPY packages/gateway/package.json packages/gateway/
COPY packages/embedded/package.json packages/embedded/
COPY packages/cli/package.json packages/cli/
# tsx (a root devDependency) runs the TypeScript sources, so dev dependencies are installed too.
RUN pnpm install --frozen-lockfile

COPY tsconfig.json ./
COPY packages/ packages/
COPY scripts/ scripts/
RUN pnpm build

USER node
# MALLOC_ARENA_MAX and the orchestrator's 8 MB semi-spaces: ~25-35 MB less peak RSS under load (BENCHMARKS.md).
ENV NODE_ENV=production \
    MALLOC_ARENA_MAX=2 \
    SQUADFLOW_NATS_URL=nats://nats:4222
# SIGTERM stops the orchestrator gracefully (events in progress finish).
CMD ["node", "--max-semi-space-size=8", "dist/orchestrator.mjs"]
