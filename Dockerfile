# syntax=docker/dockerfile:1
# The broker's container image (docs/deployment.md). The TypeScript sources run through tsx, as in
# development; there is no compile step, so the stages are: production dependencies, then the
# runtime image with them and the sources, owned by root and read-only to the broker's user.
#
#   docker build -t fedbroker:0.1.0 .
#   docker run --read-only --tmpfs /tmp ... fedbroker:0.1.0 serve --spec /etc/fedbroker/spec/federation.yaml
ARG NODE_IMAGE=node:20.19-bookworm-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# Production dependencies only; no install scripts (esbuild's binary comes as an optional package).
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    FEDBROKER_LISTEN=0.0.0.0:17443
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY src ./src
COPY schema ./schema
# The only writable path the broker needs is /tmp (tsx's compile cache): mount a tmpfs there and run
# the container with a read-only root filesystem.
USER 10001:10001
EXPOSE 17443
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 CMD ["node", "bin/healthcheck.mjs"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "bin/fedbroker.mjs"]
CMD ["serve", "--spec", "/etc/fedbroker/spec/federation.yaml"]
