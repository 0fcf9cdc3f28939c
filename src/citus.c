/*-------------------------------------------------------------------------
 *
 * citus.c
 *	  Knowing a Citus table when we see one.
 *
 * On a Citus coordinator the rows of a distributed, reference or Citus
 * local table live in its shards; the table itself is an empty shell (or,
 * for a table distributed after rows went in, a shell with stale rows).
 * Anything that reads the relation below the executor -- block counts,
 * index scans, table scans -- must not take the shell for the data.  Citus
 * is optional: without the extension every answer here is "not a Citus
 * table", found with one lookup of pg_extension by name.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"
#include "access/genam.h"
#include "access/htup_details.h"
#include "access/relation.h"
#include "access/table.h"
#include "catalog/namespace.h"
#include "catalog/pg_namespace.h"
#include "commands/extension.h"
#include "storage/bufmgr.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "fmgr.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "pg_gamestats.h"

/*
 * The partition method of relid in Citus's metadata ('h' hash-distributed,
 * 'n' reference or Citus local, ...), or '\0' when Citus is not installed in
 * this database or relid is not a Citus table.  Reads pg_dist_partition by
 * its logicalrelid index; never fails because Citus is absent.
 */
char
gs_citus_partmethod(Oid relid)
{
	Oid			distrel;
	Oid			distidx;
	Relation	rel;
	SysScanDesc scan;
	ScanKeyData key;
	HeapTuple	tup;
	char		result = '\0';

	if (!OidIsValid(get_extension_oid("citus", true)))
		return '\0';
	distrel = get_relname_relid("pg_dist_partition", PG_CATALOG_NAMESPACE);
	distidx = get_relname_relid("pg_dist_partition_logical_relid_index",
								PG_CATALOG_NAMESPACE);
	if (!OidIsValid(distrel))
		return '\0';

	rel = table_open(distrel, AccessShareLock);
	ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(relid));
	scan = systable_beginscan(rel, distidx, OidIsValid(distidx), NULL, 1, &key);
	tup = systable_getnext(scan);
	if (HeapTupleIsValid(tup))
	{
		bool		isnull;
		Datum		d = heap_getattr(tup, 2, RelationGetDescr(rel), &isnull);

		result = isnull ? '?' : DatumGetChar(d);
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return result;
}

bool
gs_is_citus_table(Oid relid)
{
	return gs_citus_partmethod(relid) != '\0';
}

/*
 * Refuses to read a Citus table below the executor: its rows are in the
 * shards, so a direct index scan of the coordinator's shell would answer
 * with no rows or stale ones.
 */
void
gs_citus_refuse_direct_read(Relation rel)
{
	if (!gs_is_citus_table(RelationGetRelid(rel)))
		return;
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("cannot read Citus table \"%s\" through pg_gamestats",
					RelationGetRelationName(rel)),
			 errdetail("Its rows live in Citus shards; pg_gamestats reads indexes directly and would see only the coordinator's shell."),
			 errhint("Query the table with SELECT, which Citus routes to its shards, or build a leaderboard over it.")));
}

/*
 * Refuses maintenance of a Citus table whose coordinator shell still holds
 * rows of its own (left when a table is distributed after rows went in):
 * they are not part of the distributed table, and ATTACH would validate
 * them.  relid is the shell to check (the default partition).
 */
void
gs_citus_refuse_local_rows(Oid relid, const char *parentname)
{
	Relation	rel = relation_open(relid, NoLock);
	bool		has = RelationGetNumberOfBlocks(rel) > 0;

	relation_close(rel, NoLock);
	if (!has)
		return;
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("Citus table \"%s\" still holds local rows on the coordinator",
					get_rel_name(relid)),
			 errdetail("Partition maintenance of \"%s\" needs the shells of its Citus partitions to be empty.",
					   parentname),
			 errhint("Once the distributed table holds them, remove them with SELECT truncate_local_data_after_distributing_table('%s').",
					 gs_qualified_name(relid))));
}

/*
 * gamestats.relation_size(rel regclass) RETURNS bigint
 *
 * pg_total_relation_size(rel), except for a Citus table, whose shell on the
 * coordinator holds none of its rows: then the total size of its shards
 * across the cluster, as citus_total_relation_size reports it.
 */
PG_FUNCTION_INFO_V1(gamestats_relation_size);
Datum
gamestats_relation_size(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	Oid			argtypes[1] = {REGCLASSOID};
	Datum		values[1];
	bool		isnull;
	Datum		result;

	if (!gs_is_citus_table(relid))
		return DirectFunctionCall1(pg_total_relation_size, ObjectIdGetDatum(relid));

	values[0] = ObjectIdGetDatum(relid);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args("SELECT pg_catalog.citus_total_relation_size($1)",
							  1, argtypes, values, NULL, true, 1) != SPI_OK_SELECT ||
		SPI_processed != 1)
		elog(ERROR, "could not read the size of Citus table \"%s\"", get_rel_name(relid));
	result = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	SPI_finish();
	if (isnull)
		PG_RETURN_NULL();
	PG_RETURN_INT64(DatumGetInt64(result));
}
