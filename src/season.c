/*-------------------------------------------------------------------------
 *
 * season.c
 *	  Seasons of leaderboards: set_season() gives a board a period and an
 *	  archive, <board>_seasons, kept by the partition manager; rollover()
 *	  closes every season that has ended, archiving its final standings.
 *
 * The season window.  While a seasonal board refreshes, the functions
 * gamestats.season_start() and gamestats.season_end() return the bounds of
 * the season being computed: the current season for an ordinary refresh,
 * an ended season for the refresh that rollover() makes to archive it.  A
 * board whose query filters its events on them ("WHERE ts >=
 * gamestats.season_start() AND ts < gamestats.season_end()") gets exactly
 * the events of that season, however late the rollover runs.  Outside such
 * a refresh they return null.
 *
 * Boundaries are those of the partition manager (partition_math.c): UTC,
 * weeks from Monday, months from the 1st.
 *
 * Locks.  set_season() and rollover() of one board serialise on a
 * transaction-level lock of their own (an advisory tag no SQL call can
 * make), taken before anything else; the refresh inside then takes the
 * board's ExclusiveLock as refresh_leaderboard() does.  A refresh only
 * reads gamestats.leaderboard_season, so no lock cycle exists.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/table.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "catalog/dependency.h"
#include "catalog/objectaddress.h"
#include "catalog/pg_trigger.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "storage/lock.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/ruleutils.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "pg_gamestats.h"
#include "leaderboard.h"
#include "partition.h"
#include "season.h"
#include "live.h"

/* the lock of a board's seasons: (database, 'game', board OID, 'se') */
#define GS_SEASON_LOCK_KEY 0x67616d65	/* 'game', as partition.c's */
#define GS_SEASON_LOCK_FIELD4 0x7365	/* 'se' */

#define GS_ARCHIVE_SUFFIX "_seasons"

/* a board's row in gamestats.leaderboard_season */
typedef struct GsSeason
{
	Oid			board;
	Interval	period;
	GsStep		step;
	Oid			archive;
	int64		start;			/* of the current season */
	bool		has_last;
	int64		last;			/* start of the last closed season */
} GsSeason;

static GsSeasonWindow window;
static bool callbacks_registered = false;

/* ---------------------------------------------------------------------------
 * The season window
 * ---------------------------------------------------------------------------
 */

/* An aborted (sub)transaction ends the refresh that set the window. */
static void
season_xact_callback(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT ||
		event == XACT_EVENT_COMMIT || event == XACT_EVENT_PARALLEL_COMMIT ||
		event == XACT_EVENT_PREPARE)
		memset(&window, 0, sizeof(window));
}

static void
season_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
						SubTransactionId parentSubid, void *arg)
{
	/* set in the aborted subtransaction or one of its children */
	if (event == SUBXACT_EVENT_ABORT_SUB && window.set && window.subid >= mySubid)
		memset(&window, 0, sizeof(window));
}

static void
season_set_window(Oid board, int64 lo, int64 hi)
{
	if (!callbacks_registered)
	{
		RegisterXactCallback(season_xact_callback, NULL);
		RegisterSubXactCallback(season_subxact_callback, NULL);
		callbacks_registered = true;
	}
	window.set = true;
	window.board = board;
	window.lo = lo;
	window.hi = hi;
	window.used = false;
	window.subid = GetCurrentSubTransactionId();
}

static int	season_spi(const char *sql, int nargs, Oid *argtypes, Datum *values,
					   const char *nulls);
static bool season_read(Oid board, GsSeason *s);

/*
 * Called by a refresh of "board" once it holds the board's lock: unless
 * rollover() has set the window of the season it archives, the window is
 * the board's current season (none for a board without seasons).  "saved"
 * is for gs_season_window_leave().  SPI must be connected.
 */
void
gs_season_window_enter(Oid board, GsSeasonWindow *saved)
{
	GsSeason	s;

	*saved = window;
	if (window.set && window.board == board)
		return;
	if (season_read(board, &s))
		season_set_window(board, s.start, gs_slot_next(&s.step, s.start));
	else
		memset(&window, 0, sizeof(window));
}

/* The refresh is done: the window before it is back (with "used" kept). */
void
gs_season_window_leave(const GsSeasonWindow *saved)
{
	bool		used = window.used && window.board == saved->board;

	window = *saved;
	if (used)
		window.used = true;
}

