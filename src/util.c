/*-------------------------------------------------------------------------
 *
 * util.c
 *	  Helpers shared by the partition manager, the leaderboards and the
 *	  query functions: bounded lock waits, canonical output settings,
 *	  pg_class fields, ownership checks, names, subtransactions, input.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/xact.h"
#include "access/xlog.h"
#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "commands/dbcommands.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "funcapi.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#include "utils/resowner.h"
#include "utils/syscache.h"

#include "pg_gamestats.h"

/* ---------------------------------------------------------------------
 * Settings for a stretch of code
 * ---------------------------------------------------------------------
 */

/*
 * Opens a GUC nest level with the n (name, value) pairs of "settings" in
 * force; gs_end_settings() closes it.  Returns the nest level.
 */
static int
begin_settings(const char *const settings[][2], int n)
{
	int			nestlevel = NewGUCNestLevel();
	int			i;

	for (i = 0; i < n; i++)
		(void) set_config_option(settings[i][0], settings[i][1],
								 PGC_USERSET, PGC_S_SESSION,
								 GUC_ACTION_SAVE, true, 0, false);
	return nestlevel;
}

/*
 * Closes a nest level of gs_begin_lock_timeout(), gs_begin_canonical_output()
 * or gs_owner_context_enter(): its settings, and every setting changed
 * since -- by our code or by code it ran -- go back to what they were.
 */
void
gs_end_settings(int nestlevel)
{
	AtEOXact_GUC(false, nestlevel);
}

/*
 * Opens a nest level in which lock_timeout is gamestats.lock_timeout, so
 * that every lock taken until gs_end_settings() -- ours and those of the
 * DDL we run -- waits at most that long.
 */
int
gs_begin_lock_timeout(void)
{
	char		value[32];
	const char *const settings[][2] = {{"lock_timeout", value}};

	snprintf(value, sizeof(value), "%d", gamestats_lock_timeout);
	return begin_settings(settings, lengthof(settings));
}

/*
 * Opens a nest level with the settings under which segment values are
 * turned into the text kept in gamestats.leaderboard_segment (board.h), so
 * that the stored form never depends on the session that wrote or reads
 * it: ISO dates, UTC, PostgreSQL intervals, shortest exact floats.
 */
int
gs_begin_canonical_output(void)
{
	static const char *const settings[][2] = {
		{"DateStyle", "ISO, YMD"},
		{"IntervalStyle", "postgres"},
		{"TimeZone", "UTC"},
		{"extra_float_digits", "1"},
		{"bytea_output", "hex"},
		{"lc_monetary", "C"},
	};

	return begin_settings(settings, lengthof(settings));
}

/* ---------------------------------------------------------------------
 * Running as a table's owner
 * ---------------------------------------------------------------------
 */

/*
 * gs_owner_context_enter() runs the code up to gs_owner_context_leave() as
 * "owner", the way PostgreSQL runs a table's own code in REFRESH
 * MATERIALIZED VIEW, VACUUM and ANALYZE (ExecRefreshMatView in matview.c):
 *
 * - The user ID becomes the owner's, so that what the code calls -- the
 *   functions, operators and casts of a board's query, a partition's
 *   defaults and constraints, our own statements on gamestats' tables --
 *   runs with the owner's privileges, never with the caller's.
 *
 * - SECURITY_LOCAL_USERID_CHANGE: the switch belongs to this stretch of
 *   code; SET ROLE and SET SESSION AUTHORIZATION are refused inside it, so
 *   nothing it runs can change who runs the rest.
 *
 * - SECURITY_RESTRICTED_OPERATION: nothing it runs may change the state of
 *   the caller's session for later -- no temporary table (which could mask
 *   a table through pg_temp), no cursor WITH HOLD, no prepared statement,
 *   no LISTEN -- since that code was written by the owner, not the caller.
 *
 * - A GUC nest level with search_path = pg_catalog, pg_temp: names that
 *   the code does not qualify resolve to built-in objects, never to ones
 *   planted in a schema of the caller's search_path; and every setting the
 *   code changes goes back when it is left.
 *
 * The flags are the same for the users' code (run as the board's or the
 * table's owner) and for our own statements on gamestats' tables (run as
 * their owner, the extension's, who may write them): our statements do
 * nothing a restricted operation forbids, and one context is easier to
 * reason about than several.
 *
 * owner InvalidOid keeps the current user and security context and sets
 * only the search_path: for our statements that must run as the caller --
 * REFRESH MATERIALIZED VIEW, which switches to the owner itself (and whose
 * CONCURRENTLY needs a temporary table), pg_cron's functions, which act
 * for the current user, and reads of what the caller may see.
 *
 * On an error, the (sub)transaction's abort restores the user, the
 * security context and the settings: leave is for the normal path.
 */
