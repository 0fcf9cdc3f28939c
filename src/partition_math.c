/*-------------------------------------------------------------------------
 *
 * partition_math.c
 *	  Partition arithmetic of the partition manager: which intervals are
 *	  supported, UTC-aligned slots, conversions between keys and times,
 *	  partition names, and the bounds of a parent's existing partitions.
 *
 * Nothing here depends on the session's TimeZone or DateStyle: slots are
 * computed on the UTC representation and literals are encoded in ISO form
 * with an explicit +00 offset.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/indexing.h"
#include "catalog/pg_class.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_type.h"
#include "common/int.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "nodes/primnodes.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "pg_gamestats.h"
#include "partition.h"

/* seconds from 1970-01-01 to 2000-01-01 */
#define GS_UNIX_TO_PG_SECS	INT64CONST(946684800)
/* 2000-01-01 was a Saturday: the first Monday is two days later */
#define GS_MONDAY_OFFSET	(INT64CONST(2) * USECS_PER_DAY)

static int64
floor_div(int64 a, int64 b)
{
	int64		q = a / b;

	if ((a % b) != 0 && a < 0)
		q--;
	return q;
}

/* An interval as interval_out writes it, for messages. */
char *
gs_interval_text(const Interval *iv)
{
	return DatumGetCString(DirectFunctionCall1(interval_out,
											   IntervalPGetDatum((Interval *) iv)));
}

/*
 * Kind of a bigint key counting "epoch" units: 'seconds' or
 * 'milliseconds'; an error for anything else.
 */
static GsKeyKind
parse_epoch(const char *epoch)
{
	static const GsChoice epochs[] = {{"seconds", NULL}, {"milliseconds", NULL}};

	return gs_parse_choice("epoch", epoch, epochs, lengthof(epochs)) == 0 ?
		GS_KEY_EPOCH_S : GS_KEY_EPOCH_MS;
}

/*
 * Kind of a key of type "keytype", bigint keys being of kind "bigint_kind";
 * false for a type the manager does not support.
 */
bool
gs_key_kind_of(Oid keytype, GsKeyKind bigint_kind, GsKeyKind *kind)
{
	switch (keytype)
	{
		case TIMESTAMPTZOID:
			*kind = GS_KEY_TIMESTAMPTZ;
			return true;
		case TIMESTAMPOID:
			*kind = GS_KEY_TIMESTAMP;
			return true;
		case DATEOID:
			*kind = GS_KEY_DATE;
			return true;
		case INT8OID:
			*kind = bigint_kind;
			return true;
		default:
			return false;
	}
}

/*
 * Kind of a partition key from its type and the epoch argument; errors out
 * on unsupported types and on an epoch that does not fit the type.
 */
GsKeyKind
gs_key_kind(Oid keytype, const char *epoch, const char *relname)
{
	GsKeyKind	kind;

	if (keytype == INT8OID && epoch == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("partition key of table \"%s\" is bigint but no epoch was given",
						relname),
				 errhint("Pass epoch => 'seconds' or epoch => 'milliseconds' to say what the numbers count.")));
	if (keytype == INT8OID)
		return parse_epoch(epoch);

	if (!gs_key_kind_of(keytype, GS_KEY_EPOCH_S, &kind))
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("partition key of table \"%s\" has unsupported type %s",
						relname, format_type_be(keytype)),
				 errhint("Partition by a timestamptz, timestamp, date, or bigint (epoch seconds or milliseconds) column.")));

	if (epoch != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("epoch applies only to bigint keys, and the key of table \"%s\" is %s",
						relname, format_type_be(keytype)),
				 errhint("Leave epoch null for timestamptz, timestamp and date keys.")));
	return kind;
}

/*
 * Kind of a bigint key for gamestats.partition_bounds(): NULL reads epoch
 * seconds; anything but 'seconds' or 'milliseconds' is an error.
 */
