/*-------------------------------------------------------------------------
 *
 * rollup.c
 *	  Rollups: per-bucket aggregates of a managed event table, kept
 *	  incrementally.  Statement-level triggers with transition tables on the
 *	  source record the time range each statement touched, per rollup, in
 *	  gamestats.rollup_pending; a refresh consumes the entries its snapshot
 *	  sees and aggregates those buckets again (delete and insert per range),
 *	  plus the open bucket.  TRUNCATE and dropped partitions record nothing,
 *	  so rollup rows outlive the raw rows that retention drops.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/parsenodes.h"
#include "optimizer/optimizer.h"
#include "parser/parse_coerce.h"
#include "parser/parse_collate.h"
#include "parser/parse_expr.h"
#include "parser/parse_node.h"
#include "parser/parse_relation.h"
#include "parser/parser.h"
#include "rewrite/rewriteManip.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/partcache.h"
#include "utils/rel.h"
#include "utils/ruleutils.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"
#include "utils/varlena.h"

#include "pg_gamestats.h"
#include "partition.h"
#include "rollup.h"

/* trigger names on a source, one per event */
static const char *const track_events[3][3] = {
	{"gamestats_rollup_insert", "INSERT", "NEW TABLE AS gamestats_new"},
	{"gamestats_rollup_update", "UPDATE", "OLD TABLE AS gamestats_old NEW TABLE AS gamestats_new"},
	{"gamestats_rollup_delete", "DELETE", "OLD TABLE AS gamestats_old"},
};

/* one rollup, as configured */
typedef struct GsRollup
{
	Oid			rollup;
	Oid			source;
	Oid			owner;
	char	   *qualname;
	char	   *srcname;
	char	   *keyname;
	GsKeyKind	kind;
	GsStep		step;
	Interval	width;
	char	   *group_list;		/* quoted, comma-separated; "" if none */
	int			ngroups;
	char	   *select_list;
	char	   *filter;
	bool		has_retention;
	Interval	retention;
	bool		src_retention;
	Interval	src_retention_iv;
} GsRollup;

/* a range of bucket starts [lo, hi) */
typedef struct GsRange
{
	int64		lo;
	int64		hi;
} GsRange;

static int
catalog_exec(const char *table, const char *sql, int nargs, Oid *types,
			 Datum *values, const char *nulls, bool read_only)
{
	return gs_spi_exec(sql, nargs, types, values, nulls, read_only, 0,
					   gs_catalog_owner(table));
}

static char *
epoch_arg(GsKeyKind kind)
{
	return kind == GS_KEY_EPOCH_S ? "seconds" :
		kind == GS_KEY_EPOCH_MS ? "milliseconds" : NULL;
}

/*
 * Loads the configuration of a rollup, SPI connected; errors out if it is
 * not one.  lock: FOR NO KEY UPDATE of its row, which serialises refreshes
 * (writers never lock it).
 */
static void
load_rollup(Oid rollup, bool lock, GsRollup *r)
{
	Oid			types[1] = {OIDOID};
	Datum		values[1];
	HeapTuple	row;
	TupleDesc	desc;
	bool		isnull;
	Datum		d;
	Datum	   *groups;
	int			ngroups;
	StringInfoData buf;
	char	   *epoch;
	Interval	width;

	values[0] = ObjectIdGetDatum(rollup);
	catalog_exec("rollup_config",
				 psprintf("SELECT r.source::pg_catalog.oid, r.bucket, r.group_by, r.select_list,"
						  "       r.filter, r.retention, p.control, p.key_type::pg_catalog.oid, p.epoch,"
						  "       p.retention"
						  "  FROM gamestats.rollup_config r"
						  "  LEFT JOIN gamestats.partition_config p ON p.parent OPERATOR(pg_catalog.=) r.source"
						  " WHERE r.rollup OPERATOR(pg_catalog.=) $1::pg_catalog.regclass%s",
						  lock ? " FOR NO KEY UPDATE OF r" : ""),
				 1, types, values, NULL, !lock);
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("table \"%s\" is not a rollup", get_rel_name(rollup)),
				 errhint("Create rollups with gamestats.create_rollup(); gamestats.rollups lists them.")));
	row = SPI_tuptable->vals[0];
	desc = SPI_tuptable->tupdesc;
	r->rollup = rollup;
	r->source = DatumGetObjectId(SPI_getbinval(row, desc, 1, &isnull));
	width = *DatumGetIntervalP(SPI_getbinval(row, desc, 2, &isnull));
	deconstruct_array(DatumGetArrayTypeP(SPI_getbinval(row, desc, 3, &isnull)),
					  NAMEOID, NAMEDATALEN, false, TYPALIGN_CHAR,
					  &groups, NULL, &ngroups);
	initStringInfo(&buf);
	for (int i = 0; i < ngroups; i++)
		appendStringInfo(&buf, "%s%s", i > 0 ? ", " : "",
						 quote_identifier(NameStr(*DatumGetName(groups[i]))));
	r->group_list = buf.data;
	r->ngroups = ngroups;
	r->select_list = SPI_getvalue(row, desc, 4);
	r->filter = SPI_getvalue(row, desc, 5);
	d = SPI_getbinval(row, desc, 6, &isnull);
	r->has_retention = !isnull;
	if (!isnull)
		r->retention = *DatumGetIntervalP(d);
	r->keyname = SPI_getvalue(row, desc, 7);
	if (r->keyname == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("source table of rollup \"%s\" is no longer managed by pg_gamestats",
						get_rel_name(rollup)),
				 errhint("Call gamestats.manage_partitions() on it again, or drop the rollup with gamestats.drop_rollup().")));
	epoch = SPI_getvalue(row, desc, 9);
	r->srcname = gs_qualified_name(r->source);
	r->kind = gs_key_kind(DatumGetObjectId(SPI_getbinval(row, desc, 8, &isnull)),
						  epoch, get_rel_name(r->source));
	d = SPI_getbinval(row, desc, 10, &isnull);
	r->src_retention = !isnull;
	if (!isnull)
		r->src_retention_iv = *DatumGetIntervalP(d);
	gs_parse_step(&width, GS_KEY_TIMESTAMPTZ, get_rel_name(rollup), &r->step);
	r->width = width;
	r->qualname = gs_qualified_name(rollup);
	r->owner = gs_rel_class(rollup).relowner;
}