/*
 * gamestats.season_start() / gamestats.season_end() RETURNS timestamptz
 *
 * The season a refresh of a seasonal board computes; null elsewhere.
 */
PG_FUNCTION_INFO_V1(gamestats_season_start);
Datum
gamestats_season_start(PG_FUNCTION_ARGS)
{
	if (!window.set)
		PG_RETURN_NULL();
	window.used = true;
	PG_RETURN_TIMESTAMPTZ(window.lo);
}

PG_FUNCTION_INFO_V1(gamestats_season_end);
Datum
gamestats_season_end(PG_FUNCTION_ARGS)
{
	if (!window.set)
		PG_RETURN_NULL();
	window.used = true;
	PG_RETURN_TIMESTAMPTZ(window.hi);
}

/* ---------------------------------------------------------------------------
 * Configuration
 * ---------------------------------------------------------------------------
 */

/* SQL of ours on gamestats' tables, as their owner. */
static int
season_spi(const char *sql, int nargs, Oid *argtypes, Datum *values,
		   const char *nulls)
{
	return gs_spi_exec(sql, nargs, argtypes, values, nulls, false, 0,
					   gs_catalog_owner("leaderboard_season"));
}

/*
 * The period as a slot of the partition manager: exactly 1 hour, 1 day,
 * 1 week or 1 month.
 */
static void
season_parse_period(const Interval *iv, const char *board, GsStep *step)
{
	bool		ok = (iv->month == 0 && iv->day == 0 && iv->time == USECS_PER_HOUR) ||
		(iv->month == 0 && iv->time == 0 && (iv->day == 1 || iv->day == 7)) ||
		(iv->month == 1 && iv->day == 0 && iv->time == 0);

	if (!ok)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unsupported season period \"%s\" for leaderboard \"%s\"",
						gs_interval_text(iv), board),
				 errhint("Use 1 hour, 1 day, 1 week or 1 month.")));
	gs_parse_step(iv, GS_KEY_TIMESTAMPTZ, board, step);
}

/* The board's seasons, or false when it has none. */
static bool
season_read(Oid board, GsSeason *s)
{
	Oid			types[1] = {REGCLASSOID};
	Datum		values[1] = {ObjectIdGetDatum(board)};
	HeapTuple	row;
	TupleDesc	desc;
	bool		isnull;
	Datum		d;

	season_spi("SELECT period, archive::pg_catalog.oid, season_start, last_season_start"
			   "  FROM gamestats.leaderboard_season WHERE board = $1",
			   1, types, values, NULL);
	if (SPI_processed == 0)
		return false;
	row = SPI_tuptable->vals[0];
	desc = SPI_tuptable->tupdesc;
	memset(s, 0, sizeof(GsSeason));
	s->board = board;
	s->period = *DatumGetIntervalP(SPI_getbinval(row, desc, 1, &isnull));
	s->archive = DatumGetObjectId(SPI_getbinval(row, desc, 2, &isnull));
	s->start = DatumGetTimestampTz(SPI_getbinval(row, desc, 3, &isnull));
	d = SPI_getbinval(row, desc, 4, &isnull);
	s->has_last = !isnull;
	if (!isnull)
		s->last = DatumGetTimestampTz(d);
	gs_parse_step(&s->period, GS_KEY_TIMESTAMPTZ, gs_qualified_name(board), &s->step);
	return true;
}

/* Serialises set_season() and rollover() of one board, until commit. */
static void
season_lock(Oid board)
{
	LOCKTAG		tag;

	SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, GS_SEASON_LOCK_KEY, (uint32) board,
						 GS_SEASON_LOCK_FIELD4);
	(void) LockAcquire(&tag, ExclusiveLock, false, false);
}

/* a now argument: given, finite */
static int64
season_now(FunctionCallInfo fcinfo, int argno)
{
	int64		now;

	if (PG_ARGISNULL(argno))
		return GetCurrentTransactionStartTimestamp();
	now = PG_GETARG_TIMESTAMPTZ(argno);
	if (TIMESTAMP_NOT_FINITE(now))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("now must be finite"),
				 errhint("Leave now null to use the current time.")));
	return now;
}

/* ---------------------------------------------------------------------------
 * The archive
 * ---------------------------------------------------------------------------
 */

