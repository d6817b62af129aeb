// A worker that holds no sockets, as a team would write one: the built package
// entry, the nodes' Redis, and the pushes in JOBS ({ to, event, data }[]).
// Prints one line per job: "ok", or "refused <name>: <message>".
import { createRealtimePublisher } from '../../dist/publisher/index.js';

const publisher = await createRealtimePublisher({ redis: { url: process.env.REDIS_URL } });
for (const { to, event, data } of JSON.parse(process.env.JOBS)) {
  const target =
    'userId' in to ? publisher.toUser(to.userId) : 'userIds' in to ? publisher.toUsers(to.userIds) : publisher.toRoom(to.roomId);
  try {
    await target.emit(event, data);
    console.log('ok');
  } catch (error) {
    console.log(`refused ${error.name}: ${error.message}`);
  }
}
await publisher.close();
