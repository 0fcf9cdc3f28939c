/*-------------------------------------------------------------------------
 *
 * live.c
 *	  Live leaderboards: create_live_leaderboard, the triggers that journal
 *	  every change of the source, the fold, and submit_score.
 *
 * live.h describes the design; query.c answers the queries.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/genam.h"
#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/dependency.h"
#include "catalog/index.h"
#include "catalog/objectaddress.h"
#include "catalog/pg_class.h"
#include "catalog/namespace.h"
#include "catalog/pg_am.h"
#include "catalog/pg_index.h"
#include "catalog/pg_opclass.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_trigger.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "commands/event_trigger.h"
#include "nodes/parsenodes.h"
#include "storage/lmgr.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "parser/parse_coerce.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/rel.h"
#include "utils/ruleutils.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/typcache.h"

#include "pg_gamestats.h"
#include "board.h"
#include "leaderboard.h"
#include "live.h"

/* ---------------------------------------------------------------------
 * The source's layout, cached for the trigger
 * ---------------------------------------------------------------------
 */

/* more than the journal's own index, and someone added indexes to it */
#define GS_LIVE_MAX_JOURNAL_INDEXES 4

typedef struct LiveSource
{
	Oid			source;			/* hash key */
	bool		valid;
	Oid			board;
	Oid			journal;
	AttrNumber	attno[GS_COL_RANK];	/* in the source; Invalid: none */
	bool		nan_possible;	/* float or numeric score */
	Oid			scoretype;
	/* the journal's indexes (its own order index), for the inserts */
	int			nindexes;
	Oid			indexoid[GS_LIVE_MAX_JOURNAL_INDEXES];
	IndexInfo  *indexinfo[GS_LIVE_MAX_JOURNAL_INDEXES];	/* in CacheMemoryContext */
} LiveSource;

static HTAB *live_sources = NULL;

static void
live_sources_invalidate(Datum arg, Oid relid)
{
	HASH_SEQ_STATUS status;
	LiveSource *e;

	if (live_sources == NULL)
		return;
	hash_seq_init(&status, live_sources);
	while ((e = hash_seq_search(&status)) != NULL)
		e->valid = false;
}

/*
 * The journal's indexes, with the IndexInfo its inserts need, built once
 * per cache load (the trigger runs for every row written).
 */
static void
live_source_indexes(LiveSource *e)
{
	Relation	journal = table_open(e->journal, AccessShareLock);
	List	   *indexoids = RelationGetIndexList(journal);
	ListCell   *lc;
	int			i;

	for (i = 0; i < e->nindexes; i++)
		if (e->indexinfo[i])
			pfree(e->indexinfo[i]);
	e->nindexes = 0;
	foreach(lc, indexoids)
	{
		Relation	index = index_open(lfirst_oid(lc), AccessShareLock);
		MemoryContext old;
		IndexInfo  *info;

		old = MemoryContextSwitchTo(CacheMemoryContext);
		info = BuildIndexInfo(index);
		MemoryContextSwitchTo(old);
		if (info->ii_Expressions != NIL || info->ii_Predicate != NIL ||
			e->nindexes == GS_LIVE_MAX_JOURNAL_INDEXES)
		{
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("journal \"%s\" of a live leaderboard has an index it cannot keep",
							RelationGetRelationName(journal)),
					 errdetail("Its indexes must be plain btrees on its columns, %d at most.",
							   GS_LIVE_MAX_JOURNAL_INDEXES),
					 errhint("Drop index \"%s\": the journal needs only its own index.",
							 RelationGetRelationName(index))));
		}
		e->indexoid[e->nindexes] = lfirst_oid(lc);
		e->indexinfo[e->nindexes] = info;
		e->nindexes++;
		index_close(index, AccessShareLock);
	}
	list_free(indexoids);
	table_close(journal, AccessShareLock);
}

/*
 * Fills the entry of source "rel": its live board, the columns ranked and
 * the journal's indexes; false when the table has no live board.
 */
static bool
live_source_load(LiveSource *e, Relation rel)
{
	Oid			relid = RelationGetRelid(rel);
	Oid			boardid;
	GsLiveState st;
	GsBoard    *b;
	int			i;

	boardid = gs_live_board_of(relid);
	if (!OidIsValid(boardid) || !gs_live_state(boardid, NULL, &st))
		return false;
	b = gs_board_get(boardid);
	e->board = boardid;
	e->journal = st.journal;
	for (i = 0; i < GS_COL_RANK; i++)
	{
		e->attno[i] = InvalidAttrNumber;
		if (b->column[i] == NULL)
			continue;
		e->attno[i] = get_attnum(relid, b->column[i]);
		if (e->attno[i] == InvalidAttrNumber)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("table \"%s\" has no column \"%s\", which live leaderboard \"%s\" ranks by",
							RelationGetRelationName(rel), b->column[i], b->name),
					 errhint("Rename the column back, or drop the board with gamestats.drop_leaderboard().")));
	}
	e->scoretype = getBaseType(TupleDescAttr(RelationGetDescr(rel),
											 e->attno[GS_COL_SCORE] - 1)->atttypid);
	e->nan_possible = e->scoretype == FLOAT8OID || e->scoretype == FLOAT4OID ||
		e->scoretype == NUMERICOID;
	live_source_indexes(e);
	return true;
}

/* The live board of source "relid", loaded into the cache. */
static LiveSource *
live_source(Relation rel)
{
	Oid			relid = RelationGetRelid(rel);
	LiveSource *e;
	bool		found;

	if (live_sources == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(Oid);
		ctl.entrysize = sizeof(LiveSource);
		live_sources = hash_create("pg_gamestats live sources", 8, &ctl,
								   HASH_ELEM | HASH_BLOBS);
		/* any invalidation: these entries are few and cheap to load */
		CacheRegisterRelcacheCallback(live_sources_invalidate, (Datum) 0);
	}
	e = hash_search(live_sources, &relid, HASH_ENTER, &found);
	if (!found)
	{
		e->valid = false;
		e->nindexes = 0;
	}
	while (!e->valid)
	{
		bool		live = false;

		/* an invalidation during the load clears "valid" again: load again */
		e->valid = true;
		PG_TRY();
		{
			live = live_source_load(e, rel);
		}
		PG_CATCH();
		{
			e->valid = false;
			PG_RE_THROW();
		}
		PG_END_TRY();
		if (!live)
		{
			/*
			 * The trigger outlived its board (a restore loses the
			 * dependency that drops it with the board): nothing to journal.
			 */
			hash_search(live_sources, &relid, HASH_REMOVE, NULL);
			return NULL;
		}
	}
	return e;
}