/*
 * The board's columns, quoted and comma-separated ("rank", player, score,
 * ...); with their types when typed (for CREATE TABLE).
 */
static char *
season_board_columns(Oid board, bool typed)
{
	Relation	rel = table_open(board, AccessShareLock);
	TupleDesc	desc = RelationGetDescr(rel);
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (att->attisdropped)
			continue;
		if (buf.len > 0)
			appendStringInfoString(&buf, ", ");
		appendStringInfoString(&buf, quote_identifier(NameStr(att->attname)));
		if (typed)
		{
			appendStringInfo(&buf, " %s",
							 format_type_with_typemod(att->atttypid, att->atttypmod));
			if (OidIsValid(att->attcollation) &&
				att->attcollation != get_typcollation(att->atttypid))
				appendStringInfo(&buf, " COLLATE %s",
								 generate_collation_name(att->attcollation));
		}
	}
	table_close(rel, AccessShareLock);
	return buf.data;
}

/*
 * Creates <board>_seasons beside the board, as the board's owner, with its
 * two indexes, and has the partition manager keep it: one partition per
 * season from "start", archive_retention (if not null) as its retention.
 */
static Oid
season_create_archive(const GsBoard *b, const GsSeason *s, int64 now,
					  FunctionCallInfo fcinfo)
{
	Oid			nspid = get_rel_namespace(b->relid);
	char	   *relname = get_rel_name(b->relid);
	char	   *name;
	char	   *qual;
	Oid			owner = gs_rel_class(b->relid).relowner;
	Oid			archive;
	StringInfoData sql;

	if (strlen(relname) + strlen(GS_ARCHIVE_SUFFIX) >= NAMEDATALEN)
		ereport(ERROR,
				(errcode(ERRCODE_NAME_TOO_LONG),
				 errmsg("archive name of leaderboard \"%s\" would be too long", b->name),
				 errhint("Rename the board to at most %d characters.",
						 (int) (NAMEDATALEN - 1 - strlen(GS_ARCHIVE_SUFFIX)))));
	name = psprintf("%s%s", relname, GS_ARCHIVE_SUFFIX);
	qual = quote_qualified_identifier(get_namespace_name(nspid), name);
	if (OidIsValid(get_relname_relid(name, nspid)))
		ereport(ERROR,
				(errcode(ERRCODE_DUPLICATE_TABLE),
				 errmsg("relation %s already exists", qual),
				 errdetail("set_season() keeps the final standings of leaderboard \"%s\" in a new table of that name.", b->name),
				 errhint("Drop or rename that relation, then call gamestats.set_season() again.")));

	initStringInfo(&sql);
	appendStringInfo(&sql,
					 "CREATE TABLE %s (season_start pg_catalog.timestamptz NOT NULL,"
					 " season_end pg_catalog.timestamptz NOT NULL, %s)"
					 " PARTITION BY RANGE (season_start)",
					 qual, season_board_columns(b->relid, true));
	gs_spi_exec(sql.data, 0, NULL, NULL, NULL, false, 0, owner);
	CommandCounterIncrement();
	archive = get_relname_relid(name, nspid);

	/* top N of season S; history of player P */
	resetStringInfo(&sql);
	appendStringInfo(&sql, "CREATE INDEX ON %s (season_start, %s%s%s)", qual,
					 gs_board_segmented(b) ? quote_identifier(b->column[GS_COL_SEGMENT]) : "",
					 gs_board_segmented(b) ? ", " : "", GS_RANK_COLUMN);
	gs_spi_exec(sql.data, 0, NULL, NULL, NULL, false, 0, owner);
	resetStringInfo(&sql);
	appendStringInfo(&sql, "CREATE INDEX ON %s (%s, season_start)", qual,
					 quote_identifier(b->column[GS_COL_PLAYER]));
	gs_spi_exec(sql.data, 0, NULL, NULL, NULL, false, 0, owner);

	{
		Oid			types[5] = {REGCLASSOID, INTERVALOID, INTERVALOID, TIMESTAMPTZOID,
		TIMESTAMPTZOID};
		Datum		values[5];
		char		nulls[6] = "     ";

		values[0] = ObjectIdGetDatum(archive);
		values[1] = IntervalPGetDatum(&s->period);
		values[2] = PG_ARGISNULL(2) ? (Datum) 0 : PG_GETARG_DATUM(2);
		nulls[2] = PG_ARGISNULL(2) ? 'n' : ' ';
		values[3] = TimestampTzGetDatum(s->start);
		values[4] = TimestampTzGetDatum(now);
		gs_spi_exec("SELECT gamestats.manage_partitions($1, $2, $3, start_time => $4, now => $5)",
					5, types, values, nulls, false, 0, owner);
	}
	return archive;
}

