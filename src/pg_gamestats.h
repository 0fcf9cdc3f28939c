/*-------------------------------------------------------------------------
 *
 * pg_gamestats.h
 *	  Shared declarations of pg_gamestats: GUCs and small helpers used by
 *	  the partition manager, the leaderboards and the query functions.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PG_GAMESTATS_H
#define PG_GAMESTATS_H

#include "catalog/pg_class.h"
#include "fmgr.h"
#include "utils/rel.h"
#include "utils/tuplestore.h"

#include "compat.h"

#define GAMESTATS_SCHEMA "gamestats"
/* GAMESTATS_VERSION comes from the control file, through the Makefile */
#ifndef GAMESTATS_VERSION
#error "GAMESTATS_VERSION is not defined: build with the Makefile"
#endif

/* GUCs (pg_gamestats.c) */
extern int	gamestats_lock_timeout;
extern int	gamestats_lock_retries;
extern int	gamestats_max_batch;
extern int	gamestats_live_fold_threshold;

/* util.c */
extern int	gs_begin_lock_timeout(void);
extern int	gs_begin_canonical_output(void);
extern void gs_end_settings(int nestlevel);

/* the current user's context, saved by gs_owner_context_enter() */
typedef struct GsOwnerContext
{
	Oid			save_userid;
	int			save_sec_context;
	int			nestlevel;
} GsOwnerContext;

extern void gs_owner_context_enter(GsOwnerContext *ctx, Oid owner);
extern void gs_owner_context_leave(GsOwnerContext *ctx);
extern Oid	gs_catalog_owner(const char *relname);
extern int	gs_spi_exec(const char *sql, int nargs, Oid *argtypes, Datum *values,
						const char *nulls, bool read_only, long tcount, Oid owner);
extern FormData_pg_class gs_rel_class(Oid relid);
extern bool gs_is_owner(Oid relid);
extern void gs_check_owner(Oid relid, const char *action);
extern void gs_forbid_in_recovery(const char *action);
extern Oid	gs_catalog_relid(const char *relname);
extern char *gs_qualified_name(Oid relid);
extern ErrorData *gs_run_in_subxact(void (*fn) (void *), void *arg);
extern bool gs_read_value(Oid type, char *str, Datum *result);
extern void gs_require_arg(FunctionCallInfo fcinfo, int argno, const char *name);

/* one valid value of a text argument, and what it means (or NULL) */
typedef struct GsChoice
{
	const char *name;
	const char *note;
} GsChoice;

extern int	gs_parse_choice(const char *argname, const char *value,
							const GsChoice *choices, int n);
extern Tuplestorestate *gs_srf_begin(FunctionCallInfo fcinfo, bool use_expected,
									 TupleDesc *desc);
/* citus.c */
extern char gs_citus_partmethod(Oid relid);
extern bool gs_is_citus_table(Oid relid);
extern void gs_citus_refuse_direct_read(Relation rel);
extern void gs_citus_refuse_local_rows(Oid relid, const char *parentname);

extern bool gs_have_pg_cron(void);
extern bool gs_score_is_nan(Oid type, Datum d);

/* query.c */
extern Oid	gs_rowtype_relid(FunctionCallInfo fcinfo, int argno, const char *fname);
extern Datum gs_coerce_value(Datum value, Oid srctype, Oid target, const char *what);
extern void gs_require_pg_cron(void);

#endif							/* PG_GAMESTATS_H */
