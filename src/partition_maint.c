/*-------------------------------------------------------------------------
 *
 * partition_maint.c
 *	  The maintenance engine of the partition manager: validating a parent,
 *	  creating partitions (moving rows out of the default partition),
 *	  retention, and running each step in its own subtransaction.
 *
 * Every step runs as the parent's owner inside a security-restricted
 * operation, with lock_timeout = gamestats.lock_timeout and a safe
 * search_path, as PostgreSQL's own maintenance commands do.  Partitions are
 * created standalone and attached while empty (SHARE UPDATE EXCLUSIVE on
 * the parent), so the attach does not scan the new table; rows of the
 * default partition are moved at table-AM level around the attach, firing
 * no trigger or foreign-key action.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/relation.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/tupconvert.h"
#include "access/twophase.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/partition.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "commands/tablespace.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "partitioning/partdesc.h"
#include "pgstat.h"
#include "storage/bufmgr.h"
#include "storage/lmgr.h"
#include "storage/lock.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/partcache.h"
#include "utils/rel.h"
#include "utils/resowner.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/tuplestore.h"

#include "pg_gamestats.h"
#include "partition.h"

static const char *
strategy_name(char strategy)
{
	switch (strategy)
	{
		case PARTITION_STRATEGY_LIST:
			return "list";
		case PARTITION_STRATEGY_HASH:
			return "hash";
		default:
			return "range";
	}
}

/*
 * Validates that relid can be managed with this interval and epoch, and
 * fills t from the live table definition.  Takes ACCESS SHARE on relid
 * (kept until the end of the transaction).
 */
void
gs_inspect_parent(Oid relid, const Interval *interval, const char *epoch, GsTable *t)
{
	Relation	rel = try_relation_open(relid, AccessShareLock);
	PartitionKey key;
	const char *relname;
	AttrNumber	attno;

	if (rel == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("table with OID %u does not exist", relid),
				 errhint("Call gamestats.unmanage_partitions() for tables that were dropped.")));
	relname = RelationGetRelationName(rel);

	if (rel->rd_rel->relkind != RELKIND_PARTITIONED_TABLE)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("table \"%s\" is not partitioned", relname),
				 errhint("Create it with PARTITION BY RANGE (column) on a timestamptz, timestamp, date or bigint column.")));
	if (rel->rd_rel->relpersistence == RELPERSISTENCE_TEMP)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot manage partitions of temporary table \"%s\"", relname),
				 errdetail("Scheduled maintenance runs in other sessions, which cannot see temporary tables."),
				 errhint("Use a permanent table.")));

	key = RelationGetPartitionKey(rel);
	if (key->strategy != PARTITION_STRATEGY_RANGE)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("table \"%s\" is partitioned by %s, not by range",
						relname, strategy_name(key->strategy)),
				 errdetail("Only tables declared PARTITION BY RANGE (column) can be managed.")));
	if (key->partnatts != 1)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("table \"%s\" has a partition key of %d columns",
						relname, key->partnatts),
				 errdetail("Only a single-column range key can be managed.")));
	attno = key->partattrs[0];
	if (attno == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("partition key of table \"%s\" is an expression", relname),
				 errhint("Partition by a plain timestamptz, timestamp, date or bigint column.")));

	memset(t, 0, sizeof(GsTable));
	t->parent = relid;
	t->owner = rel->rd_rel->relowner;
	t->relname = pstrdup(relname);
	t->nspname = get_namespace_name(RelationGetNamespace(rel));
	t->qualname = quote_qualified_identifier(t->nspname, t->relname);
	t->keyname = pstrdup(NameStr(TupleDescAttr(RelationGetDescr(rel), attno - 1)->attname));
	t->kind = gs_key_kind(key->parttypid[0], epoch, relname);
	gs_parse_step(interval, t->kind, relname, &t->step);
	gs_check_epoch_bounds(relid, t->kind, relname);

	relation_close(rel, NoLock);
}

void
gs_init_run(GsRun *run, bool strict)
{
	memset(run, 0, sizeof(GsRun));
	run->strict = strict;
	run->default_rows = -1;
	initStringInfo(&run->errors);
}

/*
 * Runs fn(arg) in its own subtransaction.  On error, rolls it back, notes
 * "what: message (detail)" in run->errors and returns false; query cancels and
 * shutdowns are re-thrown.  In strict mode fn runs directly and its errors
 * propagate.
 */
bool
gs_try(void (*fn) (void *), void *arg, GsRun *run, const char *what)
{
	ErrorData  *edata;

	if (run->strict)
	{
		fn(arg);
		return true;
	}
	edata = gs_run_in_subxact(fn, arg);
	if (edata == NULL)
		return true;
	if (run->errors.len > 0)
		appendStringInfoString(&run->errors, "; ");
	appendStringInfo(&run->errors, "%s: %s", what, edata->message);
	if (edata->detail)
		appendStringInfo(&run->errors, " (%s)", edata->detail);
	FreeErrorData(edata);
	return false;
}

/*
 * The context every step of maintenance runs in: as the parent's owner
 * (gs_owner_context_enter), with bounded lock waits.
 */
typedef struct GsCtx
{
	GsOwnerContext owner;
	int			nest;
} GsCtx;

static void
ctx_enter(GsTable *t, GsCtx *c)
{
	gs_owner_context_enter(&c->owner, t->owner);
	c->nest = gs_begin_lock_timeout();
}

static void
ctx_leave(GsCtx *c)
{
	gs_end_settings(c->nest);
	gs_owner_context_leave(&c->owner);
}

/*
 * Takes "mode" on relid without holding up others behind a long
 * transaction.  Free: taken at once.  Held (in a conflicting mode) by a
 * transaction open longer than
 * gamestats.lock_timeout (a long reader or batch): fails at once rather than
 * queueing, since every later request on the table -- the game's inserts --
 * would queue behind ours until the timeout.  Otherwise (short transactions
 * in the way): waits, at most gamestats.lock_timeout.  The holders are read
 * from pg_locks and pg_stat_activity as the extension owner, who can see
 * every session.
 */