/* ---------------------------------------------------------------------
 * The journal
 * ---------------------------------------------------------------------
 */

/*
 * The key of a row of the source into values[0..3] (journal order); false
 * when the row is not ranked (a NULL key column or a NaN score).
 */
static bool
row_key(LiveSource *ls, Relation rel, HeapTuple tup, Datum *values, bool *nulls)
{
	static const GsColumn order[4] = {GS_COL_SEGMENT, GS_COL_SCORE, GS_COL_TIEBREAK,
	GS_COL_PLAYER};
	int			i;

	for (i = 0; i < 4; i++)
	{
		AttrNumber	attno = ls->attno[order[i]];

		if (attno == InvalidAttrNumber)
		{
			values[i] = (Datum) 0;
			nulls[i] = true;
			continue;
		}
		values[i] = heap_getattr(tup, attno, RelationGetDescr(rel), &nulls[i]);
		/* the tiebreak is NOT NULL (create_live_leaderboard checks) */
		if (nulls[i])
			return false;
	}
	if (ls->nan_possible && gs_score_is_nan(ls->scoretype, values[1]))
		return false;
	return true;
}

/* Are two keys the same, bit for bit?  (Equal keys with other images only cost an entry.) */
static bool
same_key(Relation rel, LiveSource *ls, Datum *a, Datum *b, bool *nulls)
{
	static const GsColumn order[4] = {GS_COL_SEGMENT, GS_COL_SCORE, GS_COL_TIEBREAK,
	GS_COL_PLAYER};
	int			i;

	for (i = 0; i < 4; i++)
	{
		Form_pg_attribute att;

		if (nulls[i])
			continue;
		att = TupleDescAttr(RelationGetDescr(rel), ls->attno[order[i]] - 1);
		if (!datum_image_eq(a[i], b[i], att->attbyval, att->attlen))
			return false;
	}
	return true;
}

/*
 * Appends one entry to the journal, straight into its heap and its index:
 * the journal belongs to the board's owner, and whoever may write the
 * source writes it through this trigger only.
 */
static void
journal_append(Relation journal, Relation *indexes, IndexInfo **infos, int nindexes,
			   Datum *key, bool *keynulls, int16 delta)
{
	Datum		values[GS_JOURNAL_NATTS];
	bool		nulls[GS_JOURNAL_NATTS];
	HeapTuple	tup;
	int			i;

	for (i = 0; i < 4; i++)
	{
		values[i] = key[i];
		nulls[i] = keynulls[i];
	}
	values[GS_JOURNAL_DELTA - 1] = Int16GetDatum(delta);
	nulls[GS_JOURNAL_DELTA - 1] = false;
	tup = heap_form_tuple(RelationGetDescr(journal), values, nulls);
	simple_heap_insert(journal, tup);
	for (i = 0; i < nindexes; i++)
	{
		Datum		ivalues[INDEX_MAX_KEYS];
		bool		inulls[INDEX_MAX_KEYS];
		int			k;

		for (k = 0; k < infos[i]->ii_NumIndexAttrs; k++)
		{
			AttrNumber	a = infos[i]->ii_IndexAttrNumbers[k];

			ivalues[k] = values[a - 1];
			inulls[k] = nulls[a - 1];
		}
		index_insert(indexes[i], ivalues, inulls, &tup->t_self, journal,
					 UNIQUE_CHECK_NO, false, infos[i]);
	}
	heap_freetuple(tup);
}

/*
 * gamestats.live_capture() RETURNS trigger: AFTER INSERT OR UPDATE OR
 * DELETE FOR EACH ROW on the source of a live board.
 */
PG_FUNCTION_INFO_V1(gamestats_live_capture);
Datum
gamestats_live_capture(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	Relation	rel;
	LiveSource *ls;
	Datum		oldkey[4],
				newkey[4];
	bool		oldnulls[4],
				newnulls[4];
	bool		has_old = false,
				has_new = false;
	Relation	journal;
	Relation	indexes[GS_LIVE_MAX_JOURNAL_INDEXES];
	int			n;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_AFTER(td->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(td->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("gamestats.live_capture() must be an AFTER ... FOR EACH ROW trigger")));
	rel = td->tg_relation;
	ls = live_source(rel);
	if (ls == NULL)
		return PointerGetDatum(NULL);

	if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
		has_new = row_key(ls, rel, td->tg_trigtuple, newkey, newnulls);
	else if (TRIGGER_FIRED_BY_DELETE(td->tg_event))
		has_old = row_key(ls, rel, td->tg_trigtuple, oldkey, oldnulls);
	else
	{
		has_old = row_key(ls, rel, td->tg_trigtuple, oldkey, oldnulls);
		has_new = row_key(ls, rel, td->tg_newtuple, newkey, newnulls);
		/* another column changed: the key's place did not */
		if (has_old && has_new && same_key(rel, ls, oldkey, newkey, oldnulls))
			has_old = has_new = false;
	}
	if (!has_old && !has_new)
		return PointerGetDatum(NULL);

	journal = table_open(ls->journal, RowExclusiveLock);
	for (n = 0; n < ls->nindexes; n++)
		indexes[n] = index_open(ls->indexoid[n], RowExclusiveLock);
	if (has_old)
		journal_append(journal, indexes, ls->indexinfo, n, oldkey, oldnulls, -1);
	if (has_new)
		journal_append(journal, indexes, ls->indexinfo, n, newkey, newnulls, 1);
	while (n-- > 0)
		index_close(indexes[n], RowExclusiveLock);
	table_close(journal, RowExclusiveLock);
	return PointerGetDatum(NULL);
}

/*
 * gamestats.live_truncate() RETURNS trigger: AFTER TRUNCATE FOR EACH
 * STATEMENT on the source.  TRUNCATE leaves no row to journal: the board
 * is folded at once, which, the source now empty, is cheap.
 */
PG_FUNCTION_INFO_V1(gamestats_live_truncate);
Datum
gamestats_live_truncate(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	LiveSource *ls;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_BY_TRUNCATE(td->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("gamestats.live_truncate() must be an AFTER TRUNCATE trigger")));
	ls = live_source(td->tg_relation);
	if (ls != NULL)
		(void) lb_fold_now(ls->board, "truncate");
	return PointerGetDatum(NULL);
}

/* ---------------------------------------------------------------------
 * The fold (a swap refresh of a live board)
 * ---------------------------------------------------------------------
 */

/*
 * Called by the swap refresh right after it filled the new storage, with
 * the snapshot it read the source with: deletes the journal entries that
 * snapshot sees, which the new storage holds.  Runs as the board's owner.
 */
