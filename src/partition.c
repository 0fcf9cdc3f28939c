/*-------------------------------------------------------------------------
 *
 * partition.c
 *	  SQL interface of the time-range partition manager: manage, alter,
 *	  unmanage, run and schedule maintenance, and the bounds function
 *	  behind the gamestats.partitions view.
 *
 * The configuration lives in gamestats.partition_config, which PUBLIC
 * cannot read or write: these functions (SECURITY INVOKER) check that the
 * caller owns the parent, then read and write the configuration as the
 * table's owner (the extension owner) in a security-restricted context.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/namespace.h"
#include "catalog/pg_partitioned_table.h"
#include "catalog/pg_type.h"
#include "commands/dbcommands.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/lock.h"
#include "tcop/pquery.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"

#include "pg_gamestats.h"
#include "partition.h"
#include "season.h"

/*
 * The lock that serialises maintenance of a parent: an advisory lock tag
 * (database, 'game', parent OID, GS_ADVISORY_FIELD4).  SQL's advisory lock
 * functions only ever make tags whose fourth field is 1 (one bigint key)
 * or 2 (two int4 keys), so no SQL call -- pg_advisory_lock(1734438245,
 * parent) included -- can take or block this one.
 */
#define GS_ADVISORY_KEY 0x67616d65	/* 'game' */
#define GS_ADVISORY_FIELD4 0x6773	/* 'gs' */

#define GS_CRON_JOB "gamestats-maintenance"
#define GS_CRON_COMMAND "CALL gamestats.run_maintenance_proc()"

#define GS_SKIPPED "skipped: another session is maintaining this table"

/* Runs SQL on gamestats.partition_config as the owner of that table. */
static int
config_exec(const char *sql, int nargs, Oid *types, Datum *values,
			const char *nulls, bool read_only)
{
	return gs_spi_exec(sql, nargs, types, values, nulls, read_only, 0,
					   gs_catalog_owner("partition_config"));
}

/*
 * Errors out unless relid is an existing relation: an OID that names none
 * (0 included) is never taken for "every table".
 */
static void
require_table(Oid relid, const char *hint)
{
	if (!SearchSysCacheExists1(RELOID, ObjectIdGetDatum(relid)))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("table with OID %u does not exist", relid),
				 errhint("%s", hint)));
}

static void
check_premake(int premake)
{
	if (premake < 0 || premake > GS_MAX_PREMAKE)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("premake must be between 0 and %d, not %d", GS_MAX_PREMAKE, premake),
				 errdetail("premake is the number of future partitions kept ready."),
				 errhint("Pass a number such as 4.")));
}

/* true for 'detach', false for 'drop' */
static bool
parse_retention_mode(const char *mode)
{
	static const GsChoice modes[] = {
		{"drop", "drops old partitions"},
		{"detach", "keeps them as plain tables"},
	};

	return gs_parse_choice("retention_mode", mode, modes, lengthof(modes)) == 1;
}

static bool
is_managed(Oid relid)
{
	Oid			types[1] = {OIDOID};
	Datum		values[1];

	values[0] = ObjectIdGetDatum(relid);
	config_exec("SELECT 1 FROM gamestats.partition_config"
				" WHERE parent OPERATOR(pg_catalog.=) $1::pg_catalog.regclass",
				1, types, values, NULL, true);
	return SPI_processed > 0;
}

static void
require_managed(Oid relid)
{
	if (!is_managed(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("table \"%s\" is not managed by pg_gamestats", get_rel_name(relid)),
				 errhint("Call gamestats.manage_partitions() first.")));
}

static void
store_default_rows(Oid relid, int64 rows)
{
	Oid			types[2] = {OIDOID, INT8OID};
	Datum		values[2];

	values[0] = ObjectIdGetDatum(relid);
	values[1] = Int64GetDatum(rows);
	config_exec("UPDATE gamestats.partition_config SET default_rows = $2"
				" WHERE parent OPERATOR(pg_catalog.=) $1::pg_catalog.regclass",
				2, types, values, NULL, false);
}

/*
 * gamestats.manage_partitions(parent regclass, partition_interval interval,
 *     retention interval, premake integer, retention_mode text, epoch text,
 *     start_time timestamptz, default_partition boolean, now timestamptz)
 *     RETURNS integer
 *
 * Starts managing a PARTITION BY RANGE table: records the configuration,
 * creates the default partition (if wanted) and the partitions from
 * start_time (or now) to premake intervals ahead, moving matching rows out
 * of an existing default partition.  All or nothing: any error (including
 * a lock timeout) leaves nothing behind.  Returns the partitions created.
 * Locks: SHARE UPDATE EXCLUSIVE on the parent, ACCESS EXCLUSIVE on the
 * default partition while attaching, each waiting at most
 * gamestats.lock_timeout.
 */