static int
bucket_range_cmp(const void *a, const void *b)
{
	const GsRange *x = a;
	const GsRange *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo ? 1 : 0;
}

/*
 * Turns raw time ranges (inclusive) into sorted, disjoint ranges of whole
 * buckets, each starting at or after floor (GS_TS_MIN: none).  Returns how
 * many; *nbuckets gets the buckets they hold.
 */
static int
merge_ranges(const GsStep *step, GsRange *ranges, int n, int64 floor,
			 int64 *nbuckets)
{
	int			m = 0;

	*nbuckets = 0;
	for (int i = 0; i < n; i++)
	{
		ranges[i].lo = gs_slot_floor(step, ranges[i].lo);
		ranges[i].hi = gs_slot_next(step, gs_slot_floor(step, ranges[i].hi));
	}
	if (floor != GS_TS_MIN)
	{
		int64		first = gs_slot_floor(step, floor);

		if (first < floor)
			first = gs_slot_next(step, first);
		for (int i = 0; i < n; i++)
			if (ranges[i].lo < first)
				ranges[i].lo = Min(first, ranges[i].hi);
	}
	qsort(ranges, n, sizeof(GsRange), bucket_range_cmp);
	for (int i = 0; i < n; i++)
	{
		if (ranges[i].lo >= ranges[i].hi)
			continue;
		if (m > 0 && ranges[i].lo <= ranges[m - 1].hi)
			ranges[m - 1].hi = Max(ranges[m - 1].hi, ranges[i].hi);
		else
			ranges[m++] = ranges[i];
	}
	for (int i = 0; i < m; i++)
		for (int64 b = ranges[i].lo; b < ranges[i].hi; b = gs_slot_next(step, b))
			(*nbuckets)++;
	return m;
}

/*
 * The oldest bucket a refresh may aggregate again.  Buckets older than the
 * rollup's retention are deleted.  When the source has retention, raw rows
 * can only have been lost before both its oldest partition and now minus
 * its retention (retention drops whole partitions from the oldest on): a
 * bucket starting before that may have lost rows and keeps its values,
 * except in the first fill, which takes what exists.  Rows older than the
 * oldest partition that sit in the default partition are newer than the
 * cutoff or were never dropped, so they still count.
 */
static int64
refresh_floor(GsRollup *r, int64 now, bool fill)
{
	int64		floor = GS_TS_MIN;

	if (r->has_retention)
		floor = gs_slot_floor(&r->step, gs_ts_minus_interval(now, &r->retention));
	if (r->src_retention && !fill)
	{
		int64		lost_before = gs_ts_minus_interval(now, &r->src_retention_iv);
		Oid			defoid;
		List	   *bounds = gs_read_bounds(r->source, r->kind, &defoid);
		ListCell   *lc;

		foreach(lc, bounds)
		{
			GsBound    *b = lfirst(lc);

			if (!b->is_default && b->lo != GS_TS_MIN && b->lo < lost_before)
				lost_before = b->lo;
		}
		if (lost_before > floor)
			floor = lost_before;
	}
	return floor;
}

/* Deletes and aggregates again the buckets of [lo, hi), as the rollup's owner. */
static void
aggregate_range(GsRollup *r, int64 lo, int64 hi)
{
	Oid			types[4];
	Datum		values[4];
	char	   *sql;

	types[0] = TIMESTAMPTZOID;
	types[1] = TIMESTAMPTZOID;
	values[0] = TimestampTzGetDatum(lo);
	values[1] = TimestampTzGetDatum(hi);
	gs_spi_exec(psprintf("DELETE FROM %s WHERE bucket OPERATOR(pg_catalog.>=) $1"
						 " AND bucket OPERATOR(pg_catalog.<) $2", r->qualname),
				2, types, values, NULL, false, 0, r->owner);

	types[0] = types[1] = gs_key_type(r->kind);
	values[0] = gs_ts_to_key(r->kind, lo);
	values[1] = gs_ts_to_key(r->kind, hi);
	types[2] = INTERVALOID;
	values[2] = IntervalPGetDatum(&r->width);
	types[3] = TEXTOID;
	values[3] = epoch_arg(r->kind) ? CStringGetTextDatum(epoch_arg(r->kind)) : (Datum) 0;
	sql = psprintf("INSERT INTO %s SELECT gamestats.bucket_start($3, %s, $4), %s%s%s"
				   "  FROM %s WHERE %s OPERATOR(pg_catalog.>=) $1 AND %s OPERATOR(pg_catalog.<) $2%s%s%s"
				   " GROUP BY 1%s%s",
				   r->qualname, quote_identifier(r->keyname),
				   r->group_list, r->ngroups > 0 ? ", " : "", r->select_list,
				   r->srcname, quote_identifier(r->keyname), quote_identifier(r->keyname),
				   r->filter ? " AND (" : "", r->filter ? r->filter : "", r->filter ? ")" : "",
				   r->ngroups > 0 ? ", " : "", r->group_list);
	gs_spi_exec(sql, 4, types, values, epoch_arg(r->kind) ? NULL : "   n",
				false, 0, r->owner);
}

