/*-------------------------------------------------------------------------
 *
 * board.c
 *	  Reading leaderboards: the one reader of gamestats.leaderboard_config
 *	  and gamestats.leaderboard_segment, the backend-local cache of board
 *	  definitions, rank types, and how a board's columns and indexes are
 *	  found.  board.h states the contract these follow.
 *
 * Everything here reads by systable scans of our tables' primary keys, as
 * whoever calls: PUBLIC may read both tables.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "catalog/pg_am.h"
#include "catalog/pg_class.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_index.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "parser/parse_coerce.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/typcache.h"

#include "pg_gamestats.h"
#include "board.h"
#include "live.h"

/* ---------------------------------------------------------------------
 * Rank types, columns, index roles
 * ---------------------------------------------------------------------
 */

/* rank_type's values, by GsRankType */
static const GsChoice rank_types[] = {
	[GS_RANK_COMPETITION] = {"competition", "ranks 1, 2, 2, 4"},
	[GS_RANK_DENSE] = {"dense", "ranks 1, 2, 2, 3"},
	[GS_RANK_ORDINAL] = {"ordinal", "ranks 1, 2, 3, 4"},
};

/* the window function that computes each */
static const char *const rank_functions[] = {
	[GS_RANK_COMPETITION] = "rank",
	[GS_RANK_DENSE] = "dense_rank",
	[GS_RANK_ORDINAL] = "row_number",
};

/* The rank type called "name"; an error for any other text. */
GsRankType
gs_rank_type_parse(const char *name)
{
	return (GsRankType) gs_parse_choice("rank_type", name, rank_types,
										lengthof(rank_types));
}

const char *
gs_rank_type_name(GsRankType type)
{
	return rank_types[type].name;
}

const char *
gs_rank_type_function(GsRankType type)
{
	return rank_functions[type];
}

/* Where each column's name is kept, as the configuration calls it. */
static const char *const column_args[GS_NUM_COLUMNS] = {
	[GS_COL_PLAYER] = "player_column",
	[GS_COL_SCORE] = "score_column",
	[GS_COL_TIEBREAK] = "tiebreak_column",
	[GS_COL_SEGMENT] = "segment_column",
	[GS_COL_RANK] = "rank column",
};

/* "player_column" ...: the argument of create_leaderboard naming the column */
const char *
gs_board_column_arg(GsColumn col)
{
	return column_args[col];
}

const GsIndexSpec gs_board_indexes[GS_NUM_INDEXES] = {
	[GS_INDEX_PLAYER] = {"player", "player_key", true, 1, {GS_COL_PLAYER}},
	[GS_INDEX_RANK] = {"rank", "rank_idx", false, 2, {GS_COL_RANK, GS_COL_PLAYER}},
	[GS_INDEX_SCORE] = {"score", "score_idx", false, 1, {GS_COL_SCORE}},
};

/* ---------------------------------------------------------------------
 * Scans of our tables
 * ---------------------------------------------------------------------
 */

/* gamestats.leaderboard_config, as last opened: its invalidation clears the cache */
static Oid	config_relid = InvalidOid;
static Oid	live_config_relid = InvalidOid;

typedef struct ConfigScan
{
	Relation	rel;
	TupleDesc	desc;
	SysScanDesc scan;
	ScanKeyData keys[2];
} ConfigScan;

/* Number of column "name" of one of our tables. */
static AttrNumber
config_attno(TupleDesc desc, const char *name)
{
	int			i;

	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (!att->attisdropped && strcmp(NameStr(att->attname), name) == 0)
			return att->attnum;
	}
	elog(ERROR, "column \"%s\" is missing from a pg_gamestats catalog table", name);
	return InvalidAttrNumber;	/* keep compiler quiet */
}

/*
 * Starts a scan of gamestats.<table> (leaderboard_config or
 * leaderboard_segment) for the rows of "board", through its primary key;
 * with a segment when "segment" is not NULL (a text Datum: the stored
 * form).  snapshot NULL: a fresh catalog snapshot, which sees what this
 * transaction wrote up to its last CommandCounterIncrement.
 */
