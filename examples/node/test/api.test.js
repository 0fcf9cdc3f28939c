// The example API against a real database loaded with examples/schema.sql
// (test/examples.sh makes one; PG* environment variables point at it).
// Checks exact JSON responses over HTTP, and the decoded values.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { createApp, top, players } from '../app.js';

let pool;
let server;
let base;

before(async () => {
  pool = new pg.Pool({ max: 2 });
  server = createApp(pool);
  await new Promise((resolve) => server.listen(Number(process.env.EXAMPLE_PORT || 0), '127.0.0.1', resolve));
  base = `http://127.0.0.1:${server.address().port}`;
});

after(async () => {
  await new Promise((resolve) => server.close(resolve));
  await pool.end();
});

async function get(path) {
  const res = await fetch(base + path);
  return { status: res.status, body: await res.json() };
}

const ada = { rank: '1', player_id: '17', score: '500', reached_at: '2024-05-01T12:00:00.000Z', avg_points: '250.00' };
const bob = { rank: '2', player_id: '42', score: '500', reached_at: '2024-05-02T09:30:00.000Z', avg_points: '500.00' };
const cy = { rank: '3', player_id: '99', score: '450', reached_at: '2024-05-01T18:45:00.000Z', avg_points: '450.00' };
const dee = { rank: '4', player_id: '4242', score: '400', reached_at: '2024-05-03T21:00:00.000Z', avg_points: '200.00' };
const eve = { rank: '4', player_id: '9007199254740993', score: '400', reached_at: '2024-05-03T21:00:00.000Z', avg_points: '400.00' };
const fay = { rank: '6', player_id: '7', score: '100', reached_at: '2024-05-04T10:00:00.000Z', avg_points: '100.00' };
const gus = { rank: '7', player_id: '8', score: '51', reached_at: '2024-05-04T11:45:00.000Z', avg_points: '17.00' };

test('top N in rank order; ties share a rank (competition ranking)', async () => {
  assert.deepEqual(await get('/top?n=3'), { status: 200, body: [ada, bob, cy] });
  assert.deepEqual(await get('/top?n=10&from=4'), { status: 200, body: [dee, eve, fay, gus] });
  assert.deepEqual(await get('/top?n=0'), { status: 200, body: [] });
});

test('around me: neighbours in (rank, player) order, fewer at the edges', async () => {
  assert.deepEqual(await get('/around/9007199254740993?before=1&after=1'), { status: 200, body: [dee, eve, fay] });
  assert.deepEqual(await get('/around/17'), { status: 200, body: [ada, bob, cy] });
  assert.deepEqual(await get('/around/5'), { status: 200, body: [] }, 'a player not on the board');
});

test('friends board: ranks() with a bigint[] in the order asked', async () => {
  assert.deepEqual(await get('/friends?players=42,9007199254740993,5,17,42'),
    { status: 200, body: [bob, eve, ada, bob] }, 'missing players skipped, repeats repeated');
});

test('player batch: lookup() by primary key, in input order', async () => {
  assert.deepEqual(await get('/players?ids=9007199254740993,5,123456,17'), {
    status: 200,
    body: [
      { player_id: '9007199254740993', name: 'eve', joined_at: '2024-03-01T00:00:00.000Z', coins: '1000000.01' },
      { player_id: '5', name: 'hal', joined_at: '2024-04-01T12:00:00.000Z', coins: '0.00' },
      { player_id: '17', name: 'ada', joined_at: '2024-01-05T10:00:00.000Z', coins: '120.50' },
    ],
  });
});

test('decoding: bigint -> BigInt, timestamptz -> Date, numeric -> exact string', async () => {
  const [row] = await players(pool, [9007199254740993n]);
  assert.equal(row.player_id, 9007199254740993n);
  assert.equal(typeof row.player_id, 'bigint');
  assert.ok(row.joined_at instanceof Date);
  assert.equal(row.joined_at.getTime(), Date.UTC(2024, 2, 1));
  assert.equal(row.coins, '1000000.01');
  const [first] = await top(pool, 1);
  assert.deepEqual(Object.keys(first), ['rank', 'player_id', 'score', 'reached_at', 'avg_points'],
    'the board\'s own columns, from the typed row');
  assert.equal(first.rank, 1n);
});

test('bad requests never reach the database', async () => {
  assert.deepEqual(await get('/friends?players=17,abc'),
    { status: 400, body: { error: 'players must be a comma-separated list of player ids' } });
  assert.deepEqual(await get('/top?n=-1'), { status: 400, body: { error: 'n must be an integer from 0 to 1000' } });
  assert.deepEqual(await get('/nope'), { status: 404, body: { error: 'not found' } });
});

test('database errors come back with their SQLSTATE', async () => {
  // 2^63 does not fit a bigint: 22003 numeric_value_out_of_range
  assert.deepEqual(await get('/around/9223372036854775808'),
    { status: 500, body: { error: 'database error', sqlstate: '22003' } });
});
