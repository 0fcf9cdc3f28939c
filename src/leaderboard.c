/*-------------------------------------------------------------------------
 *
 * leaderboard.c
 *	  Ranking leaderboards: materialized views created over a user query,
 *	  refreshed either by PostgreSQL's own REFRESH or by the 'swap' strategy,
 *	  which builds the new ranking and its indexes in a transient heap while
 *	  readers keep reading, then exchanges the storage of board and copy
 *	  under one short ACCESS EXCLUSIVE lock taken with gamestats.lock_timeout.
 *
 *	  The board keeps its pg_class row (OID, owner, grants, comments,
 *	  dependent views); only relfilenodes and size statistics change, by
 *	  transactional catalog updates, so a crash leaves the old or the new
 *	  board and never a mix.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/relation.h"
#include "access/tableam.h"
#include "access/table.h"
#include "access/toast_internals.h"
#include "access/visibilitymap.h"
#include "access/xact.h"
#include "catalog/dependency.h"
#include "catalog/index.h"
#include "catalog/indexing.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_index.h"
#include "catalog/pg_type.h"
#include "commands/dbcommands.h"
#include "commands/defrem.h"
#include "commands/extension.h"
#include "commands/matview.h"
#include "commands/tablecmds.h"
#include "executor/executor.h"
#include "executor/tuptable.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "parser/parser.h"
#include "parser/scansup.h"
#include "pgstat.h"
#include "rewrite/rewriteHandler.h"
#include "storage/lmgr.h"
#include "storage/lock.h"
#include "storage/predicate.h"
#include "storage/proc.h"
#include "storage/procarray.h"
#include "tcop/tcopprot.h"
#include "tcop/utility.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/plancache.h"
#include "utils/regproc.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
#include "utils/typcache.h"
#include "utils/varlena.h"

#include "pg_gamestats.h"
#include "board.h"

typedef enum LbStrategy
{
	LB_SWAP,
	LB_CONCURRENTLY,
	LB_BLOCKING
} LbStrategy;

static const char *const lb_strategy_names[] = {"swap", "concurrently", "blocking"};

static int64 lb_refresh(GsBoard *b, LbStrategy strategy, const char *label,
						 bool creating);

/*
 * Runs one statement of ours through SPI with a safe search_path, as the
 * owner of gamestats' tables when as_owner (to write them), else as the
 * caller; with a fresh snapshot, never read_only, so that reads see the
 * changes made earlier in this transaction.  Returns the SPI result code.
 */
static int
lb_spi(const char *sql, int nargs, Oid *argtypes, Datum *values,
	   const char *nulls, bool as_owner)
{
	return gs_spi_exec(sql, nargs, argtypes, values, nulls, false, 0,
					   as_owner ? gs_catalog_owner("leaderboard_config") : InvalidOid);
}

/*
 * Looks up a board for an action on it: the relation must exist and be a
 * registered leaderboard, and the caller must own it.
 */
static GsBoard *
lb_get_board(Oid relid, const char *action)
{
	GsBoard    *b;

	if (!SearchSysCacheExists1(RELOID, ObjectIdGetDatum(relid)))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("leaderboard with OID %u does not exist", relid),
				 errhint("The view gamestats.leaderboards lists the existing boards.")));
	b = gs_board_get(relid);
	gs_check_owner(relid, action);
	return b;
}

/* ---------------------------------------------------------------------------
 * Recording sizes and refresh state
 * ---------------------------------------------------------------------------
 */

/* Sizes of a board's new contents. */
typedef struct LbSizes
{
	int64		rows;
	int64		segments;		/* segmented boards only */
	Datum		segment_names;	/* text[], when segments > 0 */
	Datum		segment_rows;	/* bigint[], when segments > 0 */
} LbSizes;

/*
 * Counts the rows of relation "rel" (the board, or the transient heap about
 * to become it) per segment for a segmented board; for an unsegmented one
 * counts them only if rows < 0.  Runs as the current user.
 */
static void
lb_count(GsBoard *b, const char *rel, int64 rows, LbSizes *sz)
{
	bool		isnull;

	sz->rows = rows;
	sz->segments = 0;
	sz->segment_names = sz->segment_rows = (Datum) 0;
	if (gs_board_segmented(b))
	{
		const char *segment = quote_identifier(b->column[GS_COL_SEGMENT]);
		char	   *sql;
		int			nestlevel;

		/*
		 * Segments are stored in the form board.h describes: the text cast
		 * under gs_begin_canonical_output(), whatever the DateStyle,
		 * TimeZone, ... of the session that refreshes or reads.  Values that
		 * still share one text form are counted together rather than
		 * failing the refresh.
		 */
		sql = psprintf("SELECT pg_catalog.array_agg(y.s), pg_catalog.array_agg(y.n),"
					   "       pg_catalog.count(*), pg_catalog.sum(y.n)::pg_catalog.int8"
					   "  FROM (SELECT x.s, pg_catalog.sum(x.n)::pg_catalog.int8 AS n"
					   "          FROM (SELECT " GS_SEGMENT_TEXT_SQL " AS s, pg_catalog.count(*) AS n"
					   "                  FROM %s AS b GROUP BY b.%s) AS x"
					   "         GROUP BY x.s) AS y",
					   psprintf("b.%s", segment), rel, segment);
		nestlevel = gs_begin_canonical_output();
		lb_spi(sql, 0, NULL, NULL, NULL, false);
		gs_end_settings(nestlevel);
		sz->segments = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
												   SPI_tuptable->tupdesc, 3, &isnull));
		sz->rows = 0;
		if (sz->segments > 0)
		{
			sz->segment_names = datumCopy(SPI_getbinval(SPI_tuptable->vals[0],
														SPI_tuptable->tupdesc, 1, &isnull),
										  false, -1);
			sz->segment_rows = datumCopy(SPI_getbinval(SPI_tuptable->vals[0],
													   SPI_tuptable->tupdesc, 2, &isnull),
										 false, -1);
			sz->rows = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
												   SPI_tuptable->tupdesc, 4, &isnull));
		}
	}
	else if (rows < 0)
	{
		lb_spi(psprintf("SELECT pg_catalog.count(*) FROM %s", rel),
			   0, NULL, NULL, NULL, false);
		sz->rows = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
											   SPI_tuptable->tupdesc, 1, &isnull));
	}
}

/*
 * Rewrites the board's rows in gamestats.leaderboard_segment (segmented
 * boards) and its state in gamestats.leaderboard_config, in the refresh's
 * transaction, so they commit with the board.  Returns the board's rows.
 */