static void
config_scan_begin(ConfigScan *cs, const char *table, Oid board,
				  const Datum *segment, Snapshot snapshot)
{
	int			nkeys = 1;

	cs->rel = table_open(gs_catalog_relid(table), AccessShareLock);
	if (strcmp(table, "leaderboard_config") == 0)
		config_relid = RelationGetRelid(cs->rel);
	else if (strcmp(table, "live_config") == 0)
		live_config_relid = RelationGetRelid(cs->rel);
	cs->desc = RelationGetDescr(cs->rel);
	ScanKeyInit(&cs->keys[0], config_attno(cs->desc, "board"), BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(board));
	if (segment != NULL)
	{
		/* kept as "segment::text", in the default collation */
		ScanKeyInit(&cs->keys[nkeys++], config_attno(cs->desc, "segment"),
					BTEqualStrategyNumber, F_TEXTEQ, *segment);
		cs->keys[1].sk_collation = DEFAULT_COLLATION_OID;
	}
	cs->scan = systable_beginscan(cs->rel, gs_primary_key_index(cs->rel), true,
								  snapshot, nkeys, cs->keys);
}

static HeapTuple
config_scan_next(ConfigScan *cs)
{
	return systable_getnext(cs->scan);
}

static void
config_scan_end(ConfigScan *cs)
{
	systable_endscan(cs->scan);
	table_close(cs->rel, NoLock);
}

static Datum
config_get(ConfigScan *cs, HeapTuple tup, const char *column, bool *isnull)
{
	return heap_getattr(tup, config_attno(cs->desc, column), cs->desc, isnull);
}

/* A text or name column as a palloc'd string, or NULL */
static char *
config_get_string(ConfigScan *cs, HeapTuple tup, const char *column)
{
	bool		isnull;
	Datum		d = config_get(cs, tup, column, &isnull);
	Oid			type = TupleDescAttr(cs->desc, config_attno(cs->desc, column) - 1)->atttypid;

	if (isnull)
		return NULL;
	if (type == NAMEOID)
		return pstrdup(NameStr(*DatumGetName(d)));
	return TextDatumGetCString(d);
}

/* ---------------------------------------------------------------------
 * The cache of board definitions
 * ---------------------------------------------------------------------
 */

typedef struct BoardEntry
{
	Oid			relid;			/* hash key */
	bool		valid;
	bool		has_layout;
	GsBoard		board;			/* without its strings: */
	bool		has_column[GS_NUM_COLUMNS];
	NameData	column[GS_NUM_COLUMNS];
} BoardEntry;

static HTAB *board_cache = NULL;

/*
 * A relcache invalidation of a board drops its entry's contents; one of the
 * configuration table (or of every relation) drops them all.
 */
static void
board_cache_invalidate(Datum arg, Oid relid)
{
	HASH_SEQ_STATUS status;
	BoardEntry *entry;

	if (board_cache == NULL)
		return;
	if (OidIsValid(relid) && relid != config_relid && relid != live_config_relid)
	{
		entry = hash_search(board_cache, &relid, HASH_FIND, NULL);
		if (entry)
			entry->valid = false;
		return;
	}
	hash_seq_init(&status, board_cache);
	while ((entry = hash_seq_search(&status)) != NULL)
		entry->valid = false;
}

/*
 * Reads the definition of board "relid" into the entry; false if the
 * relation is not a registered materialized view.
 */
static bool
board_load_definition(BoardEntry *e, Oid relid)
{
	ConfigScan	cs;
	HeapTuple	tup;
	bool		isnull;
	char	   *rank_type;
	int			i;

	if (get_rel_relkind(relid) != RELKIND_MATVIEW)
		return false;
	config_scan_begin(&cs, "leaderboard_config", relid, NULL, NULL);
	tup = config_scan_next(&cs);
	if (!HeapTupleIsValid(tup))
	{
		config_scan_end(&cs);
		return false;
	}
	memset(&e->board, 0, sizeof(GsBoard));
	e->board.relid = relid;
	for (i = 0; i < GS_NUM_COLUMNS; i++)
	{
		const char *name = i == GS_COL_RANK ? GS_RANK_COLUMN :
			config_get_string(&cs, tup, column_args[i]);

		e->has_column[i] = (name != NULL);
		namestrcpy(&e->column[i], name ? name : "");
	}
	e->board.descending = DatumGetBool(config_get(&cs, tup, "descending", &isnull));
	rank_type = config_get_string(&cs, tup, "rank_type");
	config_scan_end(&cs);
	e->board.rank_type = gs_rank_type_parse(rank_type ? rank_type : "");

	/* a live board has a row in live_config too */
	config_scan_begin(&cs, "live_config", relid, NULL, NULL);
	tup = config_scan_next(&cs);
	e->board.source = HeapTupleIsValid(tup) ?
		DatumGetObjectId(config_get(&cs, tup, "source", &isnull)) : InvalidOid;
	config_scan_end(&cs);
	return true;
}

