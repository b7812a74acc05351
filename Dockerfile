# syntax=docker/dockerfile:1
# The broker's container image (docs/deployment.md). Stages: production dependencies; the build
# (all dependencies, src/ compiled to dist/); then the runtime image with the production dependencies
# and dist/, owned by root and read-only to the broker's user (no TypeScript compiled at start).
#
#   docker build -t fedbroker:0.1.0 .
#   docker run --read-only --tmpfs /tmp ... fedbroker:0.1.0 serve --spec /etc/fedbroker/spec/federation.yaml
ARG NODE_IMAGE=node:20.19-bookworm-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# Production dependencies only; no install scripts (esbuild's binary comes as an optional package).
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npx tsc -p tsconfig.build.json && touch dist/.build-stamp

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    FEDBROKER_LISTEN=0.0.0.0:17443
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY schema ./schema
# The broker writes nothing to its filesystem; /tmp is a tmpfs for libraries that want one: run the
# container with a read-only root filesystem.
USER 10001:10001
EXPOSE 17443
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 CMD ["node", "bin/healthcheck.mjs"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "bin/fedbroker.mjs"]
CMD ["serve", "--spec", "/etc/fedbroker/spec/federation.yaml"]