void
gs_live_after_fill(const GsBoard *b, Snapshot snapshot)
{
	GsLiveState st;
	Oid			tables[3];
	int			i;

	if (!gs_live_state(b->relid, NULL, &st))
		elog(ERROR, "live leaderboard \"%s\" has no row in gamestats.live_config", b->name);
	tables[0] = st.journal;
	tables[1] = st.compacted;
	tables[2] = st.sums;
	for (i = 0; i < lengthof(tables); i++)
	{
		SPIPlanPtr	plan;
		int			ret;

		plan = SPI_prepare(psprintf("DELETE FROM ONLY %s", gs_qualified_name(tables[i])), 0, NULL);
		if (plan == NULL)
			elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
		ret = SPI_execute_snapshot(plan, NULL, NULL, snapshot, InvalidSnapshot,
								   false, false, 0);
		if (ret != SPI_OK_DELETE)
			elog(ERROR, "could not empty the journal of \"%s\": %s", b->name,
				 SPI_result_code_string(ret));
		SPI_freeplan(plan);
	}
}

/*
 * refresh_leaderboard(board, 'compact'): moves the journal entries this
 * snapshot sees into the compacted journal, merged per key (net -1 or +1),
 * and rebuilds its running sums: one row every GS_LIVE_SUMS_EVERY entries
 * of a segment, holding the sum of the deltas before it, and one row per
 * segment with a NULL key holding them all.  A count then reads one sum
 * and at most GS_LIVE_SUMS_EVERY compacted entries, whatever the number of
 * changes.  The caller holds ExclusiveLock on the board (folds wait);
 * readers and writers do not wait.  Returns the compacted entries.
 */
#define GS_LIVE_SUMS_EVERY 32

int64
gs_live_compact(const GsBoard *b)
{
	GsLiveState st;
	GsOwnerContext ctx;
	char	   *j,
			   *c,
			   *sums;
	const char *seg = b->column[GS_COL_SEGMENT] ? "segment" : "NULL::pg_catalog.bool";
	const char *order;
	int64		n;

	if (b->rank_type == GS_RANK_DENSE)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("live leaderboard \"%s\" ranks 'dense': its changes are not compacted", b->name),
				 errdetail("A dense rank counts distinct scores, which running sums of changes cannot tell."),
				 errhint("Fold it with gamestats.refresh_leaderboard() instead; its rank queries cost grows with the changes since the last fold.")));
	if (!gs_live_state(b->relid, NULL, &st))
		elog(ERROR, "live leaderboard \"%s\" has no row in gamestats.live_config", b->name);
	j = gs_qualified_name(st.journal);
	c = gs_qualified_name(st.compacted);
	sums = gs_qualified_name(st.sums);
	order = psprintf("score %s, tiebreak, player", b->descending ? "DESC NULLS LAST" : "ASC");

	gs_owner_context_enter(&ctx, gs_rel_class(b->relid).relowner);
	/* one statement, one snapshot: what it deletes is what it merges */
	if (SPI_execute(psprintf("WITH f AS (DELETE FROM ONLY %s RETURNING *),"
							 "     o AS (DELETE FROM ONLY %s RETURNING *)"
							 " INSERT INTO %s"
							 " SELECT segment, score, tiebreak, player, pg_catalog.sum(delta)::pg_catalog.int2"
							 "   FROM (SELECT * FROM f UNION ALL SELECT * FROM o) u"
							 "  GROUP BY segment, score, tiebreak, player"
							 " HAVING pg_catalog.sum(delta) OPERATOR(pg_catalog.<>) 0",
							 j, c, c), false, 0) != SPI_OK_INSERT)
		elog(ERROR, "could not compact the journal of \"%s\"", b->name);
	n = (int64) SPI_processed;
	CommandCounterIncrement();
	if (SPI_execute(psprintf("DELETE FROM ONLY %s", sums), false, 0) != SPI_OK_DELETE)
		elog(ERROR, "could not compact the journal of \"%s\"", b->name);
	if (SPI_execute(psprintf("INSERT INTO %s"
							 " SELECT segment, score, tiebreak, player, before FROM ("
							 "   SELECT *, pg_catalog.row_number() OVER w AS pos,"
							 "          COALESCE(pg_catalog.sum(delta) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS before"
							 "     FROM ONLY %s WINDOW w AS (PARTITION BY %s ORDER BY %s)) s"
							 "  WHERE pos OPERATOR(pg_catalog.%%) %d OPERATOR(pg_catalog.=) 1"
							 " UNION ALL"
							 " SELECT %s, NULL, NULL, NULL, pg_catalog.sum(delta) FROM ONLY %s GROUP BY 1",
							 sums, c, seg, order, GS_LIVE_SUMS_EVERY,
							 b->column[GS_COL_SEGMENT] ? "segment" : "NULL::pg_catalog.bool", c),
					false, 0) != SPI_OK_INSERT)
		elog(ERROR, "could not compact the journal of \"%s\"", b->name);
	gs_owner_context_leave(&ctx);
	CommandCounterIncrement();
	return n;
}

/*
 * Called after the switch: records the generation and storage of the
 * board, in the fold's transaction.
 */
void
gs_live_after_fold(const GsBoard *b)
{
	Oid			argtypes[2] = {REGCLASSOID, OIDOID};
	Datum		values[2];

	CommandCounterIncrement();
	values[0] = ObjectIdGetDatum(b->relid);
	values[1] = ObjectIdGetDatum(gs_rel_class(b->relid).relfilenode);
	lb_spi_as_owner("UPDATE gamestats.live_config"
					"   SET generation = generation + 1, fold_filenode = $2"
					" WHERE board = $1", 2, argtypes, values);
	CommandCounterIncrement();
}

/*
 * gamestats.live_pending(board regclass) RETURNS bigint
 *
 * Journal entries not yet folded, fresh and compacted, as this snapshot
 * sees them; NULL for a board that is not live.  Counts entries (two per
 * changed key): O(pending).
 */
PG_FUNCTION_INFO_V1(gamestats_live_pending);
Datum
gamestats_live_pending(PG_FUNCTION_ARGS)
{
	GsLiveState st;
	Oid			tables[2];
	int64		n = 0;
	int			i;

	if (!gs_live_state(PG_GETARG_OID(0), GetActiveSnapshot(), &st))
		PG_RETURN_NULL();
	tables[0] = st.journal;
	tables[1] = st.compacted;
	for (i = 0; i < lengthof(tables); i++)
	{
		Relation	rel = try_relation_open(tables[i], AccessShareLock);
		SysScanDesc scan;

		if (rel == NULL)
			PG_RETURN_NULL();
		/* a heap scan under the caller's snapshot */
		scan = systable_beginscan(rel, InvalidOid, false, GetActiveSnapshot(), 0, NULL);
		while (HeapTupleIsValid(systable_getnext(scan)))
			n++;
		systable_endscan(scan);
		relation_close(rel, AccessShareLock);
	}
	PG_RETURN_INT64(n);
}

