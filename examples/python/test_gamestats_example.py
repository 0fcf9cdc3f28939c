"""examples/python against a real database loaded with examples/schema.sql
(test/examples.sh makes one; PG* environment variables point at it):
exact rows and decoded types."""
import datetime
import unittest
from decimal import Decimal

import psycopg

import gamestats_example as ex

UTC = datetime.timezone.utc


def at(*args):
    return datetime.datetime(*args, tzinfo=UTC)


ADA = {"rank": 1, "player_id": 17, "score": 500, "reached_at": at(2024, 5, 1, 12, 0), "avg_points": Decimal("250.00")}
BOB = {"rank": 2, "player_id": 42, "score": 500, "reached_at": at(2024, 5, 2, 9, 30), "avg_points": Decimal("500.00")}
CY = {"rank": 3, "player_id": 99, "score": 450, "reached_at": at(2024, 5, 1, 18, 45), "avg_points": Decimal("450.00")}
DEE = {"rank": 4, "player_id": 4242, "score": 400, "reached_at": at(2024, 5, 3, 21, 0), "avg_points": Decimal("200.00")}
EVE = {"rank": 4, "player_id": 9007199254740993, "score": 400, "reached_at": at(2024, 5, 3, 21, 0),
       "avg_points": Decimal("400.00")}
FAY = {"rank": 6, "player_id": 7, "score": 100, "reached_at": at(2024, 5, 4, 10, 0), "avg_points": Decimal("100.00")}
GUS = {"rank": 7, "player_id": 8, "score": 51, "reached_at": at(2024, 5, 4, 11, 45), "avg_points": Decimal("17.00")}


class ExampleTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.conn = ex.connect()

    @classmethod
    def tearDownClass(cls):
        cls.conn.close()

    def test_top(self):
        self.assertEqual(ex.top(self.conn, 3), [ADA, BOB, CY])
        self.assertEqual(ex.top(self.conn, 10, from_rank=4), [DEE, EVE, FAY, GUS])
        self.assertEqual(ex.top(self.conn, 0), [])

    def test_around(self):
        self.assertEqual(ex.around(self.conn, 9007199254740993, 1, 1), [DEE, EVE, FAY])
        self.assertEqual(ex.around(self.conn, 17), [ADA, BOB, CY])
        self.assertEqual(ex.around(self.conn, 5), [])

    def test_friends(self):
        self.assertEqual(ex.friends(self.conn, [42, 9007199254740993, 5, 17, 42]), [BOB, EVE, ADA, BOB])

    def test_players(self):
        self.assertEqual(ex.players(self.conn, [9007199254740993, 5, 123456, 17]), [
            {"player_id": 9007199254740993, "name": "eve", "joined_at": at(2024, 3, 1, 0, 0),
             "coins": Decimal("1000000.01")},
            {"player_id": 5, "name": "hal", "joined_at": at(2024, 4, 1, 12, 0), "coins": Decimal("0.00")},
            {"player_id": 17, "name": "ada", "joined_at": at(2024, 1, 5, 10, 0), "coins": Decimal("120.50")},
        ])

    def test_decoding(self):
        row = ex.top(self.conn, 1)[0]
        self.assertEqual(list(row), ["rank", "player_id", "score", "reached_at", "avg_points"])
        self.assertIs(type(row["rank"]), int)
        self.assertIs(type(row["avg_points"]), Decimal)
        self.assertIsNotNone(row["reached_at"].tzinfo)

    def test_error_has_sqlstate(self):
        # 2^63 does not fit a bigint: psycopg sends it as numeric, which the
        # board's bigint player column does not compare with (42804), or
        # which is out of range for it (22003)
        with self.assertRaises(psycopg.Error) as cm:
            ex.around(self.conn, 2 ** 63)
        self.assertIn(cm.exception.sqlstate, ("42804", "22003"))


if __name__ == "__main__":
    unittest.main()
