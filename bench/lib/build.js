'use strict';
/**
 * The compiled libraries in bench/.build/ (tsc -p bench/tsconfig.json keeps the repository layout:
 * bench/.build/libs/<lib>/src/…). tsc does not rewrite the `@trellis/*` path aliases, so
 * `useBuild()` teaches Node's resolver to map them onto the build, as tsconfig-paths would.
 */
const Module = require('node:module');
const path = require('node:path');

const BUILD = path.join(__dirname, '..', '.build');
const ALIAS = /^@trellis\/([a-z-]+)(\/testing)?$/;

/** Path of a compiled library's entry point: lib('event-store'), lib('projections', 'testing'). */
function lib(name, sub = '') {
  return path.join(BUILD, 'libs', name, 'src', sub, 'index.js');
}

let installed = false;
function useBuild() {
  if (installed) return;
  installed = true;
  const resolve = Module._resolveFilename;
  Module._resolveFilename = function resolveTrellisAlias(request, ...rest) {
    const m = ALIAS.exec(request);
    return resolve.call(this, m ? lib(m[1], m[2] ? 'testing' : '') : request, ...rest);
  };
}

/** A compiled module of bench/src/ (with the aliases installed). */
function benchModule(name) {
  useBuild();
  return require(path.join(BUILD, 'bench', 'src', `${name}.js`));
}

module.exports = { BUILD, lib, useBuild, benchModule };
