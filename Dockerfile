# omnibroker: SQS, AMQP 0-9-1 and Kafka in one Node process.
# Build stage: install everything, compile TypeScript to dist/.
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY protocols ./protocols
RUN npm ci --ignore-scripts && npx tsc -p tsconfig.build.json

# Runtime stage: production dependencies and the compiled output only, as a non-root user.
FROM node:22-bookworm-slim
# Clients reach a container through a port mapping, never from its loopback: like RabbitMQ's
# official image, let guest/guest log in from any address there.
ENV NODE_ENV=production \
    OMNIBROKER_HOST=0.0.0.0 \
    AMQP_LOOPBACK_USERS=none
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY protocols ./protocols
RUN mkdir -p /data && chown node:node /data
USER node
# SQS, AMQP, Kafka, HTTP admin
EXPOSE 9324 5672 9092 15672
# Mount a volume here and set OMNIBROKER_DATA_DIR=/data to keep state across restarts.
VOLUME /data
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:' + (process.env.OMNIBROKER_HTTP_PORT || 15672) + '/health').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
# --initial-heap-size: fewer full GCs while stored Kafka batches grow the heap (docs/performance.md).
ENTRYPOINT ["node", "--initial-heap-size=128", "dist/cli.js"]