static int64
lb_write_state(GsBoard *b, LbSizes *sz, const char *strategy,
			   TimestampTz started)
{
	Datum		values[6];
	char		nulls[6];
	Oid			argtypes[6];
	double		elapsed_ms;

	values[0] = ObjectIdGetDatum(b->relid);
	argtypes[0] = REGCLASSOID;

	if (gs_board_segmented(b))
	{
		lb_spi("DELETE FROM gamestats.leaderboard_segment WHERE board = $1",
			   1, argtypes, values, NULL, true);
		if (sz->segments > 0)
		{
			values[1] = sz->segment_names;
			argtypes[1] = TEXTARRAYOID;
			values[2] = sz->segment_rows;
			argtypes[2] = INT8ARRAYOID;
			lb_spi("INSERT INTO gamestats.leaderboard_segment (board, segment, rows)"
				   " SELECT $1, u.s, u.n FROM ROWS FROM (pg_catalog.unnest($2), pg_catalog.unnest($3)) AS u(s, n)",
				   3, argtypes, values, NULL, true);
		}
	}

	elapsed_ms = (double) (GetCurrentTimestamp() - started) / 1000.0;

	memset(nulls, ' ', sizeof(nulls));
	values[1] = Int64GetDatum(sz->rows);
	argtypes[1] = INT8OID;
	values[2] = Int64GetDatum(sz->segments);
	argtypes[2] = INT8OID;
	if (!gs_board_segmented(b))
		nulls[2] = 'n';
	values[3] = TimestampTzGetDatum(started);
	argtypes[3] = TIMESTAMPTZOID;
	values[4] = Float8GetDatum(elapsed_ms);
	argtypes[4] = FLOAT8OID;
	values[5] = CStringGetTextDatum(strategy);
	argtypes[5] = TEXTOID;
	lb_spi("UPDATE gamestats.leaderboard_config"
		   "   SET rows = $2, segments = $3, last_refresh_at = $4,"
		   "       last_refresh_ms = $5, last_strategy = $6"
		   " WHERE board = $1",
		   6, argtypes, values, nulls, true);
	lb_spi("DELETE FROM gamestats.leaderboard_errors WHERE board = $1",
		   1, argtypes, values, NULL, true);
	return sz->rows;
}

/* ---------------------------------------------------------------------------
 * Duplicate players
 * ---------------------------------------------------------------------------
 */

/*
 * Turns the unique violation of the board's (segment,) player index into an
 * error that names the board and says what to change.  Never returns.
 */
static void
lb_raise_duplicate(ErrorData *edata, const char *board, bool segmented,
				   bool refreshing)
{
	ereport(ERROR,
			(errcode(ERRCODE_UNIQUE_VIOLATION),
			 refreshing ?
			 errmsg("could not refresh leaderboard \"%s\": its query returns more than one row for a player", board) :
			 errmsg("could not create leaderboard \"%s\": its query returns more than one row for a player", board),
			 edata->detail ? errdetail("%s%s", edata->detail,
									   refreshing ? " The board keeps its previous contents." : "") : 0,
			 segmented ?
			 errhint("The query must return one row per segment and player, e.g. aggregate it with GROUP BY segment, player.") :
			 errhint("The query must return one row per player, e.g. aggregate it with GROUP BY player.")));
}

/* ---------------------------------------------------------------------------
 * create_leaderboard
 * ---------------------------------------------------------------------------
 */

/* Position (0-based) of a column of the query's result, or an error. */
static int
lb_find_column(TupleDesc desc, const char *colname, const char *argname)
{
	StringInfoData cols;
	int			i;

	for (i = 0; i < desc->natts; i++)
		if (strcmp(NameStr(TupleDescAttr(desc, i)->attname), colname) == 0)
			return i;

	initStringInfo(&cols);
	for (i = 0; i < desc->natts; i++)
		appendStringInfo(&cols, "%s%s", i > 0 ? ", " : "",
						 quote_identifier(NameStr(TupleDescAttr(desc, i)->attname)));
	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_COLUMN),
			 errmsg("column \"%s\" given as %s is not returned by the leaderboard query",
					colname, argname),
			 errdetail("The query returns the columns %s.", cols.data),
			 errhint("Pass the name of one of the query's columns as %s, or add that alias in the query.",
					 argname)));
	return -1;					/* keep compiler quiet */
}

/* The column's type must have a default btree operator class. */
static void
lb_check_orderable(TupleDesc desc, int col, const char *argname)
{
	Oid			typid = TupleDescAttr(desc, col)->atttypid;
	TypeCacheEntry *tc = lookup_type_cache(typid, TYPECACHE_BTREE_OPFAMILY);

	if (!OidIsValid(tc->btree_opf))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FUNCTION),
				 errmsg("%s \"%s\" has type %s, which cannot be ordered",
						argname, NameStr(TupleDescAttr(desc, col)->attname),
						format_type_be(typid)),
				 errdetail("Ranks and the board's indexes need a default btree operator class for the type."),
				 errhint("Cast the column in the query to an orderable type, e.g. (payload->>'score')::numeric.")));
}

/*
 * Error context of parsing the board's query: a syntax error's position
 * points into the query text, not into the statement that called us.
 */
static void
lb_query_error_callback(void *arg)
{
	const char *query = (const char *) arg;
	int			pos = geterrposition();

	if (pos > 0)
	{
		errposition(0);
		internalerrposition(pos);
		internalerrquery(query);
	}
	errcontext("leaderboard query");
}

/*
 * Checks that the text is exactly one SELECT (or VALUES, or WITH ... SELECT)
 * and returns that statement's text without a trailing semicolon.
 */
static char *
lb_single_select(const char *query)
{
	List	   *parsetree;
	RawStmt    *raw;
	SelectStmt *select;
	ErrorContextCallback errcallback;

	errcallback.callback = lb_query_error_callback;
	errcallback.arg = (void *) query;
	errcallback.previous = error_context_stack;
	error_context_stack = &errcallback;
	parsetree = raw_parser(query, RAW_PARSE_DEFAULT);
	error_context_stack = errcallback.previous;

	if (list_length(parsetree) != 1)
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("leaderboard query must be a single SELECT"),
				 errdetail("The text holds %d statements.", list_length(parsetree)),
				 errhint("Pass one SELECT that returns one row per player.")));
	raw = linitial_node(RawStmt, parsetree);
	if (!IsA(raw->stmt, SelectStmt))
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("leaderboard query must be a single SELECT"),
				 errdetail("The text is a %s statement.", CreateCommandName(raw->stmt)),
				 errhint("Pass one SELECT that returns one row per player.")));
	select = (SelectStmt *) raw->stmt;
	if (select->intoClause != NULL || select->lockingClause != NIL)
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("leaderboard query must be a plain SELECT"),
				 errdetail("SELECT INTO and FOR UPDATE/SHARE are not allowed."),
				 errhint("Remove the INTO or locking clause.")));
	if (raw->stmt_len > 0)
		return pnstrdup(query + raw->stmt_location, raw->stmt_len);
	return pstrdup(query + raw->stmt_location);
}

/*
 * Parses the board's name, [schema.]name, refusing what PostgreSQL would
 * otherwise take silently or report without saying what is expected.
 */
static List *
lb_parse_board_name(const char *board_text)
{
	char	   *copy = pstrdup(board_text);
	List	   *parts;
	const char *p;

	if (!SplitIdentifierString(copy, '.', &parts) || parts == NIL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_NAME),
				 errmsg("invalid leaderboard name \"%s\"", board_text),
				 errdetail("A board name is an identifier, optionally qualified by a schema name (schema.board): letters, digits, _ and $ not starting with a digit, or any text in double quotes."),
				 errhint("Quote names that hold spaces, capitals or other characters, e.g. '\"my board\"'.")));
	if (list_length(parts) > 2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_NAME),
				 errmsg("invalid leaderboard name \"%s\"", board_text),
				 errdetail("The name has %d dot-separated parts; a board name is board or schema.board.",
						   list_length(parts)),
				 errhint("Quote a name that contains a dot, e.g. '\"my.board\"'.")));

	/* SplitIdentifierString truncates long names silently: measure them */
	p = board_text;
	while (*p)
	{
		int			len = 0;

		while (scanner_isspace(*p))
			p++;
		if (*p == '"')
		{
			for (p++; *p; p++)
			{
				if (*p == '"')
				{
					if (p[1] != '"')
						break;
					p++;
				}
				len++;
			}
			if (*p == '"')
				p++;
		}
		else
			for (; *p && *p != '.' && !scanner_isspace(*p); p++)
				len++;
		if (len >= NAMEDATALEN)
			ereport(ERROR,
					(errcode(ERRCODE_NAME_TOO_LONG),
					 errmsg("leaderboard name \"%s\" is too long", board_text),
					 errdetail("A part of the name has %d bytes; names are at most %d bytes.",
							   len, NAMEDATALEN - 1),
					 errhint("Choose a shorter name.")));
		while (scanner_isspace(*p))
			p++;
		if (*p == '.')
			p++;
	}

	return gs_qualified_name_list(board_text);
}

