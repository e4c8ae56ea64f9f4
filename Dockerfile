# ecs-preflight as a container, for scheduled audits: JSON report on stdout, JSON logs (pino) on stderr.
# docker run --rm -e AWS_REGION=eu-west-1 ecs-preflight check --format json
FROM node:24-bookworm-slim AS build
WORKDIR /src
# Unset for real builds. Behind a TLS-inspecting proxy, pass the CA bundle's path in the build (and mount the file):
# scripts/image-smoke.sh does, with buildah's --volume.
ARG NODE_EXTRA_CA_CERTS
COPY package.json package-lock.json ./
# Dependencies' install scripts are not needed (esbuild and Biome work without theirs).
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY . .
RUN npm run build

FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
# The bundle is self-contained: no node_modules in the image.
COPY --from=build /src/dist/ ./dist/
COPY --from=build /src/schema/ ./schema/
# A demo account to try it on without AWS: check --snapshot /app/fixtures/demo/account.json
COPY --from=build /src/fixtures/demo/ ./fixtures/demo/
COPY --from=build /src/LICENSE ./
USER node
ENTRYPOINT ["node", "/app/dist/ecs-preflight.mjs"]
CMD ["check", "--format", "json"]
