// Fault suites stop the broker and kill processes: they run alone, one at a time, after the rest.
const base = require('./jest.config');

/** @type {import('jest').Config} */
module.exports = { ...base, testRegex: '\\.fault-spec\\.ts$', maxWorkers: 1, testTimeout: 180_000 };
