// A small game API over pg_gamestats with node-postgres (`pg`).
//
//   GET /top?n=10&from=1             the top of the board
//   GET /around/:player?before=2&after=2
//                                    a player and their neighbours
//   GET /friends?players=17,42,99    a friends board: ranks(board, bigint[])
//   GET /players?ids=17,42           player rows in one round trip: lookup()
//
// Every call is one round trip with bound parameters.  The board's row type
// is passed as a typed NULL (NULL::game.weekly_points), so rows come back
// with the board's own columns.  The board name is SQL text fixed here,
// never taken from the request.
//
// Connection settings come from the usual PG* environment variables
// (PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD).
import http from 'node:http';
import { pathToFileURL } from 'node:url';
import pg from 'pg';

// How results decode.  node-postgres returns bigint (int8) as a string,
// since a JavaScript number is exact only up to 2^53; here it becomes a
// BigInt.  numeric stays a string (exact; use a decimal library for
// arithmetic).  timestamptz becomes a Date (an instant; JSON shows it in
// UTC).
pg.types.setTypeParser(pg.types.builtins.INT8, (text) => BigInt(text));

// JSON has no bigint: write BigInt as a string, the way big ids usually go.
function toJSON(value) {
  return JSON.stringify(value, (key, v) => (typeof v === 'bigint' ? v.toString() : v));
}

// node-postgres sends parameters untyped (as text): the query functions
// read players and keys with the column type's input function, so no cast
// is needed (a value that is not a valid bigint is error 22P02).
const SQL = {
  top: 'SELECT * FROM gamestats.top(NULL::game.weekly_points, $1, from_rank => $2)',
  around: 'SELECT * FROM gamestats.around(NULL::game.weekly_points, $1, before => $2, after => $3)',
  friends: 'SELECT * FROM gamestats.ranks(NULL::game.weekly_points, $1)',
  players: 'SELECT * FROM gamestats.lookup(NULL::game.players, $1)',
};

export async function top(db, n = 10, from = 1) {
  return (await db.query(SQL.top, [n, from])).rows;
}

export async function around(db, player, before = 2, after = 2) {
  return (await db.query(SQL.around, [player, before, after])).rows;
}

// players: an array of ids (BigInt, number or decimal string); node-postgres
// writes a JavaScript array as a PostgreSQL array literal.
export async function friends(db, players) {
  return (await db.query(SQL.friends, [players])).rows;
}

export async function players(db, ids) {
  return (await db.query(SQL.players, [ids])).rows;
}

class BadRequest extends Error {}

function intParam(params, name, fallback, min) {
  const s = params.get(name);
  if (s === null) return fallback;
  if (!/^\d+$/.test(s) || Number(s) < min || Number(s) > 1000) {
    throw new BadRequest(`${name} must be an integer from ${min} to 1000`);
  }
  return Number(s);
}

function idList(params, name) {
  const s = params.get(name);
  if (!s || !/^\d{1,19}(,\d{1,19})*$/.test(s)) {
    throw new BadRequest(`${name} must be a comma-separated list of player ids`);
  }
  return s.split(',').map((id) => BigInt(id));
}

export function createApp(db) {
  return http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://localhost');
    const send = (status, body) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(toJSON(body));
    };
    try {
      let m;
      if (req.method !== 'GET') {
        send(405, { error: 'only GET' });
      } else if (url.pathname === '/top') {
        send(200, await top(db, intParam(url.searchParams, 'n', 10, 0),
                            intParam(url.searchParams, 'from', 1, 1)));
      } else if ((m = url.pathname.match(/^\/around\/(\d{1,19})$/))) {
        send(200, await around(db, BigInt(m[1]), intParam(url.searchParams, 'before', 2, 0),
                               intParam(url.searchParams, 'after', 2, 0)));
      } else if (url.pathname === '/friends') {
        send(200, await friends(db, idList(url.searchParams, 'players')));
      } else if (url.pathname === '/players') {
        send(200, await players(db, idList(url.searchParams, 'ids')));
      } else {
        send(404, { error: 'not found' });
      }
    } catch (err) {
      if (err instanceof BadRequest) {
        send(400, { error: err.message });
      } else {
        // err.code is the SQLSTATE, e.g. 54000 for a batch over gamestats.max_batch
        send(500, { error: 'database error', sqlstate: err.code });
      }
    }
  });
}

// node app.js: listen on $PORT (default 3000) on 127.0.0.1
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const pool = new pg.Pool();
  const port = Number(process.env.PORT || 3000);
  createApp(pool).listen(port, '127.0.0.1', () => {
    console.log(`listening on http://127.0.0.1:${port}`);
  });
}