/* ---------------------------------------------------------------------
 * create_live_leaderboard
 * ---------------------------------------------------------------------
 */

typedef struct LiveNew
{
	Oid			srcid;
	const LbDefinition *def;
	Oid			key_index;		/* unique ([segment,] player) */
} LiveNew;

/* The column "name" of the source, or an error naming argument "arg". */
static Form_pg_attribute
source_column(Relation rel, const char *name, const char *arg)
{
	AttrNumber	attno = get_attnum(RelationGetRelid(rel), name);

	if (attno <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("table \"%s\" has no column \"%s\" (%s)",
						RelationGetRelationName(rel), name, arg),
				 errhint("Name a column of the table as %s.", arg)));
	return TupleDescAttr(RelationGetDescr(rel), attno - 1);
}

/*
 * The source's unique index on exactly ([segment,] player), in any order,
 * valid, immediate, without expression or predicate: what ON CONFLICT and
 * the player lookups use.
 */
Oid
gs_live_key_index(Relation rel, AttrNumber player, AttrNumber segment)
{
	List	   *indexes = RelationGetIndexList(rel);
	ListCell   *lc;
	Oid			found = InvalidOid;
	int			want = segment != InvalidAttrNumber ? 2 : 1;

	foreach(lc, indexes)
	{
		HeapTuple	tup = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(lfirst_oid(lc)));
		Form_pg_index idx;
		bool		ok;
		int			i;

		if (!HeapTupleIsValid(tup))
			continue;
		idx = (Form_pg_index) GETSTRUCT(tup);
		ok = idx->indisunique && idx->indisvalid && idx->indimmediate &&
			idx->indnkeyatts == want &&
			heap_attisnull(tup, Anum_pg_index_indexprs, NULL) &&
			heap_attisnull(tup, Anum_pg_index_indpred, NULL) &&
			gs_rel_class(idx->indexrelid).relam == BTREE_AM_OID;
		for (i = 0; ok && i < want; i++)
			ok = idx->indkey.values[i] == player || idx->indkey.values[i] == segment;
		if (ok && want == 2)
			ok = idx->indkey.values[0] != idx->indkey.values[1];
		ReleaseSysCache(tup);
		if (ok)
		{
			found = lfirst_oid(lc);
			break;
		}
	}
	list_free(indexes);
	return found;
}

/* The columns of the board-order index: ([segment,] score [DESC], [tiebreak,] player) */
static char *
order_columns(const LbDefinition *def)
{
	StringInfoData cols;

	initStringInfo(&cols);
	if (def->column[GS_COL_SEGMENT])
		appendStringInfo(&cols, "%s, ", quote_identifier(def->column[GS_COL_SEGMENT]));
	appendStringInfo(&cols, "%s %s", quote_identifier(def->column[GS_COL_SCORE]),
					 def->descending ? "DESC NULLS LAST" : "ASC");
	if (def->column[GS_COL_TIEBREAK])
		appendStringInfo(&cols, ", %s", quote_identifier(def->column[GS_COL_TIEBREAK]));
	appendStringInfo(&cols, ", %s", quote_identifier(def->column[GS_COL_PLAYER]));
	return cols.data;
}

static void
live_run(const char *sql)
{
	if (SPI_execute(sql, false, 0) < 0)
		elog(ERROR, "could not run: %s", sql);
	CommandCounterIncrement();
}

/*
 * One of the board's change tables: (segment, score, tiebreak, player,
 * delta) typed like the source's columns (bool placeholders for a missing
 * segment or tiebreak keep the column numbers fixed), with its index in
 * board order.  Returns its OID.
 */
static Oid
live_journal_table(const LbDefinition *def, Relation src, Oid nsp, const char *name,
				   const char *deltatype, const char *comment)
{
	static const GsColumn order[4] = {GS_COL_SEGMENT, GS_COL_SCORE, GS_COL_TIEBREAK,
	GS_COL_PLAYER};
	static const char *const jcols[4] = {"segment", "score", "tiebreak", "player"};
	char	   *qname = quote_qualified_identifier(get_namespace_name(nsp), name);
	StringInfoData sql;
	int			i;

	initStringInfo(&sql);
	appendStringInfo(&sql, "CREATE TABLE %s (", qname);
	for (i = 0; i < 4; i++)
	{
		const char *col = def->column[order[i]];
		Form_pg_attribute att;

		if (col == NULL)
		{
			appendStringInfo(&sql, "%s pg_catalog.bool, ", jcols[i]);
			continue;
		}
		att = source_column(src, col, gs_board_column_arg(order[i]));
		appendStringInfo(&sql, "%s %s", jcols[i],
						 format_type_with_typemod(att->atttypid, att->atttypmod));
		if (OidIsValid(att->attcollation))
			appendStringInfo(&sql, " COLLATE %s", generate_collation_name(att->attcollation));
		appendStringInfoString(&sql, ", ");
	}
	/*
	 * Compactions and folds delete its rows wholesale: counts walk the
	 * index past dead entries until a vacuum, so vacuum it early.
	 */
	appendStringInfo(&sql, "delta pg_catalog.%s NOT NULL)"
					 " WITH (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 5000,"
					 " autovacuum_vacuum_insert_scale_factor = 0, autovacuum_vacuum_insert_threshold = 5000)",
					 deltatype);
	live_run(sql.data);
	resetStringInfo(&sql);
	appendStringInfo(&sql, "COMMENT ON TABLE %s IS %s", qname, quote_literal_cstr(comment));
	live_run(sql.data);
	/* in a FOR ALL TABLES publication, folds and compactions may still delete */
	resetStringInfo(&sql);
	appendStringInfo(&sql, "ALTER TABLE %s REPLICA IDENTITY FULL", qname);
	live_run(sql.data);
	resetStringInfo(&sql);
	appendStringInfo(&sql, "CREATE INDEX %s ON %s (%sscore %s%s, player)",
					 quote_identifier(ChooseRelationName(name, NULL, "order", nsp, false)),
					 qname, def->column[GS_COL_SEGMENT] ? "segment, " : "",
					 def->descending ? "DESC NULLS LAST" : "ASC",
					 def->column[GS_COL_TIEBREAK] ? ", tiebreak" : "");
	live_run(sql.data);
	return get_relname_relid(name, nsp);
}