/* ---------------------------------------------------------------------------
 * set_season
 * ---------------------------------------------------------------------------
 */

/* season_lock() if no one holds it; false if someone does */
static bool
season_try_lock(Oid board)
{
	LOCKTAG		tag;

	SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, GS_SEASON_LOCK_KEY, (uint32) board,
						 GS_SEASON_LOCK_FIELD4);
	return LockAcquire(&tag, ExclusiveLock, false, true) != LOCKACQUIRE_NOT_AVAIL;
}

/*
 * The statement trigger that makes the writes of a seasonal live board's
 * table roll its seasons over: BEFORE INSERT OR UPDATE OR DELETE FOR EACH
 * STATEMENT, enabled ALWAYS, dropped with the board.  SPI connected.
 */
static void
season_live_trigger(const GsBoard *b)
{
	char	   *src = gs_qualified_name(b->source);
	Oid			trigoid = get_trigger_oid(b->source, GS_LIVE_SEASON_TRIGGER, true);
	ObjectAddress boardaddr,
				dep;

	if (OidIsValid(trigoid))
		return;
	gs_spi_exec(psprintf("CREATE TRIGGER %s BEFORE INSERT OR UPDATE OR DELETE ON %s"
						 " FOR EACH STATEMENT EXECUTE FUNCTION gamestats.live_season()",
						 GS_LIVE_SEASON_TRIGGER, src), 0, NULL, NULL, NULL, false, 0, InvalidOid);
	gs_spi_exec(psprintf("ALTER TABLE %s ENABLE ALWAYS TRIGGER %s", src, GS_LIVE_SEASON_TRIGGER),
				0, NULL, NULL, NULL, false, 0, InvalidOid);
	CommandCounterIncrement();
	ObjectAddressSet(boardaddr, RelationRelationId, b->relid);
	ObjectAddressSet(dep, TriggerRelationId, get_trigger_oid(b->source, GS_LIVE_SEASON_TRIGGER, false));
	recordDependencyOn(&dep, &boardaddr, DEPENDENCY_AUTO);
	CommandCounterIncrement();
}

/*
 * What a rollover of a live board must make sure of before it archives:
 * a snapshot that sees every commit from now on (READ COMMITTED), and no
 * writer of the old season in flight -- it waits for those that hold the
 * table now (other than ourselves).
 */
static void
season_live_prepare(const GsBoard *b)
{
	LOCKTAG		tag;

	if (IsolationUsesXactSnapshot())
		ereport(ERROR,
				(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
				 errmsg("the season of live leaderboard \"%s\" ended: its rollover needs READ COMMITTED",
						b->name),
				 errdetail("The archive must hold every score committed before the rollover, which an older transaction snapshot does not see."),
				 errhint("Retry in READ COMMITTED, or let gamestats.rollover() (run by run_maintenance()) close the season first.")));
	SET_LOCKTAG_RELATION(tag, MyDatabaseId, b->source);
	WaitForLockers(tag, ShareLock, false);
}

/*
 * The new season of a live board: its table starts empty (DELETE, so that
 * the journal follows, as its owner), then a fold.
 */
static bool season_live_resetting = false;

static void
season_live_reset(GsBoard *b)
{
	/* our own DELETE: the statement trigger must not take it for a write */
	season_live_resetting = true;
	PG_TRY();
	{
		gs_spi_exec(psprintf("DELETE FROM ONLY %s", gs_qualified_name(b->source)),
					0, NULL, NULL, NULL, false, 0, gs_rel_class(b->source).relowner);
	}
	PG_FINALLY();
	{
		season_live_resetting = false;
	}
	PG_END_TRY();
	CommandCounterIncrement();
	(void) lb_refresh_board(b);
}

/*
 * gamestats.set_season(board regclass, period interval,
 *     archive_retention interval DEFAULT NULL, now timestamptz DEFAULT NULL)
 *
 * Gives the board seasons of "period", the first being the one that holds
 * "now", creates its archive and refreshes the board for that season.  On
 * a board that has seasons already: the same period sets archive_retention
 * (null: keep every season); another period is refused.
 */
