# A single stage on the official Node 24 image. There is no `npm install`: the proxy has no runtime
# dependencies, and Node 24 runs the TypeScript sources directly (type stripping).
FROM node:24-alpine

# The image is meant to be reached from outside the container, so it binds every interface explicitly
# (a bare run binds 127.0.0.1). State lives in the /data volume; the filter is read from /app.
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=11434 \
    MODEL_FILTER_PATH=/app/models-filter/filter \
    MODEL_ALIASES_PATH=/app/models-filter/aliases \
    FAILURE_DB=/data/failures.db \
    FREE_MODELS_CACHE=/data/free-models

WORKDIR /app
COPY package.json ./
COPY src ./src
COPY models-filter ./models-filter

RUN mkdir -p /data && chown node:node /data
USER node
WORKDIR /data
VOLUME ["/data"]
EXPOSE 11434

# Node's own fetch: the image has no curl or wget. GET / needs no key even when PROXY_API_KEY is set.
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||11434)+'/').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]

# V8 sizing, as in `npm start`: a smaller young generation and slower old-space growth halve the
# memory per open stream (see the README's benchmark section).
CMD ["node", "--max-semi-space-size=3", "--heap-growing-percent=10", "/app/src/main.ts"]