/*
 * gamestats.create_leaderboard(board text, query text,
 *     player_column name DEFAULT 'player_id', score_column name DEFAULT 'score',
 *     descending boolean DEFAULT true, tiebreak_column name DEFAULT NULL,
 *     segment_column name DEFAULT NULL, rank_type text DEFAULT 'competition')
 *   RETURNS regclass
 *
 * Validates the query, creates the materialized view that ranks its rows
 * (WITH NO DATA), its three indexes and its configuration row, then fills it
 * by the swap refresh path (as the owner, with a safe search_path), all in
 * the caller's transaction: an error leaves nothing.  Locks only the new
 * board (ACCESS EXCLUSIVE, as CREATE MATERIALIZED VIEW does) and, for
 * reading, the tables of the query.
 */
PG_FUNCTION_INFO_V1(gamestats_create_leaderboard);
Datum
gamestats_create_leaderboard(PG_FUNCTION_ARGS)
{
	static const char *const argnames[] = {"board", "query", "player_column",
	"score_column", "descending", NULL, NULL, "rank_type"};
	char	   *board_text;
	char	   *query;
	/* the query's columns by role (up to GS_COL_SEGMENT), 0-based */
	char	   *roles[GS_COL_RANK];
	int			cols[GS_COL_RANK] = {-1, -1, -1, -1};
	bool		descending;
	GsRankType	rank_type;
	RangeVar   *rv;
	Oid			nspid;
	char	   *qualname;
	SPIPlanPtr	plan;
	CachedPlanSource *source;
	TupleDesc	desc;
	StringInfoData sql;
	Oid			boardid;
	int			i,
				j;

	for (i = 0; i < lengthof(argnames); i++)
		if (argnames[i] != NULL)
			gs_require_arg(fcinfo, i, argnames[i]);

	board_text = text_to_cstring(PG_GETARG_TEXT_PP(0));
	query = text_to_cstring(PG_GETARG_TEXT_PP(1));
	roles[GS_COL_PLAYER] = pstrdup(NameStr(*PG_GETARG_NAME(2)));
	roles[GS_COL_SCORE] = pstrdup(NameStr(*PG_GETARG_NAME(3)));
	descending = PG_GETARG_BOOL(4);
	roles[GS_COL_TIEBREAK] = PG_ARGISNULL(5) ? NULL : pstrdup(NameStr(*PG_GETARG_NAME(5)));
	roles[GS_COL_SEGMENT] = PG_ARGISNULL(6) ? NULL : pstrdup(NameStr(*PG_GETARG_NAME(6)));
	rank_type = gs_rank_type_parse(text_to_cstring(PG_GETARG_TEXT_PP(7)));

	gs_forbid_in_recovery("create a leaderboard");

	/* the board's name: free, in a schema we may create in */
	rv = makeRangeVarFromNameList(lb_parse_board_name(board_text));
	nspid = RangeVarGetCreationNamespace(rv);
	if (isAnyTempNamespace(nspid))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("leaderboard \"%s\" cannot be temporary", board_text),
				 errhint("Create the board in a regular schema.")));
	qualname = quote_qualified_identifier(get_namespace_name(nspid), rv->relname);
	if (OidIsValid(get_relname_relid(rv->relname, nspid)))
		ereport(ERROR,
				(errcode(ERRCODE_DUPLICATE_TABLE),
				 errmsg("relation \"%s\" already exists", qualname),
				 errhint("Choose another name for the board, or drop the existing relation first (gamestats.drop_leaderboard() for a board).")));

	/* the query: one SELECT, whose columns we can rank */
	query = lb_single_select(query);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");

	plan = SPI_prepare(query, 0, NULL);
	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	source = linitial(SPI_plan_get_plan_sources(plan));
	desc = source->resultDesc;
	if (desc == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("leaderboard query must return rows"),
				 errhint("Pass one SELECT that returns one row per player.")));

	for (i = 0; i < desc->natts; i++)
	{
		const char *colname = NameStr(TupleDescAttr(desc, i)->attname);

		if (strcmp(colname, GS_RANK_COLUMN) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_DUPLICATE_COLUMN),
					 errmsg("leaderboard query returns a column named \"%s\"", GS_RANK_COLUMN),
					 errdetail("The board's first column is its own \"%s\".", GS_RANK_COLUMN),
					 errhint("Rename that column in the query, e.g. SELECT ..., rank AS previous_rank.")));
		for (j = 0; j < i; j++)
			if (strcmp(colname, NameStr(TupleDescAttr(desc, j)->attname)) == 0)
				ereport(ERROR,
						(errcode(ERRCODE_DUPLICATE_COLUMN),
						 errmsg("leaderboard query returns more than one column named \"%s\"", colname),
						 errhint("Give each column of the query a distinct alias.")));
	}

	for (i = 0; i < GS_COL_RANK; i++)
	{
		if (roles[i] == NULL)
			continue;
		cols[i] = lb_find_column(desc, roles[i], gs_board_column_arg(i));
		for (j = 0; j < i; j++)
			if (cols[j] == cols[i])
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("%s and %s are both column \"%s\"",
								gs_board_column_arg(j), gs_board_column_arg(i), roles[i]),
						 errhint("Player, score, tiebreak and segment must be four different columns.")));
		lb_check_orderable(desc, cols[i], gs_board_column_arg(i));
	}

	/*
	 * The ranking, as board.h describes it: rank() / dense_rank() /
	 * row_number() over the user's query, partitioned by segment, ordered by
	 * score, then tiebreak, then (ordinal) player.  Rows without player,
	 * score or segment are left out.
	 */
	initStringInfo(&sql);
	appendStringInfo(&sql, "CREATE MATERIALIZED VIEW %s AS\nSELECT pg_catalog.%s() OVER (",
					 qualname, gs_rank_type_function(rank_type));
	if (roles[GS_COL_SEGMENT])
		appendStringInfo(&sql, "PARTITION BY q.%s ", quote_identifier(roles[GS_COL_SEGMENT]));
	appendStringInfo(&sql, "ORDER BY q.%s %s", quote_identifier(roles[GS_COL_SCORE]),
					 descending ? "DESC" : "ASC");
	if (roles[GS_COL_TIEBREAK])
		appendStringInfo(&sql, ", q.%s ASC", quote_identifier(roles[GS_COL_TIEBREAK]));
	if (rank_type == GS_RANK_ORDINAL)
		appendStringInfo(&sql, ", q.%s ASC", quote_identifier(roles[GS_COL_PLAYER]));
	appendStringInfo(&sql, ") AS %s", GS_RANK_COLUMN);
	for (i = 0; i < GS_COL_RANK; i++)
		if (roles[i])
			appendStringInfo(&sql, ", q.%s", quote_identifier(roles[i]));
	for (i = 0; i < desc->natts; i++)
	{
		for (j = 0; j < GS_COL_RANK; j++)
			if (i == cols[j])
				break;
		if (j == GS_COL_RANK)
			appendStringInfo(&sql, ", q.%s",
							 quote_identifier(NameStr(TupleDescAttr(desc, i)->attname)));
	}
	appendStringInfo(&sql, "\n  FROM (\n%s\n) AS q\n WHERE q.%s IS NOT NULL AND q.%s IS NOT NULL",
					 query, quote_identifier(roles[GS_COL_SCORE]),
					 quote_identifier(roles[GS_COL_PLAYER]));
	{
		/* NaN scores are left out like NULL ones (NaN sorts above Infinity) */
		Oid			scoretype = getBaseType(TupleDescAttr(desc, cols[GS_COL_SCORE])->atttypid);
		const char *nan_type = scoretype == FLOAT8OID ? "float8" :
			scoretype == FLOAT4OID ? "float4" :
			scoretype == NUMERICOID ? "numeric" : NULL;

		if (nan_type)
			appendStringInfo(&sql, " AND q.%s OPERATOR(pg_catalog.<>) 'NaN'::pg_catalog.%s",
							 quote_identifier(roles[GS_COL_SCORE]), nan_type);
	}
	if (roles[GS_COL_SEGMENT])
		appendStringInfo(&sql, " AND q.%s IS NOT NULL", quote_identifier(roles[GS_COL_SEGMENT]));
	/* filled below by the same code as every refresh */
	appendStringInfoString(&sql, "\n  WITH NO DATA");

	if (SPI_execute(sql.data, false, 0) != SPI_OK_UTILITY)
		elog(ERROR, "could not create materialized view \"%s\"", qualname);
	CommandCounterIncrement();
	boardid = get_relname_relid(rv->relname, nspid);
	if (!OidIsValid(boardid))
		elog(ERROR, "materialized view \"%s\" was not created", qualname);

	/* its indexes, as board.h lists them */
	for (i = 0; i < GS_NUM_INDEXES; i++)
	{
		const GsIndexSpec *spec = &gs_board_indexes[i];
		char	   *idx = ChooseRelationName(rv->relname, NULL, spec->suffix, nspid, false);

		resetStringInfo(&sql);
		appendStringInfo(&sql, "CREATE %sINDEX %s ON %s (",
						 spec->unique ? "UNIQUE " : "", quote_identifier(idx), qualname);
		if (roles[GS_COL_SEGMENT])
			appendStringInfo(&sql, "%s, ", quote_identifier(roles[GS_COL_SEGMENT]));
		for (j = 0; j < spec->ncolumns; j++)
			appendStringInfo(&sql, "%s%s", j > 0 ? ", " : "",
							 quote_identifier(spec->columns[j] == GS_COL_RANK ?
											  GS_RANK_COLUMN : roles[spec->columns[j]]));
		appendStringInfoChar(&sql, ')');
		if (SPI_execute(sql.data, false, 0) != SPI_OK_UTILITY)
			elog(ERROR, "could not create index \"%s\"", idx);
		CommandCounterIncrement();
	}

	/* the configuration row, then the sizes */
	{
		Oid			argtypes[8] = {REGCLASSOID, TEXTOID, NAMEOID, NAMEOID, BOOLOID,
		NAMEOID, NAMEOID, TEXTOID};
		Datum		values[8];
		char		nulls[8];

		memset(nulls, ' ', sizeof(nulls));
		values[0] = ObjectIdGetDatum(boardid);
		values[1] = CStringGetTextDatum(query);
		values[2] = PG_GETARG_DATUM(2);
		values[3] = PG_GETARG_DATUM(3);
		values[4] = BoolGetDatum(descending);
		values[5] = PG_ARGISNULL(5) ? (Datum) 0 : PG_GETARG_DATUM(5);
		nulls[5] = PG_ARGISNULL(5) ? 'n' : ' ';
		values[6] = PG_ARGISNULL(6) ? (Datum) 0 : PG_GETARG_DATUM(6);
		nulls[6] = PG_ARGISNULL(6) ? 'n' : ' ';
		values[7] = CStringGetTextDatum(gs_rank_type_name(rank_type));
		lb_spi("INSERT INTO gamestats.leaderboard_config"
			   " (board, query, player_column, score_column, descending,"
			   "  tiebreak_column, segment_column, rank_type)"
			   " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
			   8, argtypes, values, nulls, true);
		/* the scan of gs_board_get() must see it */
		CommandCounterIncrement();
	}

	/*
	 * The first contents, built like every swap refresh: as the owner, with
	 * a safe search_path, so a query that only works with the caller's
	 * search_path fails now rather than at its first refresh.
	 */
	(void) lb_refresh(gs_board_get(boardid), LB_SWAP, "create", true);

	SPI_finish();
	PG_RETURN_OID(boardid);
}

