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

#include "access/xact.h"
#include "access/xlog.h"
#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/resowner.h"
#include "utils/syscache.h"

#include "pg_gamestats.h"

/*
 * Opens a GUC nest level in which lock_timeout is gamestats.lock_timeout, so
 * that every lock taken until gs_end_lock_timeout() -- ours and those of the
 * DDL we run -- waits at most that long.  Returns the nest level.
 */
int
gs_begin_lock_timeout(void)
{
	int			nestlevel = NewGUCNestLevel();
	char		value[32];

	snprintf(value, sizeof(value), "%d", gamestats_lock_timeout);
	(void) set_config_option("lock_timeout", value,
							 PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	return nestlevel;
}

void
gs_end_lock_timeout(int nestlevel)
{
	AtEOXact_GUC(true, nestlevel);
}

/*
 * Opens a GUC nest level with the settings under which segment values are
 * turned into the text kept in gamestats.leaderboard_segment, so that the
 * stored form never depends on the session that wrote or reads it: ISO
 * dates, UTC, PostgreSQL intervals, shortest exact floats.  Close it with
 * AtEOXact_GUC(false, nestlevel).
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
	int			nestlevel = NewGUCNestLevel();
	int			i;

	for (i = 0; i < lengthof(settings); i++)
		(void) set_config_option(settings[i][0], settings[i][1],
								 PGC_USERSET, PGC_S_SESSION,
								 GUC_ACTION_SAVE, true, 0, false);
	return nestlevel;
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

#ifndef GS_HAVE_SOFT_INPUT
/* OidInputFunctionCall() as a gs_run_in_subxact() callback */
typedef struct InputCall
{
	Oid			infunc;
	Oid			ioparam;
	char	   *str;
	Datum		result;
} InputCall;

static void
input_call(void *arg)
{
	InputCall  *call = (InputCall *) arg;

	call->result = OidInputFunctionCall(call->infunc, call->str, call->ioparam, -1);
}
#endif

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
#ifdef GS_HAVE_SOFT_INPUT
	{
		ErrorSaveContext escontext = {T_ErrorSaveContext};
		FmgrInfo	flinfo;

		fmgr_info(infunc, &flinfo);
		return InputFunctionCallSafe(&flinfo, str, ioparam, -1,
									 (Node *) &escontext, result);
	}
#else
	if (type == BOOLOID)
	{
		bool		b;

		if (!parse_bool(str, &b))
			return false;
		*result = BoolGetDatum(b);
		return true;
	}
	if (type_is_enum(type) &&
		(strlen(str) >= NAMEDATALEN ||
		 !SearchSysCacheExists2(ENUMTYPOIDNAME, ObjectIdGetDatum(type),
								CStringGetDatum(str))))
		return false;
	if (!IsInParallelMode())
	{
		/* input functions of PostgreSQL 15 have no soft errors */
		InputCall	call = {infunc, ioparam, str, (Datum) 0};
		ErrorData  *edata = gs_run_in_subxact(input_call, &call);

		if (edata != NULL)
		{
			FreeErrorData(edata);
			return false;
		}
		*result = call.result;
		return true;
	}
	*result = OidInputFunctionCall(infunc, str, ioparam, -1);
	return true;
#endif
}