/*
 * Refreshes one rollup, SPI connected: consumes the pending entries this
 * statement's snapshot sees (entries of transactions still running stay
 * for the next refresh), adds the open bucket, deletes rows older than the
 * rollup's retention and aggregates the buckets again.  Returns the buckets
 * aggregated.
 */
static int64
refresh_one(Oid rollup, int64 now, bool fill)
{
	GsRollup	r;
	Oid			types[3] = {OIDOID, INT8OID, FLOAT8OID};
	Datum		values[3];
	GsRange    *ranges;
	int			n;
	int64		nbuckets;
	int64		floor;
	TimestampTz t0 = GetCurrentTimestamp();

	load_rollup(rollup, true, &r);
	values[0] = ObjectIdGetDatum(rollup);
	catalog_exec("rollup_pending",
				 "DELETE FROM gamestats.rollup_pending"
				 " WHERE rollup OPERATOR(pg_catalog.=) $1::pg_catalog.regclass"
				 " RETURNING lo, hi",
				 1, types, values, NULL, false);
	n = (int) SPI_processed;
	ranges = palloc((n + 1) * sizeof(GsRange));
	for (int i = 0; i < n; i++)
	{
		bool		isnull;

		ranges[i].lo = DatumGetTimestampTz(SPI_getbinval(SPI_tuptable->vals[i],
														 SPI_tuptable->tupdesc, 1, &isnull));
		ranges[i].hi = DatumGetTimestampTz(SPI_getbinval(SPI_tuptable->vals[i],
														 SPI_tuptable->tupdesc, 2, &isnull));
	}
	ranges[n].lo = ranges[n].hi = now;
	n++;

	floor = refresh_floor(&r, now, fill);
	if (r.has_retention)
	{
		Oid			t1[1] = {TIMESTAMPTZOID};
		Datum		v1[1];

		v1[0] = TimestampTzGetDatum(gs_slot_floor(&r.step,
												  gs_ts_minus_interval(now, &r.retention)));
		gs_spi_exec(psprintf("DELETE FROM %s WHERE bucket OPERATOR(pg_catalog.<) $1", r.qualname),
					1, t1, v1, NULL, false, 0, r.owner);
	}
	n = merge_ranges(&r.step, ranges, n, floor, &nbuckets);
	for (int i = 0; i < n; i++)
		aggregate_range(&r, ranges[i].lo, ranges[i].hi);

	values[1] = Int64GetDatum(nbuckets);
	values[2] = Float8GetDatum((GetCurrentTimestamp() - t0) / 1000.0);
	catalog_exec("rollup_config",
				 "WITH d AS (DELETE FROM gamestats.rollup_errors"
				 "            WHERE rollup OPERATOR(pg_catalog.=) $1::pg_catalog.regclass)"
				 " UPDATE gamestats.rollup_config SET last_refresh_at = pg_catalog.now(),"
				 "        last_buckets = $2, last_refresh_ms = $3"
				 "  WHERE rollup OPERATOR(pg_catalog.=) $1::pg_catalog.regclass",
				 3, types, values, NULL, false);
	return nbuckets;
}

/*
 * gamestats.refresh_rollup(rollup regclass) RETURNS bigint
 *
 * Aggregates again the buckets of the rollup that got new, changed or
 * deleted rows since the last refresh, and the open bucket; returns how
 * many buckets.  Owner only.  Locks the rollup's configuration row (one
 * refresh at a time) and takes ROW EXCLUSIVE on the rollup.
 */
PG_FUNCTION_INFO_V1(gamestats_refresh_rollup);
Datum
gamestats_refresh_rollup(PG_FUNCTION_ARGS)
{
	Oid			rollup = PG_GETARG_OID(0);
	int64		n;

	gs_forbid_in_recovery("refresh a rollup");
	if (!SearchSysCacheExists1(RELOID, ObjectIdGetDatum(rollup)))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", rollup)));
	gs_check_owner(rollup, "refresh it");
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	n = refresh_one(rollup, GetCurrentTransactionStartTimestamp(), false);
	SPI_finish();
	PG_RETURN_INT64(n);
}

typedef struct RefreshArg
{
	Oid			rollup;
	int64		now;
} RefreshArg;

static void
refresh_in_subxact(void *arg)
{
	RefreshArg *a = arg;

	(void) refresh_one(a->rollup, a->now, false);
}

/*
 * Refreshes every rollup of source, each in its own subtransaction, SPI
 * connected (maintenance calls it before retention).  A failure is recorded
 * in rollup_errors and noted in errors; returns false if any failed, and
 * then retention must wait: it could drop raw rows no rollup has yet.
 */
bool
gs_refresh_rollups_of(Oid source, int64 now, StringInfo errors)
{
	Oid			types[2] = {OIDOID, TEXTOID};
	Datum		values[2];
	Oid		   *rollups;
	int			n;
	bool		ok = true;

	values[0] = ObjectIdGetDatum(source);
	catalog_exec("rollup_config",
				 "SELECT rollup::pg_catalog.oid FROM gamestats.rollup_config"
				 " WHERE source OPERATOR(pg_catalog.=) $1::pg_catalog.regclass ORDER BY 1",
				 1, types, values, NULL, true);
	n = (int) SPI_processed;
	rollups = palloc(Max(n, 1) * sizeof(Oid));
	for (int i = 0; i < n; i++)
	{
		bool		isnull;

		rollups[i] = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[i],
													SPI_tuptable->tupdesc, 1, &isnull));
	}
	for (int i = 0; i < n; i++)
	{
		RefreshArg	a = {rollups[i], now};
		ErrorData  *edata;

		if (!SearchSysCacheExists1(RELOID, ObjectIdGetDatum(rollups[i])))
			continue;
		edata = gs_run_in_subxact(refresh_in_subxact, &a);
		if (edata == NULL)
			continue;
		ok = false;
		if (errors->len > 0)
			appendStringInfoString(errors, "; ");
		appendStringInfo(errors, "rollup %s: %s (retention waits for it)",
						 get_rel_name(rollups[i]), edata->message);
		values[0] = ObjectIdGetDatum(rollups[i]);
		values[1] = CStringGetTextDatum(edata->message);
		catalog_exec("rollup_errors",
					 "INSERT INTO gamestats.rollup_errors AS e (rollup, last_error)"
					 " VALUES ($1::pg_catalog.regclass, $2)"
					 " ON CONFLICT (rollup) DO UPDATE SET last_error = excluded.last_error",
					 2, types, values, NULL, false);
		FreeErrorData(edata);
	}
	return ok;
}

