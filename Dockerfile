# The reference app, for docker-compose.yml (three replicas behind nginx).

# Build: every dependency, then the TypeScript build.
FROM node:20-alpine AS build
WORKDIR /app
COPY package.json package-lock.json ./
# npm install, not npm ci: see "Development" in README.md.
RUN npm install --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY src ./src
# The benchmark and the soak need dev dependencies; the image
# never runs them.
RUN npm run build && rm -rf dist/bench dist/soak

# Production dependencies only, without install scripts. The package is a
# library: Nest, socket.io and rxjs are its peer dependencies, and the
# reference app's HTTP platform is a devDependency. The app needs them at
# run time, at the versions this project builds with, so this install makes
# them its dependencies and leaves every other devDependency out.
FROM node:20-alpine AS dependencies
WORKDIR /app
COPY package.json package-lock.json ./
RUN node -e "const fs = require('fs'); const p = require('./package.json'); \
      const runtime = [...Object.keys(p.peerDependencies), '@nestjs/platform-express', 'prom-client']; \
      for (const name of runtime) { p.dependencies[name] = p.devDependencies[name]; } \
      p.devDependencies = {}; \
      fs.writeFileSync('package.json', JSON.stringify(p))" \
 && npm install --omit=dev --ignore-scripts --no-audit --no-fund

# Run: the build output and production dependencies, as the unprivileged
# `node` user of the base image.
FROM node:20-alpine
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000
WORKDIR /app
COPY --from=dependencies /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
USER node
EXPOSE 3000
# The image has no curl: the check is a small Node.js script (src/healthcheck.ts).
HEALTHCHECK --interval=5s --timeout=4s --start-period=15s --retries=3 \
  CMD ["node", "dist/healthcheck.js"]
CMD ["node", "dist/main.js"]