PG_FUNCTION_INFO_V1(gamestats_manage_partitions);
Datum
gamestats_manage_partitions(PG_FUNCTION_ARGS)
{
	Oid			relid;
	Interval   *interval;
	Interval   *retention = NULL;
	int			premake;
	char	   *mode;
	char	   *epoch = NULL;
	bool		has_start = !PG_ARGISNULL(6);
	TimestampTz start = 0;
	bool		want_default;
	TimestampTz now;
	GsTable		t;
	GsRun		run;
	int			nest;
	int64		last;
	int			i;
	Oid			types[9] = {OIDOID, NAMEOID, OIDOID, INTERVALOID, INTERVALOID,
	INT4OID, TEXTOID, TEXTOID, BOOLOID};
	Datum		values[9];
	char		nulls[9];

	gs_require_arg(fcinfo, 0, "parent");
	gs_require_arg(fcinfo, 1, "partition_interval");
	gs_require_arg(fcinfo, 3, "premake");
	gs_require_arg(fcinfo, 4, "retention_mode");
	gs_require_arg(fcinfo, 7, "default_partition");

	relid = PG_GETARG_OID(0);
	interval = PG_GETARG_INTERVAL_P(1);
	if (!PG_ARGISNULL(2))
		retention = PG_GETARG_INTERVAL_P(2);
	premake = PG_GETARG_INT32(3);
	mode = text_to_cstring(PG_GETARG_TEXT_PP(4));
	if (!PG_ARGISNULL(5))
		epoch = text_to_cstring(PG_GETARG_TEXT_PP(5));
	if (has_start)
		start = PG_GETARG_TIMESTAMPTZ(6);
	want_default = PG_GETARG_BOOL(7);
	now = PG_ARGISNULL(8) ? GetCurrentTransactionStartTimestamp() : PG_GETARG_TIMESTAMPTZ(8);
	if (TIMESTAMP_NOT_FINITE(now))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("now must be finite"),
				 errhint("Pass a real time, or null for the current time.")));

	gs_forbid_in_recovery("manage partitions");
	require_table(relid, "Pass an existing partitioned table.");
	gs_check_owner(relid, "manage its partitions");
	if (retention != NULL)
		gs_check_retention(retention, now);
	check_premake(premake);
	(void) parse_retention_mode(mode);
	if (has_start && TIMESTAMP_NOT_FINITE(start))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("start_time must be finite"),
				 errhint("Pass the time of the oldest partition to create, or null for now.")));

	/* before the table is inspected with arguments meant for a new one */
	SPI_connect();
	if (is_managed(relid))
		ereport(ERROR,
				(errcode(ERRCODE_DUPLICATE_OBJECT),
				 errmsg("table \"%s\" is already managed by pg_gamestats", get_rel_name(relid)),
				 errhint("Use gamestats.alter_partitions() to change its settings, or gamestats.unmanage_partitions() first.")));

	nest = gs_begin_lock_timeout();
	gs_inspect_parent(relid, interval, epoch, &t);
	t.has_retention = (retention != NULL);
	if (retention != NULL)
		t.retention = *retention;
	t.premake = premake;
	t.detach = parse_retention_mode(mode);
	t.want_default = want_default;

	last = gs_slot_floor(&t.step, now);
	for (i = 0; i < premake; i++)
		last = gs_slot_next(&t.step, last);
	if (has_start && gs_slot_floor(&t.step, start) > last)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("start_time %s is after the last premade partition of table \"%s\"",
						timestamptz_to_str(start), t.relname),
				 errhint("Pass a start_time before now() plus premake intervals, or null.")));

	memset(nulls, ' ', sizeof(nulls));
	values[0] = ObjectIdGetDatum(relid);
	values[1] = DirectFunctionCall1(namein, CStringGetDatum(t.keyname));
	values[2] = ObjectIdGetDatum(gs_key_type(t.kind));
	values[3] = IntervalPGetDatum(interval);
	values[4] = retention ? IntervalPGetDatum(retention) : (Datum) 0;
	nulls[4] = retention ? ' ' : 'n';
	values[5] = Int32GetDatum(premake);
	values[6] = CStringGetTextDatum(mode);
	values[7] = epoch ? CStringGetTextDatum(epoch) : (Datum) 0;
	nulls[7] = epoch ? ' ' : 'n';
	values[8] = BoolGetDatum(want_default);
	config_exec("INSERT INTO gamestats.partition_config"
				" (parent, control, key_type, partition_interval, retention, premake,"
				"  retention_mode, epoch, default_partition)"
				" VALUES ($1::pg_catalog.regclass, $2, $3::pg_catalog.regtype, $4, $5, $6, $7, $8, $9)"
				" ON CONFLICT (parent) DO NOTHING",
				9, types, values, nulls, false);
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_DUPLICATE_OBJECT),
				 errmsg("table \"%s\" is already managed by pg_gamestats", t.relname),
				 errhint("Use gamestats.alter_partitions() to change its settings, or gamestats.unmanage_partitions() first.")));

	gs_init_run(&run, true);
	gs_maintain_create(&t, now, has_start, start, &run);
	store_default_rows(relid, run.default_rows);

	SPI_finish();
	gs_end_settings(nest);

	PG_RETURN_INT32(run.created);
}