void
gs_owner_context_enter(GsOwnerContext *ctx, Oid owner)
{
	static const char *const settings[][2] = {{"search_path", "pg_catalog, pg_temp"}};

	GetUserIdAndSecContext(&ctx->save_userid, &ctx->save_sec_context);
	if (OidIsValid(owner))
		SetUserIdAndSecContext(owner, ctx->save_sec_context |
							   SECURITY_LOCAL_USERID_CHANGE |
							   SECURITY_RESTRICTED_OPERATION);
	ctx->nestlevel = begin_settings(settings, lengthof(settings));
}

void
gs_owner_context_leave(GsOwnerContext *ctx)
{
	gs_end_settings(ctx->nestlevel);
	SetUserIdAndSecContext(ctx->save_userid, ctx->save_sec_context);
}

/*
 * Runs one statement of ours (never user text) through SPI, in
 * gs_owner_context_enter(owner): as that owner, or as the caller for
 * InvalidOid, with a safe search_path either way.  read_only as for
 * SPI_execute_with_args: false takes a fresh snapshot, which sees what this
 * transaction wrote before.  Returns the SPI result code.
 */
int
gs_spi_exec(const char *sql, int nargs, Oid *argtypes, Datum *values,
			const char *nulls, bool read_only, long tcount, Oid owner)
{
	GsOwnerContext ctx;
	int			ret;

	gs_owner_context_enter(&ctx, owner);
	ret = SPI_execute_with_args(sql, nargs, argtypes, values, nulls,
								read_only, tcount);
	gs_owner_context_leave(&ctx);
	if (ret < 0)
		elog(ERROR, "SPI_execute_with_args failed (%s): %s",
			 SPI_result_code_string(ret), sql);
	return ret;
}

/* The owner of gamestats.<relname>, who may write it: the extension's. */
Oid
gs_catalog_owner(const char *relname)
{
	return gs_rel_class(gs_catalog_relid(relname)).relowner;
}

/*
 * The fixed-size part of relation relid's pg_class row, copied; an error if
 * there is none.  gs_rel_class(relid).relowner, .relam, .reltoastrelid ...
 */
FormData_pg_class
gs_rel_class(Oid relid)
{
	HeapTuple	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	FormData_pg_class result;

	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for relation %u", relid);
	result = *(Form_pg_class) GETSTRUCT(tup);
	ReleaseSysCache(tup);
	return result;
}

/* Does the current user own the relation (or is superuser)? */
bool
gs_is_owner(Oid relid)
{
	return gs_class_ownercheck(relid, GetUserId());
}

/*
 * Errors out unless the current user owns the relation (or is superuser).
 * "action" completes "must be owner of table ... to <action>".
 */
void
gs_check_owner(Oid relid, const char *action)
{
	if (!gs_is_owner(relid))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("must be owner of table \"%s\" to %s",
						get_rel_name(relid), action),
				 errhint("Run this as the table's owner or as a superuser.")));
}

/* Errors out on a hot standby: "action" cannot run there. */
void
gs_forbid_in_recovery(const char *action)
{
	if (RecoveryInProgress())
		ereport(ERROR,
				(errcode(ERRCODE_READ_ONLY_SQL_TRANSACTION),
				 errmsg("cannot %s during recovery", action),
				 errhint("Run it on the primary; the result reaches standbys through replication.")));
}

/* OID of a table of the gamestats schema; errors out if it is missing. */
Oid
gs_catalog_relid(const char *relname)
{
	Oid			nspid = get_namespace_oid(GAMESTATS_SCHEMA, false);
	Oid			relid = get_relname_relid(relname, nspid);

	if (!OidIsValid(relid))
		elog(ERROR, "pg_gamestats catalog table \"%s.%s\" is missing",
			 GAMESTATS_SCHEMA, relname);
	return relid;
}

/* "schema"."name" of a relation, quoted as needed, palloc'd. */
char *
gs_qualified_name(Oid relid)
{
	char	   *relname = get_rel_name(relid);
	char	   *nspname;

	if (relname == NULL)
		elog(ERROR, "cache lookup failed for relation %u", relid);
	nspname = get_namespace_name(get_rel_namespace(relid));
	return quote_qualified_identifier(nspname, relname);
}

/*
 * Runs fn(arg) in an internal subtransaction.  Returns NULL when it
 * succeeded; when it failed, rolls the subtransaction back and returns its
 * error, copied into the caller's memory context.  A query cancel or a
 * shutdown is re-thrown, never returned: those must stop the caller too.
 */