/*
 * What a live board adds before its first fill: the board-order index of
 * the board, the journal and its index, the order index of the source, the
 * triggers and the live_config row.  SPI connected, as the caller.
 */
static void
live_before_fill(Oid boardid, void *arg)
{
	LiveNew    *ln = (LiveNew *) arg;
	const LbDefinition *def = ln->def;
	Oid			srcid = ln->srcid;
	Relation	src = table_open(srcid, NoLock);
	char	   *srcname = gs_qualified_name(srcid);
	char	   *boardname = gs_qualified_name(boardid);
	Oid			nsp = get_rel_namespace(boardid);
	char	   *boardrel = get_rel_name(boardid);
	char	   *journal = ChooseRelationName(boardrel, NULL, "changes", nsp, false);
	char	   *cols = order_columns(def);
	char	   *srcindex;
	StringInfoData sql;
	Oid			journalid,
				compactedid,
				sumsid;
	Oid			argtypes[6] = {REGCLASSOID, REGCLASSOID, REGCLASSOID, NAMEOID, REGCLASSOID, REGCLASSOID};
	Datum		values[6];
	Oid			scoretype;

	initStringInfo(&sql);

	/* the board in board order, for the probes of the query functions */
	appendStringInfo(&sql, "CREATE INDEX %s ON %s (%s)",
					 quote_identifier(ChooseRelationName(boardrel, NULL, "order", nsp, false)),
					 boardname, cols);
	live_run(sql.data);

	/* the journal and its compacted form: typed like the source's columns */
	journalid = live_journal_table(def, src, nsp, journal, "int2",
								   psprintf("changes of %s not yet folded into live leaderboard %s (written by its triggers; do not edit)",
											srcname, boardname));
	compactedid = live_journal_table(def, src, nsp,
									 ChooseRelationName(boardrel, NULL, "changes_compacted", nsp, false),
									 "int2",
									 psprintf("changes of %s not yet folded into live leaderboard %s, net per key (written by refresh_leaderboard(..., 'compact'); do not edit)",
											  srcname, boardname));
	sumsid = live_journal_table(def, src, nsp,
								ChooseRelationName(boardrel, NULL, "changes_sums", nsp, false),
								"int8",
								psprintf("running sums of the compacted changes of live leaderboard %s (written by refresh_leaderboard(..., 'compact'); do not edit)",
										 boardname));

	/* the source in board order, ranked rows only */
	srcindex = ChooseRelationName(get_rel_name(srcid), NULL, "gamestats_order",
								  get_rel_namespace(srcid), false);
	resetStringInfo(&sql);
	appendStringInfo(&sql, "CREATE INDEX %s ON %s (%s) WHERE %s IS NOT NULL AND %s IS NOT NULL",
					 quote_identifier(srcindex), srcname, cols,
					 quote_identifier(def->column[GS_COL_SCORE]),
					 quote_identifier(def->column[GS_COL_PLAYER]));
	if (def->column[GS_COL_SEGMENT])
		appendStringInfo(&sql, " AND %s IS NOT NULL",
						 quote_identifier(def->column[GS_COL_SEGMENT]));
	scoretype = getBaseType(source_column(src, def->column[GS_COL_SCORE], "score_column")->atttypid);
	/* our own DDL on the source needs it closed (we keep the lock) */
	table_close(src, NoLock);
	if (scoretype == FLOAT8OID || scoretype == FLOAT4OID || scoretype == NUMERICOID)
		appendStringInfo(&sql, " AND %s OPERATOR(pg_catalog.<>) 'NaN'::pg_catalog.%s",
						 quote_identifier(def->column[GS_COL_SCORE]),
						 scoretype == FLOAT8OID ? "float8" :
						 scoretype == FLOAT4OID ? "float4" : "numeric");
	live_run(sql.data);

	/* the configuration, before the triggers can fire */
	values[0] = ObjectIdGetDatum(boardid);
	values[1] = ObjectIdGetDatum(srcid);
	values[2] = ObjectIdGetDatum(journalid);
	values[3] = DirectFunctionCall1(namein, CStringGetDatum(srcindex));
	values[4] = ObjectIdGetDatum(compactedid);
	values[5] = ObjectIdGetDatum(sumsid);
	lb_spi_as_owner("INSERT INTO gamestats.live_config (board, source, journal, order_index, compacted, sums)"
					" VALUES ($1, $2, $3, $4, $5, $6)", 6, argtypes, values);

	/*
	 * The triggers.  CREATE TRIGGER waits for the writers of the source
	 * and keeps new ones out until we commit: no write escapes both the
	 * first fill and the journal.
	 */
	resetStringInfo(&sql);
	appendStringInfo(&sql, "CREATE TRIGGER %s AFTER INSERT OR UPDATE OR DELETE ON %s"
					 " FOR EACH ROW EXECUTE FUNCTION gamestats.live_capture()",
					 GS_LIVE_TRIGGER, srcname);
	live_run(sql.data);
	resetStringInfo(&sql);
	appendStringInfo(&sql, "CREATE TRIGGER %s AFTER TRUNCATE ON %s"
					 " FOR EACH STATEMENT EXECUTE FUNCTION gamestats.live_truncate()",
					 GS_LIVE_TRUNCATE_TRIGGER, srcname);
	live_run(sql.data);
	/* replication roles and restores must not skip them */
	resetStringInfo(&sql);
	appendStringInfo(&sql, "ALTER TABLE %s ENABLE ALWAYS TRIGGER %s, ENABLE ALWAYS TRIGGER %s",
					 srcname, GS_LIVE_TRIGGER, GS_LIVE_TRUNCATE_TRIGGER);
	live_run(sql.data);

	/* all of it goes when the board goes, however it is dropped */
	{
		ObjectAddress boardaddr,
					dep;

		ObjectAddressSet(boardaddr, RelationRelationId, boardid);
		ObjectAddressSet(dep, RelationRelationId, journalid);
		recordDependencyOn(&dep, &boardaddr, DEPENDENCY_AUTO);
		ObjectAddressSet(dep, RelationRelationId, compactedid);
		recordDependencyOn(&dep, &boardaddr, DEPENDENCY_AUTO);
		ObjectAddressSet(dep, RelationRelationId, sumsid);
		recordDependencyOn(&dep, &boardaddr, DEPENDENCY_AUTO);
		ObjectAddressSet(dep, RelationRelationId,
						 get_relname_relid(srcindex, get_rel_namespace(srcid)));
		recordDependencyOn(&dep, &boardaddr, DEPENDENCY_AUTO);
		ObjectAddressSet(dep, TriggerRelationId, get_trigger_oid(srcid, GS_LIVE_TRIGGER, false));
		recordDependencyOn(&dep, &boardaddr, DEPENDENCY_AUTO);
		ObjectAddressSet(dep, TriggerRelationId,
						 get_trigger_oid(srcid, GS_LIVE_TRUNCATE_TRIGGER, false));
		recordDependencyOn(&dep, &boardaddr, DEPENDENCY_AUTO);
		CommandCounterIncrement();
	}
}