PG_FUNCTION_INFO_V1(gamestats_set_season);
Datum
gamestats_set_season(PG_FUNCTION_ARGS)
{
	Oid			relid;
	GsBoard    *b;
	GsSeason	s;
	GsSeason	old;
	int64		now;

	gs_require_arg(fcinfo, 0, "board");
	gs_require_arg(fcinfo, 1, "period");
	relid = PG_GETARG_OID(0);
	now = season_now(fcinfo, 3);
	gs_forbid_in_recovery("set the seasons of a leaderboard");

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	b = lb_get_board(relid, "set its seasons");
	/* a live board's writes roll its seasons over (season_live_check) */
	if (gs_board_live(b))
		season_live_trigger(b);
	memset(&s, 0, sizeof(s));
	s.board = relid;
	s.period = *PG_GETARG_INTERVAL_P(1);
	season_parse_period(&s.period, b->name, &s.step);
	season_lock(relid);

	if (season_read(relid, &old))
	{
		Oid			types[3] = {REGCLASSOID, INTERVALOID, BOOLOID};
		Datum		values[3];
		char		nulls[3] = "  ";

		if (old.period.month != s.period.month || old.period.day != s.period.day ||
			old.period.time != s.period.time)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("leaderboard \"%s\" already has seasons of \"%s\"",
							b->name, gs_interval_text(&old.period)),
					 errdetail("The period of a board's seasons cannot change: its archive would hold seasons of two lengths."),
					 errhint("Create another board for seasons of another period.")));
		if (!SearchSysCacheExists1(RELOID, ObjectIdGetDatum(old.archive)))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_TABLE),
					 errmsg("archive of leaderboard \"%s\" does not exist", b->name),
					 errhint("Drop the board and create it again to archive its seasons anew.")));
		values[0] = ObjectIdGetDatum(old.archive);
		values[1] = PG_ARGISNULL(2) ? (Datum) 0 : PG_GETARG_DATUM(2);
		nulls[1] = PG_ARGISNULL(2) ? 'n' : ' ';
		values[2] = BoolGetDatum(PG_ARGISNULL(2));
		gs_spi_exec("SELECT gamestats.alter_partitions($1, retention => $2, clear_retention => $3)",
					3, types, values, nulls, false, 0,
					gs_rel_class(old.archive).relowner);
		SPI_finish();
		PG_RETURN_VOID();
	}

	s.start = gs_slot_floor(&s.step, now);
	s.archive = season_create_archive(b, &s, now, fcinfo);
	{
		Oid			types[4] = {REGCLASSOID, INTERVALOID, REGCLASSOID, TIMESTAMPTZOID};
		Datum		values[4];

		values[0] = ObjectIdGetDatum(relid);
		values[1] = IntervalPGetDatum(&s.period);
		values[2] = ObjectIdGetDatum(s.archive);
		values[3] = TimestampTzGetDatum(s.start);
		season_spi("INSERT INTO gamestats.leaderboard_season (board, period, archive, season_start)"
				   " VALUES ($1, $2, $3, $4)", 4, types, values, NULL);
		CommandCounterIncrement();
	}
	/* the board now shows its first season */
	(void) lb_refresh_board(b);
	SPI_finish();
	PG_RETURN_VOID();
}

/* ---------------------------------------------------------------------------
 * rollover
 * ---------------------------------------------------------------------------
 */

/*
 * Archives the final standings of season [lo, hi) of the board; returns
 * the rows archived, or -1 when there was nothing to compute (see below).
 *
 * A query board: refreshed with the window of that season, then copied (a
 * live board, when it gets seasons, copies its folded standings here).  A
 * refresh that did not read the window (a query that does not call
 * season_start() or season_end()) shows what the board's query gives now,
 * whatever the season: "first" says whether it is the first season this
 * rollover closes; for the others nothing is invented, nothing archived.
 */