/* The live board whose source is "source", or InvalidOid. */
Oid
gs_live_board_of(Oid source)
{
	Relation	rel = table_open(gs_catalog_relid("live_config"), AccessShareLock);
	TupleDesc	desc = RelationGetDescr(rel);
	AttrNumber	srcatt = config_attno(desc, "source");
	AttrNumber	boardatt = config_attno(desc, "board");
	SysScanDesc scan;
	HeapTuple	tup;
	Oid			board = InvalidOid;

	/* few rows: no index needed */
	scan = systable_beginscan(rel, InvalidOid, false, NULL, 0, NULL);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		bool		isnull;

		if (DatumGetObjectId(heap_getattr(tup, srcatt, desc, &isnull)) == source)
		{
			board = DatumGetObjectId(heap_getattr(tup, boardatt, desc, &isnull));
			break;
		}
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return board;
}

/*
 * What gamestats.live_config holds for board "board" under "snapshot"
 * (NULL: a fresh catalog snapshot); false if the board is not live.
 */
bool
gs_live_state(Oid board, Snapshot snapshot, GsLiveState *st)
{
	ConfigScan	cs;
	HeapTuple	tup;
	bool		isnull;

	config_scan_begin(&cs, "live_config", board, NULL, snapshot);
	tup = config_scan_next(&cs);
	if (HeapTupleIsValid(tup))
	{
		st->source = DatumGetObjectId(config_get(&cs, tup, "source", &isnull));
		st->journal = DatumGetObjectId(config_get(&cs, tup, "journal", &isnull));
		st->order_index = config_get_string(&cs, tup, "order_index");
		st->compacted = DatumGetObjectId(config_get(&cs, tup, "compacted", &isnull));
		st->sums = DatumGetObjectId(config_get(&cs, tup, "sums", &isnull));
		st->generation = DatumGetInt64(config_get(&cs, tup, "generation", &isnull));
		st->fold_filenode = DatumGetObjectId(config_get(&cs, tup, "fold_filenode", &isnull));
	}
	config_scan_end(&cs);
	return HeapTupleIsValid(tup);
}

/* The board's column of role "col"; an error if it is gone. */
static AttrNumber
board_attnum(const GsBoard *b, GsColumn col)
{
	AttrNumber	attno = get_attnum(b->relid, b->column[col]);

	if (attno != InvalidAttrNumber)
		return attno;
	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_COLUMN),
			 errmsg("leaderboard \"%s\" has no column \"%s\"", b->name, b->column[col]),
			 col == GS_COL_RANK ?
			 errdetail("Its rank column is always \"%s\": the column was renamed or dropped since the board was created.",
					   GS_RANK_COLUMN) :
			 errdetail("Its %s is \"%s\" in gamestats.leaderboard_config: the column was renamed or dropped since the board was created.",
					   column_args[col], b->column[col]),
			 errhint("Rename the column back with ALTER MATERIALIZED VIEW %s RENAME COLUMN ... TO %s.",
					 b->name, quote_identifier(b->column[col]))));
	return InvalidAttrNumber;	/* keep compiler quiet */
}

/* Key columns of index role "role" of the board: their count */
static int
index_keys(const GsBoard *b, GsIndexRole role, const AttrNumber *attnos,
		   AttrNumber *keys)
{
	const GsIndexSpec *spec = &gs_board_indexes[role];
	int			n = 0;
	int			i;

	if (gs_board_segmented(b))
		keys[n++] = attnos[GS_COL_SEGMENT];
	for (i = 0; i < spec->ncolumns; i++)
		keys[n++] = attnos[spec->columns[i]];
	return n;
}

