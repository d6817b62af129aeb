// A plain Node script with only the package and the Redis settings, as a
// worker or a cron job is: pushes a notification to USER_ID on any node.
import { createRealtimePublisher } from 'nest-realtime/publisher';

const publisher = await createRealtimePublisher({ redis: { url: process.env.REDIS_URL } });
try {
  await publisher
    .toUser(process.env.USER_ID)
    .emit('notification', { type: 'export.ready', data: { url: 'https://example.com/export.csv' } });
  await publisher
    .toUser(process.env.USER_ID)
    .emit('notification', { type: 'Not A Name', data: {} })
    .then(
      () => console.log('a bad payload was published'),
      (error) => console.log(`refused: ${error.name}`),
    );
} finally {
  await publisher.close();
}
console.log('published');