static int64
season_archive_standings(GsBoard *b, const GsSeason *s, int64 lo, int64 hi,
						 bool first, bool *windowed)
{
	Oid			types[2] = {TIMESTAMPTZOID, TIMESTAMPTZOID};
	Datum		values[2] = {TimestampTzGetDatum(lo), TimestampTzGetDatum(hi)};
	char	   *cols;

	if (!first && !*windowed)
		return -1;
	season_set_window(b->relid, lo, hi);
	(void) lb_refresh_board(b);
	*windowed = window.used;
	memset(&window, 0, sizeof(window));

	if (!SearchSysCacheExists1(RELOID, ObjectIdGetDatum(s->archive)))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("archive of leaderboard \"%s\" does not exist", b->name),
				 errhint("Drop the board and create it again to archive its seasons anew.")));
	cols = season_board_columns(b->relid, false);
	/* as the board's owner, who owns the archive */
	gs_spi_exec(psprintf("INSERT INTO %s (season_start, season_end, %s)"
						 " SELECT $1, $2, %s FROM %s",
						 gs_qualified_name(s->archive), cols, cols, b->name),
				2, types, values, NULL, false, 0, gs_rel_class(b->relid).relowner);
	return (int64) SPI_processed;
}

/*
 * Closes every season of the board that ended at or before "now"; returns
 * how many.  The place of each kind of board: archive the standings
 * (season_archive_standings), then start the new season -- a query board is
 * refreshed for it.
 */
static int
season_rollover_board(Oid relid, int64 now)
{
	GsBoard    *b;
	GsSeason	s;
	int			closed = 0;
	bool		windowed = true;

	season_lock(relid);
	/* read after the lock: a rollover that held it has moved the season */
	if (!season_read(relid, &s))
		return 0;
	b = gs_board_get(relid);
	if (gs_board_live(b) && gs_slot_next(&s.step, s.start) <= now)
		season_live_prepare(b);

	while (gs_slot_next(&s.step, s.start) <= now)
	{
		int64		end = gs_slot_next(&s.step, s.start);

		CHECK_FOR_INTERRUPTS();
		(void) season_archive_standings(b, &s, s.start, end, closed == 0, &windowed);
		s.has_last = true;
		s.last = s.start;
		s.start = end;
		closed++;
	}
	if (closed == 0)
		return 0;

	{
		Oid			types[3] = {REGCLASSOID, TIMESTAMPTZOID, TIMESTAMPTZOID};
		Datum		values[3];

		values[0] = ObjectIdGetDatum(relid);
		values[1] = TimestampTzGetDatum(s.start);
		values[2] = TimestampTzGetDatum(s.last);
		season_spi("UPDATE gamestats.leaderboard_season"
				   "   SET season_start = $2, last_season_start = $3,"
				   "       last_rollover_at = pg_catalog.clock_timestamp()"
				   " WHERE board = $1", 3, types, values, NULL);
		CommandCounterIncrement();
	}
	/*
	 * The new season: a live board's table starts empty; a query board
	 * shows it (its window is read again).
	 */
	if (gs_board_live(b))
		season_live_reset(b);
	else if (windowed)
		(void) lb_refresh_board(b);
	return closed;
}

/* The seasonal boards the caller owns (all, or only one), by OID. */
static List *
season_boards(Oid only)
{
	Oid			types[1] = {OIDOID};
	Datum		values[1] = {ObjectIdGetDatum(only)};
	List	   *boards = NIL;
	uint64		i;

	season_spi("SELECT board::pg_catalog.oid FROM gamestats.leaderboard_season"
			   " WHERE $1 OPERATOR(pg_catalog.=) 0"
			   "    OR board OPERATOR(pg_catalog.=) $1::pg_catalog.regclass"
			   " ORDER BY 1", 1, types, values, NULL);
	for (i = 0; i < SPI_processed; i++)
	{
		bool		isnull;
		Oid			board = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[i],
														   SPI_tuptable->tupdesc, 1, &isnull));

		boards = lappend_oid(boards, board);
	}
	return boards;
}

/*
 * gamestats.rollover(board regclass DEFAULT NULL, now timestamptz DEFAULT now())
 *     RETURNS TABLE (board regclass, seasons_archived integer)
 *
 * Closes the ended seasons of one board or of every seasonal board the
 * caller owns; one row per board, with the seasons it closed.  Errors
 * propagate.
 */