/*
 * True if index "indexoid" of "rel" is a plain valid btree whose key columns
 * are exactly "attnos" (nattnos of them), in that order, each ascending with
 * the default btree operator class of its type and the column's collation
 * -- the order and equality the query functions rely on -- and, if
 * "unique", a unique index.
 */
static bool
index_has_keys(Relation rel, Oid indexoid, const AttrNumber *attnos, int nattnos,
			   bool unique)
{
	HeapTuple	tup;
	Form_pg_index idx;
	bool		match = false;

	tup = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(indexoid));
	if (!HeapTupleIsValid(tup))
		return false;
	idx = (Form_pg_index) GETSTRUCT(tup);
	if (idx->indisvalid && idx->indnkeyatts == nattnos &&
		(idx->indisunique || !unique) &&
		heap_attisnull(tup, Anum_pg_index_indexprs, NULL) &&
		heap_attisnull(tup, Anum_pg_index_indpred, NULL) &&
		gs_rel_class(indexoid).relam == BTREE_AM_OID)
	{
		bool		isnull;
		oidvector  *indclass;
		oidvector  *indcollation;
		int2vector *indoption;
		int			i;

		indclass = (oidvector *) DatumGetPointer(SysCacheGetAttr(INDEXRELID, tup,
																 Anum_pg_index_indclass, &isnull));
		indcollation = (oidvector *) DatumGetPointer(SysCacheGetAttr(INDEXRELID, tup,
																	 Anum_pg_index_indcollation, &isnull));
		indoption = (int2vector *) DatumGetPointer(SysCacheGetAttr(INDEXRELID, tup,
																   Anum_pg_index_indoption, &isnull));
		match = true;
		for (i = 0; i < nattnos && match; i++)
		{
			Form_pg_attribute att;

			if (idx->indkey.values[i] != attnos[i] || attnos[i] <= 0)
			{
				match = false;
				break;
			}
			att = TupleDescAttr(RelationGetDescr(rel), attnos[i] - 1);
			/* NULLS FIRST is harmless: these columns hold no NULLs */
			if ((indoption->values[i] & INDOPTION_DESC) != 0 ||
				indclass->values[i] != GetDefaultOpClass(att->atttypid, BTREE_AM_OID) ||
				indcollation->values[i] != att->attcollation)
				match = false;
		}
	}
	ReleaseSysCache(tup);
	return match;
}

/*
 * Fills the layout of the entry's board from the open relation: the
 * columns the query functions read, and their indexes; an error if one of
 * those is missing.
 */