static void
lock_bounded(Oid relid, LOCKMODE mode, bool queue)
{
	Oid			argtypes[4] = {OIDOID, OIDOID, FLOAT8OID, BOOLOID};
	Datum		values[4];
	int			ret;

	if (ConditionalLockRelationOid(relid, mode))
		return;

	values[0] = ObjectIdGetDatum(MyDatabaseId);
	values[1] = ObjectIdGetDatum(relid);
	values[2] = Float8GetDatum(gamestats_lock_timeout / 1000.0);
	/* readers conflict only with ACCESS EXCLUSIVE */
	values[3] = BoolGetDatum(mode == AccessExclusiveLock);

	/*
	 * pg_stat_activity is read once per transaction and then kept: without
	 * this, a later call of the same run would see the xact_start another
	 * session had when it was first read, and take a session that has
	 * started a fresh transaction since -- every pooled connection -- for a
	 * long transaction.
	 */
	pgstat_clear_snapshot();
	ret = gs_spi_exec("SELECT a.pid, a.xact_start"
					  "  FROM pg_catalog.pg_locks l"
					  "  JOIN pg_catalog.pg_stat_activity a"
					  "    ON a.pid OPERATOR(pg_catalog.=) l.pid"
					  " WHERE l.locktype OPERATOR(pg_catalog.=) 'relation'"
					  "   AND l.database OPERATOR(pg_catalog.=) $1"
					  "   AND l.relation OPERATOR(pg_catalog.=) $2"
					  "   AND l.granted"
					  "   AND ($4 OR l.mode NOT IN ('AccessShareLock', 'RowShareLock'))"
					  "   AND l.pid OPERATOR(pg_catalog.<>) pg_catalog.pg_backend_pid()"
					  "   AND a.xact_start OPERATOR(pg_catalog.<) (pg_catalog.clock_timestamp()"
					  "       OPERATOR(pg_catalog.-) pg_catalog.make_interval(secs => $3))"
					  " ORDER BY a.xact_start LIMIT 1",
					  4, argtypes, values, NULL, true, 1,
					  gs_catalog_owner("partition_config"));
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "could not read the lock holders of relation %u", relid);
	if (SPI_processed > 0)
		ereport(ERROR,
				(errcode(ERRCODE_LOCK_NOT_AVAILABLE),
				 errmsg("table \"%s\" is in use by a long transaction", get_rel_name(relid)),
				 errdetail("Process %s has held a lock on it in a transaction open since %s.",
						   SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1),
						   SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2)),
				 errhint("End that transaction, or leave the step to the next scheduled maintenance.")));

	if (queue)
	{
		LockRelationOid(relid, mode);
		return;
	}

	/*
	 * Not queueing: poll until gamestats.lock_timeout.  For a lock taken
	 * while this transaction holds locks that others may be waiting for
	 * (the default partition), so no wait cycle -- and no deadlock for a
	 * game query -- can form.
	 */
	{
		TimestampTz start = GetCurrentTimestamp();

		while (!ConditionalLockRelationOid(relid, mode))
		{
			if (TimestampDifferenceExceeds(start, GetCurrentTimestamp(),
										   gamestats_lock_timeout))
				ereport(ERROR,
						(errcode(ERRCODE_LOCK_NOT_AVAILABLE),
						 errmsg("could not lock table \"%s\" within gamestats.lock_timeout",
								get_rel_name(relid)),
						 errhint("Run the maintenance again later, or raise gamestats.lock_timeout.")));
			CHECK_FOR_INTERRUPTS();
			pg_usleep(1000L);
		}
	}
}

static void
lock_exclusive(Oid relid)
{
	lock_bounded(relid, AccessExclusiveLock, true);
}

static void
run_sql(const char *sql)
{
	int			ret = SPI_execute(sql, false, 0);

	if (ret < 0)
		elog(ERROR, "SPI_execute failed (%d): %s", ret, sql);
}

/* "GRANT <privs> ON TABLE <partition><tail>" */
typedef struct GsGrant
{
	char	   *privs;
	char	   *tail;
} GsGrant;

/*
 * The grants that give a new partition the parent's privileges, read once
 * per run.
 * None when the parent has row-level security: its policies apply only
 * through the parent, so direct access to a partition must stay owner-only.
 */
