// Deletes the Redis keys a test run left under its prefixes (`bwtest-<database>:…`).
import Redis from 'ioredis';
const [url, pattern] = process.argv.slice(2);
const redis = new Redis(url, { maxRetriesPerRequest: 1 });
let cursor = '0';
let removed = 0;
do {
  const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
  cursor = next;
  if (keys.length) removed += await redis.unlink(...keys);
} while (cursor !== '0');
await redis.quit();
console.log(removed);