/*
 * gamestats.rollup_track() RETURNS trigger
 *
 * AFTER INSERT/UPDATE/DELETE ... FOR EACH STATEMENT trigger on the source
 * of rollups, with transition tables: records the range of times the
 * statement touched, once per rollup of the source, in rollup_pending, in
 * the writer's transaction.  Rows whose time is null or infinite belong to
 * no bucket and are not recorded.  Argument: the epoch of a bigint key.
 */
static SPIPlanPtr track_plan = NULL;

PG_FUNCTION_INFO_V1(gamestats_rollup_track);
Datum
gamestats_rollup_track(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	Relation	rel;
	PartitionKey key;
	AttrNumber	attno;
	GsKeyKind	kind;
	int64		lo = GS_TS_MAX;
	int64		hi = GS_TS_MIN;
	Tuplestorestate *stores[2];
	const char *epoch;
	Oid			types[3] = {OIDOID, TIMESTAMPTZOID, TIMESTAMPTZOID};
	Datum		values[3];
	GsOwnerContext ctx;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_AFTER(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_STATEMENT(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("gamestats.rollup_track() must be called as an AFTER ... FOR EACH STATEMENT trigger"),
				 errhint("gamestats.create_rollup() creates the triggers it needs.")));
	rel = trigdata->tg_relation;
	if (rel->rd_rel->relkind != RELKIND_PARTITIONED_TABLE)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("gamestats.rollup_track() cannot track table \"%s\": it is not partitioned",
						RelationGetRelationName(rel))));
	key = RelationGetPartitionKey(rel);
	attno = get_partition_col_attnum(key, 0);
	epoch = trigdata->tg_trigger->tgnargs > 0 && trigdata->tg_trigger->tgargs[0][0] != '\0' ?
		trigdata->tg_trigger->tgargs[0] : NULL;
	kind = gs_key_kind(get_partition_col_typid(key, 0), epoch, RelationGetRelationName(rel));

	stores[0] = trigdata->tg_newtable;
	stores[1] = trigdata->tg_oldtable;
	for (int s = 0; s < 2; s++)
	{
		TupleTableSlot *slot;

		if (stores[s] == NULL)
			continue;
		slot = MakeSingleTupleTableSlot(RelationGetDescr(rel), &TTSOpsMinimalTuple);
		tuplestore_rescan(stores[s]);
		while (tuplestore_gettupleslot(stores[s], true, false, slot))
		{
			bool		isnull;
			Datum		d = slot_getattr(slot, attno, &isnull);
			int64		ts;

			if (isnull)
				continue;
			ts = gs_key_to_ts(kind, d);
			if (ts == GS_TS_MIN || ts == GS_TS_MAX)
				continue;
			if (ts < lo)
				lo = ts;
			if (ts > hi)
				hi = ts;
		}
		ExecDropSingleTupleTableSlot(slot);
	}
	if (lo > hi)
		return PointerGetDatum(NULL);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	values[0] = ObjectIdGetDatum(RelationGetRelid(rel));
	values[1] = TimestampTzGetDatum(lo);
	values[2] = TimestampTzGetDatum(hi);
	/* planned once per session: this runs in every writing statement */
	gs_owner_context_enter(&ctx, gs_catalog_owner("rollup_pending"));
	if (track_plan == NULL)
	{
		SPIPlanPtr	plan = SPI_prepare("INSERT INTO gamestats.rollup_pending (rollup, lo, hi)"
									   " SELECT c.rollup, $2, $3 FROM gamestats.rollup_config c"
									   "  WHERE c.source OPERATOR(pg_catalog.=) $1::pg_catalog.regclass",
									   3, types);

		if (plan == NULL || SPI_keepplan(plan) != 0)
			elog(ERROR, "could not prepare the tracking statement: %s",
				 SPI_result_code_string(SPI_result));
		track_plan = plan;
	}
	if (SPI_execute_plan(track_plan, values, NULL, false, 0) != SPI_OK_INSERT)
		elog(ERROR, "could not record the pending range of table \"%s\"",
			 RelationGetRelationName(rel));
	gs_owner_context_leave(&ctx);
	SPI_finish();
	return PointerGetDatum(NULL);
}

/*
 * gamestats.bucket_start(bucket interval, t anyelement, epoch text DEFAULT NULL)
 * RETURNS timestamptz
 *
 * Start of the UTC-aligned bucket of width bucket holding t (a timestamptz,
 * timestamp, date, or bigint epoch seconds/milliseconds), as rollups
 * compute it.  NULL or infinite t: NULL.
 */
