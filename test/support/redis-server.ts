// The test kit's redis-server helper (src/testing), which our own suites use so it stays correct.
export * from '../../src/testing/redis-server.js';