static List *
parent_grants(GsTable *t)
{
	Oid			argtypes[1] = {OIDOID};
	Datum		values[1];
	List	   *result = NIL;
	uint64		i;

	if (gs_rel_class(t->parent).relrowsecurity)
		return NIL;

	values[0] = ObjectIdGetDatum(t->parent);
	if (SPI_execute_with_args("SELECT a.grantee, a.is_grantable,"
							  "       pg_catalog.string_agg(a.privilege_type, ', '"
							  "                             ORDER BY a.privilege_type)"
							  "  FROM pg_catalog.pg_class c,"
							  "       pg_catalog.aclexplode(c.relacl) a"
							  " WHERE c.oid OPERATOR(pg_catalog.=) $1"
							  "   AND a.grantee OPERATOR(pg_catalog.<>) c.relowner"
							  " GROUP BY 1, 2 ORDER BY 1, 2",
							  1, argtypes, values, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read the privileges of relation %u", t->parent);

	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	row = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		Oid			grantee = DatumGetObjectId(SPI_getbinval(row, desc, 1, &isnull));
		bool		grantable = DatumGetBool(SPI_getbinval(row, desc, 2, &isnull));
		char	   *privs = SPI_getvalue(row, desc, 3);
		GsGrant    *g = palloc(sizeof(GsGrant));

		g->privs = privs;
		g->tail = psprintf(" TO %s%s",
						   grantee == InvalidOid ? "PUBLIC" :
						   quote_identifier(GetUserNameFromId(grantee, false)),
						   grantable ? " WITH GRANT OPTION" : "");
		result = lappend(result, g);
	}
	return result;
}

/* what create_slot reads once per run, at first use */
typedef struct GsSlotCache
{
	bool		grants_loaded;
	List	   *grants;			/* parent_grants() */
	bool		pubs_checked;
	char	   *pub_refusal;	/* publication that forbids moving rows, or NULL */
	bool		pub_itself;		/* it publishes the default partition by its own name */
	bool		pub_inserts;	/* its publish = 'insert' ... without 'delete' */
} GsSlotCache;

/* Has the (locked) default partition any blocks, i.e. maybe rows? */
static bool
default_has_blocks(Oid defoid)
{
	Relation	rel = relation_open(defoid, NoLock);
	bool		result = RelationGetNumberOfBlocks(rel) > 0;

	relation_close(rel, NoLock);
	return result;
}

/*
 * May the (locked) default partition hold rows?  For a local table its
 * block count says; a Citus table's rows are in its shards, so ask in SQL,
 * which Citus routes there, after refusing a shell that holds rows itself.
 */
static bool
default_may_have_rows(GsTable *t, Oid defoid)
{
	if (!gs_is_citus_table(t->parent))
		return default_has_blocks(defoid);
	gs_citus_refuse_local_rows(defoid, t->relname);
	if (SPI_execute(psprintf("SELECT FROM %s LIMIT 1", gs_qualified_name(defoid)),
					true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read the default partition of \"%s\"", t->relname);
	return SPI_processed > 0;
}

/*
 * Moves the rows of [lo, hi) out of the default partition of a
 * hash-distributed table into newoid, a standalone table like the parent:
 * distributes it co-located with the parent, copies the rows with
 * INSERT ... SELECT and deletes them from the default partition, all in SQL
 * that Citus runs on the shards, in this transaction; the caller attaches
 * it afterwards (the attach's check of the default partition no longer
 * finds them).  Counts the rows on both sides: any difference is an error,
 * which rolls the whole step back.  Generated columns are computed again.
 */
static int64
citus_move_rows(GsTable *t, Oid defoid, Oid newoid, int64 lo, int64 hi)
{
	char		method = gs_citus_partmethod(t->parent);
	const char *key = quote_identifier(t->keyname);
	char	   *qualdef = gs_qualified_name(defoid);
	char	   *qualnew = gs_qualified_name(newoid);
	TupleDesc	desc;
	Relation	rel;
	StringInfoData cols;
	Oid			argtypes[2];
	Datum		values[2];
	bool		isnull;
	int64		inserted;
	int64		deleted;
	int			i;

	if (method != 'h')
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot move rows out of the default partition of Citus table \"%s\"",
						t->relname),
				 errdetail("pg_gamestats moves default-partition rows only for hash-distributed tables."),
				 errhint("Move the rows yourself, or distribute the table with create_distributed_table().")));

	/* the distribution column and co-location of the parent */
	argtypes[0] = OIDOID;
	values[0] = ObjectIdGetDatum(t->parent);
	if (SPI_execute_with_args("SELECT pg_catalog.column_to_column_name(logicalrelid, partkey)"
							  " FROM pg_catalog.pg_dist_partition WHERE logicalrelid = $1",
							  1, argtypes, values, NULL, true, 1) != SPI_OK_SELECT ||
		SPI_processed != 1)
		elog(ERROR, "could not read the distribution column of \"%s\"", t->relname);
	{
		Oid			a3[3] = {OIDOID, TEXTOID, TEXTOID};
		Datum		v3[3];

		v3[0] = ObjectIdGetDatum(newoid);
		v3[1] = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
		if (isnull)
			elog(ERROR, "could not read the distribution column of \"%s\"", t->relname);
		v3[2] = CStringGetTextDatum(t->qualname);
		if (SPI_execute_with_args("SELECT pg_catalog.create_distributed_table($1::pg_catalog.regclass, $2, colocate_with => $3)",
								  3, a3, v3, NULL, false, 0) != SPI_OK_SELECT)
			elog(ERROR, "could not distribute \"%s\"", get_rel_name(newoid));
	}

	rel = relation_open(newoid, NoLock);
	desc = RelationGetDescr(rel);
	initStringInfo(&cols);
	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (att->attisdropped || att->attgenerated)
			continue;
		if (cols.len > 0)
			appendStringInfoString(&cols, ", ");
		appendStringInfoString(&cols, quote_identifier(NameStr(att->attname)));
	}
	relation_close(rel, NoLock);

	argtypes[0] = argtypes[1] = gs_key_type(t->kind);
	values[0] = gs_ts_to_key(t->kind, lo);
	values[1] = gs_ts_to_key(t->kind, hi);
	if (SPI_execute_with_args(psprintf("INSERT INTO %s (%s) SELECT %s FROM ONLY %s WHERE %s >= $1 AND %s < $2",
									   qualnew, cols.data, cols.data, qualdef, key, key),
							  2, argtypes, values, NULL, false, 0) != SPI_OK_INSERT)
		elog(ERROR, "could not copy rows into \"%s\"", get_rel_name(newoid));
	inserted = (int64) SPI_processed;
	if (SPI_execute_with_args(psprintf("DELETE FROM ONLY %s WHERE %s >= $1 AND %s < $2",
									   qualdef, key, key),
							  2, argtypes, values, NULL, false, 0) != SPI_OK_DELETE)
		elog(ERROR, "could not delete rows from \"%s\"", get_rel_name(defoid));
	deleted = (int64) SPI_processed;
	if (inserted != deleted)
		ereport(ERROR,
				(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
				 errmsg("rows of the default partition of \"%s\" changed while they were moved",
						t->relname),
				 errdetail("%lld rows were copied and %lld deleted.",
						   (long long) inserted, (long long) deleted),
				 errhint("Run the maintenance again, or leave the step to the next scheduled one.")));
	CommandCounterIncrement();
	return inserted;
}

/*
 * Has the (locked) default partition rows in [lo, hi)?  Asked in SQL, which
 * can use an index on the key, before the move scans the whole partition;
 * with a fresh snapshot, as the move reads it.
 */
static bool
default_has_rows_in(GsTable *t, Oid defoid, int64 lo, int64 hi)
{
	const char *key = quote_identifier(t->keyname);
	Oid			argtypes[2];
	Datum		values[2];
	SPIPlanPtr	plan;
	int			ret;

	argtypes[0] = argtypes[1] = gs_key_type(t->kind);
	values[0] = gs_ts_to_key(t->kind, lo);
	values[1] = gs_ts_to_key(t->kind, hi);
	plan = SPI_prepare(psprintf("SELECT FROM ONLY %s WHERE %s >= $1 AND %s < $2 LIMIT 1",
								gs_qualified_name(defoid), key, key),
					   2, argtypes);
	if (plan == NULL)
		elog(ERROR, "could not read the default partition of \"%s\"", t->relname);
	ret = SPI_execute_snapshot(plan, values, NULL, GetLatestSnapshot(), InvalidSnapshot,
							   true, false, 1);
	SPI_freeplan(plan);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "could not read the default partition of \"%s\"", t->relname);
	return SPI_processed > 0;
}

/*
 * Refuses a default partition that is itself partitioned or a foreign
 * table: its rows cannot be moved with the table access method, and the
 * checks below (blocks, scans) need a plain table.
 */
static void
check_default_kind(GsTable *t, Oid defoid)
{
	char		relkind = get_rel_relkind(defoid);
	char	   *qualdef;

	if (relkind != RELKIND_PARTITIONED_TABLE && relkind != RELKIND_FOREIGN_TABLE)
		return;
	qualdef = gs_qualified_name(defoid);
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("default partition \"%s\" of table \"%s\" is %s",
					get_rel_name(defoid), t->relname,
					relkind == RELKIND_PARTITIONED_TABLE ? "partitioned" : "a foreign table"),
			 errdetail("pg_gamestats moves rows out of the default partition into new partitions, which needs the default partition to be a plain table."),
			 errhint("Detach it (ALTER TABLE %s DETACH PARTITION %s) and attach a plain table as the default partition, or call gamestats.unmanage_partitions().",
					 t->qualname, qualdef)));
}

