# syntax=docker/dockerfile:1
# `cloud-data-sync serve` in a container: the web UI and its API on port 8384, the database, its key
# (secret.key) and any TLS files in the volume /data, the token from the environment.
#
#   docker build -t cloud-data-sync .
#   docker run -d --name cds --init -p 127.0.0.1:8384:8384 -v cds-data:/data \
#     -e CDS_SERVER_TOKEN=$(openssl rand -hex 32) cloud-data-sync
#   docker logs cds        # the URL with the token (and, under TLS, the certificate's fingerprint)
#
# Publish the container's port under the same number (8384:8384): the server answers only requests
# whose Host names its own port. The traffic is plain HTTP: keep the published port on loopback, put
# a TLS proxy in front, or add --tls-self-signed to the command (README, "Operations").
#
# No updater: the app has none (no electron-updater, nothing that checks for or fetches a newer
# version); npm's update notice is off too. A new version is a new image.
#
# test/deploy/docker-entry.test.ts runs this file's runtime steps, ENTRYPOINT, CMD and HEALTHCHECK
# from a clean folder (there is no Docker daemon where the tests run); keep the steps in the forms it reads.

ARG NODE_IMAGE=node:20-slim

# Build: all dependencies, then the web UI (out/renderer) and the CLI bundle (out/cli).
FROM ${NODE_IMAGE} AS build
# python3, make, g++: node-gyp builds better-sqlite3 when no prebuilt binary fits.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# Electron never runs here: no download of its binary, no Electron build of better-sqlite3
# (scripts/native-electron.mjs only warns when told it is offline).
ENV ELECTRON_SKIP_BINARY_DOWNLOAD=1 \
    CDS_NATIVE_OFFLINE=1 \
    NPM_CONFIG_UPDATE_NOTIFIER=false
COPY . .
RUN npm ci --no-audit --no-fund
RUN npm run build

# Runtime: production dependencies only, the built UI and CLI, as an unprivileged user.
FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    NPM_CONFIG_UPDATE_NOTIFIER=false
WORKDIR /app
COPY package.json package-lock.json ./
# Without install scripts: none of the production dependencies needs one but better-sqlite3, whose
# native binary (built above for this same Node) is copied in next, so no compiler is needed here.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/node_modules/better-sqlite3/build/Release/better_sqlite3.node ./node_modules/better-sqlite3/build/Release/better_sqlite3.node
COPY --from=build /app/out/cli ./out/cli
COPY --from=build /app/out/renderer ./out/renderer
# The bin runs out/cli only while the sources it was built from are there unchanged (it checks
# out/cli/sources.json), and the sources through tsx otherwise.
COPY bin ./bin
COPY electron ./electron
COPY shared ./shared
COPY scripts/build-cli.mjs scripts/bundle-packages.mjs ./scripts/
COPY deploy/healthcheck.mjs ./deploy/healthcheck.mjs
RUN ln -s /app/bin/cloud-data-sync.mjs /usr/local/bin/cloud-data-sync \
 && mkdir -p /data \
 && chown node:node /data
# The image's own unprivileged user (uid 1000). A bind mount for /data must be writable by it.
USER node
VOLUME /data
EXPOSE 8384
# GET /healthz needs no token; see deploy/healthcheck.mjs (plain Node: the image has no curl).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD ["node", "/app/deploy/healthcheck.mjs"]
ENTRYPOINT ["cloud-data-sync"]
# Every interface of the container (Docker's port publishing decides who reaches it); the token
# comes from CDS_SERVER_TOKEN (a random one, printed in the log, when it is not set).
CMD ["serve", "--host", "0.0.0.0", "--allow-remote", "--db", "/data/data.db"]