PG_FUNCTION_INFO_V1(gamestats_bucket_start);
Datum
gamestats_bucket_start(PG_FUNCTION_ARGS)
{
	typedef struct
	{
		Interval	width;
		Oid			type;
		GsKeyKind	kind;
		GsStep		step;
	}			Cache;
	Cache	   *c = fcinfo->flinfo->fn_extra;
	Interval   *width;
	Oid			type = get_fn_expr_argtype(fcinfo->flinfo, 1);
	char	   *epoch;
	int64		ts;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	width = PG_GETARG_INTERVAL_P(0);
	epoch = PG_ARGISNULL(2) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(2));
	if (c == NULL || memcmp(&c->width, width, sizeof(Interval)) != 0 || c->type != type)
	{
		if (c == NULL)
			c = fcinfo->flinfo->fn_extra =
				MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(Cache));
		c->type = InvalidOid;
		c->kind = gs_key_kind(type, epoch, "bucket_start");
		gs_parse_step(width, GS_KEY_TIMESTAMPTZ, "bucket_start", &c->step);
		c->width = *width;
		c->type = type;
	}
	ts = gs_key_to_ts(c->kind, PG_GETARG_DATUM(1));
	if (ts == GS_TS_MIN || ts == GS_TS_MAX)
		PG_RETURN_NULL();
	PG_RETURN_TIMESTAMPTZ(gs_slot_floor(&c->step, ts));
}

/* ---- create_rollup: checking the definition ---- */

/* a parsed SELECT with nothing but a target list and maybe a WHERE */
static SelectStmt *
parse_select(const char *sql, const char *argname, const char *text)
{
	List	   *stmts;
	SelectStmt *s;

	stmts = raw_parser(sql, RAW_PARSE_DEFAULT);
	if (list_length(stmts) != 1 ||
		!IsA(((RawStmt *) linitial(stmts))->stmt, SelectStmt))
		goto bad;
	s = (SelectStmt *) ((RawStmt *) linitial(stmts))->stmt;
	if (s->op != SETOP_NONE || s->intoClause || s->fromClause || s->groupClause ||
		s->havingClause || s->windowClause || s->valuesLists || s->sortClause ||
		s->limitOffset || s->limitCount || s->lockingClause || s->withClause ||
		s->distinctClause || s->groupDistinct)
		goto bad;
	return s;
bad:
	ereport(ERROR,
			(errcode(ERRCODE_SYNTAX_ERROR),
			 errmsg("%s of rollup is not a single expression list: %s", argname, text),
			 errhint("Pass only the expressions, e.g. aggregates => 'count(*) AS kills, sum(value) AS total', filter => $$kind = 'kill'$$.")));
	return NULL;
}

/* an expression over the source's columns, checked and deparsed */
static char *
cook_expr(Relation src, Node *raw, ParseExprKind exprkind, const char *what,
		  const char *text, bool boolean)
{
	ParseState *pstate = make_parsestate(NULL);
	ParseNamespaceItem *nsitem;
	Node	   *expr;
	List	   *dpcontext;

	pstate->p_sourcetext = text;
	nsitem = addRangeTableEntryForRelation(pstate, src, AccessShareLock, NULL, false, true);
	addNSItemToQuery(pstate, nsitem, false, true, true);
	expr = transformExpr(pstate, raw, exprkind);
	if (boolean)
		expr = coerce_to_boolean(pstate, expr, "filter");
	assign_expr_collations(pstate, expr);
	if (pstate->p_hasAggs || pstate->p_hasWindowFuncs || pstate->p_hasTargetSRFs ||
		checkExprHasSubLink(expr))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s of rollup may not use aggregates, window functions, set-returning functions or subqueries: %s",
						what, text),
				 errhint("Use an expression over the columns of the row.")));
	if (contain_mutable_functions(expr))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s of rollup must be immutable: %s", what, text),
				 errhint("A rollup aggregates each bucket again later; its expressions must give the same result then (no now(), random() or lookups).")));
	dpcontext = deparse_context_for(RelationGetRelationName(src), RelationGetRelid(src));
	free_parsestate(pstate);
	return deparse_expression(expr, dpcontext, false, false);
}

static const char *const agg_names[] = {"count", "sum", "min", "max", "avg"};

/* the select list of the rollup's columns, from the aggregates argument */
static char *
cook_aggregates(Relation src, const char *text, List **names)
{
	SelectStmt *s = parse_select(psprintf("SELECT %s", text), "aggregates", text);
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	*names = NIL;
	foreach(lc, s->targetList)
	{
		ResTarget  *rt = lfirst(lc);
		FuncCall   *fc = (FuncCall *) rt->val;
		char	   *fname = NULL;
		char	   *arg = NULL;
		bool		known = false;

		if (rt->val && IsA(rt->val, FuncCall))
		{
			char	   *schema;

			DeconstructQualifiedName(fc->funcname, &schema, &fname);
			if (schema == NULL || strcmp(schema, "pg_catalog") == 0)
				for (int i = 0; i < lengthof(agg_names); i++)
					known |= strcmp(fname, agg_names[i]) == 0;
		}
		if (!known)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("rollups support only count, sum, min, max and avg: %s", text),
					 errdetail("A rollup merges buckets, and only these aggregates merge exactly."),
					 errhint("Write each aggregate as name(expression) AS column, e.g. count(*) AS kills; compute other statistics from the rollup's columns when you read it.")));
		if (fc->agg_order || fc->agg_filter || fc->agg_within_group || fc->agg_distinct ||
			fc->over || fc->func_variadic ||
			(fc->agg_star ? strcmp(fname, "count") != 0 : list_length(fc->args) != 1))
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("aggregate %s of rollup must take one expression, without DISTINCT, ORDER BY, FILTER or OVER: %s",
							fname, text),
					 errhint("Use the filter argument of gamestats.create_rollup() for FILTER; DISTINCT counts do not merge across buckets.")));
		if (rt->name == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("aggregate %s of rollup has no column name: %s", fname, text),
					 errhint("Name each aggregate with AS, e.g. count(*) AS kills.")));
		if (!fc->agg_star)
			arg = cook_expr(src, linitial(fc->args), EXPR_KIND_SELECT_TARGET,
							"aggregate argument", text, false);
		if (buf.len > 0)
			appendStringInfoString(&buf, ", ");
		if (strcmp(fname, "avg") == 0)
		{
			char	   *sumname = psprintf("%s_sum", rt->name);
			char	   *cntname = psprintf("%s_count", rt->name);

			appendStringInfo(&buf, "pg_catalog.sum(%s) AS %s, pg_catalog.count(%s) AS %s",
							 arg, quote_identifier(sumname), arg, quote_identifier(cntname));
			*names = lappend(lappend(*names, sumname), cntname);
		}
		else
		{
			appendStringInfo(&buf, "pg_catalog.%s(%s) AS %s", fname,
							 fc->agg_star ? "*" : arg, quote_identifier(rt->name));
			*names = lappend(*names, pstrdup(rt->name));
		}
	}
	return buf.data;
}

