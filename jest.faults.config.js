// The fault, load and security scenarios (npm run test:faults): slower, one at a time.
const base = require('./jest.config');

/** @type {import('jest').Config} */
module.exports = { ...base, roots: ['<rootDir>/test/faults'], testPathIgnorePatterns: ['/node_modules/'], testTimeout: 600000, maxWorkers: 1 };