/* ---------------------------------------------------------------------------
 * The swap refresh
 * ---------------------------------------------------------------------------
 */

/* The board's stored query (its _RETURN rule), copied. */
static Query *
lb_board_query(Relation board)
{
	RuleLock   *rules = board->rd_rules;
	int			i;

	for (i = 0; rules != NULL && i < rules->numLocks; i++)
	{
		RewriteRule *rule = rules->rules[i];

		if (rule->event == CMD_SELECT && list_length(rule->actions) == 1)
			return copyObject(linitial_node(Query, rule->actions));
	}
	elog(ERROR, "could not find the query of materialized view \"%s\"",
		 RelationGetRelationName(board));
	return NULL;				/* keep compiler quiet */
}

/*
 * A receiver that fills the transient heap in batches with
 * table_multi_insert(): rows are inserted frozen (the heap is new in this
 * transaction, like PostgreSQL's transient refresh heap), fewer WAL records
 * are written, and full pages are marked all-visible, so that index-only
 * scans of the board work right after the switch.
 */
#define LB_BATCH 1000

typedef struct LbDest
{
	DestReceiver pub;
	Oid			relid;
	Relation	rel;
	BulkInsertState bistate;
	CommandId	cid;
	TupleTableSlot *slots[LB_BATCH];
	int			nused;			/* slots holding a row */
	int			ncreated;		/* slots created */
} LbDest;

static void
lb_dest_startup(DestReceiver *self, int operation, TupleDesc typeinfo)
{
	LbDest	   *d = (LbDest *) self;

	d->rel = table_open(d->relid, NoLock);
	d->bistate = GetBulkInsertState();
	d->cid = GetCurrentCommandId(true);
	d->nused = 0;
	d->ncreated = 0;
}

static void
lb_dest_flush(LbDest *d)
{
	int			i;

	if (d->nused == 0)
		return;
	table_multi_insert(d->rel, d->slots, d->nused, d->cid,
					   TABLE_INSERT_SKIP_FSM | TABLE_INSERT_FROZEN, d->bistate);
	for (i = 0; i < d->nused; i++)
		ExecClearTuple(d->slots[i]);
	d->nused = 0;
}

static bool
lb_dest_receive(TupleTableSlot *slot, DestReceiver *self)
{
	LbDest	   *d = (LbDest *) self;

	if (d->nused == d->ncreated)
		d->slots[d->ncreated++] = table_slot_create(d->rel, NULL);
	ExecCopySlot(d->slots[d->nused++], slot);
	if (d->nused == LB_BATCH)
		lb_dest_flush(d);
	return true;
}

static void
lb_dest_shutdown(DestReceiver *self)
{
	LbDest	   *d = (LbDest *) self;
	int			i;

	lb_dest_flush(d);
	FreeBulkInsertState(d->bistate);
	table_finish_bulk_insert(d->rel, TABLE_INSERT_SKIP_FSM | TABLE_INSERT_FROZEN);
	for (i = 0; i < d->ncreated; i++)
		ExecDropSingleTupleTableSlot(d->slots[i]);
	table_close(d->rel, NoLock);
	d->rel = NULL;
}

