#!/usr/bin/env node
// `npx trellis …`: runs the built CLI (npm run build), or the TypeScript sources through ts-node
// with the swc transpiler when there is no build yet.
const path = require('node:path');
const fs = require('node:fs');
const root = path.resolve(__dirname, '..');
const built = path.join(root, 'dist/apps/cli/main.js');
if (fs.existsSync(built)) {
  require(built);
} else {
  process.env.TS_NODE_SWC = 'true';
  process.env.TS_NODE_TRANSPILE_ONLY = 'true';
  process.env.TS_NODE_PROJECT = path.join(root, 'tsconfig.json');
  require('ts-node/register');
  require('tsconfig-paths').register({ baseUrl: root, paths: require(path.join(root, 'tsconfig.json')).compilerOptions.paths });
  require(path.join(root, 'apps/cli/src/main.ts'));
}