/*
 * Logical replication of a move.  The rows are deleted from the default
 * partition and inserted into the new partition after it is attached, so
 * logical decoding sees a DELETE on the default partition and an INSERT on
 * the new partition.  A subscriber ends up with exactly the publisher's rows
 * only when every publication that carries the default partition publishes
 * both under one relation -- the root, with publish_via_partition_root --
 * and publishes both inserts and deletes.  With publish_via_partition_root =
 * false (FOR TABLE or FOR ALL TABLES) the default partition is published by
 * its own name and the new partition is not part of the subscription until
 * ALTER SUBSCRIPTION ... REFRESH PUBLICATION: the subscriber would apply the
 * delete and drop the insert, losing the rows.  No change can be kept out
 * of the logical stream either (a delete is always decoded), so such a move
 * is refused with an error; the rows stay where they are.  Reads the
 * publications once per run, through pg_publication_tables, which applies
 * PostgreSQL's own rules (FOR ALL TABLES, TABLES IN SCHEMA, partitions).
 */
static void
check_publications(GsTable *t, Oid defoid, GsSlotCache *cache)
{
	if (!cache->pubs_checked)
	{
		List	   *rels = lcons_oid(defoid, get_partition_ancestors(defoid));
		Datum	   *elems = palloc(list_length(rels) * sizeof(Datum));
		Oid			argtypes[2] = {OIDOID, OIDARRAYOID};
		Datum		values[2];
		ListCell   *lc;
		int			n = 0;

		foreach(lc, rels)
			elems[n++] = ObjectIdGetDatum(lfirst_oid(lc));
		values[0] = ObjectIdGetDatum(defoid);
		values[1] = PointerGetDatum(construct_array(elems, n, OIDOID, sizeof(Oid),
													true, TYPALIGN_INT));
		if (SPI_execute_with_args("SELECT p.pubname::pg_catalog.text,"
								  "       c.oid OPERATOR(pg_catalog.=) $1, p.pubinsert"
								  "  FROM pg_catalog.pg_publication p"
								  "  JOIN pg_catalog.pg_publication_tables pt"
								  "    ON pt.pubname OPERATOR(pg_catalog.=) p.pubname"
								  "  JOIN pg_catalog.pg_namespace n"
								  "    ON n.nspname OPERATOR(pg_catalog.=) pt.schemaname"
								  "  JOIN pg_catalog.pg_class c"
								  "    ON c.relnamespace OPERATOR(pg_catalog.=) n.oid"
								  "   AND c.relname OPERATOR(pg_catalog.=) pt.tablename"
								  " WHERE c.oid OPERATOR(pg_catalog.=) ANY ($2)"
								  "   AND (c.oid OPERATOR(pg_catalog.=) $1"
								  "        OR p.pubinsert OPERATOR(pg_catalog.<>) p.pubdelete)"
								  " ORDER BY 2 DESC, 1 LIMIT 1",
								  2, argtypes, values, NULL, true, 1) != SPI_OK_SELECT)
			elog(ERROR, "could not read the publications of relation %u", defoid);
		if (SPI_processed > 0)
		{
			HeapTuple	row = SPI_tuptable->vals[0];
			TupleDesc	desc = SPI_tuptable->tupdesc;
			bool		isnull;

			cache->pub_refusal = SPI_getvalue(row, desc, 1);
			cache->pub_itself = DatumGetBool(SPI_getbinval(row, desc, 2, &isnull));
			cache->pub_inserts = DatumGetBool(SPI_getbinval(row, desc, 3, &isnull));
		}
		cache->pubs_checked = true;
	}

	if (cache->pub_refusal == NULL)
		return;
	if (cache->pub_itself)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot move rows out of default partition \"%s\": publication \"%s\" publishes it without publish_via_partition_root",
						get_rel_name(defoid), cache->pub_refusal),
				 errdetail("A subscriber would apply the rows' deletion from \"%s\" but not their insertion into a new partition it does not subscribe to, and lose them.",
						   get_rel_name(defoid)),
				 errhint("Publish table \"%s\" with publish_via_partition_root = true (ALTER PUBLICATION %s SET (publish_via_partition_root = true), then ALTER SUBSCRIPTION ... REFRESH PUBLICATION), or delete or archive these rows of the default partition yourself.",
						 t->relname, quote_identifier(cache->pub_refusal))));
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("cannot move rows out of default partition \"%s\": publication \"%s\" publishes %s but not %s",
					get_rel_name(defoid), cache->pub_refusal,
					cache->pub_inserts ? "inserts" : "deletes",
					cache->pub_inserts ? "deletes" : "inserts"),
			 errdetail("A move is replicated as a delete and an insert; a subscriber that receives only one of them would %s the rows.",
					   cache->pub_inserts ? "duplicate" : "lose"),
			 errhint("Publish both inserts and deletes (ALTER PUBLICATION %s SET (publish = 'insert, update, delete')), or delete or archive these rows of the default partition yourself.",
					 quote_identifier(cache->pub_refusal))));
}

/* the rows of the default partition that belong to the new partition */
typedef struct GsMoveRows
{
	Tuplestorestate *rows;		/* in the new partition's row layout */
	int64		count;
} GsMoveRows;

/*
 * Takes the rows of [lo, hi) out of the default partition, at table-AM
 * level: no trigger, rule, foreign-key action or row-level security policy
 * of any table fires, so rows of tables that reference the managed table
 * stay as they are (the rows they reference are still in the table when the
 * transaction commits).  Each row is checked against the CHECK and NOT NULL
 * constraints of the new partition (NOT VALID constraints of the parent
 * become valid ones there), kept in the new partition's layout, and deleted
 * as a move to another partition, so that a concurrent update of it fails
 * with a serialization error instead of missing it.  The caller holds
 * ACCESS EXCLUSIVE on the default partition: the rows seen by a fresh
 * snapshot are all the rows there are.
 */