static void
lb_dest_destroy(DestReceiver *self)
{
	pfree(self);
}

static DestReceiver *
lb_dest_create(Oid relid)
{
	LbDest	   *d = palloc0(sizeof(LbDest));

	d->pub.receiveSlot = lb_dest_receive;
	d->pub.rStartup = lb_dest_startup;
	d->pub.rShutdown = lb_dest_shutdown;
	d->pub.rDestroy = lb_dest_destroy;
	d->pub.mydest = DestTransientRel;
	d->relid = relid;
	return (DestReceiver *) d;
}

/*
 * Runs the board's query with a fresh snapshot and sends its rows into the
 * transient heap.  Returns the number of rows.
 */
static uint64
lb_fill(Oid newheap, Query *query, const char *board)
{
	DestReceiver *dest = lb_dest_create(newheap);
	const char *label = psprintf("gamestats.refresh_leaderboard(%s)", board);
	List	   *rewritten;
	PlannedStmt *plan;
	QueryDesc  *qd;
	uint64		processed;

	AcquireRewriteLocks(query, true, false);
	rewritten = QueryRewrite(query);
	if (list_length(rewritten) != 1)
		elog(ERROR, "unexpected rewrite result for leaderboard \"%s\"", board);
	query = linitial_node(Query, rewritten);

	CHECK_FOR_INTERRUPTS();

	/* taken now, after the board's lock: sees every earlier refresh's data */
	PushCopiedSnapshot(GetTransactionSnapshot());
	UpdateActiveSnapshotCommandId();

	plan = gs_plan_query(query, label, CURSOR_OPT_PARALLEL_OK);
	qd = CreateQueryDesc(plan, label, GetActiveSnapshot(), InvalidSnapshot,
						 dest, NULL, NULL, 0);
	ExecutorStart(qd, 0);
	gs_executor_run(qd, 0);
	processed = qd->estate->es_processed;
	ExecutorFinish(qd);
	ExecutorEnd(qd);
	FreeQueryDesc(qd);
	PopActiveSnapshot();
	dest->rDestroy(dest);

	return processed;
}

/*
 * Creates a copy of every index of the board on the transient heap and
 * builds it.  Returns the copies' OIDs in the order of board_indexes.
 */
static List *
lb_build_indexes(GsBoard *b, Relation board, Oid newheap, List *board_indexes,
				 bool creating)
{
	Relation	heap = table_open(newheap, NoLock);
	List	   *copies = NIL;
	ListCell   *lc;
	int			n = 0;

	foreach(lc, board_indexes)
	{
		Oid			oldidx = lfirst_oid(lc);
		char		name[NAMEDATALEN];
		Oid			newidx;
		Relation	idxrel;
		IndexInfo  *info;
		MemoryContext oldcxt;

		snprintf(name, sizeof(name), "pg_temp_%u_%d", b->relid, ++n);
		newidx = gs_index_create_copy(heap, oldidx, get_rel_tablespace(oldidx), name);
		CommandCounterIncrement();

		idxrel = index_open(newidx, NoLock);
		info = BuildIndexInfo(idxrel);
		oldcxt = CurrentMemoryContext;
		PG_TRY();
		{
			gs_index_build(heap, idxrel, info, true);
		}
		PG_CATCH();
		{
			ErrorData  *edata;
			Relation	boardrel;

			MemoryContextSwitchTo(oldcxt);
			edata = CopyErrorData();
			if (edata->sqlerrcode != ERRCODE_UNIQUE_VIOLATION || !info->ii_Unique)
				PG_RE_THROW();
			FlushErrorState();
			if (gs_board_is_index(b, board, oldidx, GS_INDEX_PLAYER))
				lb_raise_duplicate(edata, b->name, gs_board_segmented(b), !creating);
			/* an index the owner added: name it, not its transient copy */
			boardrel = relation_open(b->relid, NoLock);
			ereport(ERROR,
					(errcode(ERRCODE_UNIQUE_VIOLATION),
					 errmsg("could not refresh leaderboard \"%s\": the new rows violate its unique index \"%s\"",
							b->name, get_rel_name(oldidx)),
					 edata->detail ? errdetail("%s The board keeps its previous contents.", edata->detail) :
					 errdetail("The board keeps its previous contents."),
					 errhint("That index was added to the board after its creation: drop it, or change the query so that its rows are unique on the index's columns."),
					 errtableconstraint(boardrel, get_rel_name(oldidx))));
		}
		PG_END_TRY();
		index_close(idxrel, NoLock);
		CommandCounterIncrement();

		copies = lappend_oid(copies, newidx);
	}
	table_close(heap, NoLock);
	return copies;
}

/*
 * "process 12, 34" for the sessions holding locks that block the swap, on
 * the board or on one of its indexes or its TOAST table ("relids").
 */
static char *
lb_lock_holders(List *relids)
{
	StringInfoData buf;
	List	   *pids = NIL;
	bool		prepared = false;
	int			n = 0;
	ListCell   *lc;

	initStringInfo(&buf);
	foreach(lc, relids)
	{
		LOCKTAG		tag;
		VirtualTransactionId *vxids;
		int			i;

		SET_LOCKTAG_RELATION(tag, MyDatabaseId, lfirst_oid(lc));
		vxids = GetLockConflicts(&tag, AccessExclusiveLock, NULL);
		for (i = 0; VirtualTransactionIdIsValid(vxids[i]); i++)
		{
			PGPROC	   *proc;

			proc = gs_vxid_proc(vxids[i]);
			if (proc != NULL && proc->pid != 0)
			{
				if (list_member_int(pids, proc->pid))
					continue;
				pids = lappend_int(pids, proc->pid);
				appendStringInfo(&buf, "%s%d", n++ > 0 ? ", " : "", proc->pid);
			}
			else if (!prepared)
			{
				prepared = true;
				appendStringInfo(&buf, "%sa prepared transaction", n++ > 0 ? ", " : "");
			}
		}
	}
	if (n == 0)
		return pstrdup("no session any more (it ended after the last attempt)");
	return psprintf("%s %s", n > 1 ? "processes" : "process", buf.data);
}

/*
 * ACCESS EXCLUSIVE on the board, its indexes and its TOAST table (the
 * relations "arg", a List of OIDs, whose storage the switch replaces), each
 * waiting at most gamestats.lock_timeout.  The indexes are locked too since
 * a session may open an index alone (pgstatindex, bt_index_check) and would
 * otherwise read a file the switch unlinks.
 */
static void
lb_lock_board(void *arg)
{
	int			nestlevel = gs_begin_lock_timeout();
	ListCell   *lc;

	foreach(lc, (List *) arg)
		LockRelationOid(lfirst_oid(lc), AccessExclusiveLock);
	gs_end_settings(nestlevel);
}

/*
 * Upgrades our lock on the board to ACCESS EXCLUSIVE and takes it on its
 * indexes and TOAST table ("relids", the board first), each attempt waiting
 * at most gamestats.lock_timeout, retried gamestats.lock_retries times; then
 * an error naming the holders.  Readers queue behind a waiting attempt, so
 * they never wait longer than one lock_timeout for it.
 */