GsKeyKind
gs_bounds_epoch_kind(const char *epoch)
{
	return epoch == NULL ? GS_KEY_EPOCH_S : parse_epoch(epoch);
}

/*
 * Errors out unless "retention" can be used at time "now": positive and
 * finite, with no part of the opposite sign (in '1 mon -29 days' the
 * cutoff moves with the length of the month, and lies after now in
 * February), and short enough that now - retention, and the slot that
 * holds it, are times PostgreSQL can store.
 */
void
gs_check_retention(const Interval *retention, int64 now)
{
	Interval	zero;
	double		span;

	memset(&zero, 0, sizeof(zero));
	if (DatumGetBool(DirectFunctionCall2(interval_le,
										 IntervalPGetDatum((Interval *) retention),
										 IntervalPGetDatum(&zero)))
		|| !gs_interval_is_finite(retention))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("retention must be positive, not \"%s\"", gs_interval_text(retention)),
				 errhint("Pass an interval such as '30 days', or null to keep partitions forever.")));
	if (retention->month < 0 || retention->day < 0 || retention->time < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("retention \"%s\" mixes positive and negative parts",
						gs_interval_text(retention)),
				 errdetail("Its length would change with the length of the months it spans, and now - retention could lie after now."),
				 errhint("Pass an interval whose parts are all positive, such as '30 days' or '1 mon 15 days'.")));

	/*
	 * Longest time the retention can span (months of 31 days), in floating
	 * point so that it cannot overflow; two years of margin for the slot
	 * that holds the cutoff (years floor to January 1st).
	 */
	span = (double) retention->month * 31.0 * USECS_PER_DAY +
		(double) retention->day * USECS_PER_DAY + (double) retention->time;
	if ((double) now - span < (double) MIN_TIMESTAMP + 2.0 * 366.0 * USECS_PER_DAY)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("retention \"%s\" is too long", gs_interval_text(retention)),
				 errdetail("now - retention would be before 4713 BC, the earliest time PostgreSQL can store."),
				 errhint("Pass a shorter retention, or null to keep partitions forever.")));
}

/*
 * Parses a partition interval.  Supported: whole minutes dividing an hour,
 * whole hours dividing a day, 1 day, 1 week, 1 month, 3 months, 1 year.
 */
void
gs_parse_step(const Interval *iv, GsKeyKind kind, const char *relname,
			  GsStep *step)
{
	bool		ok = false;

	memset(step, 0, sizeof(GsStep));

	if (iv->month == 0 && iv->day == 0 && iv->time > 0 &&
		iv->time % USECS_PER_MINUTE == 0)
	{
		int64		minutes = iv->time / USECS_PER_MINUTE;

		if ((minutes < 60 && 60 % minutes == 0) ||
			(minutes % 60 == 0 && minutes <= 24 * 60 && (24 * 60) % minutes == 0))
		{
			step->kind = GS_STEP_FIXED;
			step->usecs = minutes * USECS_PER_MINUTE;
			ok = true;
		}
	}
	else if (iv->month == 0 && iv->time == 0 && iv->day == 1)
	{
		step->kind = GS_STEP_FIXED;
		step->usecs = USECS_PER_DAY;
		ok = true;
	}
	else if (iv->month == 0 && iv->time == 0 && iv->day == 7)
	{
		step->kind = GS_STEP_WEEK;
		step->usecs = 7 * USECS_PER_DAY;
		ok = true;
	}
	else if (iv->day == 0 && iv->time == 0 &&
			 (iv->month == 1 || iv->month == 3 || iv->month == 12))
	{
		step->kind = GS_STEP_MONTHS;
		step->months = iv->month;
		ok = true;
	}

	if (!ok)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unsupported partition_interval \"%s\" for table \"%s\"",
						gs_interval_text(iv), relname),
				 errhint("Use whole minutes that divide an hour (such as 15 minutes), whole hours that divide a day, 1 day, 1 week, 1 month, 3 months or 1 year.")));

	if (kind == GS_KEY_DATE && step->kind == GS_STEP_FIXED &&
		step->usecs < USECS_PER_DAY)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("partition_interval \"%s\" is shorter than a day, but the key of table \"%s\" is a date",
						gs_interval_text(iv), relname),
				 errhint("Use 1 day or longer for date keys.")));
}

