"""The calls of examples/node, from Python with psycopg 3 (Debian's
python3-psycopg): top N, around me, a friends board, a player batch.

Each is one round trip with bound parameters.  The board's row type is
passed as a typed NULL (NULL::game.weekly_points), so rows come back with
the board's own columns; the board name is fixed SQL text, never user
input.

How results decode: bigint -> int (exact, any size), timestamptz ->
timezone-aware datetime (in the session's TimeZone), numeric -> Decimal.
psycopg sends Python ints and lists of ints with a type (smallint,
integer, bigint or numeric, and their arrays), so no cast is needed.

Connection settings come from the PG* environment variables, or a
conninfo string: python3 gamestats_example.py "host=... dbname=..."
"""
import sys

import psycopg
from psycopg.rows import dict_row


def connect(conninfo=""):
    return psycopg.connect(conninfo, row_factory=dict_row, autocommit=True)


def top(conn, n=10, from_rank=1):
    return conn.execute(
        "SELECT * FROM gamestats.top(NULL::game.weekly_points, %s, from_rank => %s)",
        (n, from_rank)).fetchall()


def around(conn, player, before=2, after=2):
    return conn.execute(
        "SELECT * FROM gamestats.around(NULL::game.weekly_points, %s, before => %s, after => %s)",
        (player, before, after)).fetchall()


def friends(conn, players):
    """Board rows of a list of player ids, in the order asked."""
    return conn.execute(
        "SELECT * FROM gamestats.ranks(NULL::game.weekly_points, %s)",
        (list(players),)).fetchall()


def players(conn, ids):
    """Player rows by primary key, in the order asked."""
    return conn.execute(
        "SELECT * FROM gamestats.lookup(NULL::game.players, %s)",
        (list(ids),)).fetchall()


if __name__ == "__main__":
    with connect(sys.argv[1] if len(sys.argv) > 1 else "") as conn:
        for row in top(conn, 3):
            print(row)
        print(friends(conn, [42, 9007199254740993, 17]))
        print(players(conn, [17, 4242]))