static void
lb_lock_for_swap(GsBoard *b, List *relids)
{
	int			attempts = gamestats_lock_retries + 1;
	int			i;

	for (i = 0; i < attempts; i++)
	{
		ErrorData  *edata = gs_run_in_subxact(lb_lock_board, relids);

		if (edata == NULL)
			return;
		if (edata->sqlerrcode != ERRCODE_LOCK_NOT_AVAILABLE)
			ReThrowError(edata);
		FreeErrorData(edata);
	}

	ereport(ERROR,
			(errcode(ERRCODE_LOCK_NOT_AVAILABLE),
			 errmsg("could not switch in the new ranking of leaderboard \"%s\"", b->name),
			 errdetail("Its ACCESS EXCLUSIVE lock was not granted within gamestats.lock_timeout (%d ms) in %d attempts; the board is held by %s.",
					   gamestats_lock_timeout, attempts, lb_lock_holders(relids)),
			 errhint("Retry later, or end the long transaction that holds the board (pg_stat_activity shows what it runs); raising gamestats.lock_timeout or gamestats.lock_retries lets the refresh wait longer, and readers with it.")));
}

/*
 * Exchanges the storage (relfilenode) and size statistics of two relations
 * by updating their pg_class rows.  "keep" is the board side: it gets the
 * new storage and keeps its identity.  For the heaps themselves the TOAST
 * tables are exchanged by link (reltoastrelid and their pg_depend rows),
 * not by content: the TOAST pointers written into the new rows name the
 * new heap's TOAST table, which must therefore come along as it is.
 */
static void
lb_swap_storage(Oid keep, Oid other, bool swap_toast, int32 new_allvisible,
				int32 new_allfrozen)
{
	Relation	classrel = table_open(RelationRelationId, RowExclusiveLock);
	HeapTuple	tup1 = SearchSysCacheCopy1(RELOID, ObjectIdGetDatum(keep));
	HeapTuple	tup2 = SearchSysCacheCopy1(RELOID, ObjectIdGetDatum(other));
	Form_pg_class f1,
				f2;
	Oid			toast1,
				toast2;

	if (!HeapTupleIsValid(tup1) || !HeapTupleIsValid(tup2))
		elog(ERROR, "cache lookup failed for relation %u or %u", keep, other);
	f1 = (Form_pg_class) GETSTRUCT(tup1);
	f2 = (Form_pg_class) GETSTRUCT(tup2);
	if (!OidIsValid(f1->relfilenode) || !OidIsValid(f2->relfilenode) ||
		f1->relpersistence != f2->relpersistence || f1->relam != f2->relam)
		elog(ERROR, "cannot swap the storage of relations %u and %u", keep, other);

#define LB_SWAP_FIELD(type, field) \
	do { type tmp_ = f1->field; f1->field = f2->field; f2->field = tmp_; } while (0)
	LB_SWAP_FIELD(Oid, relfilenode);
	LB_SWAP_FIELD(Oid, reltablespace);
	LB_SWAP_FIELD(int32, relpages);
	LB_SWAP_FIELD(float4, reltuples);
	LB_SWAP_FIELD(int32, relallvisible);
	gs_swap_relallfrozen(f1, f2);
	LB_SWAP_FIELD(TransactionId, relfrozenxid);
	LB_SWAP_FIELD(MultiXactId, relminmxid);
	if (swap_toast)
		LB_SWAP_FIELD(Oid, reltoastrelid);
#undef LB_SWAP_FIELD
	if (f1->relkind == RELKIND_MATVIEW)
		f1->relispopulated = true;
	if (new_allvisible >= 0)
		f1->relallvisible = new_allvisible;
	if (new_allfrozen >= 0)
		gs_set_relallfrozen(f1, new_allfrozen);

	CatalogTupleUpdate(classrel, &tup1->t_self, tup1);
	CatalogTupleUpdate(classrel, &tup2->t_self, tup2);
	toast1 = f1->reltoastrelid;
	toast2 = f2->reltoastrelid;
	heap_freetuple(tup1);
	heap_freetuple(tup2);
	table_close(classrel, RowExclusiveLock);

	/*
	 * The board's storage is now new in this transaction (matters for
	 * wal_level = minimal); the copy's is the old one.
	 */
	{
		Relation	r1 = relation_open(keep, NoLock);
		Relation	r2 = relation_open(other, NoLock);

		r2->rd_createSubid = r1->rd_createSubid;
		gs_rd_new_subid(r2) = gs_rd_new_subid(r1);
		gs_rd_first_subid(r2) = gs_rd_first_subid(r1);
		gs_assume_new_storage(r1);
		relation_close(r1, NoLock);
		relation_close(r2, NoLock);
	}

	/* each TOAST table now belongs to the other heap */
	if (swap_toast && (OidIsValid(toast1) || OidIsValid(toast2)))
	{
		ObjectAddress base;
		ObjectAddress toast;

		if (OidIsValid(toast1) &&
			deleteDependencyRecordsFor(RelationRelationId, toast1, false) != 1)
			elog(ERROR, "expected one dependency record for TOAST table %u", toast1);
		if (OidIsValid(toast2) &&
			deleteDependencyRecordsFor(RelationRelationId, toast2, false) != 1)
			elog(ERROR, "expected one dependency record for TOAST table %u", toast2);
		base.classId = toast.classId = RelationRelationId;
		base.objectSubId = toast.objectSubId = 0;
		if (OidIsValid(toast1))
		{
			base.objectId = keep;
			toast.objectId = toast1;
			recordDependencyOn(&toast, &base, DEPENDENCY_INTERNAL);
		}
		if (OidIsValid(toast2))
		{
			base.objectId = other;
			toast.objectId = toast2;
			recordDependencyOn(&toast, &base, DEPENDENCY_INTERNAL);
		}
	}

	/* both smgr links become stale at the next CommandCounterIncrement */
	gs_close_smgr(keep);
	gs_close_smgr(other);
}

/* Gives the board's (new) TOAST table and index their usual names. */
static void
lb_rename_toast(Oid boardid)
{
	Oid			toastid = gs_rel_class(boardid).reltoastrelid;
	char		name[NAMEDATALEN];

	if (!OidIsValid(toastid))
		return;
	/* made by make_new_heap() as the rewrite of the old one: it is not now */
	ResetRelRewrite(toastid);
	CommandCounterIncrement();
	snprintf(name, sizeof(name), "pg_toast_%u", boardid);
	RenameRelationInternal(toastid, name, true, false);
	CommandCounterIncrement();
	snprintf(name, sizeof(name), "pg_toast_%u_index", boardid);
	RenameRelationInternal(toast_get_valid_index(toastid, AccessExclusiveLock),
						   name, true, true);
	CommandCounterIncrement();
}

/*
 * The 'swap' strategy; the caller holds ExclusiveLock on the board.
 * Sets *sz to the sizes of the new board, counted before the switch so
 * that the short lock covers only catalog updates.
 */