ErrorData *
gs_run_in_subxact(void (*fn) (void *), void *arg)
{
	MemoryContext oldcxt = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;
	ErrorData  *volatile edata = NULL;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(oldcxt);
	PG_TRY();
	{
		fn(arg);
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcxt);
		CurrentResourceOwner = oldowner;
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(oldcxt);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcxt);
		CurrentResourceOwner = oldowner;
		if (edata->sqlerrcode == ERRCODE_QUERY_CANCELED ||
			edata->sqlerrcode == ERRCODE_ADMIN_SHUTDOWN ||
			edata->sqlerrcode == ERRCODE_CRASH_SHUTDOWN)
			ReThrowError(edata);
	}
	PG_END_TRY();
	return edata;
}

/*
 * Reads "str" as a value of "type" through its input function; returns
 * false, instead of raising the error, when it is not valid input for the
 * type.
 */
bool
gs_read_value(Oid type, char *str, Datum *result)
{
	Oid			infunc,
				ioparam;

	getTypeInputInfo(type, &infunc, &ioparam);
	return gs_input_call_safe(type, infunc, ioparam, str, result);
}

/* ---------------------------------------------------------------------
 * Arguments, results and pg_cron
 * ---------------------------------------------------------------------
 */

/*
 * The position of "value" among the n "choices" of the text argument
 * "argname"; any other value is an error whose hint lists the valid ones.
 */
int
gs_parse_choice(const char *argname, const char *value, const GsChoice *choices,
				int n)
{
	StringInfoData valid;
	int			i;

	for (i = 0; i < n; i++)
		if (strcmp(value, choices[i].name) == 0)
			return i;
	initStringInfo(&valid);
	for (i = 0; i < n; i++)
	{
		if (i > 0)
			appendStringInfoString(&valid, i == n - 1 ? " and " : ", ");
		appendStringInfo(&valid, "'%s'", choices[i].name);
		if (choices[i].note)
			appendStringInfo(&valid, " (%s)", choices[i].note);
	}
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unrecognized %s \"%s\"", argname, value),
			 errhint("Valid values are %s.", valid.data)));
	return -1;					/* keep compiler quiet */
}

/*
 * Errors out if argument "argno" of the SQL function being called, named
 * "name", is null.  For functions that are not STRICT: each checks the
 * arguments it cannot do without.
 */
void
gs_require_arg(FunctionCallInfo fcinfo, int argno, const char *name)
{
	Oid			fn = fcinfo->flinfo->fn_oid;
	HeapTuple	tup;
	Form_pg_proc proc;
	char	   *fname;
	bool		has_default;

	if (!PG_ARGISNULL(argno))
		return;
	tup = SearchSysCache1(PROCOID, ObjectIdGetDatum(fn));
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for function %u", fn);
	proc = (Form_pg_proc) GETSTRUCT(tup);
	fname = pstrdup(NameStr(proc->proname));
	has_default = argno >= proc->pronargs - proc->pronargdefaults;
	ReleaseSysCache(tup);
	ereport(ERROR,
			(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
			 errmsg("argument \"%s\" of %s must not be null", name, fname),
			 has_default ? errhint("Pass a value, or leave the argument out to use its default.") : 0));
}

/*
 * Sets up a set-returning function's result in materialize mode; returns
 * the tuplestore to fill, and in *desc its row type: the one the calling
 * statement expects (use_expected, for functions returning the row type
 * of their argument), or else the function's declared result type.
 */
Tuplestorestate *
gs_srf_begin(FunctionCallInfo fcinfo, bool use_expected, TupleDesc *desc)
{
	ReturnSetInfo *rsinfo;

	InitMaterializedSRF(fcinfo, use_expected ? MAT_SRF_USE_EXPECTED_DESC : 0);
	rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	*desc = rsinfo->setDesc;
	return rsinfo->setResult;
}

/* Is pg_cron installed in this database? */
bool
gs_have_pg_cron(void)
{
	return OidIsValid(get_extension_oid("pg_cron", true));
}

/* Errors out unless pg_cron is installed in this database. */
void
gs_require_pg_cron(void)
{
	if (!gs_have_pg_cron())
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("pg_cron is not installed in database \"%s\"",
						get_database_name(MyDatabaseId)),
				 errhint("Install pg_cron (Debian package postgresql-<major version>-cron), add it to shared_preload_libraries, set cron.database_name to this database, restart the server and run CREATE EXTENSION pg_cron, or call the function from a scheduler of your own.")));
}

/*
 * Is "d", a value of "type", a NaN?  NaN scores are left out of every
 * board, like NULL ones (NaN sorts above Infinity).
 */
bool
gs_score_is_nan(Oid type, Datum d)
{
	if (type == FLOAT8OID)
		return isnan(DatumGetFloat8(d));
	if (type == FLOAT4OID)
		return isnan(DatumGetFloat4(d));
	if (type == NUMERICOID)
		return numeric_is_nan(DatumGetNumeric(d));
	return false;
}