static void
board_load_layout(BoardEntry *e, Relation rel)
{
	GsBoard    *b = &e->board;
	GsBoard		named = *b;
	List	   *indexes;
	ListCell   *lc;
	int			i;

	/* the names, for board_attnum and the errors */
	for (i = 0; i < GS_NUM_COLUMNS; i++)
		named.column[i] = e->has_column[i] ? NameStr(e->column[i]) : NULL;
	named.name = gs_qualified_name(b->relid);

	for (i = 0; i < GS_NUM_COLUMNS; i++)
	{
		b->attno[i] = InvalidAttrNumber;
		if (named.column[i] == NULL)
			continue;
		/* the tiebreak is only ever read by the board's own query */
		if (i == GS_COL_TIEBREAK)
			b->attno[i] = get_attnum(b->relid, named.column[i]);
		else
			b->attno[i] = board_attnum(&named, (GsColumn) i);
	}
	b->segment_type = InvalidOid;
	b->segment_collation = InvalidOid;
	if (b->attno[GS_COL_SEGMENT] != InvalidAttrNumber)
	{
		Form_pg_attribute att = TupleDescAttr(RelationGetDescr(rel),
											  b->attno[GS_COL_SEGMENT] - 1);

		b->segment_type = att->atttypid;
		b->segment_collation = att->attcollation;
	}

	for (i = 0; i < GS_NUM_INDEXES; i++)
		b->index[i] = InvalidOid;
	indexes = RelationGetIndexList(rel);
	foreach(lc, indexes)
	{
		Oid			indexoid = lfirst_oid(lc);

		for (i = 0; i < GS_NUM_INDEXES; i++)
		{
			AttrNumber	keys[INDEX_MAX_KEYS];
			int			nkeys = index_keys(&named, (GsIndexRole) i, b->attno, keys);

			if (!OidIsValid(b->index[i]) &&
				index_has_keys(rel, indexoid, keys, nkeys, gs_board_indexes[i].unique))
				b->index[i] = indexoid;
		}
	}
	list_free(indexes);

	/* the query functions read through the player and rank indexes */
	for (i = 0; i < GS_NUM_INDEXES; i++)
	{
		const GsIndexSpec *spec = &gs_board_indexes[i];
		StringInfoData cols;
		int			j;

		if (OidIsValid(b->index[i]) || i == GS_INDEX_SCORE)
			continue;
		initStringInfo(&cols);
		if (gs_board_segmented(&named))
			appendStringInfo(&cols, "%s, ", quote_identifier(named.column[GS_COL_SEGMENT]));
		for (j = 0; j < spec->ncolumns; j++)
			appendStringInfo(&cols, "%s%s", j > 0 ? ", " : "",
							 quote_identifier(named.column[spec->columns[j]]));
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("leaderboard \"%s\" is missing its %s index", named.name, spec->role),
				 errdetail("The query functions need a valid %sbtree index on (%s), ascending, with the default operator classes and the columns' collations.",
						   spec->unique ? "unique " : "", cols.data),
				 errhint("Create it with CREATE %sINDEX ON %s (%s), or recreate the leaderboard.",
						 spec->unique ? "UNIQUE " : "", named.name, cols.data)));
	}
}

/*
 * The cache entry of board "relid", loaded; with its layout when "rel" (the
 * board, open) is given.  NULL when it is not a board.
 */
static BoardEntry *
board_entry(Oid relid, Relation rel)
{
	BoardEntry *entry;
	bool		found;

	if (board_cache == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(Oid);
		ctl.entrysize = sizeof(BoardEntry);
		board_cache = hash_create("pg_gamestats boards", 16, &ctl,
								  HASH_ELEM | HASH_BLOBS);
		CacheRegisterRelcacheCallback(board_cache_invalidate, (Datum) 0);
	}
	entry = hash_search(board_cache, &relid, HASH_ENTER, &found);
	if (!found)
		entry->valid = false;
	while (!entry->valid || (rel != NULL && !entry->has_layout))
	{
		volatile bool registered = true;

		/*
		 * An invalidation that arrives during the load clears "valid"
		 * again, and the loop loads again.
		 */
		PG_TRY();
		{
			if (!entry->valid)
			{
				entry->valid = true;
				entry->has_layout = false;
				registered = board_load_definition(entry, relid);
			}
			if (registered && rel != NULL && entry->valid)
			{
				board_load_layout(entry, rel);
				entry->has_layout = true;
			}
		}
		PG_CATCH();
		{
			hash_search(board_cache, &relid, HASH_REMOVE, NULL);
			PG_RE_THROW();
		}
		PG_END_TRY();
		if (!registered)
		{
			hash_search(board_cache, &relid, HASH_REMOVE, NULL);
			return NULL;
		}
	}
	return entry;
}

/* A copy of the entry's board, with its strings, for the caller. */
static GsBoard *
board_copy(BoardEntry *entry)
{
	GsBoard    *b = palloc(sizeof(GsBoard));
	int			i;

	*b = entry->board;
	for (i = 0; i < GS_NUM_COLUMNS; i++)
		b->column[i] = entry->has_column[i] ? pstrdup(NameStr(entry->column[i])) : NULL;
	b->name = gs_qualified_name(b->relid);
	return b;
}

/*
 * The definition of board "relid", or NULL when the relation is not a
 * materialized view registered in gamestats.leaderboard_config.
 */
GsBoard *
gs_board_lookup(Oid relid)
{
	BoardEntry *entry = board_entry(relid, NULL);

	return entry ? board_copy(entry) : NULL;
}

