# Build and run the realtime server. `docker compose up` uses it.
FROM node:20.20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# No `npm prune --omit=dev`: the package's optional peers that this server
# uses (ioredis, the Redis adapter, prom-client, platform-express) are
# development dependencies of the package, and pruning would remove them.
RUN npm run build

FROM node:20.20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --retries=3 CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# V8's young generation at the 16 MB it grows to under load, from the start (see README).
CMD ["node", "--min-semi-space-size=16", "dist/main.js"]