static GsMoveRows *
take_rows(GsTable *t, Oid defoid, Oid newoid, int64 lo, int64 hi, GsSlotCache *cache)
{
	Relation	defrel = table_open(defoid, NoLock);
	Relation	newrel = table_open(newoid, NoLock);
	TupleDesc	newdesc = RelationGetDescr(newrel);
	AttrNumber	keyatt = get_attnum(defoid, t->keyname);
	TupleConversionMap *map = convert_tuples_by_name(RelationGetDescr(defrel), newdesc);
	EState	   *estate = CreateExecutorState();
	ExprContext *econtext = GetPerTupleExprContext(estate);
	int			ncheck = newdesc->constr ? newdesc->constr->num_check : 0;
	ExprState **checks = palloc0(Max(ncheck, 1) * sizeof(ExprState *));
	TupleTableSlot *src = table_slot_create(defrel, NULL);
	TupleTableSlot *dst = MakeSingleTupleTableSlot(newdesc, &TTSOpsVirtual);
	CommandId	cid = GetCurrentCommandId(true);
	Snapshot	snap;
	TableScanDesc scan;
	GsMoveRows *result = palloc0(sizeof(GsMoveRows));
	int			i;

	if (keyatt == InvalidAttrNumber)
		elog(ERROR, "column \"%s\" of relation %u does not exist", t->keyname, defoid);

	for (i = 0; i < ncheck; i++)
	{
		ConstrCheck *cc = &newdesc->constr->check[i];

		if (!gs_check_is_enforced(cc))
			continue;
		checks[i] = ExecPrepareCheck(make_ands_implicit((Expr *) stringToNode(cc->ccbin)),
									 estate);
	}

	result->rows = tuplestore_begin_heap(false, false, work_mem);
	snap = RegisterSnapshot(GetLatestSnapshot());
	scan = table_beginscan_strat(defrel, snap, 0, NULL, true, false);
	while (table_scan_getnextslot(scan, ForwardScanDirection, src))
	{
		bool		isnull;
		Datum		key = slot_getattr(src, keyatt, &isnull);
		int64		ts;
		TM_FailureData tmfd;
		TM_Result	res;

		CHECK_FOR_INTERRUPTS();
		if (isnull)
			continue;
		ts = gs_key_to_ts(t->kind, key);
		if (ts < lo || ts >= hi)
			continue;

		if (result->count == 0)
		{
			/* a row moves: can a subscriber follow? */
			check_publications(t, defoid, cache);
			/* what a DELETE would refuse: no replica identity, bad row filters */
			CheckCmdReplicaIdentity(defrel, CMD_DELETE);
		}

		/*
		 * Always through a virtual slot in the new layout: a stored tuple
		 * may lack columns added later with a default (its "missing"
		 * values live in the default partition's catalog entry, not in the
		 * new partition's).
		 */
		if (map)
			execute_attr_map_slot(map->attrMap, src, dst);
		else
			ExecCopySlot(dst, src);

		ResetExprContext(econtext);
		econtext->ecxt_scantuple = dst;
		for (i = 0; i < newdesc->natts; i++)
		{
			Form_pg_attribute att = TupleDescAttr(newdesc, i);

			if (att->attnotnull && !att->attisdropped && slot_attisnull(dst, i + 1))
				ereport(ERROR,
						(errcode(ERRCODE_NOT_NULL_VIOLATION),
						 errmsg("a row of default partition \"%s\" has a null value in column \"%s\", which table \"%s\" declares NOT NULL",
								RelationGetRelationName(defrel), NameStr(att->attname), t->relname),
						 errhint("Fix or delete the rows of the default partition where \"%s\" is null; they are moved at the next maintenance.",
								 NameStr(att->attname))));
		}
		for (i = 0; i < ncheck; i++)
		{
			if (checks[i] != NULL && !ExecCheck(checks[i], econtext))
				ereport(ERROR,
						(errcode(ERRCODE_CHECK_VIOLATION),
						 errmsg("a row of default partition \"%s\" violates check constraint \"%s\" of table \"%s\"",
								RelationGetRelationName(defrel), newdesc->constr->check[i].ccname,
								t->relname),
						 errhint("Fix or delete the rows of the default partition that violate it (the constraint may be NOT VALID on the table); they are moved at the next maintenance.")));
		}

		tuplestore_puttupleslot(result->rows, dst);
		res = gs_delete_moving_row(defrel, &src->tts_tid, cid, snap, &tmfd);
		if (res != TM_Ok)
			elog(ERROR, "could not delete a row of the default partition (%d)", (int) res);
		result->count++;
	}
	table_endscan(scan);
	UnregisterSnapshot(snap);

	ExecDropSingleTupleTableSlot(dst);
	ExecDropSingleTupleTableSlot(src);
	FreeExecutorState(estate);
	table_close(newrel, NoLock);
	table_close(defrel, NoLock);
	return result;
}

/*
 * Inserts the taken rows into the new, attached partition at table-AM
 * level (no trigger fires), then rebuilds its indexes (which checks unique
 * and exclusion constraints).  Values are moved as they were stored,
 * generated columns included; TOAST values are copied into the new
 * partition's TOAST table.  WAL-logged as any insert.
 */
static void
put_rows(Oid newoid, const char *qualnew, GsMoveRows *m)
{
	Relation	newrel = table_open(newoid, NoLock);
	TupleTableSlot *slot = MakeSingleTupleTableSlot(RelationGetDescr(newrel),
													&TTSOpsMinimalTuple);
	CommandId	cid = GetCurrentCommandId(true);
	bool		has_indexes = RelationGetIndexList(newrel) != NIL;

	tuplestore_rescan(m->rows);
	while (tuplestore_gettupleslot(m->rows, true, false, slot))
	{
		CHECK_FOR_INTERRUPTS();
		table_tuple_insert(newrel, slot, cid, 0, NULL);
	}
	ExecDropSingleTupleTableSlot(slot);
	tuplestore_end(m->rows);
	table_close(newrel, NoLock);

	/* the TOAST index is kept up to date by the inserts */
	CommandCounterIncrement();
	if (has_indexes)
		run_sql(psprintf("REINDEX TABLE %s", qualnew));
}

/* arguments and results of one partition creation step */
typedef struct SlotArg
{
	GsTable    *t;
	GsSlotCache *cache;
	bool		is_default;
	int64		lo;
	int64		hi;
	Oid			defoid;			/* default partition to move rows out of */
	int64		now;			/* slots up to now may be receiving inserts */
	char		name[NAMEDATALEN];
	int64		moved;
	Oid			newoid;
} SlotArg;

/*
 * Creates one partition: a standalone table LIKE the parent with the
 * parent's grants, then (when the default partition holds rows of its
 * range) the rows taken out of the default partition, the ATTACH of the
 * still empty table -- whose scan of the default partition no longer finds
 * them, and which needs no scan of the new table -- and the rows put into
 * the attached partition.  The ATTACH validates the foreign keys and
 * partition bound of an empty table; the moved rows met the same foreign
 * keys in the default partition.
 */
