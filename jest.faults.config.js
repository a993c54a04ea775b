// The fault, load and security scenarios (npm run test:faults): slower, one at a time. The OIDC
// tampered-callback tests also run here, so every scenario of the reliability report is in one run.
const base = require('./jest.config');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  roots: ['<rootDir>/test/faults', '<rootDir>/test/integration/api'],
  testMatch: ['**/test/faults/**/*.test.ts', '**/test/integration/api/oidc.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  testTimeout: 600000,
  maxWorkers: 1,
};
