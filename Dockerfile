# ecs-preflight as a container, for scheduled audits: JSON report on stdout, JSON logs (pino) on stderr.
# docker run --rm -e AWS_REGION=eu-west-1 ecs-preflight check --format json
FROM node:22-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
# Dependencies' install scripts are not needed (esbuild and Biome work without theirs).
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY . .
RUN npm run build

FROM node:22-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
# The bundle is self-contained: no node_modules in the image.
COPY --from=build /src/dist/ ./dist/
COPY --from=build /src/schema/ ./schema/
COPY --from=build /src/LICENSE ./
USER node
ENTRYPOINT ["node", "/app/dist/ecs-preflight.mjs"]
CMD ["check", "--format", "json"]