static void
ts_to_tm(int64 ts, struct pg_tm *tm, fsec_t *fsec)
{
	if (TIMESTAMP_NOT_FINITE(ts) || timestamp2tm(ts, NULL, tm, fsec, NULL, NULL) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range for partitioning")));
}

static int64
tm_to_ts(struct pg_tm *tm)
{
	Timestamp	result;

	if (tm2timestamp(tm, 0, NULL, &result) != 0 || !IS_VALID_TIMESTAMP(result))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range for partitioning")));
	return result;
}

/* Start of the slot that contains ts. */
int64
gs_slot_floor(const GsStep *step, int64 ts)
{
	struct pg_tm tm;
	fsec_t		fsec;

	switch (step->kind)
	{
		case GS_STEP_FIXED:
			return floor_div(ts, step->usecs) * step->usecs;
		case GS_STEP_WEEK:
			return floor_div(ts - GS_MONDAY_OFFSET, step->usecs) * step->usecs +
				GS_MONDAY_OFFSET;
		case GS_STEP_MONTHS:
			ts_to_tm(ts, &tm, &fsec);
			tm.tm_mon = ((tm.tm_mon - 1) / step->months) * step->months + 1;
			tm.tm_mday = 1;
			tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
			return tm_to_ts(&tm);
	}
	elog(ERROR, "unknown partition step kind %d", (int) step->kind);
	return 0;					/* keep compiler quiet */
}

/* Start of the slot after the one starting at ts. */
int64
gs_slot_next(const GsStep *step, int64 ts)
{
	struct pg_tm tm;
	fsec_t		fsec;
	int64		result;

	if (step->kind == GS_STEP_MONTHS)
	{
		ts_to_tm(ts, &tm, &fsec);
		tm.tm_mon += step->months;
		while (tm.tm_mon > MONTHS_PER_YEAR)
		{
			tm.tm_mon -= MONTHS_PER_YEAR;
			tm.tm_year++;
		}
		return tm_to_ts(&tm);
	}
	if (pg_add_s64_overflow(ts, step->usecs, &result) || !IS_VALID_TIMESTAMP(result))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range for partitioning")));
	return result;
}

/* ts - iv, computed on the UTC calendar (months and days as in UTC). */
int64
gs_ts_minus_interval(int64 ts, const Interval *iv)
{
	return DatumGetTimestamp(DirectFunctionCall2(timestamp_mi_interval,
												 TimestampGetDatum(ts),
												 IntervalPGetDatum((Interval *) iv)));
}

/* Key value to time; values beyond the timestamp range become +-infinity. */
int64
gs_key_to_ts(GsKeyKind kind, Datum value)
{
	int64		v;
	int64		result;

	switch (kind)
	{
		case GS_KEY_TIMESTAMPTZ:
		case GS_KEY_TIMESTAMP:
			return DatumGetInt64(value);
		case GS_KEY_DATE:
			{
				DateADT		d = DatumGetDateADT(value);

				if (DATE_IS_NOBEGIN(d))
					return GS_TS_MIN;
				if (DATE_IS_NOEND(d))
					return GS_TS_MAX;
				return (int64) d * USECS_PER_DAY;
			}
		case GS_KEY_EPOCH_S:
		case GS_KEY_EPOCH_MS:
			v = DatumGetInt64(value);
			if (kind == GS_KEY_EPOCH_S)
			{
				if (pg_sub_s64_overflow(v, GS_UNIX_TO_PG_SECS, &v) ||
					pg_mul_s64_overflow(v, USECS_PER_SEC, &result))
					return (DatumGetInt64(value) < 0) ? GS_TS_MIN : GS_TS_MAX;
			}
			else
			{
				if (pg_sub_s64_overflow(v, GS_UNIX_TO_PG_SECS * 1000, &v) ||
					pg_mul_s64_overflow(v, 1000, &result))
					return (DatumGetInt64(value) < 0) ? GS_TS_MIN : GS_TS_MAX;
			}
			return result;
	}
	elog(ERROR, "unknown partition key kind %d", (int) kind);
	return 0;					/* keep compiler quiet */
}

/* Time (a slot boundary) to a key value. */
Datum
gs_ts_to_key(GsKeyKind kind, int64 ts)
{
	switch (kind)
	{
		case GS_KEY_TIMESTAMPTZ:
		case GS_KEY_TIMESTAMP:
			return Int64GetDatum(ts);
		case GS_KEY_DATE:
			{
				int64		days = floor_div(ts, USECS_PER_DAY);

				if (days < (int64) (DATETIME_MIN_JULIAN - POSTGRES_EPOCH_JDATE) ||
					days >= (int64) (DATE_END_JULIAN - POSTGRES_EPOCH_JDATE))
					ereport(ERROR,
							(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
							 errmsg("date out of range for partitioning")));
				return DateADTGetDatum((DateADT) days);
			}
		case GS_KEY_EPOCH_S:
			return Int64GetDatum(floor_div(ts, USECS_PER_SEC) + GS_UNIX_TO_PG_SECS);
		case GS_KEY_EPOCH_MS:
			return Int64GetDatum(floor_div(ts, 1000) + GS_UNIX_TO_PG_SECS * 1000);
	}
	elog(ERROR, "unknown partition key kind %d", (int) kind);
	return (Datum) 0;			/* keep compiler quiet */
}

Oid
gs_key_type(GsKeyKind kind)
{
	switch (kind)
	{
		case GS_KEY_TIMESTAMPTZ:
			return TIMESTAMPTZOID;
		case GS_KEY_TIMESTAMP:
			return TIMESTAMPOID;
		case GS_KEY_DATE:
			return DATEOID;
		case GS_KEY_EPOCH_S:
		case GS_KEY_EPOCH_MS:
			return INT8OID;
	}
	elog(ERROR, "unknown partition key kind %d", (int) kind);
	return InvalidOid;			/* keep compiler quiet */
}

/*
 * SQL literal of a slot boundary as a value of the key type, e.g.
 * '2024-03-01 00:00:00+00'::pg_catalog.timestamptz.  Independent of the
 * session's DateStyle and TimeZone.
 */
char *
gs_key_literal(GsKeyKind kind, int64 ts)
{
	char		buf[MAXDATELEN + 1];
	struct pg_tm tm;
	fsec_t		fsec;
	Datum		key = gs_ts_to_key(kind, ts);

	switch (kind)
	{
		case GS_KEY_TIMESTAMPTZ:
		case GS_KEY_TIMESTAMP:
			ts_to_tm(ts, &tm, &fsec);
			tm.tm_isdst = 0;	/* else EncodeDateTime omits the offset */
			EncodeDateTime(&tm, fsec, kind == GS_KEY_TIMESTAMPTZ, 0, NULL,
						   USE_ISO_DATES, buf);
			return psprintf("%s::pg_catalog.%s", quote_literal_cstr(buf),
							kind == GS_KEY_TIMESTAMPTZ ? "timestamptz" : "timestamp");
		case GS_KEY_DATE:
			j2date(DatumGetDateADT(key) + POSTGRES_EPOCH_JDATE,
				   &tm.tm_year, &tm.tm_mon, &tm.tm_mday);
			EncodeDateOnly(&tm, USE_ISO_DATES, buf);
			return psprintf("%s::pg_catalog.date", quote_literal_cstr(buf));
		case GS_KEY_EPOCH_S:
		case GS_KEY_EPOCH_MS:
			return psprintf("'" INT64_FORMAT "'::pg_catalog.int8", DatumGetInt64(key));
	}
	elog(ERROR, "unknown partition key kind %d", (int) kind);
	return NULL;				/* keep compiler quiet */
}

/* parent name clipped (by whole characters) so that parent+suffix fits */
static void
clip_name(const char *parent, const char *suffix, char *out)
{
	int			room = NAMEDATALEN - 1 - (int) strlen(suffix);
	int			len = pg_mbcliplen(parent, (int) strlen(parent), room);

	snprintf(out, NAMEDATALEN, "%.*s%s", len, parent, suffix);
}

/* the time suffix of a slot's partition: _pYYYYMMDD and the like */
static void
slot_suffix(const GsStep *step, int64 start, char *suffix, size_t size)
{
	struct pg_tm tm;
	fsec_t		fsec;

	ts_to_tm(start, &tm, &fsec);
	if (step->kind == GS_STEP_FIXED && step->usecs < USECS_PER_DAY)
		snprintf(suffix, size, "_p%04d%02d%02d_%02d%02d",
				 tm.tm_year, tm.tm_mon, tm.tm_mday, tm.tm_hour, tm.tm_min);
	else if (step->kind == GS_STEP_MONTHS && step->months == 12)
		snprintf(suffix, size, "_p%04d", tm.tm_year);
	else if (step->kind == GS_STEP_MONTHS)
		snprintf(suffix, size, "_p%04d%02d", tm.tm_year, tm.tm_mon);
	else
		snprintf(suffix, size, "_p%04d%02d%02d",
				 tm.tm_year, tm.tm_mon, tm.tm_mday);
}

/*
 * Name of the partition of "parent" for the slot starting at "start":
 * _pYYYYMMDD_HH24MI below a day, _pYYYYMMDD for days and weeks, _pYYYYMM
 * for months and quarters, _pYYYY for years.  out has NAMEDATALEN bytes.
 */
void
gs_partition_name(const char *parent, const GsStep *step, int64 start, char *out)
{
	char		suffix[32];

	slot_suffix(step, start, suffix, sizeof(suffix));
	clip_name(parent, suffix, out);
}

void
gs_default_name(const char *parent, char *out)
{
	clip_name(parent, "_default", out);
}

/*
 * Settles the name of a partition about to be made in schema nspid, in
 * place.  A free name is kept.  A name held by a table that is not a
 * partition -- a partition detached earlier, or a hand-made table -- is an
 * error: it may hold the rows of that very slot, and only the user can say
 * whether to attach it back, rename it or drop it.  A name held by anything
 * else (a partition of another table whose clipped name is the same, an
 * index, a view, a type) is replaced by the first free one with _2, _3, ...
 * after the suffix, the parent's part clipped further to fit.  The new
 * table is made by CREATE TABLE, never IF NOT EXISTS, so a name taken in the
 * meantime fails that step instead of attaching a table that is not ours.
 */
void
gs_settle_name(Oid nspid, const char *parent, bool is_default,
			   const GsStep *step, int64 start, char *name)
{
	char		suffix[48];
	char		base[32];
	int			n;

	if (is_default)
		strlcpy(base, "_default", sizeof(base));
	else
		slot_suffix(step, start, base, sizeof(base));

	for (n = 1; n <= 1000; n++)
	{
		Oid			relid;

		if (n == 1)
			clip_name(parent, base, name);
		else
		{
			snprintf(suffix, sizeof(suffix), "%s_%d", base, n);
			clip_name(parent, suffix, name);
		}

		relid = get_relname_relid(name, nspid);
		if (OidIsValid(relid))
		{
			char		relkind = get_rel_relkind(relid);

			if ((relkind == RELKIND_RELATION ||
				 relkind == RELKIND_PARTITIONED_TABLE ||
				 relkind == RELKIND_FOREIGN_TABLE) &&
				!get_rel_relispartition(relid))
				ereport(ERROR,
						(errcode(ERRCODE_DUPLICATE_TABLE),
						 errmsg("table \"%s.%s\" already exists and is not a partition of \"%s\"",
								get_namespace_name(nspid), name, parent),
						 errdetail("It may be a partition detached earlier, holding old rows of this range."),
						 errhint("Attach it back, or rename or drop it; the next maintenance then makes the partition.")));
			continue;
		}
		if (OidIsValid(GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid,
									   CStringGetDatum(name),
									   ObjectIdGetDatum(nspid))))
			continue;
		return;
	}
	ereport(ERROR,
			(errcode(ERRCODE_DUPLICATE_TABLE),
			 errmsg("no free name for a partition of \"%s\" like \"%s\"", parent, name),
			 errhint("Drop or rename the relations whose names start like it.")));
}