/*
 * gamestats.alter_partitions(parent regclass, retention interval,
 *     premake integer, retention_mode text, clear_retention boolean)
 *     RETURNS void
 *
 * Changes the settings of a managed table; NULL keeps a setting, and
 * clear_retention => true keeps partitions forever.  Takes effect at the
 * next maintenance.  Takes no locks on the table.
 */
PG_FUNCTION_INFO_V1(gamestats_alter_partitions);
Datum
gamestats_alter_partitions(PG_FUNCTION_ARGS)
{
	Oid			relid;
	bool		clear;
	Oid			types[5] = {OIDOID, INTERVALOID, INT4OID, TEXTOID, BOOLOID};
	Datum		values[5];
	char		nulls[5];

	gs_require_arg(fcinfo, 0, "parent");
	gs_require_arg(fcinfo, 4, "clear_retention");
	relid = PG_GETARG_OID(0);
	clear = PG_GETARG_BOOL(4);

	gs_forbid_in_recovery("alter partitions");
	require_table(relid, "gamestats.managed_tables lists the managed tables.");
	gs_check_owner(relid, "alter its partitions");
	if (!PG_ARGISNULL(1))
	{
		if (clear)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("cannot both set and clear the retention of table \"%s\"",
							get_rel_name(relid)),
					 errhint("Pass either retention or clear_retention => true.")));
		gs_check_retention(PG_GETARG_INTERVAL_P(1), GetCurrentTransactionStartTimestamp());
	}
	if (!PG_ARGISNULL(2))
		check_premake(PG_GETARG_INT32(2));
	if (!PG_ARGISNULL(3))
		(void) parse_retention_mode(text_to_cstring(PG_GETARG_TEXT_PP(3)));

	SPI_connect();
	require_managed(relid);

	memset(nulls, ' ', sizeof(nulls));
	values[0] = ObjectIdGetDatum(relid);
	values[1] = PG_ARGISNULL(1) ? (Datum) 0 : PG_GETARG_DATUM(1);
	nulls[1] = PG_ARGISNULL(1) ? 'n' : ' ';
	values[2] = PG_ARGISNULL(2) ? (Datum) 0 : PG_GETARG_DATUM(2);
	nulls[2] = PG_ARGISNULL(2) ? 'n' : ' ';
	values[3] = PG_ARGISNULL(3) ? (Datum) 0 : PG_GETARG_DATUM(3);
	nulls[3] = PG_ARGISNULL(3) ? 'n' : ' ';
	values[4] = BoolGetDatum(clear);
	config_exec("UPDATE gamestats.partition_config SET"
				" retention = CASE WHEN $5 THEN NULL ELSE COALESCE($2, retention) END,"
				" premake = COALESCE($3, premake),"
				" retention_mode = COALESCE($4, retention_mode)"
				" WHERE parent OPERATOR(pg_catalog.=) $1::pg_catalog.regclass",
				5, types, values, nulls, false);
	SPI_finish();
	PG_RETURN_VOID();
}

/*
 * gamestats.unmanage_partitions(parent regclass) RETURNS void
 *
 * Stops managing the table.  Drops nothing: partitions and the default
 * partition stay.  Takes no locks on the table.
 */
