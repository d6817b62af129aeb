// A worker that holds no sockets, as a team would write one: the built package
// entry, the nodes' Redis, and the pushes in JOBS ({ to, event, data }[], `to.tenant` with TENANTS=true).
// Prints one line per job: "ok", or "refused <name>: <message>".
import { createRealtimePublisher } from '../../dist/publisher/index.js';

const publisher = await createRealtimePublisher({ redis: { url: process.env.REDIS_URL }, tenants: process.env.TENANTS === 'true' });
for (const { to, event, data } of JSON.parse(process.env.JOBS)) {
  const scope = to.tenant === undefined ? publisher : publisher.inTenant(to.tenant);
  const target = 'userId' in to ? scope.toUser(to.userId) : 'userIds' in to ? scope.toUsers(to.userIds) : scope.toRoom(to.roomId);
  try {
    await target.emit(event, data);
    console.log('ok');
  } catch (error) {
    console.log(`refused ${error.name}: ${error.message}`);
  }
}
await publisher.close();