static int64
range_datum_ts(GsKeyKind kind, Node *node)
{
	PartitionRangeDatum *prd = castNode(PartitionRangeDatum, node);

	if (prd->kind == PARTITION_RANGE_DATUM_MINVALUE)
		return GS_TS_MIN;
	if (prd->kind == PARTITION_RANGE_DATUM_MAXVALUE)
		return GS_TS_MAX;
	return gs_key_to_ts(kind, castNode(Const, prd->value)->constvalue);
}

/*
 * The partition of "parent" whose DETACH ... CONCURRENTLY has not finished,
 * or InvalidOid.  PostgreSQL allows one at a time.
 */
static Oid
pending_detach_child(Oid parent)
{
	Relation	rel = table_open(InheritsRelationId, AccessShareLock);
	ScanKeyData key[1];
	SysScanDesc scan;
	HeapTuple	tup;
	Oid			result = InvalidOid;

	ScanKeyInit(&key[0], Anum_pg_inherits_inhparent,
				BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(parent));
	scan = systable_beginscan(rel, InheritsParentIndexId, true, NULL, 1, key);
	while ((tup = systable_getnext(scan)) != NULL)
	{
		Form_pg_inherits inh = (Form_pg_inherits) GETSTRUCT(tup);

		if (inh->inhdetachpending)
		{
			result = inh->inhrelid;
			break;
		}
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return result;
}

/* The partition bound of "child", or NULL if it has none or is gone. */
static PartitionBoundSpec *
child_bound(Oid child)
{
	HeapTuple	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(child));
	PartitionBoundSpec *spec = NULL;
	Datum		d;
	bool		isnull;

	if (!HeapTupleIsValid(tup))
		return NULL;			/* dropped meanwhile */
	d = SysCacheGetAttr(RELOID, tup, Anum_pg_class_relpartbound, &isnull);
	if (!isnull)
		spec = castNode(PartitionBoundSpec, stringToNode(TextDatumGetCString(d)));
	ReleaseSysCache(tup);
	return spec;
}