PG_FUNCTION_INFO_V1(gamestats_unmanage_partitions);
Datum
gamestats_unmanage_partitions(PG_FUNCTION_ARGS)
{
	Oid			relid;
	Oid			types[1] = {OIDOID};
	Datum		values[1];

	gs_require_arg(fcinfo, 0, "parent");
	relid = PG_GETARG_OID(0);
	gs_forbid_in_recovery("unmanage partitions");

	SPI_connect();
	/* a superuser may forget a table dropped while event triggers were off */
	if (!(superuser() && is_managed(relid)))
	{
		require_table(relid, "gamestats.managed_tables lists the managed tables.");
		gs_check_owner(relid, "unmanage its partitions");
	}
	values[0] = ObjectIdGetDatum(relid);
	config_exec("DELETE FROM gamestats.partition_config"
				" WHERE parent OPERATOR(pg_catalog.=) $1::pg_catalog.regclass",
				1, types, values, NULL, false);
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("table \"%s\" is not managed by pg_gamestats", get_rel_name(relid)),
				 errhint("gamestats.managed_tables lists the managed tables.")));
	SPI_finish();
	PG_RETURN_VOID();
}

/* one managed table in a maintenance run */
typedef struct RunItem
{
	Oid			parent;
	Interval	interval;
	bool		has_retention;
	Interval	retention;
	int			premake;
	bool		detach;
	char	   *epoch;
	bool		want_default;
	bool		has_last_run;
	TimestampTz last_run;		/* as loaded: a skip is recorded only if no
								 * run has ended since */
	int64		now;
	bool		skipped;		/* not maintained by this run */
	bool		busy;			/* ... because another run holds its lock */
	bool		inspected;
	GsTable		t;
	GsRun		run;
	TimestampTz started;
	int64		elapsed;		/* microseconds */
} RunItem;

static void
item_inspect(RunItem *it)
{
	int			nest = gs_begin_lock_timeout();

	gs_inspect_parent(it->parent, &it->interval, it->epoch, &it->t);
	gs_end_settings(nest);
	/* a stored retention may predate the checks of manage and alter */
	if (it->has_retention)
		gs_check_retention(&it->retention, it->now);
	it->t.has_retention = it->has_retention;
	it->t.retention = it->retention;
	it->t.premake = it->premake;
	it->t.detach = it->detach;
	it->t.want_default = it->want_default;
	it->inspected = true;
}

static void
item_create(void *arg)
{
	RunItem    *it = (RunItem *) arg;

	item_inspect(it);
	gs_maintain_create(&it->t, it->now, false, 0, &it->run);
}

static void
item_retention(void *arg)
{
	RunItem    *it = (RunItem *) arg;

	gs_maintain_retention(&it->t, it->now, &it->run);
}

/* The configuration of one managed table (only) or of all (InvalidOid). */
static List *
load_items(Oid only, int64 now)
{
	Oid			types[1] = {OIDOID};
	Datum		values[1];
	List	   *items = NIL;
	uint64		i;

	values[0] = ObjectIdGetDatum(only);
	config_exec("SELECT parent::pg_catalog.oid, partition_interval, retention, premake,"
				"       retention_mode, epoch, default_partition, last_run"
				"  FROM gamestats.partition_config"
				" WHERE $1 OPERATOR(pg_catalog.=) 0"
				"    OR parent OPERATOR(pg_catalog.=) $1::pg_catalog.regclass"
				" ORDER BY 1",
				1, types, values, NULL, true);
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	row = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		Datum		d;
		RunItem    *it = palloc0(sizeof(RunItem));

		it->parent = DatumGetObjectId(SPI_getbinval(row, desc, 1, &isnull));
		it->interval = *DatumGetIntervalP(SPI_getbinval(row, desc, 2, &isnull));
		d = SPI_getbinval(row, desc, 3, &isnull);
		it->has_retention = !isnull;
		if (!isnull)
			it->retention = *DatumGetIntervalP(d);
		it->premake = DatumGetInt32(SPI_getbinval(row, desc, 4, &isnull));
		it->detach = parse_retention_mode(SPI_getvalue(row, desc, 5));
		it->epoch = SPI_getvalue(row, desc, 6);
		it->want_default = DatumGetBool(SPI_getbinval(row, desc, 7, &isnull));
		d = SPI_getbinval(row, desc, 8, &isnull);
		it->has_last_run = !isnull;
		if (!isnull)
			it->last_run = DatumGetTimestampTz(d);
		it->now = now;
		gs_init_run(&it->run, false);
		items = lappend(items, it);
	}
	return items;
}

/*
 * Takes the transaction-level lock that serialises maintenance of parent,
 * without waiting.  Its tag is one that no SQL advisory lock call can make
 * (see GS_ADVISORY_FIELD4).
 */