/*
 * gamestats.create_live_leaderboard(board text, source regclass,
 *     player_column name DEFAULT 'player_id', score_column name DEFAULT 'score',
 *     descending boolean DEFAULT true, tiebreak_column name DEFAULT NULL,
 *     segment_column name DEFAULT NULL, rank_type text DEFAULT 'competition')
 *   RETURNS regclass
 */
PG_FUNCTION_INFO_V1(gamestats_create_live_leaderboard);
Datum
gamestats_create_live_leaderboard(PG_FUNCTION_ARGS)
{
	LbDefinition def;
	LiveNew		ln;
	Relation	src;
	Form_pg_attribute att;
	AttrNumber	segattno = InvalidAttrNumber;
	Oid			boardid;
	int			i;

	lb_definition_args(fcinfo, "source", &def);
	gs_forbid_in_recovery("create a leaderboard");

	/* the source: a plain table of ours, with its key */
	src = table_open(PG_GETARG_OID(1), ShareRowExclusiveLock);
	if (src->rd_rel->relkind != RELKIND_RELATION)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" cannot be the source of a live leaderboard: it is not a plain table",
						RelationGetRelationName(src)),
				 src->rd_rel->relkind == RELKIND_PARTITIONED_TABLE ?
				 errhint("Rank a plain table with one row per player; a partitioned table can feed a board made with gamestats.create_leaderboard().") :
				 errhint("Rank a plain table with one row per player.")));
	if (src->rd_rel->relpersistence != RELPERSISTENCE_PERMANENT)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("\"%s\" cannot be the source of a live leaderboard: it is not a logged table",
						RelationGetRelationName(src)),
				 errhint("Use a regular (logged) table: the journal must survive a crash and reach standbys.")));
	gs_check_owner(RelationGetRelid(src), "rank it live");
	if (OidIsValid(gs_live_board_of(RelationGetRelid(src))))
		ereport(ERROR,
				(errcode(ERRCODE_DUPLICATE_OBJECT),
				 errmsg("table \"%s\" already has a live leaderboard",
						RelationGetRelationName(src)),
				 errhint("Drop that board first, or rank the table with gamestats.create_leaderboard().")));

	for (i = 0; i < GS_COL_RANK; i++)
	{
		if (def.column[i] == NULL)
			continue;
		att = source_column(src, def.column[i], gs_board_column_arg(i));
		if (i == GS_COL_SEGMENT)
			segattno = att->attnum;
		if (i == GS_COL_TIEBREAK && !att->attnotnull)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("tiebreak column \"%s\" of \"%s\" must be NOT NULL for a live leaderboard",
							def.column[i], RelationGetRelationName(src)),
					 errhint("ALTER TABLE %s ALTER COLUMN %s SET NOT NULL (submit_score() writes it from its \"at\" argument).",
							 gs_qualified_name(RelationGetRelid(src)), quote_identifier(def.column[i]))));
	}
	ln.key_index = gs_live_key_index(src, get_attnum(RelationGetRelid(src), def.column[GS_COL_PLAYER]),
									segattno);
	if (!OidIsValid(ln.key_index))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TABLE_DEFINITION),
				 errmsg("table \"%s\" has no unique key on (%s%s%s)",
						RelationGetRelationName(src),
						def.column[GS_COL_SEGMENT] ? quote_identifier(def.column[GS_COL_SEGMENT]) : "",
						def.column[GS_COL_SEGMENT] ? ", " : "",
						quote_identifier(def.column[GS_COL_PLAYER])),
				 errdetail("A live leaderboard ranks one row per player%s.",
						   def.column[GS_COL_SEGMENT] ? " and segment" : ""),
				 errhint("Add a primary key or unique constraint on exactly those columns.")));

	def.query = psprintf("SELECT * FROM ONLY %s", gs_qualified_name(RelationGetRelid(src)));
	ln.srcid = RelationGetRelid(src);
	ln.def = &def;
	table_close(src, NoLock);
	boardid = lb_create(&def, live_before_fill, &ln);
	PG_RETURN_OID(boardid);
}

/* ---------------------------------------------------------------------
 * submit_score
 * ---------------------------------------------------------------------
 */

typedef enum LiveOp
{
	LIVE_BEST,
	LIVE_SET,
	LIVE_INCR,
	LIVE_DECR
} LiveOp;

static const GsChoice live_ops[] = {
	[LIVE_BEST] = {"best", "the default: keep the better score"},
	[LIVE_SET] = {"set", "replace the score"},
	[LIVE_INCR] = {"incr", "add to the score"},
	[LIVE_DECR] = {"decr", "subtract from the score"},
};

/* A prepared upsert per (board, op), kept for the session. */
typedef struct SubmitPlanKey
{
	Oid			board;
	int			op;
} SubmitPlanKey;

typedef struct SubmitPlan
{
	SubmitPlanKey key;
	bool		valid;
	SPIPlanPtr	plan;
	int			nargs;
	Oid			argtypes[4];	/* player, score, [tiebreak], [segment] */
} SubmitPlan;

static HTAB *submit_plans = NULL;

static void
submit_plans_invalidate(Datum arg, Oid relid)
{
	HASH_SEQ_STATUS status;
	SubmitPlan *p;

	if (submit_plans == NULL)
		return;
	hash_seq_init(&status, submit_plans);
	while ((p = hash_seq_search(&status)) != NULL)
		if (!OidIsValid(relid) || relid == p->key.board)
			p->valid = false;
}

/* OPERATOR(schema.op) of the default btree order of "type": ">" or "<" */
static char *
order_operator(Oid type, bool greater)
{
	TypeCacheEntry *tce = lookup_type_cache(type, TYPECACHE_GT_OPR | TYPECACHE_LT_OPR);
	Oid			opr = greater ? tce->gt_opr : tce->lt_opr;

	if (!OidIsValid(opr))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FUNCTION),
				 errmsg("type %s has no default btree order", format_type_be(type)),
				 errhint("Rank a column of a type with a default btree operator class.")));
	{
		HeapTuple	tup = SearchSysCache1(OPEROID, ObjectIdGetDatum(opr));
		Form_pg_operator form;
		char	   *result;

		if (!HeapTupleIsValid(tup))
			elog(ERROR, "cache lookup failed for operator %u", opr);
		form = (Form_pg_operator) GETSTRUCT(tup);
		result = psprintf("OPERATOR(%s.%s)",
						  quote_identifier(get_namespace_name(form->oprnamespace)),
						  NameStr(form->oprname));
		ReleaseSysCache(tup);
		return result;
	}
}