/*
 * Bounds of every partition of "parent" (including one being detached
 * concurrently, flagged detach_pending), read from pg_class.relpartbound.  Takes no locks: the
 * caller locks the parent if it needs a stable answer.  *default_oid gets
 * the default partition or InvalidOid.
 */
List *
gs_read_bounds(Oid parent, GsKeyKind kind, Oid *default_oid)
{
	List	   *children;
	List	   *result = NIL;
	ListCell   *lc;
	bool		pending = false;
	Oid			pending_oid = InvalidOid;

	*default_oid = InvalidOid;
	children = find_inheritance_children_extended(parent, false, NoLock,
												  &pending, NULL);
	if (pending)
		pending_oid = pending_detach_child(parent);
	foreach(lc, children)
	{
		Oid			child = lfirst_oid(lc);
		PartitionBoundSpec *spec = child_bound(child);
		GsBound    *b;

		if (spec == NULL)
			continue;
		b = palloc0(sizeof(GsBound));
		b->relid = child;
		b->detach_pending = (child == pending_oid);
		if (spec->is_default)
		{
			b->is_default = true;
			b->lo = GS_TS_MIN;
			b->hi = GS_TS_MAX;
			*default_oid = child;
		}
		else if (spec->strategy == PARTITION_STRATEGY_RANGE &&
				 spec->lowerdatums != NIL && spec->upperdatums != NIL)
		{
			b->lo = range_datum_ts(kind, linitial(spec->lowerdatums));
			b->hi = range_datum_ts(kind, linitial(spec->upperdatums));
		}
		else
		{
			pfree(b);
			continue;
		}
		result = lappend(result, b);
	}
	return result;
}