/* The definition of board "relid"; an error when it is not a board. */
GsBoard *
gs_board_get(Oid relid)
{
	GsBoard    *b = gs_board_lookup(relid);

	if (b == NULL)
		gs_board_not_a_board(relid);
	return b;
}

/*
 * The definition and layout of the board open as "rel", for the query
 * functions; an error when it is not a board, or lacks a column or an
 * index they read through.
 */
GsBoard *
gs_board_open(Relation rel)
{
	BoardEntry *entry = board_entry(RelationGetRelid(rel), rel);

	if (entry == NULL)
		gs_board_not_a_board(RelationGetRelid(rel));
	return board_copy(entry);
}

/* Errors out: "relid" is not a leaderboard. */
void
gs_board_not_a_board(Oid relid)
{
	ereport(ERROR,
			(errcode(ERRCODE_WRONG_OBJECT_TYPE),
			 errmsg("\"%s\" is not a leaderboard", gs_qualified_name(relid)),
			 errhint("The view gamestats.leaderboards lists the leaderboards; gamestats.create_leaderboard() makes one, and gamestats.lookup() reads other tables.")));
}

/*
 * The board must still have the columns its configuration names: a column
 * renamed (or dropped) since its creation makes the refresh's bookkeeping
 * and the query functions fail, and renaming it back is the fix.
 */
void
gs_board_check_columns(const GsBoard *b)
{
	int			i;

	for (i = 0; i < GS_NUM_COLUMNS; i++)
		if (b->column[i] != NULL)
			(void) board_attnum(b, (GsColumn) i);
}

/*
 * Does index "indexoid" of the board (open as "rel") serve as its index of
 * role "role", as the readers find it?
 */
bool
gs_board_is_index(const GsBoard *b, Relation rel, Oid indexoid, GsIndexRole role)
{
	AttrNumber	attnos[GS_NUM_COLUMNS];
	AttrNumber	keys[INDEX_MAX_KEYS];
	int			i;

	for (i = 0; i < GS_NUM_COLUMNS; i++)
		attnos[i] = b->column[i] ? get_attnum(b->relid, b->column[i]) : InvalidAttrNumber;
	return index_has_keys(rel, indexoid, keys, index_keys(b, role, attnos, keys),
						  gs_board_indexes[role].unique);
}

/*
 * The pg_cron job recorded for board "relid" (read afresh); false when
 * leaderboard_config has no row for it.  The relation itself may be gone.
 */
bool
gs_board_read_job(Oid relid, GsBoardJob *job)
{
	ConfigScan	cs;
	HeapTuple	tup;
	bool		isnull;
	Datum		d;

	memset(job, 0, sizeof(GsBoardJob));
	config_scan_begin(&cs, "leaderboard_config", relid, NULL, NULL);
	tup = config_scan_next(&cs);
	if (HeapTupleIsValid(tup))
	{
		d = config_get(&cs, tup, "jobid", &isnull);
		job->has_job = !isnull;
		job->jobid = isnull ? 0 : DatumGetInt64(d);
		job->name = config_get_string(&cs, tup, "job_name");
		job->user = config_get_string(&cs, tup, "job_user");
		job->command = config_get_string(&cs, tup, "job_command");
	}
	config_scan_end(&cs);
	return HeapTupleIsValid(tup);
}

/* ---------------------------------------------------------------------
 * Sizes
 * ---------------------------------------------------------------------
 */

/* Does the text form of this type's values depend on session settings? */
static bool
output_depends_on_settings(Oid type)
{
	switch (type)
	{
		case TEXTOID:
		case VARCHAROID:
		case BPCHAROID:
		case NAMEOID:
		case CHAROID:
		case INT2OID:
		case INT4OID:
		case INT8OID:
		case OIDOID:
		case BOOLOID:
		case UUIDOID:
			return false;
		default:
			return !type_is_enum(type);
	}
}

/*
 * "value::text" as SQL casts it under the fixed settings of
 * gs_begin_canonical_output(): the stored form of a segment.
 */
