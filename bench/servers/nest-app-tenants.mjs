// The app with tenants on, for `npm run bench:ab -- app bench/servers/nest-app-tenants.mjs`:
// every event runs in its socket's tenant scope. The bench tokens carry no tenant claim, so
// the token's `sub` doubles as its tenant (each user is then a tenant of its own).
process.env.JWT_TENANT_CLAIM = 'sub';
await import('./nest-app.mjs');