PG_FUNCTION_INFO_V1(gamestats_rollover);
Datum
gamestats_rollover(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	Tuplestorestate *store = gs_srf_begin(fcinfo, false, &tupdesc);
	Oid			only = InvalidOid;
	int64		now;
	List	   *boards;
	ListCell   *lc;

	gs_require_arg(fcinfo, 1, "now");
	now = season_now(fcinfo, 1);
	gs_forbid_in_recovery("roll seasons over");
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (!PG_ARGISNULL(0))
	{
		GsSeason	s;

		only = PG_GETARG_OID(0);
		(void) lb_get_board(only, "roll its seasons over");
		if (!season_read(only, &s))
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("leaderboard \"%s\" has no seasons", gs_qualified_name(only)),
					 errhint("Call gamestats.set_season() for it first.")));
	}
	boards = season_boards(only);
	foreach(lc, boards)
	{
		Oid			board = lfirst_oid(lc);
		Datum		values[2];
		bool		nulls[2] = {false, false};

		if (!SearchSysCacheExists1(RELOID, ObjectIdGetDatum(board)) ||
			!gs_is_owner(board))
			continue;
		values[0] = ObjectIdGetDatum(board);
		values[1] = Int32GetDatum(season_rollover_board(board, now));
		tuplestore_putvalues(store, tupdesc, values, nulls);
	}
	SPI_finish();
	PG_RETURN_NULL();
}

/* season_rollover_board() for gs_run_in_subxact() */
typedef struct SeasonCall
{
	Oid			board;
	int64		now;
} SeasonCall;

static void
season_rollover_call(void *arg)
{
	SeasonCall *call = (SeasonCall *) arg;

	(void) season_rollover_board(call->board, call->now);
}

/*
 * The rollover of run_maintenance(): every seasonal board the caller owns,
 * each in a subtransaction; a failure is kept in
 * gamestats.leaderboards.last_error, reported as a WARNING, and the other
 * boards go on.  SPI must be connected.
 */
void
gs_season_rollover_all(int64 now)
{
	List	   *boards = season_boards(InvalidOid);
	ListCell   *lc;

	foreach(lc, boards)
	{
		SeasonCall	call = {lfirst_oid(lc), now};
		ErrorData  *edata;

		if (!SearchSysCacheExists1(RELOID, ObjectIdGetDatum(call.board)) ||
			!gs_is_owner(call.board))
			continue;
		edata = gs_run_in_subxact(season_rollover_call, &call);
		if (edata != NULL)
			lb_record_error(gs_board_get(call.board), edata);
	}
}

/*
 * gamestats.live_season() RETURNS trigger: BEFORE INSERT OR UPDATE OR
 * DELETE FOR EACH STATEMENT on the table of a seasonal live board.  The
 * first statement after the end of a season closes it before it writes, so
 * that a score written after the boundary counts for the new season only,
 * however late the scheduler is: an INSERT (submit_score's upsert too)
 * rolls the season over itself; an UPDATE or DELETE, whose rows the
 * rollover would take away under it, is refused until one has.
 */
PG_FUNCTION_INFO_V1(gamestats_live_season);
Datum
gamestats_live_season(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	int64		now = GetCurrentStatementStartTimestamp();
	Oid			board;
	GsSeason	s;
	GsBoard    *b;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_BEFORE(td->tg_event) ||
		!TRIGGER_FIRED_FOR_STATEMENT(td->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("gamestats.live_season() must be a BEFORE ... FOR EACH STATEMENT trigger")));
	board = gs_live_board_of(RelationGetRelid(td->tg_relation));
	if (!OidIsValid(board) || season_live_resetting)
		return PointerGetDatum(NULL);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (!season_read(board, &s) || gs_slot_next(&s.step, s.start) > now)
	{
		SPI_finish();
		return PointerGetDatum(NULL);
	}
	b = gs_board_get(board);
	if (!TRIGGER_FIRED_BY_INSERT(td->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the season of live leaderboard \"%s\" has ended: roll it over before updating or deleting rows of \"%s\"",
						b->name, RelationGetRelationName(td->tg_relation)),
				 errhint("Call gamestats.rollover('%s') (run_maintenance() does), or write with INSERT or gamestats.submit_score(), which roll it over first.",
						 b->name)));
	if (!season_try_lock(board))
		ereport(ERROR,
				(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
				 errmsg("the seasons of live leaderboard \"%s\" are being rolled over", b->name),
				 errhint("Retry the transaction: the new season starts when the rollover commits.")));
	(void) season_rollover_board(board, now);
	SPI_finish();
	return PointerGetDatum(NULL);
}