static SubmitPlan *
submit_plan(GsBoard *b, Relation src, LiveOp op)
{
	SubmitPlanKey key = {b->relid, (int) op};
	SubmitPlan *p;
	bool		found;

	if (submit_plans == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(SubmitPlanKey);
		ctl.entrysize = sizeof(SubmitPlan);
		submit_plans = hash_create("pg_gamestats submit plans", 8, &ctl,
								   HASH_ELEM | HASH_BLOBS);
		CacheRegisterRelcacheCallback(submit_plans_invalidate, (Datum) 0);
	}
	p = hash_search(submit_plans, &key, HASH_ENTER, &found);
	if (!found)
	{
		p->valid = false;
		p->plan = NULL;
	}
	if (!p->valid)
	{
		const char *player = quote_identifier(b->column[GS_COL_PLAYER]);
		const char *score = quote_identifier(b->column[GS_COL_SCORE]);
		const char *tb = b->column[GS_COL_TIEBREAK] ? quote_identifier(b->column[GS_COL_TIEBREAK]) : NULL;
		const char *seg = b->column[GS_COL_SEGMENT] ? quote_identifier(b->column[GS_COL_SEGMENT]) : NULL;
		TupleDesc	desc = RelationGetDescr(src);
		StringInfoData sql;
		int			n = 0;
		Oid			scoretype;
		const char *scoreparam;

		if (p->plan)
		{
			SPI_freeplan(p->plan);
			p->plan = NULL;
		}
		p->argtypes[n++] = TupleDescAttr(desc, get_attnum(RelationGetRelid(src), b->column[GS_COL_PLAYER]) - 1)->atttypid;
		scoretype = TupleDescAttr(desc, get_attnum(RelationGetRelid(src), b->column[GS_COL_SCORE]) - 1)->atttypid;
		p->argtypes[n++] = scoretype;
		if (tb)
			p->argtypes[n++] = TupleDescAttr(desc, get_attnum(RelationGetRelid(src), b->column[GS_COL_TIEBREAK]) - 1)->atttypid;
		if (seg)
			p->argtypes[n++] = TupleDescAttr(desc, get_attnum(RelationGetRelid(src), b->column[GS_COL_SEGMENT]) - 1)->atttypid;
		p->nargs = n;

		if (op == LIVE_INCR || op == LIVE_DECR)
		{
			Oid			base = getBaseType(scoretype);

			if (base != INT2OID && base != INT4OID && base != INT8OID &&
				base != NUMERICOID && base != FLOAT4OID && base != FLOAT8OID)
				ereport(ERROR,
						(errcode(ERRCODE_DATATYPE_MISMATCH),
						 errmsg("op '%s' needs a numeric score, but score column \"%s\" of \"%s\" is of type %s",
								op == LIVE_INCR ? "incr" : "decr", b->column[GS_COL_SCORE],
								RelationGetRelationName(src), format_type_be(scoretype)),
						 errhint("Use op => 'best' or 'set' for this board.")));
		}
		scoreparam = op == LIVE_DECR ? "(OPERATOR(pg_catalog.-) $2)" : "$2";

		initStringInfo(&sql);
		appendStringInfo(&sql, "INSERT INTO %s AS t (%s, %s", gs_qualified_name(RelationGetRelid(src)),
						 player, score);
		if (tb)
			appendStringInfo(&sql, ", %s", tb);
		if (seg)
			appendStringInfo(&sql, ", %s", seg);
		appendStringInfo(&sql, ") VALUES ($1, %s", scoreparam);
		if (tb)
			appendStringInfoString(&sql, ", $3");
		if (seg)
			appendStringInfo(&sql, ", $%d", tb ? 4 : 3);
		appendStringInfo(&sql, ") ON CONFLICT (%s%s%s) DO UPDATE SET ",
						 seg ? seg : "", seg ? ", " : "", player);
		switch (op)
		{
			case LIVE_BEST:
			case LIVE_SET:
				appendStringInfo(&sql, "%s = excluded.%s", score, score);
				break;
			case LIVE_INCR:
			case LIVE_DECR:
				appendStringInfo(&sql, "%s = COALESCE(t.%s, 0) OPERATOR(pg_catalog.+) excluded.%s",
								 score, score, score);
				break;
		}
		if (tb)
			appendStringInfo(&sql, ", %s = excluded.%s", tb, tb);
		if (op == LIVE_BEST)
			appendStringInfo(&sql, " WHERE t.%s IS NULL OR excluded.%s %s t.%s",
							 score, score, order_operator(scoretype, b->descending), score);
		p->plan = SPI_prepare(sql.data, p->nargs, p->argtypes);
		if (p->plan == NULL)
			elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
		SPI_keepplan(p->plan);
		p->valid = true;
	}
	return p;
}

/* A value of the caller's for a parameter of type "target". */
static Datum
submit_value(FunctionCallInfo fcinfo, int argno, Oid target, const char *what)
{
	Oid			argtype = get_fn_expr_argtype(fcinfo->flinfo, argno);

	if (!OidIsValid(argtype))
		elog(ERROR, "could not determine the type of argument %s", what);
	return gs_coerce_value(PG_GETARG_DATUM(argno), argtype, target, what);
}

/*
 * gamestats.submit_score(board anyelement, player "any", score "any",
 *     op text DEFAULT 'best', segment text DEFAULT NULL,
 *     at timestamptz DEFAULT now()) RETURNS SETOF anyelement
 *
 * Writes the score into the board's source with the operator's semantics
 * (an INSERT ... ON CONFLICT DO UPDATE, as the caller: their privileges,
 * row-level security and triggers apply) and returns the player's board
 * row with its live rank, as a snapshot taken after the write sees it.
 */