/* a column name not yet taken by the rollup */
static void
claim_name(List **taken, const char *name, const char *what)
{
	ListCell   *lc;

	if (strcmp(name, "bucket") == 0)
		ereport(ERROR,
				(errcode(ERRCODE_DUPLICATE_COLUMN),
				 errmsg("%s \"%s\" of rollup collides with its column \"bucket\"", what, name),
				 errhint("Pick another name for it (with AS for an aggregate).")));
	foreach(lc, *taken)
		if (strcmp(lfirst(lc), name) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_DUPLICATE_COLUMN),
					 errmsg("rollup would have two columns named \"%s\"", name),
					 errhint("Give every group-by column and aggregate its own name (an avg named x takes x_sum and x_count).")));
	*taken = lappend(*taken, (char *) name);
}

static void
create_triggers(Oid source, const char *srcname, GsKeyKind kind)
{
	for (int i = 0; i < 3; i++)
	{
		Oid			types[2] = {OIDOID, TEXTOID};
		Datum		values[2];

		values[0] = ObjectIdGetDatum(source);
		values[1] = CStringGetTextDatum(track_events[i][0]);
		gs_spi_exec("SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid OPERATOR(pg_catalog.=) $1"
					" AND tgname OPERATOR(pg_catalog.=) $2::pg_catalog.name",
					2, types, values, NULL, false, 0, InvalidOid);
		if (SPI_processed > 0)
			continue;
		gs_spi_exec(psprintf("CREATE TRIGGER %s AFTER %s ON %s REFERENCING %s"
							 " FOR EACH STATEMENT EXECUTE FUNCTION gamestats.rollup_track(%s)",
							 track_events[i][0], track_events[i][1], srcname,
							 track_events[i][2],
							 quote_literal_cstr(epoch_arg(kind) ? epoch_arg(kind) : "")),
					0, NULL, NULL, NULL, false, 0, InvalidOid);
	}
}

/*
 * gamestats.create_rollup(rollup text, source regclass, bucket interval,
 *     group_by text[], aggregates text, filter text DEFAULT NULL,
 *     retention interval DEFAULT NULL) RETURNS regclass
 *
 * Creates the table rollup (bucket, <group_by>, <aggregates>) with a unique
 * key on (bucket, <group_by>), the tracking triggers on source (once per
 * source), and fills it from the rows source has.  The caller must own the
 * source; the rollup belongs to the caller.  Takes SHARE ROW EXCLUSIVE on
 * the source (CREATE TRIGGER) until commit.
 */
