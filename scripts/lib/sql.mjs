// Runs one SQL statement and prints the first column of each row. Used by the start and test
// scripts, which run before TypeScript is loaded.
import pg from 'pg';
const [url, sql] = process.argv.slice(2);
const client = new pg.Client({ connectionString: url });
await client.connect();
try {
  const result = await client.query(sql);
  for (const row of result.rows ?? []) console.log(Object.values(row)[0]);
} finally {
  await client.end();
}
