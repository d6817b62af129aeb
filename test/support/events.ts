// The test kit's helpers (src/testing), which our own suites use so they stay correct.
export * from '../../src/testing/events.js';