PG_FUNCTION_INFO_V1(gamestats_create_rollup);
Datum
gamestats_create_rollup(PG_FUNCTION_ARGS)
{
	char	   *name;
	Oid			source;
	Interval   *width;
	ArrayType  *groups;
	char	   *aggtext;
	char	   *filtertext;
	RangeVar   *rv;
	Oid			nspid;
	char	   *qualname;
	char	   *srcname;
	Relation	src;
	GsStep		step;
	List	   *taken = NIL;
	List	   *aggnames;
	char	   *select_list;
	char	   *filter = NULL;
	StringInfoData glist;
	Datum	   *gvals;
	bool	   *gnulls;
	int			ng;
	Oid			rollup;
	GsKeyKind	kind;
	char	   *keyname;
	Oid			types[8] = {OIDOID, OIDOID, INTERVALOID, NAMEARRAYOID, TEXTOID,
	TEXTOID, TEXTOID, INTERVALOID};
	Datum		values[8];
	char		nulls[8] = {' ', ' ', ' ', ' ', ' ', ' ', ' ', ' '};
	Datum	   *names;
	GsOwnerContext ctx;

	gs_require_arg(fcinfo, 0, "rollup");
	gs_require_arg(fcinfo, 1, "source");
	gs_require_arg(fcinfo, 2, "bucket");
	gs_require_arg(fcinfo, 3, "group_by");
	gs_require_arg(fcinfo, 4, "aggregates");
	gs_forbid_in_recovery("create a rollup");
	name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	source = PG_GETARG_OID(1);
	width = PG_GETARG_INTERVAL_P(2);
	groups = PG_GETARG_ARRAYTYPE_P(3);
	aggtext = text_to_cstring(PG_GETARG_TEXT_PP(4));
	filtertext = PG_ARGISNULL(5) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(5));

	rv = makeRangeVarFromNameList(textToQualifiedNameList(PG_GETARG_TEXT_PP(0)));
	nspid = RangeVarGetCreationNamespace(rv);
	qualname = quote_qualified_identifier(get_namespace_name(nspid), rv->relname);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	values[0] = ObjectIdGetDatum(source);
	catalog_exec("partition_config",
				 "SELECT control, key_type::pg_catalog.oid, epoch FROM gamestats.partition_config"
				 " WHERE parent OPERATOR(pg_catalog.=) $1::pg_catalog.regclass",
				 1, types, values, NULL, true);
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("table \"%s\" is not managed by pg_gamestats", get_rel_name(source)),
				 errhint("Call gamestats.manage_partitions() first.")));
	{
		bool		isnull;

		keyname = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
		kind = gs_key_kind(DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[0],
														  SPI_tuptable->tupdesc, 2, &isnull)),
						   SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3),
						   get_rel_name(source));
	}
	gs_check_owner(source, "create a rollup on it");
	gs_parse_step(width, GS_KEY_TIMESTAMPTZ, rv->relname, &step);
	if (!PG_ARGISNULL(6))
		gs_check_retention(PG_GETARG_INTERVAL_P(6), GetCurrentTransactionStartTimestamp());

	src = table_open(source, AccessShareLock);
	srcname = gs_qualified_name(source);

	/* group-by columns: existing user columns, each once */
	deconstruct_array(groups, TEXTOID, -1, false, TYPALIGN_INT, &gvals, &gnulls, &ng);
	if (ARR_NDIM(groups) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("group_by of rollup must be a one-dimensional array")));
	initStringInfo(&glist);
	names = palloc(Max(ng, 1) * sizeof(Datum));
	for (int i = 0; i < ng; i++)
	{
		char	   *col;
		AttrNumber	att;

		if (gnulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("group_by of rollup may not contain nulls")));
		col = TextDatumGetCString(gvals[i]);
		att = get_attnum(source, col);
		if (att <= 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("column \"%s\" of group_by does not exist in table \"%s\"",
							col, get_rel_name(source)),
					 errhint("Name columns of the source table in group_by, e.g. '{player_id}'.")));
		claim_name(&taken, col, "group-by column");
		appendStringInfo(&glist, "%s, ", quote_identifier(col));
		names[i] = DirectFunctionCall1(namein, CStringGetDatum(col));
	}

	/* deparsed under the safe search_path: names outside it come qualified */
	gs_owner_context_enter(&ctx, InvalidOid);
	select_list = cook_aggregates(src, aggtext, &aggnames);
	{
		ListCell   *lc;

		foreach(lc, aggnames)
			claim_name(&taken, lfirst(lc), "aggregate");
	}
	if (filtertext)
	{
		SelectStmt *s = parse_select(psprintf("SELECT 1 WHERE %s", filtertext), "filter", filtertext);

		if (s->whereClause == NULL || list_length(s->targetList) != 1)
			ereport(ERROR,
					(errcode(ERRCODE_SYNTAX_ERROR),
					 errmsg("filter of rollup is not a single expression list: %s", filtertext)));
		filter = cook_expr(src, s->whereClause, EXPR_KIND_WHERE, "filter", filtertext, true);
	}
	gs_owner_context_leave(&ctx);
	table_close(src, NoLock);

	/* the table, typed by the aggregates, and its key */
	gs_spi_exec(psprintf("CREATE TABLE %s AS SELECT NULL::pg_catalog.timestamptz AS bucket, %s%s"
						 "  FROM %s%s%.*s WITH NO DATA",
						 qualname, glist.data, select_list, srcname,
						 ng > 0 ? " GROUP BY " : "", glist.len > 2 ? glist.len - 2 : 0, glist.data),
				0, NULL, NULL, NULL, false, 0, InvalidOid);
	gs_spi_exec(psprintf("ALTER TABLE %s ALTER bucket SET NOT NULL,"
						 " ADD UNIQUE NULLS NOT DISTINCT (bucket%s%.*s)",
						 qualname, ng > 0 ? ", " : "", glist.len > 2 ? glist.len - 2 : 0, glist.data),
				0, NULL, NULL, NULL, false, 0, InvalidOid);
	rollup = RangeVarGetRelid(makeRangeVar(get_namespace_name(nspid), rv->relname, -1),
							  NoLock, false);
	create_triggers(source, srcname, kind);

	values[0] = ObjectIdGetDatum(rollup);
	values[1] = ObjectIdGetDatum(source);
	values[2] = IntervalPGetDatum(width);
	values[3] = PointerGetDatum(construct_array(names, ng, NAMEOID, NAMEDATALEN, false, TYPALIGN_CHAR));
	values[4] = CStringGetTextDatum(aggtext);
	values[5] = CStringGetTextDatum(select_list);
	if (filter)
		values[6] = CStringGetTextDatum(filter);
	else
		nulls[6] = 'n';
	if (PG_ARGISNULL(6))
		nulls[7] = 'n';
	else
		values[7] = IntervalPGetDatum(PG_GETARG_INTERVAL_P(6));
	catalog_exec("rollup_config",
				 "INSERT INTO gamestats.rollup_config"
				 " (rollup, source, bucket, group_by, aggregates, select_list, filter, retention)"
				 " VALUES ($1::pg_catalog.regclass, $2::pg_catalog.regclass, $3, $4, $5, $6, $7, $8)",
				 8, types, values, nulls, false);

	/* fill: everything the source holds is pending */
	gs_spi_exec(psprintf("SELECT pg_catalog.min(%s), pg_catalog.max(%s) FROM %s",
						 quote_identifier(keyname), quote_identifier(keyname), srcname),
				0, NULL, NULL, NULL, true, 0, InvalidOid);
	{
		bool		n1,
					n2;
		Datum		lo = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &n1);
		Datum		hi = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &n2);

		if (!n1 && !n2)
		{
			int64		tlo = gs_key_to_ts(kind, lo);
			int64		thi = gs_key_to_ts(kind, hi);
			Oid			t3[3] = {OIDOID, TIMESTAMPTZOID, TIMESTAMPTZOID};
			Datum		v3[3];

			/* infinite times belong to no bucket */
			if (tlo == GS_TS_MIN || thi == GS_TS_MAX)
			{
				gs_spi_exec(psprintf("SELECT pg_catalog.min(%s), pg_catalog.max(%s) FROM %s"
									 " WHERE %s OPERATOR(pg_catalog.>) $1 AND %s OPERATOR(pg_catalog.<) $2",
									 quote_identifier(keyname), quote_identifier(keyname), srcname,
									 quote_identifier(keyname), quote_identifier(keyname)),
							2, (Oid[]) {gs_key_type(kind), gs_key_type(kind)},
							(Datum[]) {gs_ts_to_key(kind, GS_TS_MIN), gs_ts_to_key(kind, GS_TS_MAX)},
							NULL, true, 0, InvalidOid);
				lo = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &n1);
				hi = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &n2);
				tlo = n1 ? 0 : gs_key_to_ts(kind, lo);
				thi = n2 ? -1 : gs_key_to_ts(kind, hi);
			}
			if (tlo <= thi)
			{
				v3[0] = ObjectIdGetDatum(rollup);
				v3[1] = TimestampTzGetDatum(tlo);
				v3[2] = TimestampTzGetDatum(thi);
				catalog_exec("rollup_pending",
							 "INSERT INTO gamestats.rollup_pending (rollup, lo, hi)"
							 " VALUES ($1::pg_catalog.regclass, $2, $3)",
							 3, t3, v3, NULL, false);
			}
		}
	}
	(void) refresh_one(rollup, GetCurrentTransactionStartTimestamp(), true);
	SPI_finish();
	pfree(name);
	PG_RETURN_OID(rollup);
}

