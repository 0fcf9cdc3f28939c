/*-------------------------------------------------------------------------
 *
 * partition.h
 *	  The time-range partition manager: partition arithmetic (UTC slots,
 *	  names, key conversions) and the maintenance engine.
 *
 * Every time inside the manager is an int64 count of microseconds since
 * 2000-01-01 00:00 UTC (the representation of timestamptz).  Keys of other
 * types are converted on the way in and out: timestamp values are read as
 * UTC wall clock, dates as midnight UTC, bigint keys as Unix epoch seconds
 * or milliseconds.
 *
 *-------------------------------------------------------------------------
 */
#ifndef GAMESTATS_PARTITION_H
#define GAMESTATS_PARTITION_H

#include "datatype/timestamp.h"
#include "lib/stringinfo.h"
#include "nodes/pg_list.h"

/* "no lower bound" / "no upper bound" (MINVALUE, MAXVALUE, +-infinity) */
#define GS_TS_MIN	PG_INT64_MIN
#define GS_TS_MAX	PG_INT64_MAX

/* most partitions one call may create (fewer if the lock table is small) */
#define GS_MAX_CREATE	10000
/* largest premake */
#define GS_MAX_PREMAKE	1000

typedef enum GsKeyKind
{
	GS_KEY_TIMESTAMPTZ,
	GS_KEY_TIMESTAMP,
	GS_KEY_DATE,
	GS_KEY_EPOCH_S,
	GS_KEY_EPOCH_MS
} GsKeyKind;

typedef enum GsStepKind
{
	GS_STEP_FIXED,				/* minutes, hours, 1 day: fixed width */
	GS_STEP_WEEK,				/* ISO week starting Monday 00:00 UTC */
	GS_STEP_MONTHS				/* 1, 3 or 12 months */
} GsStepKind;

typedef struct GsStep
{
	GsStepKind	kind;
	int64		usecs;			/* GS_STEP_FIXED / GS_STEP_WEEK width */
	int			months;			/* GS_STEP_MONTHS */
} GsStep;

/* one attached partition of a parent, with its bounds as times */
typedef struct GsBound
{
	Oid			relid;
	bool		is_default;
	bool		detach_pending; /* DETACH ... CONCURRENTLY not finished */
	int64		lo;				/* inclusive */
	int64		hi;				/* exclusive */
} GsBound;

/* a managed parent, as validated against its live definition */
typedef struct GsTable
{
	Oid			parent;
	Oid			owner;
	char	   *nspname;
	char	   *relname;
	char	   *qualname;		/* quoted "schema"."name" */
	char	   *keyname;
	GsKeyKind	kind;
	GsStep		step;
	bool		has_retention;
	Interval	retention;
	int			premake;
	bool		detach;			/* retention_mode 'detach' */
	bool		want_default;	/* keep a default partition */
} GsTable;

/* what one maintenance of one table did */
typedef struct GsRun
{
	bool		strict;			/* errors propagate (manage_partitions) */
	int			created;
	int			dropped;
	int			detached;
	int64		moved;
	int64		default_rows;	/* -1: not counted */
	StringInfoData errors;		/* "; "-separated step errors, empty if none */
} GsRun;

/* partition_math.c */
extern GsKeyKind gs_key_kind(Oid keytype, const char *epoch, const char *relname);
extern bool gs_key_kind_of(Oid keytype, GsKeyKind bigint_kind, GsKeyKind *kind);
extern void gs_parse_step(const Interval *iv, GsKeyKind kind, const char *relname,
						  GsStep *step);
extern char *gs_interval_text(const Interval *iv);
extern int64 gs_slot_floor(const GsStep *step, int64 ts);
extern int64 gs_slot_next(const GsStep *step, int64 ts);
extern int64 gs_ts_minus_interval(int64 ts, const Interval *iv);
extern int64 gs_key_to_ts(GsKeyKind kind, Datum value);
extern Datum gs_ts_to_key(GsKeyKind kind, int64 ts);
extern Oid	gs_key_type(GsKeyKind kind);
extern char *gs_key_literal(GsKeyKind kind, int64 ts);
extern GsKeyKind gs_bounds_epoch_kind(const char *epoch);
extern void gs_partition_name(const char *parent, const GsStep *step, int64 start,
							  char *out);
extern void gs_default_name(const char *parent, char *out);
extern void gs_settle_name(Oid nspid, const char *parent, bool is_default,
						   const GsStep *step, int64 start, char *name);
extern List *gs_read_bounds(Oid parent, GsKeyKind kind, Oid *default_oid);
extern void gs_check_epoch_bounds(Oid parent, GsKeyKind kind, const char *relname);
extern void gs_check_retention(const Interval *retention, int64 now);
extern bool gs_overlaps(List *bounds, int64 lo, int64 hi);

/* partition_maint.c */
extern void gs_inspect_parent(Oid relid, const Interval *interval,
							  const char *epoch, GsTable *t);
extern void gs_init_run(GsRun *run, bool strict);
extern bool gs_try(void (*fn) (void *), void *arg, GsRun *run, const char *what);
extern void gs_maintain_create(GsTable *t, int64 now, bool has_start, int64 start,
							   GsRun *run);
extern void gs_maintain_retention(GsTable *t, int64 now, GsRun *run);

#endif							/* GAMESTATS_PARTITION_H */
