/** Jest in native ESM mode: run through `node --experimental-vm-modules` (see package.json). */
const swc = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    target: 'es2022',
  },
  module: { type: 'es6' },
  sourceMaps: 'inline',
};

/**
 * Suites that measure heap or time against a bound, or ride a failover with
 * traffic: they run alone (`JEST_GROUP=alone`), so another suite's load on
 * the same two cores cannot move their figures. `npm test` runs the others
 * two at a time first (`JEST_GROUP=shared`); with no group, Jest runs all.
 */
const ALONE = [
  'test/hostile/idle.e2e-spec.ts',
  'test/hostile/load.e2e-spec.ts',
  'test/hostile/churn.e2e-spec.ts',
  'test/hostile/storm.e2e-spec.ts',
  'test/redis-cluster-failover.e2e-spec.ts',
  'test/sentinel.e2e-spec.ts',
];
const group = process.env.JEST_GROUP;

export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', swc] },
  moduleNameMapper: {
    // The package's own entries by name, as an app imports them (examples/, docs); from source, as tsconfig.json's paths.
    '^nest-realtime$': '<rootDir>/src/core/websocket/index.ts',
    '^nest-realtime/(chat|presence|notifications)$': '<rootDir>/src/modules/$1/index.ts',
    '^nest-realtime/(client|testing|http|publisher)$': '<rootDir>/src/$1/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testMatch:
    group === 'alone'
      ? ALONE.map((path) => `<rootDir>/${path}`)
      : ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.e2e-spec.ts', '<rootDir>/examples/**/*.e2e-spec.ts'],
  testTimeout: 20000,
  // Two suites at a time, even on two cores (Jest's default would be one): most e2e suites wait on
  // timers, sockets and Redis rather than compute, and the whole run takes about half as long.
  maxWorkers: group === 'alone' ? 1 : 2,
  ...(group === 'shared' && { testPathIgnorePatterns: ['/node_modules/', ...ALONE.map((path) => `<rootDir>/${path}`)] }),
  // The Redis Cluster and Sentinel set that store suites share (under key prefixes of their own).
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
};