PG_FUNCTION_INFO_V1(gamestats_submit_score);
Datum
gamestats_submit_score(PG_FUNCTION_ARGS)
{
	Oid			boardid = gs_rowtype_relid(fcinfo, 0, "submit_score");
	GsBoard    *b;
	Relation	board;
	Relation	src;
	LiveOp		op;
	SubmitPlan *p;
	Datum		values[4];
	int			n = 0;
	int			ret;
	Datum		segment = (Datum) 0;

	gs_require_arg(fcinfo, 1, "player");
	gs_require_arg(fcinfo, 2, "score");
	gs_require_arg(fcinfo, 3, "op");
	gs_forbid_in_recovery("submit a score");
	op = (LiveOp) gs_parse_choice("op", text_to_cstring(PG_GETARG_TEXT_PP(3)),
								  live_ops, lengthof(live_ops));

	board = relation_open(boardid, AccessShareLock);
	b = gs_board_lookup(boardid);
	if (b == NULL)
		gs_board_not_a_board(boardid);
	if (!gs_board_live(b))
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("leaderboard \"%s\" is not live", b->name),
				 errdetail("Its ranks come from its query at its last refresh; submit_score() writes to the table a live board ranks."),
				 errhint("Write the score into the tables of the board's query, or create a live board with gamestats.create_live_leaderboard().")));
	src = table_open(b->source, RowExclusiveLock);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	p = submit_plan(b, src, op);
	values[n] = submit_value(fcinfo, 1, p->argtypes[n], "player");
	n++;
	values[n] = submit_value(fcinfo, 2, p->argtypes[n], "score");
	n++;
	if (b->column[GS_COL_TIEBREAK])
	{
		Datum		at = (PG_NARGS() > 5 && !PG_ARGISNULL(5)) ? PG_GETARG_DATUM(5) :
			TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());

		values[n] = gs_coerce_value(at, TIMESTAMPTZOID, p->argtypes[n], "at");
		n++;
	}
	if (b->column[GS_COL_SEGMENT])
	{
		if (PG_NARGS() <= 4 || PG_ARGISNULL(4))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("leaderboard \"%s\" is segmented: a segment is required", b->name),
					 errhint("Pass segment => '...', one of the values of its column \"%s\".",
							 b->column[GS_COL_SEGMENT])));
		segment = gs_coerce_value(PG_GETARG_DATUM(4), TEXTOID, p->argtypes[n], "segment");
		values[n] = segment;
		n++;
	}
	else if (PG_NARGS() > 4 && !PG_ARGISNULL(4))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("leaderboard \"%s\" has no segments", b->name),
				 errhint("Leave the segment argument null for this board.")));

	/*
	 * The board stays locked but closed meanwhile: the write may fold it
	 * (the first write of a new season rolls the old one over).
	 */
	relation_close(board, NoLock);
	ret = SPI_execute_plan(p->plan, values, NULL, false, 0);
	if (ret != SPI_OK_INSERT)
		elog(ERROR, "submit_score failed: %s", SPI_result_code_string(ret));
	SPI_finish();
	board = relation_open(boardid, AccessShareLock);

	/* read it back, live, with a snapshot that sees the write */
	CommandCounterIncrement();
	PushActiveSnapshot(GetTransactionSnapshot());
	gs_live_emit_player(fcinfo, board, b, values[0], p->argtypes[0], segment);
	PopActiveSnapshot();

	table_close(src, NoLock);
	relation_close(board, NoLock);
	return (Datum) 0;
}

/* ---------------------------------------------------------------------
 * REFRESH MATERIALIZED VIEW of a live board
 * ---------------------------------------------------------------------
 */

/* The live board a REFRESH MATERIALIZED VIEW statement names, or InvalidOid */
static Oid
refreshed_live_board(EventTriggerData *trigdata, GsBoard **b)
{
	RefreshMatViewStmt *stmt;
	Oid			relid;

	if (!IsA(trigdata->parsetree, RefreshMatViewStmt))
		return InvalidOid;
	stmt = (RefreshMatViewStmt *) trigdata->parsetree;
	relid = RangeVarGetRelid(stmt->relation, NoLock, true);
	if (!OidIsValid(relid))
		return InvalidOid;
	*b = gs_board_lookup(relid);
	if (*b == NULL || !gs_board_live(*b))
		return InvalidOid;
	return relid;
}

/*
 * gamestats.live_refresh_start(), ON ddl_command_start for REFRESH
 * MATERIALIZED VIEW: a REFRESH of a live board (by hand, or the one
 * pg_restore runs) is made a fold.  Before it takes its snapshot, SHARE on
 * the source waits for the writers in flight and keeps new ones out until
 * the end of the transaction; the REFRESH then holds every journaled
 * change, which live_refresh_end() forgets.
 */
PG_FUNCTION_INFO_V1(gamestats_live_refresh_start);
Datum
gamestats_live_refresh_start(PG_FUNCTION_ARGS)
{
	GsBoard    *b;

	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		elog(ERROR, "gamestats.live_refresh_start() must be called as an event trigger");
	if (OidIsValid(refreshed_live_board((EventTriggerData *) fcinfo->context, &b)))
		LockRelationOid(b->source, ShareLock);
	PG_RETURN_VOID();
}

/*
 * gamestats.live_refresh_end(), ON ddl_command_end: the board now holds
 * the source as it was after the last journaled change (no writer could
 * commit since live_refresh_start()), so the journal is emptied and the
 * board's storage recorded, as a fold does.
 */
PG_FUNCTION_INFO_V1(gamestats_live_refresh_end);
Datum
gamestats_live_refresh_end(PG_FUNCTION_ARGS)
{
	GsBoard    *b;
	GsLiveState st;
	GsOwnerContext ctx;
	Oid			tables[3];
	int			i;

	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		elog(ERROR, "gamestats.live_refresh_end() must be called as an event trigger");
	if (!OidIsValid(refreshed_live_board((EventTriggerData *) fcinfo->context, &b)))
		PG_RETURN_VOID();
	if (!gs_live_state(b->relid, NULL, &st))
		PG_RETURN_VOID();
	/* held since ddl_command_start; a no-op unless that one did not run */
	LockRelationOid(st.source, ShareLock);
	tables[0] = st.journal;
	tables[1] = st.compacted;
	tables[2] = st.sums;
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	gs_owner_context_enter(&ctx, gs_rel_class(b->relid).relowner);
	for (i = 0; i < lengthof(tables); i++)
		if (SPI_execute(psprintf("DELETE FROM ONLY %s", gs_qualified_name(tables[i])),
						false, 0) != SPI_OK_DELETE)
			elog(ERROR, "could not empty the journal of \"%s\"", b->name);
	gs_owner_context_leave(&ctx);
	gs_live_after_fold(b);
	lb_record_refresh(b, ((RefreshMatViewStmt *) ((EventTriggerData *) fcinfo->context)->parsetree)->concurrent ?
					  "concurrently" : "blocking");
	SPI_finish();
	PG_RETURN_VOID();
}
