/**
 * Every entry of the package, so that `tsc -p tsconfig.libcheck.json`
 * (skipLibCheck: false, as TypeScript's own default) checks all the
 * declarations an app can reach. Never run.
 */
export * as core from 'nest-realtime';
export * as chat from 'nest-realtime/chat';
export * as presence from 'nest-realtime/presence';
export * as notifications from 'nest-realtime/notifications';
export * as http from 'nest-realtime/http';
export * as client from 'nest-realtime/client';
export * as testing from 'nest-realtime/testing';
export * as publisher from 'nest-realtime/publisher';
