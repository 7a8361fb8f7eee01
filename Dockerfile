# Build on the current Node LTS (26); the code itself runs on Node 20.19+ (package.json engines).
# The runtime image holds production dependencies only and runs as non-root.
FROM node:26-trixie-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY scripts ./scripts
RUN npm run build

FROM node:26-trixie-slim
ENV NODE_ENV=production PORT=3000 HOST=0.0.0.0
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# the quant view at /ui: its HTML and CSS (its compiled JavaScript is in dist/ui)
COPY src/ui/static ./src/ui/static
COPY embedded ./embedded
# /app stays root's; the file TCA store (TCA_STORE_PATH, default var/tca-records.jsonl, used without
# REDIS_URL) writes to /app/var, which the node user owns. Mount a volume there to keep the records.
RUN mkdir -p /app/var && chown node:node /app/var
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# node itself, with npm start's flags, so `docker stop`'s SIGTERM reaches it (the base image's
# docker-entrypoint.sh execs this command: node is PID 1) and close-with-grace drains in-flight requests.
CMD ["node", "--max-semi-space-size=64", "dist/src/server.js"]