/* Does [lo, hi) overlap a non-default partition in bounds? */
bool
gs_overlaps(List *bounds, int64 lo, int64 hi)
{
	ListCell   *lc;

	foreach(lc, bounds)
	{
		GsBound    *b = (GsBound *) lfirst(lc);

		if (!b->is_default && b->lo < hi && lo < b->hi)
			return true;
	}
	return false;
}

/* a finite bound of a bigint key, or false for MINVALUE/MAXVALUE */
static bool
raw_bound(Node *node, int64 *value)
{
	PartitionRangeDatum *prd = castNode(PartitionRangeDatum, node);

	if (prd->kind != PARTITION_RANGE_DATUM_VALUE)
		return false;
	*value = DatumGetInt64(castNode(Const, prd->value)->constvalue);
	return true;
}

/* epoch seconds of 10000-01-01 00:00 UTC, and milliseconds in a year */
#define GS_EPOCH_S_Y10K		INT64CONST(253402300800)
#define GS_MS_PER_YEAR		INT64CONST(31536000000)

/*
 * Errors out when the existing partitions of a bigint-keyed parent do not
 * look like the epoch unit it is managed with: bounds in epoch seconds read
 * as milliseconds are times in the weeks around 1970-01-01, bounds in
 * milliseconds read as seconds lie after the year 9999.  Read that way,
 * retention would drop every partition, or keep them forever and make new
 * ones beside them.  Only the epoch unit of the configuration can be wrong
 * here: a real table of events neither starts in 1970 nor ends after 9999.
 */