static void
lb_refresh_swap(GsBoard *b, LbSizes *sz, bool creating)
{
	Relation	board = table_open(b->relid, NoLock);
	Query	   *query = lb_board_query(board);
	List	   *board_indexes = RelationGetIndexList(board);
	List	   *copies;
	List	   *switch_locks;
	GsOwnerContext ctx;
	int			nestlevel;
	Oid			newheap;
	uint64		processed;
	BlockNumber allvisible;
	BlockNumber allfrozen;
	ListCell   *lc1,
			   *lc2;
	ObjectAddress object;

	/*
	 * Build aside, as the board's owner (gs_owner_context_enter), like
	 * PostgreSQL's own refresh.  Readers keep reading the board meanwhile:
	 * we hold only ExclusiveLock on it.
	 */
	gs_owner_context_enter(&ctx, board->rd_rel->relowner);

	newheap = make_new_heap(b->relid, board->rd_rel->reltablespace,
							board->rd_rel->relam,
							board->rd_rel->relpersistence, ExclusiveLock);
	processed = lb_fill(newheap, query, b->name);
	CommandCounterIncrement();
	copies = lb_build_indexes(b, board, newheap, board_indexes, creating);
	lb_count(b, quote_qualified_identifier(get_namespace_name(get_rel_namespace(newheap)),
										   get_rel_name(newheap)),
			 (int64) processed, sz);

	gs_owner_context_leave(&ctx);

	/* its pages went in all-visible: tell the planner (index-only scans) */
	{
		Relation	heap = table_open(newheap, NoLock);
		visibilitymap_count(heap, &allvisible, &allfrozen);
		table_close(heap, NoLock);
	}

	/* switch it in: one short lock, on the board and what it owns */
	switch_locks = lcons_oid(b->relid, list_copy(board_indexes));
	if (OidIsValid(board->rd_rel->reltoastrelid))
		switch_locks = lappend_oid(switch_locks, board->rd_rel->reltoastrelid);
	lb_lock_for_swap(b, switch_locks);

	/*
	 * Every other lock taken while we hold the board (dropping the old
	 * storage locks the old TOAST index, for one) waits at most
	 * gamestats.lock_timeout too: readers queue behind us meanwhile.
	 */
	nestlevel = gs_begin_lock_timeout();
	CheckTableNotInUse(board, "refresh leaderboard");
	TransferPredicateLocksToHeapRelation(board);

	lb_swap_storage(b->relid, newheap, true, (int32) allvisible, (int32) allfrozen);
	forboth(lc1, board_indexes, lc2, copies)
		lb_swap_storage(lfirst_oid(lc1), lfirst_oid(lc2), false, -1, -1);
	CommandCounterIncrement();

	/*
	 * For the statistics, as for PostgreSQL's own refresh: the old rows went
	 * away without leaving dead tuples, the new ones were inserted (so that
	 * autovacuum analyzes and vacuums the board as its contents change).
	 */
	pgstat_count_truncate(board);
	pgstat_count_heap_insert(board, (PgStat_Counter) processed);
	table_close(board, NoLock);

	/* the transient heap now owns the old storage: unlinked at commit */
	object.classId = RelationRelationId;
	object.objectId = newheap;
	object.objectSubId = 0;
	performDeletion(&object, DROP_RESTRICT, PERFORM_DELETION_INTERNAL);
	lb_rename_toast(b->relid);
	gs_end_settings(nestlevel);
}

static LbStrategy
lb_parse_strategy(const char *s)
{
	int			i;

	for (i = 0; i < lengthof(lb_strategy_names); i++)
		if (strcmp(s, lb_strategy_names[i]) == 0)
			return (LbStrategy) i;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown refresh strategy \"%s\"", s),
			 errhint("Use 'swap' (the default), 'concurrently' or 'blocking'.")));
	return LB_SWAP;				/* keep compiler quiet */
}

/*
 * One refresh with the board's lock; returns its rows.  "label" is the
 * strategy recorded in last_strategy.
 */
static int64
lb_refresh(GsBoard *b, LbStrategy strategy, const char *label, bool creating)
{
	TimestampTz started;
	LbSizes		sz;

	/* conflicts with another refresh, not with readers */
	LockRelationOid(b->relid, ExclusiveLock);
	if (!SearchSysCacheExists1(RELOID, ObjectIdGetDatum(b->relid)))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("leaderboard \"%s\" was dropped while waiting for its lock", b->name),
				 errhint("Nothing is left to refresh.")));
	gs_board_check_columns(b);
	started = GetCurrentTimestamp();

	if (strategy == LB_SWAP)
		lb_refresh_swap(b, &sz, creating);
	else
	{
		char	   *sql = psprintf("REFRESH MATERIALIZED VIEW %s%s",
								   strategy == LB_CONCURRENTLY ? "CONCURRENTLY " : "",
								   b->name);

		GsOwnerContext ctx;

		/* REFRESH switches to the owner itself */
		lb_spi(sql, 0, NULL, NULL, NULL, false);
		/* segment values go through their type's cast: as the owner */
		gs_owner_context_enter(&ctx, gs_rel_class(b->relid).relowner);
		lb_count(b, b->name, -1, &sz);
		gs_owner_context_leave(&ctx);
	}
	return lb_write_state(b, &sz, label, started);
}

/*
 * Keeps a failed refresh's error in gamestats.leaderboard_errors, which only
 * the view shows, and only to the board's readers (messages quote rows).
 * Locks the configuration row: a board dropped meanwhile records nothing.
 */
static void
lb_record_error(GsBoard *b, ErrorData *edata)
{
	Oid			argtypes[2] = {REGCLASSOID, TEXTOID};
	Datum		values[2];
	char	   *msg;

	msg = edata->detail ? psprintf("%s (%s)", edata->message, edata->detail)
		: pstrdup(edata->message);
	values[0] = ObjectIdGetDatum(b->relid);
	values[1] = CStringGetTextDatum(msg);
	lb_spi("INSERT INTO gamestats.leaderboard_errors AS e (board, last_error)"
		   " SELECT c.board, $2 FROM gamestats.leaderboard_config c"
		   "  WHERE c.board = $1 FOR KEY SHARE"
		   " ON CONFLICT (board) DO UPDATE SET last_error = excluded.last_error",
		   2, argtypes, values, NULL, true);
	ereport(WARNING,
			(errcode(edata->sqlerrcode),
			 errmsg("%s", edata->message),
			 edata->detail ? errdetail("%s", edata->detail) : 0,
			 errhint("The error stays in gamestats.leaderboards.last_error until a refresh succeeds.")));
}

/* lb_refresh() as a gs_run_in_subxact() callback */
typedef struct LbRefreshCall
{
	GsBoard    *b;
	LbStrategy	strategy;
	int64		rows;
} LbRefreshCall;

static void
lb_refresh_call(void *arg)
{
	LbRefreshCall *call = (LbRefreshCall *) arg;

	call->rows = lb_refresh(call->b, call->strategy, lb_strategy_names[call->strategy],
							false);
}

/*
 * gamestats.refresh_leaderboard(board regclass, strategy text DEFAULT 'swap',
 *     raise_error boolean DEFAULT true) RETURNS bigint
 *
 * Recomputes the board; returns its number of rows.  Locks: ExclusiveLock on
 * the board for the whole refresh (a second refresh of the same board
 * waits); 'swap' adds ACCESS EXCLUSIVE for the switch only, 'blocking' for
 * the whole refresh.  With raise_error => false a failed refresh is rolled
 * back, its error kept in last_error and reported as a WARNING, and the
 * result is NULL.
 */
PG_FUNCTION_INFO_V1(gamestats_refresh_leaderboard);
Datum
gamestats_refresh_leaderboard(PG_FUNCTION_ARGS)
{
	Oid			relid;
	LbStrategy	strategy;
	bool		raise_error;
	GsBoard    *b;
	int64		rows = -1;
	bool		failed = false;

	gs_require_arg(fcinfo, 0, "board");
	gs_require_arg(fcinfo, 1, "strategy");
	gs_require_arg(fcinfo, 2, "raise_error");
	relid = PG_GETARG_OID(0);
	strategy = lb_parse_strategy(text_to_cstring(PG_GETARG_TEXT_PP(1)));
	raise_error = PG_GETARG_BOOL(2);

	gs_forbid_in_recovery("refresh a leaderboard");

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	b = lb_get_board(relid, "refresh it");

	if (raise_error)
		rows = lb_refresh(b, strategy, lb_strategy_names[strategy], false);
	else
	{
		LbRefreshCall call = {b, strategy, -1};
		ErrorData  *edata = gs_run_in_subxact(lb_refresh_call, &call);

		if (edata != NULL)
		{
			lb_record_error(b, edata);
			failed = true;
		}
		rows = call.rows;
	}
	SPI_finish();
	if (failed)
		PG_RETURN_NULL();
	PG_RETURN_INT64(rows);
}