static bool
lock_item(Oid parent)
{
	LOCKTAG		tag;

	SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, GS_ADVISORY_KEY, (uint32) parent,
						 GS_ADVISORY_FIELD4);
	return LockAcquire(&tag, ExclusiveLock, false, true) != LOCKACQUIRE_NOT_AVAIL;
}

static ArrayType *
make_array(Datum *values, bool *nulls, int n, Oid elemtype)
{
	int			dims[1];
	int			lbs[1] = {1};
	int16		typlen;
	bool		typbyval;
	char		typalign;

	dims[0] = n;
	get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
	return construct_md_array(values, nulls, 1, dims, lbs, elemtype,
							  typlen, typbyval, typalign);
}

/*
 * Records that another session was maintaining the table, in last_error --
 * unless that run has recorded its own result meanwhile (last_run changed)
 * or is about to (it holds the row: SKIP LOCKED, so this never waits).
 * last_run and last_duration keep describing the last run that did the
 * work.
 */
static void
record_skip(RunItem *it)
{
	Oid			types[2] = {OIDOID, TEXTOID};
	Datum		values[2];
	bool		isnull;
	Datum		seen;

	values[0] = ObjectIdGetDatum(it->parent);
	config_exec("SELECT last_run FROM gamestats.partition_config"
				" WHERE parent OPERATOR(pg_catalog.=) $1::pg_catalog.regclass"
				"   FOR UPDATE SKIP LOCKED",
				1, types, values, NULL, false);
	if (SPI_processed == 0)
		return;
	seen = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	if (isnull != !it->has_last_run ||
		(!isnull && DatumGetTimestampTz(seen) != it->last_run))
		return;
	values[1] = CStringGetTextDatum(GS_SKIPPED);
	config_exec("INSERT INTO gamestats.partition_errors AS e (parent, last_error)"
				" VALUES ($1::pg_catalog.regclass, $2)"
				" ON CONFLICT (parent) DO UPDATE SET last_error = excluded.last_error",
				2, types, values, NULL, false);
}

/*
 * Records last_run, last_duration, last_error, default_rows of the
 * maintained items in one UPDATE, and the skips of the busy ones.
 */
static void
record_items(List *items)
{
	int			n = list_length(items);
	Datum	   *parents = palloc(n * sizeof(Datum));
	Datum	   *starts = palloc(n * sizeof(Datum));
	Datum	   *durations = palloc(n * sizeof(Datum));
	Datum	   *errors = palloc(n * sizeof(Datum));
	Datum	   *rows = palloc(n * sizeof(Datum));
	bool	   *noerror = palloc(n * sizeof(bool));
	bool	   *norows = palloc(n * sizeof(bool));
	Oid			types[5] = {OIDARRAYOID, TIMESTAMPTZARRAYOID, INTERVALARRAYOID,
	TEXTARRAYOID, INT8ARRAYOID};
	Datum		values[5];
	ListCell   *lc;
	int			i = 0;

	foreach(lc, items)
	{
		RunItem    *it = (RunItem *) lfirst(lc);
		Interval   *dur;

		if (it->busy)
			record_skip(it);
		if (it->skipped)
			continue;
		dur = palloc0(sizeof(Interval));
		dur->time = it->elapsed;
		parents[i] = ObjectIdGetDatum(it->parent);
		starts[i] = TimestampTzGetDatum(it->started);
		durations[i] = IntervalPGetDatum(dur);
		noerror[i] = (it->run.errors.len == 0);
		errors[i] = noerror[i] ? (Datum) 0 : CStringGetTextDatum(it->run.errors.data);
		norows[i] = (it->run.default_rows < 0);
		rows[i] = Int64GetDatum(it->run.default_rows);
		i++;
	}
	if (i == 0)
		return;

	values[0] = PointerGetDatum(make_array(parents, NULL, i, OIDOID));
	values[1] = PointerGetDatum(make_array(starts, NULL, i, TIMESTAMPTZOID));
	values[2] = PointerGetDatum(make_array(durations, NULL, i, INTERVALOID));
	values[3] = PointerGetDatum(make_array(errors, noerror, i, TEXTOID));
	values[4] = PointerGetDatum(make_array(rows, norows, i, INT8OID));
	/*
	 * The errors go to partition_errors, which only the view shows, and
	 * only to roles that may read the table (messages quote rows).  Only
	 * tables whose row the UPDATE found (and locked) get one.
	 */
	config_exec("WITH r AS ("
				" UPDATE gamestats.partition_config c"
				"   SET last_run = u.last_run, last_duration = u.last_duration,"
				"       default_rows = COALESCE(u.default_rows, c.default_rows)"
				"  FROM ROWS FROM (pg_catalog.unnest($1), pg_catalog.unnest($2),"
				"                 pg_catalog.unnest($3), pg_catalog.unnest($4),"
				"                 pg_catalog.unnest($5))"
				"       AS u(parent, last_run, last_duration, last_error, default_rows)"
				" WHERE c.parent OPERATOR(pg_catalog.=) u.parent::pg_catalog.regclass"
				" RETURNING c.parent, u.last_error),"
				" d AS (DELETE FROM gamestats.partition_errors e USING r"
				"        WHERE e.parent OPERATOR(pg_catalog.=) r.parent AND r.last_error IS NULL)"
				" INSERT INTO gamestats.partition_errors AS e (parent, last_error)"
				" SELECT r.parent, r.last_error FROM r WHERE r.last_error IS NOT NULL"
				" ON CONFLICT (parent) DO UPDATE SET last_error = excluded.last_error",
				5, types, values, NULL, false);
}