static void
create_slot(void *varg)
{
	SlotArg    *a = (SlotArg *) varg;
	GsTable    *t = a->t;
	char	   *qualnew;
	Oid			nspid = get_namespace_oid(t->nspname, false);
	Oid			tblspc = get_rel_tablespace(t->parent);
	char	   *lo_lit = NULL;
	char	   *hi_lit = NULL;
	bool		move = false;
	GsMoveRows *rows = NULL;
	ListCell   *lc;
	StringInfoData sql;

	/* a name taken by a leftover table is an error, by others made unique */
	gs_settle_name(nspid, t->relname, a->is_default, &t->step, a->lo, a->name);
	qualnew = quote_qualified_identifier(t->nspname, a->name);

	/*
	 * ATTACH locks the default partition; do it first, boundedly.  Holding
	 * it, an empty default stays empty: then there is nothing to move and the
	 * new table is empty, so its validation scan costs nothing.
	 */
	if (OidIsValid(a->defoid))
	{
		/*
		 * Rows in the default partition mean inserts may be routing rows of
		 * this range there right now.  One that chose the default before
		 * the attach would fail its partition check after it, so keep new
		 * inserts out of the parent (SHARE ROW EXCLUSIVE waits for those in
		 * flight, boundedly) until the attach commits.  Parent before
		 * partition, the order inserts lock in.
		 */
		bool		parent_locked = false;

		lock_bounded(a->defoid, AccessShareLock, true);
		if (!a->is_default && (a->lo <= a->now || default_may_have_rows(t, a->defoid)))
		{
			lock_bounded(t->parent, ShareRowExclusiveLock, true);
			parent_locked = true;
		}
		lock_exclusive(a->defoid);
		move = !a->is_default && default_may_have_rows(t, a->defoid);
		if (move && !parent_locked)
			ereport(ERROR,
					(errcode(ERRCODE_LOCK_NOT_AVAILABLE),
					 errmsg("rows arrived in the default partition of \"%s\" while its partition was being made",
							get_rel_name(t->parent)),
					 errhint("Run the maintenance again, or leave the step to the next scheduled one.")));
	}

	initStringInfo(&sql);
	appendStringInfo(&sql,
					 "CREATE TABLE %s (LIKE %s INCLUDING ALL EXCLUDING IDENTITY EXCLUDING COMMENTS)",
					 qualnew, t->qualname);
	if (!a->is_default)
	{
		lo_lit = gs_key_literal(t->kind, a->lo);
		hi_lit = gs_key_literal(t->kind, a->hi);
	}
	if (OidIsValid(tblspc) && get_tablespace_name(tblspc) != NULL)
		appendStringInfo(&sql, " TABLESPACE %s",
						 quote_identifier(get_tablespace_name(tblspc)));
	run_sql(sql.data);
	a->newoid = get_relname_relid(a->name, nspid);
	if (!OidIsValid(a->newoid))
		elog(ERROR, "could not find the new table \"%s\"", a->name);

	if (!a->cache->grants_loaded)
	{
		a->cache->grants = parent_grants(t);
		a->cache->grants_loaded = true;
	}
	foreach(lc, a->cache->grants)
	{
		GsGrant    *g = (GsGrant *) lfirst(lc);

		run_sql(psprintf("GRANT %s ON TABLE %s%s", g->privs, qualnew, g->tail));
	}

	if (move && gs_is_citus_table(t->parent))
	{
		if (default_has_rows_in(t, a->defoid, a->lo, a->hi))
			a->moved = citus_move_rows(t, a->defoid, a->newoid, a->lo, a->hi);
	}
	else if (move && default_has_rows_in(t, a->defoid, a->lo, a->hi))
	{
		rows = take_rows(t, a->defoid, a->newoid, a->lo, a->hi, a->cache);
		a->moved = rows->count;
		/* the attach's scan of the default partition must see the deletes */
		CommandCounterIncrement();
	}

	resetStringInfo(&sql);
	if (a->is_default)
		appendStringInfo(&sql, "ALTER TABLE %s ATTACH PARTITION %s DEFAULT",
						 t->qualname, qualnew);
	else
		appendStringInfo(&sql, "ALTER TABLE %s ATTACH PARTITION %s FOR VALUES FROM (%s) TO (%s)",
						 t->qualname, qualnew, lo_lit, hi_lit);
	run_sql(sql.data);

	if (rows != NULL && rows->count > 0)
	{
		CommandCounterIncrement();
		put_rows(a->newoid, qualnew, rows);
	}
	else if (rows != NULL)
		tuplestore_end(rows->rows);
}

/* Number of slots from first to last inclusive, capped at GS_MAX_CREATE + 1. */
static int
count_slots(const GsStep *step, int64 first, int64 last)
{
	int			n = 0;
	int64		s;

	for (s = first; s <= last && n <= GS_MAX_CREATE; s = gs_slot_next(step, s))
		n++;
	return n;
}

static bool
try_slot(GsTable *t, int64 lo, int64 hi, Oid defoid, int64 now,
		 GsSlotCache *cache, List **bounds, GsRun *run)
{
	SlotArg		a;
	GsBound    *b;

	memset(&a, 0, sizeof(a));
	a.t = t;
	a.lo = lo;
	a.hi = hi;
	a.defoid = defoid;
	a.now = now;
	a.cache = cache;
	gs_partition_name(t->relname, &t->step, lo, a.name);
	if (!gs_try(create_slot, &a, run,
				psprintf("create partition %s", quote_identifier(a.name))))
		return false;
	run->created++;
	run->moved += a.moved;
	b = palloc0(sizeof(GsBound));
	b->relid = a.newoid;
	b->lo = lo;
	b->hi = hi;
	*bounds = lappend(*bounds, b);
	return true;
}

/*
 * How many partitions one call may make, from the shared lock table.  Every
 * partition made holds locks until the transaction ends (the new table, its
 * row type, TOAST table and index, each index and constraint, and in
 * run_maintenance the subtransaction's XID); on a hot standby the startup
 * process holds the ACCESS EXCLUSIVE ones until then too.  A call may use
 * half of max_locks_per_transaction * (max_connections +
 * max_prepared_transactions), the lock table's documented size, less what
 * this transaction holds already and a reserve for the catalogs the DDL
 * reads (once the 16 fast-path slots of a backend are taken, those locks go
 * to the lock table too), so that the rest of the cluster can still lock:
 * past the lock table, every backend's next lock fails with "out of shared
 * memory".  Fills the estimate per partition and the budget, in locks.
 */
#define GS_LOCK_RESERVE 64

typedef struct GsLockBudget
{
	int			per_partition;	/* locks one new partition holds, at most */
	int			held;			/* lock-table entries this transaction holds */
	int			limit;			/* partitions this call may make */
	bool		noted;			/* run_maintenance: reached, noted in errors */
} GsLockBudget;