static Datum
segment_as_text(Datum value, Oid type)
{
	Oid			funcid;
	Oid			outfunc;
	bool		isvarlena;
	int			nestlevel = -1;
	Datum		result;

	if (output_depends_on_settings(type))
		nestlevel = gs_begin_canonical_output();
	switch (find_coercion_pathway(TEXTOID, type, COERCION_EXPLICIT, &funcid))
	{
		case COERCION_PATH_RELABELTYPE:
			result = value;
			break;
		case COERCION_PATH_FUNC:
			result = OidFunctionCall1(funcid, value);
			break;
		default:
			getTypeOutputInfo(type, &outfunc, &isvarlena);
			result = CStringGetTextDatum(OidOutputFunctionCall(outfunc, value));
			break;
	}
	if (nestlevel >= 0)
		gs_end_settings(nestlevel);
	return result;
}

/*
 * The snapshot to read a board's sizes with, so that they describe the rows
 * this statement reads: a 'concurrently' refresh changes the rows in place,
 * under MVCC, so its sizes are read with the statement's snapshot; every
 * other refresh writes new storage whose rows every snapshot sees, and no
 * later one can commit while we hold the board, so its sizes are the latest
 * committed ones (NULL: a fresh catalog snapshot).
 */
static Snapshot
sizes_snapshot(Oid relid)
{
	ConfigScan	cs;
	HeapTuple	tup;
	bool		concurrently = false;

	config_scan_begin(&cs, "leaderboard_config", relid, NULL, NULL);
	tup = config_scan_next(&cs);
	if (HeapTupleIsValid(tup))
	{
		char	   *strategy = config_get_string(&cs, tup, "last_strategy");

		concurrently = strategy != NULL && strcmp(strategy, "concurrently") == 0;
	}
	config_scan_end(&cs);
	return concurrently ? GetActiveSnapshot() : NULL;
}

/* The "rows" column of a row of leaderboard_config or leaderboard_segment */
static int64
rows_of(ConfigScan *cs, HeapTuple tup)
{
	bool		isnull;
	Datum		d = config_get(cs, tup, "rows", &isnull);

	return isnull ? 0 : DatumGetInt64(d);
}

/*
 * Size of a board, or of its segment "segment" (a value of the segment
 * column's type) for a segmented board opened with gs_board_open(), as of
 * its last refresh: from the bookkeeping the refresh writes in the same
 * transaction as the board.  A segment is found by its stored form, and
 * when that misses (a value equal to a segment but written otherwise,
 * '1.0' for a segment 1.00) by comparing each segment of the board as a
 * value of the column's type.
 */
int64
gs_board_rows(const GsBoard *b, Datum segment)
{
	bool		segmented = gs_board_segmented(b);
	Snapshot	snapshot = sizes_snapshot(b->relid);
	Datum		stored = (Datum) 0;
	ConfigScan	cs;
	HeapTuple	tup;
	int64		rows = 0;
	bool		found = false;

	if (segmented)
		stored = segment_as_text(segment, b->segment_type);
	config_scan_begin(&cs, segmented ? "leaderboard_segment" : "leaderboard_config",
					  b->relid, segmented ? &stored : NULL, snapshot);
	tup = config_scan_next(&cs);
	if (HeapTupleIsValid(tup))
	{
		rows = rows_of(&cs, tup);
		found = true;
	}
	config_scan_end(&cs);

	if (segmented && !found)
	{
		TypeCacheEntry *tce = lookup_type_cache(b->segment_type, TYPECACHE_CMP_PROC_FINFO);
		int			nestlevel;

		if (!OidIsValid(tce->cmp_proc_finfo.fn_oid))
			elog(ERROR, "no comparison function for type %s",
				 format_type_be(b->segment_type));
		nestlevel = gs_begin_canonical_output();
		config_scan_begin(&cs, "leaderboard_segment", b->relid, NULL, snapshot);
		while (HeapTupleIsValid(tup = config_scan_next(&cs)))
		{
			char	   *text = config_get_string(&cs, tup, "segment");
			Datum		value;

			if (text == NULL || !gs_read_value(b->segment_type, text, &value))
				continue;
			if (DatumGetInt32(FunctionCall2Coll(&tce->cmp_proc_finfo, b->segment_collation,
												value, segment)) == 0)
			{
				rows = rows_of(&cs, tup);
				break;
			}
		}
		config_scan_end(&cs);
		gs_end_settings(nestlevel);
	}
	return rows;
}