/*
 * Decides whether this run maintains the item: a table dropped while event
 * triggers were off is forgotten, one of another owner is left out, and one
 * whose maintenance lock another run holds is skipped (and reported).
 */
static bool
item_claim(RunItem *it)
{
	if (!SearchSysCacheExists1(RELOID, ObjectIdGetDatum(it->parent)))
	{
		Oid			types[1] = {OIDOID};
		Datum		values[1];

		values[0] = ObjectIdGetDatum(it->parent);
		config_exec("DELETE FROM gamestats.partition_config"
					" WHERE parent OPERATOR(pg_catalog.=) $1::pg_catalog.regclass",
					1, types, values, NULL, false);
		it->skipped = true;
		return false;
	}
	if (!gs_is_owner(it->parent))
	{
		it->skipped = true;
		return false;
	}
	if (!lock_item(it->parent))
	{
		it->skipped = true;
		it->busy = true;
		appendStringInfoString(&it->run.errors, GS_SKIPPED);
		return false;
	}
	return true;
}

static void
item_run_create(RunItem *it)
{
	TimestampTz t0;

	it->started = t0 = GetCurrentTimestamp();
	(void) gs_try(item_create, it, &it->run, "maintenance");
	it->elapsed += GetCurrentTimestamp() - t0;
}

static void
item_run_retention(RunItem *it)
{
	TimestampTz t0;

	if (it->skipped || !it->inspected || !it->has_retention)
		return;
	t0 = GetCurrentTimestamp();
	(void) gs_try(item_retention, it, &it->run, "retention");
	it->elapsed += GetCurrentTimestamp() - t0;
}

/*
 * Maintains the items, SPI connected.  Atomic: first creates missing
 * partitions for all of them (moving default rows), then applies retention,
 * so that the ACCESS EXCLUSIVE locks retention needs are held only for the
 * short end of the run; every lock is held until the caller commits.  Not
 * atomic (SPI_OPT_NONATOMIC, from a CALL outside a transaction block):
 * each table is maintained, recorded and committed before the next one, so
 * that its locks are released as soon as it is done.
 */
static void
run_items(List *items, bool atomic)
{
	ListCell   *lc;

	if (!atomic)
	{
		foreach(lc, items)
		{
			RunItem    *it = (RunItem *) lfirst(lc);

			EnsurePortalSnapshotExists();
			if (item_claim(it))
			{
				item_run_create(it);
				item_run_retention(it);
			}
			record_items(list_make1(it));
			SPI_commit();
		}
		return;
	}

	foreach(lc, items)
	{
		RunItem    *it = (RunItem *) lfirst(lc);

		if (item_claim(it))
			item_run_create(it);
	}
	foreach(lc, items)
		item_run_retention((RunItem *) lfirst(lc));
	record_items(items);
}

/* the now argument of the run functions, or the transaction's start */
static int64
run_now(FunctionCallInfo fcinfo, int argno)
{
	int64		now;

	now = PG_ARGISNULL(argno) ? GetCurrentTransactionStartTimestamp() :
		PG_GETARG_TIMESTAMPTZ(argno);
	if (TIMESTAMP_NOT_FINITE(now))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("now must be finite"),
				 errhint("Leave now null to use the current time.")));
	return now;
}