static void
lock_budget(GsTable *t, bool strict, GsLockBudget *lb)
{
	Oid			argtypes[1] = {OIDOID};
	Datum		values[1];
	bool		isnull;
	LockData   *locks;
	int64		room;
	int			i;

	memset(lb, 0, sizeof(GsLockBudget));
	values[0] = ObjectIdGetDatum(t->parent);
	if (SPI_execute_with_args("SELECT 2"
							  " + 2 * (SELECT pg_catalog.count(*) FROM pg_catalog.pg_index"
							  "         WHERE indrelid OPERATOR(pg_catalog.=) $1)"
							  " + (SELECT pg_catalog.count(*) FROM pg_catalog.pg_constraint"
							  "     WHERE conrelid OPERATOR(pg_catalog.=) $1"
							  "        OR confrelid OPERATOR(pg_catalog.=) $1)"
							  " + (SELECT pg_catalog.count(*) FROM pg_catalog.pg_statistic_ext"
							  "     WHERE stxrelid OPERATOR(pg_catalog.=) $1)"
							  " + (SELECT pg_catalog.count(*) FROM pg_catalog.pg_trigger"
							  "     WHERE tgrelid OPERATOR(pg_catalog.=) $1 AND NOT tgisinternal)"
							  " + CASE WHEN EXISTS (SELECT FROM pg_catalog.pg_attribute"
							  "     WHERE attrelid OPERATOR(pg_catalog.=) $1"
							  "       AND attnum OPERATOR(pg_catalog.>) 0 AND NOT attisdropped"
							  "       AND attlen OPERATOR(pg_catalog.=) -1) THEN 2 ELSE 0 END",
							  1, argtypes, values, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not count the objects of relation %u", t->parent);
	lb->per_partition = (int) DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
														  SPI_tuptable->tupdesc, 1, &isnull));
	if (!strict)
		lb->per_partition++;	/* the subtransaction's XID */

	locks = GetLockStatusData();
	for (i = 0; i < locks->nelements; i++)
		if (locks->locks[i].pid == MyProcPid && !locks->locks[i].fastpath)
			lb->held++;

	room = (int64) max_locks_per_xact * (MaxConnections + max_prepared_xacts) / 2 -
		lb->held - GS_LOCK_RESERVE;
	lb->limit = (int) Min(Max(room, 0) / lb->per_partition, GS_MAX_CREATE);
}

/* max_locks_per_transaction that would let this call make n partitions */
static int
locks_needed(const GsLockBudget *lb, int n)
{
	int64		entries = 2 * ((int64) lb->held + GS_LOCK_RESERVE +
							   (int64) n * lb->per_partition);
	int			backends = MaxConnections + max_prepared_xacts;

	return (int) ((entries + backends - 1) / backends);
}

static void
budget_error(GsTable *t, const GsLockBudget *lb, int n, bool at_least)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("managing table \"%s\" needs %d%s new partitions, more than the %d the lock table allows in one call",
					t->relname, n, at_least ? " or more" : "", lb->limit),
			 errdetail("Each new partition of \"%s\" holds up to %d locks until the transaction ends, and one call uses at most half of the lock table: max_locks_per_transaction (%d) * (max_connections (%d) + max_prepared_transactions (%d)) entries.",
					   t->relname, lb->per_partition, max_locks_per_xact,
					   MaxConnections, max_prepared_xacts),
			 errhint("Pass a later start_time or a longer partition_interval, or set max_locks_per_transaction to at least %d (a server restart; standbys need at least the same).",
					 locks_needed(lb, n))));
}

/*
 * May one more partition be made?  manage_partitions: an error past the
 * budget (nothing is left behind).  run_maintenance: false, with a note in
 * the run's errors once; the next run goes on.
 */
static bool
budget_left(GsTable *t, GsRun *run, GsLockBudget *lb)
{
	if (run->created < lb->limit)
		return true;
	if (run->strict)
		budget_error(t, lb, run->created + 1, true);
	if (!lb->noted)
	{
		if (run->errors.len > 0)
			appendStringInfoString(&run->errors, "; ");
		appendStringInfo(&run->errors,
						 "partition limit reached: made %d partitions, the most one run may lock (up to %d locks each, half of max_locks_per_transaction * (max_connections + max_prepared_transactions)); the next run makes the rest",
						 run->created, lb->per_partition);
		lb->noted = true;
	}
	return false;
}

/*
 * Creation part of maintenance: the default partition (if wanted), the
 * slot of "now" and premake slots after it (from start's slot when given),
 * and the slots of default-partition rows inside the window
 * [now - retention, end of the last premade slot).  Counts the rows left in
 * the default partition.  Takes SHARE UPDATE EXCLUSIVE on the parent and,
 * while creating, ACCESS EXCLUSIVE on the default partition, all bounded.
 * Makes at most as many partitions as the lock table allows (lock_budget):
 * manage_partitions refuses a larger call before making any.
 */
void
gs_maintain_create(GsTable *t, int64 now, bool has_start, int64 start, GsRun *run)
{
	GsCtx		ctx;
	List	   *bounds;
	Oid			defoid;
	GsSlotCache *cache;
	GsLockBudget lb;
	int64		cur;
	int64		first;
	int64		last;
	int64		keep;
	int64		s;
	int			i;

	ctx_enter(t, &ctx);
	LockRelationOid(t->parent, ShareUpdateExclusiveLock);
	bounds = gs_read_bounds(t->parent, t->kind, &defoid);
	if (OidIsValid(defoid))
		check_default_kind(t, defoid);
	cache = palloc0(sizeof(GsSlotCache));

	cur = gs_slot_floor(&t->step, now);
	last = cur;
	for (i = 0; i < t->premake; i++)
		last = gs_slot_next(&t->step, last);
	first = has_start ? gs_slot_floor(&t->step, start) : cur;
	/* oldest slot the window keeps: the one holding now - retention */
	keep = t->has_retention ?
		gs_slot_floor(&t->step, gs_ts_minus_interval(now, &t->retention)) : GS_TS_MIN;
	if (first < keep)
		first = keep;

	if (run->strict && count_slots(&t->step, first, last) > GS_MAX_CREATE)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("managing table \"%s\" would create more than %d partitions",
						t->relname, GS_MAX_CREATE),
				 errhint("Pass a later start_time or a longer partition_interval.")));

	lock_budget(t, run->strict, &lb);
	if (run->strict)
	{
		/* the partitions this call makes for sure, counted before making any */
		int			n = (t->want_default && !OidIsValid(defoid)) ? 1 : 0;

		for (s = first; s <= last; s = gs_slot_next(&t->step, s))
			if (!gs_overlaps(bounds, s, gs_slot_next(&t->step, s)))
				n++;
		if (n > lb.limit)
			budget_error(t, &lb, n, false);
	}

	for (s = first; s <= last; s = gs_slot_next(&t->step, s))
	{
		int64		e = gs_slot_next(&t->step, s);

		if (!gs_overlaps(bounds, s, e))
		{
			if (!budget_left(t, run, &lb))
				break;
			try_slot(t, s, e, defoid, now, cache, &bounds, run);
		}
	}

	/*
	 * A missing default partition is made after the range partitions: every
	 * ATTACH must lock, check and re-constrain an existing default partition.
	 * The new default is empty, so there is nothing to move out of it.
	 */
	if (t->want_default && !OidIsValid(defoid) && budget_left(t, run, &lb))
	{
		SlotArg		a;

		memset(&a, 0, sizeof(a));
		a.t = t;
		a.cache = cache;
		a.is_default = true;
		gs_default_name(t->relname, a.name);
		(void) gs_try(create_slot, &a, run,
					  psprintf("create default partition %s", quote_identifier(a.name)));
	}

	/* an empty default partition (no blocks) needs neither a scan nor a count */
	if (OidIsValid(defoid))
	{
		LockRelationOid(defoid, AccessShareLock);
		if (!default_may_have_rows(t, defoid))
			defoid = InvalidOid;
	}

	if (OidIsValid(defoid))
	{
		char	   *qualdef = gs_qualified_name(defoid);
		const char *key = quote_identifier(t->keyname);
		char	   *minsql;
		Oid			argtypes[2];
		int64		lo = t->has_retention ? keep : first;
		int64		hi = gs_slot_next(&t->step, last);
		ListCell   *lc;
		bool		isnull;

		/* with no retention the window reaches back to the oldest partition */
		if (!t->has_retention)
		{
			foreach(lc, bounds)
			{
				GsBound    *b = (GsBound *) lfirst(lc);

				if (!b->is_default && b->lo != GS_TS_MIN && b->lo < lo)
					lo = gs_slot_floor(&t->step, b->lo);
			}
		}

		argtypes[0] = argtypes[1] = gs_key_type(t->kind);
		minsql = psprintf("SELECT pg_catalog.min(%s) FROM ONLY %s WHERE %s >= $1 AND %s < $2",
						  key, qualdef, key, key);
		while (lo < hi)
		{
			Datum		values[2];
			Datum		minkey;
			int64		s2;
			int64		e2;

			values[0] = gs_ts_to_key(t->kind, lo);
			values[1] = gs_ts_to_key(t->kind, hi);
			if (SPI_execute_with_args(minsql, 2, argtypes, values, NULL, false, 1) != SPI_OK_SELECT)
				elog(ERROR, "could not read the default partition of \"%s\"", t->relname);
			minkey = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
			if (isnull)
				break;
			s2 = gs_slot_floor(&t->step, gs_key_to_ts(t->kind, minkey));
			e2 = gs_slot_next(&t->step, s2);
			if (!gs_overlaps(bounds, s2, e2))
			{
				if (!budget_left(t, run, &lb))
					break;
				try_slot(t, s2, e2, defoid, now, cache, &bounds, run);
			}
			lo = e2;
		}

		if (SPI_execute(psprintf("SELECT pg_catalog.count(*) FROM ONLY %s", qualdef),
						false, 0) != SPI_OK_SELECT)
			elog(ERROR, "could not count the default partition of \"%s\"", t->relname);
		run->default_rows = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
														SPI_tuptable->tupdesc, 1, &isnull));
	}
	else
		run->default_rows = 0;

	ctx_leave(&ctx);
}