void
gs_check_epoch_bounds(Oid parent, GsKeyKind kind, const char *relname)
{
	List	   *children;
	ListCell   *lc;

	if (kind != GS_KEY_EPOCH_S && kind != GS_KEY_EPOCH_MS)
		return;
	children = find_inheritance_children_extended(parent, false, NoLock,
												  NULL, NULL);
	foreach(lc, children)
	{
		Oid			child = lfirst_oid(lc);
		PartitionBoundSpec *spec = child_bound(child);
		List	   *datums;
		ListCell   *lc2;

		if (spec == NULL || spec->is_default || spec->strategy != PARTITION_STRATEGY_RANGE ||
			spec->lowerdatums == NIL || spec->upperdatums == NIL)
			continue;

		datums = list_make2(linitial(spec->lowerdatums), linitial(spec->upperdatums));
		foreach(lc2, datums)
		{
			int64		v;

			if (!raw_bound(lfirst(lc2), &v))
				continue;
			if (kind == GS_KEY_EPOCH_MS && v != 0 &&
				v > -GS_MS_PER_YEAR && v < GS_MS_PER_YEAR)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("partitions of table \"%s\" do not look like epoch milliseconds",
								relname),
						 errdetail("Partition \"%s\" has the bound " INT64_FORMAT ", which as milliseconds is %s; retention would drop it.",
								   get_rel_name(child), v,
								   timestamptz_to_str(gs_key_to_ts(kind, Int64GetDatum(v)))),
						 errhint("If the key counts seconds, manage the table with epoch => 'seconds'.")));
			if (kind == GS_KEY_EPOCH_S &&
				(v >= GS_EPOCH_S_Y10K || v <= -GS_EPOCH_S_Y10K))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("partitions of table \"%s\" do not look like epoch seconds",
								relname),
						 errdetail("Partition \"%s\" has the bound " INT64_FORMAT ", which as seconds is beyond the year 9999.",
								   get_rel_name(child), v),
						 errhint("If the key counts milliseconds, manage the table with epoch => 'milliseconds'.")));
		}
	}
}
