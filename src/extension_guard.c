/*-------------------------------------------------------------------------
 *
 * extension_guard.c
 *	  Event trigger that refuses to drop the extension while it still
 *	  manages tables or leaderboards.
 *
 * DROP EXTENSION would take the configuration tables with it: managed
 * tables would silently stop being maintained and boards would stay plain
 * materialized views that cannot be registered again.  CASCADE does not
 * help: boards and managed tables belong to their owners, not to the
 * extension.  So the drop is refused (with or without CASCADE, and also
 * through DROP SCHEMA gamestats or DROP OWNED BY the extension's owner)
 * until every table is unmanaged and every board dropped.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "commands/event_trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"

#include "pg_gamestats.h"

#define GS_EXTENSION_NAME "pg_gamestats"

/* at most this many names of each kind in the error detail */
#define GS_GUARD_NAMES 10

/* true if a String list (names in a DROP) contains "name" */
static bool
names_contain(List *names, const char *name)
{
	ListCell   *lc;

	foreach(lc, names)
	{
		Node	   *n = (Node *) lfirst(lc);

		if (IsA(n, String) && strcmp(strVal(n), name) == 0)
			return true;
	}
	return false;
}

/* Would this command drop the extension? */
static bool
drops_extension(Node *parsetree)
{
	Oid			owner;
	char	   *nspname;
	bool		isnull;

	if (parsetree == NULL)
		return false;
	if (IsA(parsetree, DropStmt) &&
		((DropStmt *) parsetree)->removeType == OBJECT_EXTENSION)
		return names_contain(((DropStmt *) parsetree)->objects, GS_EXTENSION_NAME);

	/* its schema and its owner, for DROP SCHEMA and DROP OWNED */
	if (SPI_execute("SELECT e.extowner, n.nspname::pg_catalog.text"
					"  FROM pg_catalog.pg_extension e"
					"  JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) e.extnamespace"
					" WHERE e.extname OPERATOR(pg_catalog.=) 'pg_gamestats'",
					true, 1) != SPI_OK_SELECT || SPI_processed != 1)
		return false;
	owner = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[0],
										   SPI_tuptable->tupdesc, 1, &isnull));
	nspname = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);

	if (IsA(parsetree, DropStmt) &&
		((DropStmt *) parsetree)->removeType == OBJECT_SCHEMA)
		return names_contain(((DropStmt *) parsetree)->objects, nspname);
	if (IsA(parsetree, DropOwnedStmt))
	{
		ListCell   *lc;

		foreach(lc, ((DropOwnedStmt *) parsetree)->roles)
		{
			if (get_rolespec_oid((RoleSpec *) lfirst(lc), true) == owner)
				return true;
		}
	}
	return false;
}

/*
 * Appends "label: name, name, ... and N more." for the relations registered
 * in gamestats.<table>.<column>, and returns their count.
 */
static int64
append_names(StringInfo buf, const char *label, const char *column,
			 const char *table)
{
	bool		isnull;
	int64		count;
	char	   *names;
	char	   *sql;

	/* rows of relations that are gone (event triggers off) do not count */
	sql = psprintf("SELECT pg_catalog.count(*),"
				   "       pg_catalog.string_agg(s.n, ', ' ORDER BY s.n)"
				   "         FILTER (WHERE s.i OPERATOR(pg_catalog.<=) %d)"
				   "  FROM (SELECT c.%s::pg_catalog.text AS n,"
				   "               pg_catalog.row_number() OVER (ORDER BY c.%s::pg_catalog.text) AS i"
				   "          FROM gamestats.%s c"
				   "          JOIN pg_catalog.pg_class r ON r.oid OPERATOR(pg_catalog.=) c.%s) s",
				   GS_GUARD_NAMES, column, column, table, column);
	if (SPI_execute(sql, true, 0) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "could not read the registrations of pg_gamestats");
	count = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
										SPI_tuptable->tupdesc, 1, &isnull));
	names = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);
	if (buf->len > 0)
		appendStringInfoChar(buf, ' ');
	appendStringInfo(buf, "%s: %s", label, names ? names : "none");
	if (count > GS_GUARD_NAMES)
		appendStringInfo(buf, " and " INT64_FORMAT " more", count - GS_GUARD_NAMES);
	appendStringInfoChar(buf, '.');
	return count;
}

/*
 * gamestats.guard_extension_drop() RETURNS event_trigger
 *
 * ddl_command_start trigger of DROP EXTENSION, DROP SCHEMA and DROP OWNED:
 * raises an error if the command would drop pg_gamestats while a managed
 * table or a leaderboard exists.  Reads the configuration tables; takes no
 * lock.
 */
PG_FUNCTION_INFO_V1(gamestats_guard_extension_drop);
Datum
gamestats_guard_extension_drop(PG_FUNCTION_ARGS)
{
	EventTriggerData *trigdata;
	StringInfoData detail;
	int64		tables;
	int64		boards;
	int64		rollups;
	GsOwnerContext ctx;

	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("gamestats.guard_extension_drop() must be called as an event trigger"),
				 errdetail("It is the ddl_command_start trigger gamestats_guard_extension_drop, not a function to call.")));
	trigdata = (EventTriggerData *) fcinfo->context;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	/* as the caller, with regclass output qualified by schema, no planted operator */
	gs_owner_context_enter(&ctx, InvalidOid);

	if (!drops_extension(trigdata->parsetree))
	{
		gs_owner_context_leave(&ctx);
		SPI_finish();
		PG_RETURN_VOID();
	}

	initStringInfo(&detail);
	tables = append_names(&detail, "Managed tables", "parent", "partition_config");
	boards = append_names(&detail, "Leaderboards", "board", "leaderboard_config");
	/* a rollup's source is managed, so rollups alone are rare: named only if any */
	{
		StringInfoData more;

		initStringInfo(&more);
		rollups = append_names(&more, "Rollups", "rollup", "rollup_config");
		if (rollups > 0)
			appendStringInfo(&detail, " %s", more.data);
	}
	gs_owner_context_leave(&ctx);
	SPI_finish();

	if (tables > 0 || boards > 0 || rollups > 0)
		ereport(ERROR,
				(errcode(ERRCODE_DEPENDENT_OBJECTS_STILL_EXIST),
				 errmsg("cannot drop extension \"%s\" while it manages tables or leaderboards",
						GS_EXTENSION_NAME),
				 errdetail("%s Their settings would be lost (also with CASCADE), and the boards could not be registered again.",
						   detail.data),
				 rollups > 0 ?
				 errhint("Run SELECT gamestats.drop_rollup(rollup) FROM gamestats.rollups, SELECT gamestats.unmanage_partitions(parent) FROM gamestats.managed_tables and SELECT gamestats.drop_leaderboard(board) FROM gamestats.leaderboards first (this drops the rollups and the boards), then drop the extension.") :
				 errhint("Run SELECT gamestats.unmanage_partitions(parent) FROM gamestats.managed_tables and SELECT gamestats.drop_leaderboard(board) FROM gamestats.leaderboards first (this drops the boards), then drop the extension.")));
	PG_RETURN_VOID();
}