typedef struct DropArg
{
	GsTable    *t;
	Oid			relid;
	bool		finalize;		/* finish a pending DETACH CONCURRENTLY */
} DropArg;

static void
drop_one(void *varg)
{
	DropArg    *a = (DropArg *) varg;
	char	   *qual = gs_qualified_name(a->relid);

	lock_exclusive(a->relid);
	if (a->finalize)
		run_sql(psprintf("ALTER TABLE %s DETACH PARTITION %s FINALIZE", a->t->qualname, qual));
	else if (a->t->detach)
		run_sql(psprintf("ALTER TABLE %s DETACH PARTITION %s", a->t->qualname, qual));
	else
		run_sql(psprintf("DROP TABLE %s", qual));
}

static int
bound_cmp(const ListCell *a, const ListCell *b)
{
	const GsBound *x = (const GsBound *) lfirst(a);
	const GsBound *y = (const GsBound *) lfirst(b);

	if (x->lo < y->lo)
		return -1;
	return (x->lo > y->lo) ? 1 : 0;
}

/*
 * Retention part of maintenance: drops (or detaches) every partition whose
 * whole range lies before now - retention; never the default partition.
 * A partition whose range starts at MINVALUE was made by hand (as a
 * catch-all for old rows): it is kept, and the run says so.  A due
 * partition whose DETACH ... CONCURRENTLY was interrupted is detached for
 * good (FINALIZE), never dropped: its owner meant to keep it as a table.
 * Takes ACCESS EXCLUSIVE on the parent, the default partition and each
 * dropped partition, bounded by gamestats.lock_timeout -- only when
 * something is due.
 */
void
gs_maintain_retention(GsTable *t, int64 now, GsRun *run)
{
	GsCtx		ctx;
	List	   *bounds;
	List	   *due = NIL;
	Oid			defoid;
	int64		cutoff;
	ListCell   *lc;

	if (!t->has_retention)
		return;
	cutoff = gs_ts_minus_interval(now, &t->retention);
	if (cutoff > now)
		return;					/* e.g. '1 mon -29 days' in February */

	ctx_enter(t, &ctx);
	LockRelationOid(t->parent, ShareUpdateExclusiveLock);
	/* partitions attached by hand since the table was inspected */
	gs_check_epoch_bounds(t->parent, t->kind, t->relname);
	bounds = gs_read_bounds(t->parent, t->kind, &defoid);
	foreach(lc, bounds)
	{
		GsBound    *b = (GsBound *) lfirst(lc);

		if (b->is_default || b->hi > cutoff)
			continue;
		if (b->lo == GS_TS_MIN)
		{
			if (run->errors.len > 0)
				appendStringInfoString(&run->errors, "; ");
			appendStringInfo(&run->errors,
							 "retention: kept partition %s: its range starts at MINVALUE, so it was not made by pg_gamestats (detach or drop it by hand)",
							 quote_identifier(get_rel_name(b->relid)));
			continue;
		}
		due = lappend(due, b);
	}

	if (due != NIL)
	{
		bool		holds_default = false;

		list_sort(due, bound_cmp);
		if (OidIsValid(defoid))
		{
			LOCKTAG		tag;

			SET_LOCKTAG_RELATION(tag, MyDatabaseId, defoid);
			holds_default = gs_lock_held_by_me(&tag, AccessExclusiveLock);
		}
		/* queries lock the parent before the default: never wait the other way */
		lock_bounded(t->parent, AccessExclusiveLock, !holds_default);
		if (OidIsValid(defoid))
			lock_exclusive(defoid);
		foreach(lc, due)
		{
			GsBound    *b = (GsBound *) lfirst(lc);
			DropArg		a;

			a.t = t;
			a.relid = b->relid;
			a.finalize = b->detach_pending;
			if (gs_try(drop_one, &a, run,
					   psprintf("%s partition %s",
								a.finalize ? "finish detaching" :
								t->detach ? "detach" : "drop",
								quote_identifier(get_rel_name(b->relid)))))
			{
				if (t->detach || a.finalize)
					run->detached++;
				else
					run->dropped++;
			}
		}
	}

	ctx_leave(&ctx);
}
