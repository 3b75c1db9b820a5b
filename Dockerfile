# syntax=docker/dockerfile:1
# Atoll server image.
#   docker build -t atoll .
#   docker run -p 8787:8787 -v atoll-data:/data -e ATOLL_ADMIN_TOKEN=... atoll
# Without ATOLL_ADMIN_TOKEN a token is generated on first start, kept in /data and printed.
# test/integration/container.test.ts replays this file without Docker (the build stage's
# RUN lines, the final ENV and CMD, the HEALTHCHECK): keep each instruction on plain lines.

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Production dependencies only: the image already has Node 24, so the `node` devDependency
# is not needed. isolated-vm ships a linux-x64 prebuilt for Node 24 and esbuild its
# platform binary, so no compiler toolchain is needed either.
RUN npm ci --omit=dev --no-audit --no-fund
COPY . .

FROM node:24-bookworm-slim
WORKDIR /app
# Owned by root, so read-only to the `node` user the server runs as: a compromised server
# cannot rewrite its own code. Everything it writes goes to /data.
COPY --from=build /app /app
# python3 (standard library only) runs the python3 runtime; curl is what shell bootstraps
# of the provided runtime use, as AWS's own custom-runtime tutorial does.
RUN apt-get update && apt-get install -y --no-install-recommends python3 curl ca-certificates && rm -rf /var/lib/apt/lists/*
RUN mkdir -p /data && chown node:node /data
ENV NODE_ENV=production ATOLL_DATA=/data ATOLL_HOST=0.0.0.0
USER node
VOLUME /data
EXPOSE 8787
# The slim image has no curl: Node itself probes readiness.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.ATOLL_PORT || 8787) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "bin/atoll.js", "serve", "--functions", "examples/functions"]