/* the parent argument of the run functions: NULL for all, never OID 0 */
static Oid
run_only(FunctionCallInfo fcinfo, int argno)
{
	Oid			only;

	if (PG_ARGISNULL(argno))
		return InvalidOid;
	only = PG_GETARG_OID(argno);
	require_table(only, "Pass a managed table, or NULL to maintain every managed table you own.");
	gs_check_owner(only, "maintain its partitions");
	return only;
}

/*
 * gamestats.run_maintenance(parent regclass DEFAULT NULL,
 *     now timestamptz DEFAULT NULL)
 *     RETURNS TABLE (parent regclass, created integer, dropped integer,
 *                    detached integer, moved_rows bigint, error text)
 *
 * Maintains one managed table, or every managed table the caller owns, in
 * the caller's transaction (see run_items: all locks are held until it
 * commits; gamestats.run_maintenance_proc() releases them table by
 * table).  Each table and each step runs in its own subtransaction; a
 * failing step (such as a lock timeout) is skipped, recorded in
 * managed_tables.last_error and returned, and the rest goes on.  A table
 * whose maintenance runs in another session is skipped, and that is
 * recorded and returned too.  "now" fixes the clock, for tests and
 * backfills.  On a hot standby returns no rows.
 */
PG_FUNCTION_INFO_V1(gamestats_run_maintenance);
Datum
gamestats_run_maintenance(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	Tuplestorestate *store = gs_srf_begin(fcinfo, false, &tupdesc);
	Oid			only;
	int64		now;
	List	   *items;
	ListCell   *lc;

	if (RecoveryInProgress())
		PG_RETURN_NULL();
	now = run_now(fcinfo, 1);
	only = run_only(fcinfo, 0);

	SPI_connect();
	if (OidIsValid(only))
		require_managed(only);
	else
		gs_season_rollover_all(now);	/* archives first: their rows get partitions */
	items = load_items(only, now);
	run_items(items, true);

	foreach(lc, items)
	{
		RunItem    *it = (RunItem *) lfirst(lc);
		Datum		values[6];
		bool		nulls[6] = {false, false, false, false, false, false};

		if (it->skipped && !it->busy)
			continue;			/* dropped, or not the caller's table */
		values[0] = ObjectIdGetDatum(it->parent);
		values[1] = Int32GetDatum(it->run.created);
		values[2] = Int32GetDatum(it->run.dropped);
		values[3] = Int32GetDatum(it->run.detached);
		values[4] = Int64GetDatum(it->run.moved);
		if (it->run.errors.len > 0)
			values[5] = CStringGetTextDatum(it->run.errors.data);
		else
			nulls[5] = true;
		tuplestore_putvalues(store, tupdesc, values, nulls);
	}
	SPI_finish();

	PG_RETURN_NULL();
}

/*
 * PROCEDURE gamestats.run_maintenance_proc(parent regclass DEFAULT NULL,
 *     now timestamptz DEFAULT NULL)
 *
 * The same maintenance as gamestats.run_maintenance(), for CALL: outside a
 * transaction block it commits after each table, so that the locks taken
 * for one table (SHARE ROW EXCLUSIVE on its parent, ACCESS EXCLUSIVE on its
 * default partition) are released before the next table is maintained.
 * Inside a transaction block it cannot commit and works like
 * run_maintenance().  The results are in gamestats.managed_tables.  This is
 * what the pg_cron job of schedule_maintenance() calls.
 */
PG_FUNCTION_INFO_V1(gamestats_run_maintenance_proc);
Datum
gamestats_run_maintenance_proc(PG_FUNCTION_ARGS)
{
	bool		atomic = !(fcinfo->context != NULL &&
						   IsA(fcinfo->context, CallContext) &&
						   !castNode(CallContext, fcinfo->context)->atomic);
	Oid			only;
	int64		now;
	List	   *items;

	if (RecoveryInProgress())
		PG_RETURN_VOID();
	now = run_now(fcinfo, 1);
	only = run_only(fcinfo, 0);

	SPI_connect_ext(atomic ? 0 : SPI_OPT_NONATOMIC);
	if (OidIsValid(only))
		require_managed(only);
	else
		gs_season_rollover_all(now);	/* archives first: their rows get partitions */
	items = load_items(only, now);
	run_items(items, atomic);
	SPI_finish();

	PG_RETURN_VOID();
}

/*
 * gamestats.schedule_maintenance(schedule text DEFAULT '*' '/10 * * * *',
 *     database name DEFAULT NULL) RETURNS bigint
 *
 * Creates (or replaces: same job name) the pg_cron job that runs
 * gamestats.run_maintenance() as the current user, in this database or in
 * "database".  Needs pg_cron installed in this database.  Returns the job
 * id.
 */