/*
 * gamestats.drop_rollup(rollup regclass) RETURNS void
 *
 * Drops the rollup table and its configuration, and the tracking triggers
 * of its source when no other rollup needs them.  Owner only.
 */
PG_FUNCTION_INFO_V1(gamestats_drop_rollup);
Datum
gamestats_drop_rollup(PG_FUNCTION_ARGS)
{
	Oid			rollup = PG_GETARG_OID(0);
	GsRollup	r;
	Oid			types[1] = {OIDOID};
	Datum		values[1];

	gs_forbid_in_recovery("drop a rollup");
	gs_check_owner(rollup, "drop it");
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	load_rollup(rollup, true, &r);
	values[0] = ObjectIdGetDatum(rollup);
	catalog_exec("rollup_config",
				 "WITH p AS (DELETE FROM gamestats.rollup_pending"
				 "            WHERE rollup OPERATOR(pg_catalog.=) $1::pg_catalog.regclass)"
				 " DELETE FROM gamestats.rollup_config"
				 "  WHERE rollup OPERATOR(pg_catalog.=) $1::pg_catalog.regclass",
				 1, types, values, NULL, false);
	gs_spi_exec(psprintf("DROP TABLE %s", r.qualname), 0, NULL, NULL, NULL, false, 0, InvalidOid);
	values[0] = ObjectIdGetDatum(r.source);
	catalog_exec("rollup_config",
				 "SELECT 1 FROM gamestats.rollup_config"
				 " WHERE source OPERATOR(pg_catalog.=) $1::pg_catalog.regclass",
				 1, types, values, NULL, false);
	if (SPI_processed == 0)
		for (int i = 0; i < 3; i++)
			gs_spi_exec(psprintf("DROP TRIGGER IF EXISTS %s ON %s", track_events[i][0], r.srcname),
						0, NULL, NULL, NULL, false, 0, gs_rel_class(r.source).relowner);
	SPI_finish();
	PG_RETURN_VOID();
}

/*
 * gamestats.rollup_pending_buckets(rollup regclass) RETURNS bigint
 *
 * Buckets the next refresh will aggregate again, besides the open one, as
 * far as this snapshot sees.  Reads the pending entries as the extension's
 * owner (they hold times only); takes no lock on the rollup.
 */
PG_FUNCTION_INFO_V1(gamestats_rollup_pending_buckets);
Datum
gamestats_rollup_pending_buckets(PG_FUNCTION_ARGS)
{
	Oid			rollup = PG_GETARG_OID(0);
	GsRollup	r;
	Oid			types[1] = {OIDOID};
	Datum		values[1];
	GsRange    *ranges;
	int			n;
	int64		nbuckets;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	load_rollup(rollup, false, &r);
	values[0] = ObjectIdGetDatum(rollup);
	catalog_exec("rollup_pending",
				 "SELECT lo, hi FROM gamestats.rollup_pending"
				 " WHERE rollup OPERATOR(pg_catalog.=) $1::pg_catalog.regclass",
				 1, types, values, NULL, true);
	n = (int) SPI_processed;
	ranges = palloc(Max(n, 1) * sizeof(GsRange));
	for (int i = 0; i < n; i++)
	{
		bool		isnull;

		ranges[i].lo = DatumGetTimestampTz(SPI_getbinval(SPI_tuptable->vals[i],
														 SPI_tuptable->tupdesc, 1, &isnull));
		ranges[i].hi = DatumGetTimestampTz(SPI_getbinval(SPI_tuptable->vals[i],
														 SPI_tuptable->tupdesc, 2, &isnull));
	}
	(void) merge_ranges(&r.step, ranges, n,
						refresh_floor(&r, GetCurrentTransactionStartTimestamp(), false), &nbuckets);
	SPI_finish();
	PG_RETURN_INT64(nbuckets);
}