/* ---------------------------------------------------------------------------
 * schedule_refresh / drop_leaderboard
 * ---------------------------------------------------------------------------
 */

/*
 * Removes the board's pg_cron job if it is still there and the caller may
 * remove it; warns otherwise.  Only the job schedule_refresh made (same
 * name, user and command as recorded then), never one found by its id
 * alone: a stale id (a restored dump, an edited row) may name another
 * user's job, and a superuser would remove it.
 */
static void
lb_unschedule(const char *board, const GsBoardJob *job)
{
	Oid			argtypes[3] = {TEXTOID, TEXTOID, TEXTOID};
	Datum		values[3];

	if (!job->has_job || !gs_have_pg_cron())
		return;
	if (job->name && job->user && job->command)
	{
		values[0] = CStringGetTextDatum(job->name);
		values[1] = CStringGetTextDatum(job->user);
		values[2] = CStringGetTextDatum(job->command);
		/* as the caller: cron.job shows a non-superuser only their jobs */
		lb_spi("SELECT cron.unschedule(j.jobid) FROM cron.job j"
			   " WHERE j.jobname::pg_catalog.text OPERATOR(pg_catalog.=) $1"
			   "   AND j.username::pg_catalog.text OPERATOR(pg_catalog.=) $2"
			   "   AND j.command OPERATOR(pg_catalog.=) $3",
			   3, argtypes, values, NULL, false);
		if (SPI_processed > 0)
			return;
	}
	ereport(WARNING,
			(errmsg("pg_cron job " INT64_FORMAT " of leaderboard \"%s\" was not removed", job->jobid, board),
			 errdetail("No job of this board that you may remove is left with the name, user and command it was scheduled with."),
			 errhint("Check cron.job; the owner of a left-over job or a superuser can remove it with cron.unschedule().")));
}

/*
 * gamestats.schedule_refresh(board regclass, schedule text) RETURNS bigint
 *
 * Creates (or updates) the pg_cron job 'gamestats-refresh-<board>' that runs
 * a swap refresh of the board on the cron schedule, and remembers its id.
 * Failed scheduled refreshes are kept in gamestats.leaderboards.last_error.
 * Takes no lock on the board.
 */
PG_FUNCTION_INFO_V1(gamestats_schedule_refresh);
Datum
gamestats_schedule_refresh(PG_FUNCTION_ARGS)
{
	Oid			relid;
	char	   *schedule;
	GsBoard    *b;
	GsBoardJob	job;
	Oid			argtypes[3] = {TEXTOID, TEXTOID, TEXTOID};
	Datum		values[3];
	bool		isnull;
	int64		jobid;

	gs_require_arg(fcinfo, 0, "board");
	gs_require_arg(fcinfo, 1, "schedule");
	relid = PG_GETARG_OID(0);
	schedule = text_to_cstring(PG_GETARG_TEXT_PP(1));

	gs_forbid_in_recovery("schedule a leaderboard refresh");
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	b = lb_get_board(relid, "schedule its refresh");
	gs_require_pg_cron();

	(void) gs_board_read_job(relid, &job);

	values[0] = CStringGetTextDatum(psprintf("gamestats-refresh-%s", b->name));
	values[1] = CStringGetTextDatum(schedule);
	/*
	 * The job names the board, not its OID: pg_dump carries cron.job over
	 * to a database where the OID means something else.  After renaming a
	 * board, schedule it again.
	 */
	values[2] = CStringGetTextDatum(psprintf("SELECT gamestats.refresh_leaderboard(%s::pg_catalog.regclass, raise_error => false)",
											 quote_literal_cstr(gs_qualified_name(relid))));
	lb_spi("SELECT cron.schedule($1, $2, $3)", 3, argtypes, values, NULL,
		   false);
	jobid = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
										SPI_tuptable->tupdesc, 1, &isnull));

	/* a job of an earlier name of the board (renamed since) goes */
	if (job.has_job && job.jobid != jobid)
		lb_unschedule(b->name, &job);

	/*
	 * Remember the job as pg_cron stored it (it may shorten the name): only
	 * a job with this name, user and command is ever removed for the board.
	 */
	{
		Oid			types[2] = {REGCLASSOID, INT8OID};
		Datum		vals[2] = {ObjectIdGetDatum(relid), Int64GetDatum(jobid)};

		lb_spi("UPDATE gamestats.leaderboard_config c"
			   "   SET jobid = j.jobid, job_name = j.jobname::pg_catalog.text,"
			   "       job_user = j.username::pg_catalog.name, job_command = j.command"
			   "  FROM cron.job j"
			   " WHERE c.board = $1 AND j.jobid OPERATOR(pg_catalog.=) $2",
			   2, types, vals, NULL, true);
		if (SPI_processed != 1)
			elog(ERROR, "pg_cron job " INT64_FORMAT " was not found after cron.schedule", jobid);
	}
	SPI_finish();
	PG_RETURN_INT64(jobid);
}

/*
 * gamestats.drop_leaderboard(board regclass, cascade boolean DEFAULT false)
 *
 * Drops the board's materialized view (RESTRICT unless cascade), its
 * configuration and sizes, and its pg_cron job.  Takes the ACCESS EXCLUSIVE
 * lock of DROP MATERIALIZED VIEW.  A board whose view was dropped by hand
 * (only its OID is left) gets its configuration removed.
 */
PG_FUNCTION_INFO_V1(gamestats_drop_leaderboard);
Datum
gamestats_drop_leaderboard(PG_FUNCTION_ARGS)
{
	Oid			relid;
	bool		cascade;
	GsBoardJob	job;
	Oid			argtypes[1] = {REGCLASSOID};
	Datum		values[1];

	gs_require_arg(fcinfo, 0, "board");
	gs_require_arg(fcinfo, 1, "cascade");
	relid = PG_GETARG_OID(0);
	cascade = PG_GETARG_BOOL(1);
	values[0] = ObjectIdGetDatum(relid);

	gs_forbid_in_recovery("drop a leaderboard");
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");

	if (!SearchSysCacheExists1(RELOID, ObjectIdGetDatum(relid)) &&
		gs_board_read_job(relid, &job))
	{
		/* the view is gone already: clean up what refers to it */
		lb_unschedule(psprintf("%u", relid), &job);
	}
	else
	{
		GsBoard    *b = lb_get_board(relid, "drop it");

		/* the job first: the drop's event trigger forgets its id */
		(void) gs_board_read_job(relid, &job);
		lb_unschedule(b->name, &job);
		lb_spi(psprintf("DROP MATERIALIZED VIEW %s%s", b->name,
						cascade ? " CASCADE" : ""),
			   0, NULL, NULL, NULL, false);
	}
	lb_spi("DELETE FROM gamestats.leaderboard_segment WHERE board = $1",
		   1, argtypes, values, NULL, true);
	lb_spi("DELETE FROM gamestats.leaderboard_config WHERE board = $1",
		   1, argtypes, values, NULL, true);
	SPI_finish();
	PG_RETURN_VOID();
}
