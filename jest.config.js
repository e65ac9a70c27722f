// One Jest run, three projects by test level (STYLE.md §11):
//   unit  – *.spec.ts next to the code, no infrastructure
//   int   – *.int-spec.ts, real PostgreSQL / PGlite / Redis
//   e2e   – test/**/*.e2e-spec.ts, the running app over HTTP
//   faults – test/faults/**/*.faults-spec.ts, faults injected into real processes and servers
// PGlite needs `node --experimental-vm-modules` (electric-sql/pglite#224); see package.json "test".
const fs = require('node:fs');
const swcrc = JSON.parse(fs.readFileSync(`${__dirname}/.swcrc`, 'utf8'));

const moduleNameMapper = {
  '^@trellis/event-store/testing$': '<rootDir>/libs/event-store/src/testing',
  '^@trellis/projections/testing$': '<rootDir>/libs/projections/src/testing',
  '^@trellis/(domain|event-store|projections|integrations|reminders|platform)$': '<rootDir>/libs/$1/src',
};
const common = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest', { ...swcrc, swcrc: false }] },
  moduleNameMapper,
  moduleFileExtensions: ['ts', 'js', 'json'],
  // Test-wide environment defaults (the linger of live followers off): see the file.
  setupFiles: ['<rootDir>/test/support/jest-env.ts'],
};

module.exports = {
  testTimeout: 60_000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts'] },
    { ...common, displayName: 'int', testMatch: ['<rootDir>/{apps,libs}/**/*.int-spec.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'] },
    { ...common, displayName: 'faults', testMatch: ['<rootDir>/test/faults/**/*.faults-spec.ts'] },
  ],
};