PG_FUNCTION_INFO_V1(gamestats_schedule_maintenance);
Datum
gamestats_schedule_maintenance(PG_FUNCTION_ARGS)
{
	char	   *schedule;
	char	   *here = get_database_name(MyDatabaseId);
	char	   *db;
	Oid			types[4] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID};
	Datum		values[4];
	bool		isnull;
	int64		jobid;
	int			ret;

	gs_require_arg(fcinfo, 0, "schedule");
	schedule = text_to_cstring(PG_GETARG_TEXT_PP(0));
	db = PG_ARGISNULL(1) ? here : pstrdup(NameStr(*PG_GETARG_NAME(1)));

	gs_require_pg_cron();

	SPI_connect();
	values[1] = CStringGetTextDatum(schedule);
	values[2] = CStringGetTextDatum(GS_CRON_COMMAND);
	if (strcmp(db, here) == 0)
	{
		values[0] = CStringGetTextDatum(GS_CRON_JOB);
		ret = SPI_execute_with_args("SELECT cron.schedule($1, $2, $3)",
									3, types, values, NULL, false, 0);
	}
	else
	{
		values[0] = CStringGetTextDatum(psprintf("%s-%s", GS_CRON_JOB, db));
		values[3] = CStringGetTextDatum(db);
		ret = SPI_execute_with_args("SELECT cron.schedule_in_database($1, $2, $3, $4)",
									4, types, values, NULL, false, 0);
	}
	if (ret != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "cron.schedule did not return a job id");
	jobid = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
										SPI_tuptable->tupdesc, 1, &isnull));
	SPI_finish();
	PG_RETURN_INT64(jobid);
}

/*
 * gamestats.partition_bounds(parent regclass, epoch text DEFAULT NULL)
 *     RETURNS TABLE (partition regclass, range_from timestamptz,
 *                    range_to timestamptz, is_default boolean)
 *
 * The partitions of a range-partitioned table with their bounds as
 * timestamptz (timestamp keys read as UTC, dates as midnight UTC, bigint
 * keys as epoch seconds or, with epoch => 'milliseconds', milliseconds);
 * MINVALUE/MAXVALUE show as -infinity/infinity, the default partition with
 * NULL bounds.  Reads the catalogs without locking, so it never waits.
 */
PG_FUNCTION_INFO_V1(gamestats_partition_bounds);
Datum
gamestats_partition_bounds(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	Tuplestorestate *store = gs_srf_begin(fcinfo, false, &tupdesc);
	Oid			relid;
	HeapTuple	tup;
	Form_pg_partitioned_table pt;
	Oid			keytype;
	GsKeyKind	kind;
	GsKeyKind	epoch_kind;
	Oid			defoid;
	List	   *bounds;
	ListCell   *lc;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	relid = PG_GETARG_OID(0);
	/* checked whatever the key type, so that a typo never goes unnoticed */
	epoch_kind = gs_bounds_epoch_kind(PG_ARGISNULL(1) ? NULL :
									  text_to_cstring(PG_GETARG_TEXT_PP(1)));

	tup = SearchSysCache1(PARTRELID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(tup))
		PG_RETURN_NULL();
	pt = (Form_pg_partitioned_table) GETSTRUCT(tup);
	if (pt->partstrat != PARTITION_STRATEGY_RANGE || pt->partnatts != 1 ||
		pt->partattrs.values[0] == 0)
	{
		ReleaseSysCache(tup);
		PG_RETURN_NULL();
	}
	keytype = get_atttype(relid, pt->partattrs.values[0]);
	ReleaseSysCache(tup);

	if (!gs_key_kind_of(keytype, epoch_kind, &kind))
		PG_RETURN_NULL();

	bounds = gs_read_bounds(relid, kind, &defoid);
	foreach(lc, bounds)
	{
		GsBound    *b = (GsBound *) lfirst(lc);
		Datum		values[4];
		bool		nulls[4] = {false, false, false, false};

		values[0] = ObjectIdGetDatum(b->relid);
		values[1] = TimestampTzGetDatum(b->lo);
		values[2] = TimestampTzGetDatum(b->hi);
		nulls[1] = nulls[2] = b->is_default;
		values[3] = BoolGetDatum(b->is_default);
		tuplestore_putvalues(store, tupdesc, values, nulls);
	}
	PG_RETURN_NULL();
}
