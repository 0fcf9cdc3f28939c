/*-------------------------------------------------------------------------
 *
 * leaderboard.c
 *	  Ranking leaderboards: materialized views created over a user query
 *	  (create_leaderboard), refreshed by PostgreSQL's own REFRESH or by the
 *	  'swap' strategy of leaderboard_swap.c (refresh_leaderboard), refreshed
 *	  by pg_cron (schedule_refresh), and dropped (drop_leaderboard).
 *
 *	  Boards are read through board.c (board.h states what a board is);
 *	  their configuration and sizes are written here, through SPI, as the
 *	  owner of gamestats' tables.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "parser/parser.h"
#include "parser/scansup.h"
#include "storage/lmgr.h"
#include "tcop/utility.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "utils/plancache.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
#include "utils/typcache.h"
#include "utils/varlena.h"

#include "pg_gamestats.h"
#include "leaderboard.h"
#include "live.h"
#include "season.h"

typedef enum LbStrategy
{
	LB_SWAP,
	LB_CONCURRENTLY,
	LB_BLOCKING,
	LB_COMPACT
} LbStrategy;

/* strategy's values, by LbStrategy */
static const GsChoice lb_strategies[] = {
	[LB_SWAP] = {"swap", "the default"},
	[LB_CONCURRENTLY] = {"concurrently", NULL},
	[LB_BLOCKING] = {"blocking", NULL},
	[LB_COMPACT] = {"compact", "live boards: compact the changes since the last fold"},
};

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
GsBoard *
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

/*
 * Counts the rows of relation "rel" (the board, or the transient heap about
 * to become it) per segment for a segmented board; for an unsegmented one
 * counts them only if rows < 0.  Runs as the current user.
 */
void
lb_count(const GsBoard *b, const char *rel, int64 rows, LbSizes *sz)
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
lb_write_state(const GsBoard *b, LbSizes *sz, const char *strategy,
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

/* A board being created: the arguments of create_leaderboard, checked. */
typedef struct LbNew
{
	char	   *board_text;		/* as given */
	RangeVar   *rv;
	Oid			nspid;
	char	   *qualname;		/* "schema"."board" */
	char	   *query;			/* one SELECT, without a trailing semicolon */
	TupleDesc	desc;			/* its result columns */
	char	   *column[GS_COL_RANK];	/* by role; NULL: not given */
	int			col[GS_COL_RANK];	/* their positions in desc, or -1 */
	bool		descending;
	GsRankType	rank_type;
} LbNew;

/* The board's name: free, in a schema we may create in. */
static void
lb_new_name(LbNew *n)
{
	n->rv = makeRangeVarFromNameList(lb_parse_board_name(n->board_text));
	n->nspid = RangeVarGetCreationNamespace(n->rv);
	if (isAnyTempNamespace(n->nspid))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("leaderboard \"%s\" cannot be temporary", n->board_text),
				 errhint("Create the board in a regular schema.")));
	n->qualname = quote_qualified_identifier(get_namespace_name(n->nspid), n->rv->relname);
	if (OidIsValid(get_relname_relid(n->rv->relname, n->nspid)))
		ereport(ERROR,
				(errcode(ERRCODE_DUPLICATE_TABLE),
				 errmsg("relation \"%s\" already exists", n->qualname),
				 errhint("Choose another name for the board, or drop the existing relation first (gamestats.drop_leaderboard() for a board).")));
}

/*
 * The query: one SELECT whose columns have distinct names, none "rank",
 * with a column for each role, of a type that can be ordered.  SPI
 * connected.
 */
static void
lb_new_query(LbNew *n, const char *query)
{
	SPIPlanPtr	plan;
	CachedPlanSource *source;
	TupleDesc	desc;
	int			i,
				j;

	n->query = lb_single_select(query);
	plan = SPI_prepare(n->query, 0, NULL);
	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	source = linitial(SPI_plan_get_plan_sources(plan));
	desc = n->desc = source->resultDesc;
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
		n->col[i] = -1;
		if (n->column[i] == NULL)
			continue;
		n->col[i] = lb_find_column(desc, n->column[i], gs_board_column_arg(i));
		for (j = 0; j < i; j++)
			if (n->col[j] == n->col[i])
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("%s and %s are both column \"%s\"",
								gs_board_column_arg(j), gs_board_column_arg(i), n->column[i]),
						 errdetail("Player, score, tiebreak and segment must be four different columns.")));
		lb_check_orderable(desc, n->col[i], gs_board_column_arg(i));
	}
}

/* Is column "i" of the query one of the role columns? */
static bool
lb_new_is_role_column(const LbNew *n, int i)
{
	int			r;

	for (r = 0; r < GS_COL_RANK; r++)
		if (n->col[r] == i)
			return true;
	return false;
}

/* Runs one CREATE statement of ours, then makes its effects visible. */
static void
lb_new_run(const char *sql, const char *what)
{
	if (SPI_execute(sql, false, 0) != SPI_OK_UTILITY)
		elog(ERROR, "could not create %s", what);
	CommandCounterIncrement();
}

/*
 * The materialized view, WITH NO DATA, with the ranking board.h describes:
 * rank() / dense_rank() / row_number() over the user's query, partitioned
 * by segment, ordered by score, then tiebreak, then (ordinal) player; the
 * role columns, then the query's others.  Rows without player, score or
 * segment, and NaN scores, are left out.  Returns its OID.
 */
static Oid
lb_new_view(const LbNew *n)
{
	const char *player = quote_identifier(n->column[GS_COL_PLAYER]);
	const char *score = quote_identifier(n->column[GS_COL_SCORE]);
	const char *segment = n->column[GS_COL_SEGMENT] ?
		quote_identifier(n->column[GS_COL_SEGMENT]) : NULL;
	Oid			scoretype = getBaseType(TupleDescAttr(n->desc, n->col[GS_COL_SCORE])->atttypid);
	StringInfoData sql;
	Oid			boardid;
	int			i;

	initStringInfo(&sql);
	appendStringInfo(&sql, "CREATE MATERIALIZED VIEW %s AS\nSELECT pg_catalog.%s() OVER (",
					 n->qualname, gs_rank_type_function(n->rank_type));
	if (segment)
		appendStringInfo(&sql, "PARTITION BY q.%s ", segment);
	appendStringInfo(&sql, "ORDER BY q.%s %s", score, n->descending ? "DESC" : "ASC");
	if (n->column[GS_COL_TIEBREAK])
		appendStringInfo(&sql, ", q.%s ASC", quote_identifier(n->column[GS_COL_TIEBREAK]));
	if (n->rank_type == GS_RANK_ORDINAL)
		appendStringInfo(&sql, ", q.%s ASC", player);
	appendStringInfo(&sql, ") AS %s", GS_RANK_COLUMN);
	for (i = 0; i < GS_COL_RANK; i++)
		if (n->column[i])
			appendStringInfo(&sql, ", q.%s", quote_identifier(n->column[i]));
	for (i = 0; i < n->desc->natts; i++)
		if (!lb_new_is_role_column(n, i))
			appendStringInfo(&sql, ", q.%s",
							 quote_identifier(NameStr(TupleDescAttr(n->desc, i)->attname)));
	appendStringInfo(&sql, "\n  FROM (\n%s\n) AS q\n WHERE q.%s IS NOT NULL AND q.%s IS NOT NULL",
					 n->query, score, player);
	/* NaN scores are left out like NULL ones (NaN sorts above Infinity) */
	if (scoretype == FLOAT8OID || scoretype == FLOAT4OID || scoretype == NUMERICOID)
		appendStringInfo(&sql, " AND q.%s OPERATOR(pg_catalog.<>) 'NaN'::pg_catalog.%s",
						 score, scoretype == FLOAT8OID ? "float8" :
						 scoretype == FLOAT4OID ? "float4" : "numeric");
	if (segment)
		appendStringInfo(&sql, " AND q.%s IS NOT NULL", segment);
	/* filled by the same code as every refresh */
	appendStringInfoString(&sql, "\n  WITH NO DATA");

	lb_new_run(sql.data, psprintf("materialized view \"%s\"", n->qualname));
	boardid = get_relname_relid(n->rv->relname, n->nspid);
	if (!OidIsValid(boardid))
		elog(ERROR, "materialized view \"%s\" was not created", n->qualname);
	return boardid;
}

/* The board's indexes, as board.h lists them (gs_board_indexes). */
static void
lb_new_indexes(const LbNew *n)
{
	StringInfoData sql;
	int			i,
				j;

	initStringInfo(&sql);
	for (i = 0; i < GS_NUM_INDEXES; i++)
	{
		const GsIndexSpec *spec = &gs_board_indexes[i];
		char	   *idx = ChooseRelationName(n->rv->relname, NULL, spec->suffix,
											 n->nspid, false);

		resetStringInfo(&sql);
		appendStringInfo(&sql, "CREATE %sINDEX %s ON %s (",
						 spec->unique ? "UNIQUE " : "", quote_identifier(idx), n->qualname);
		if (n->column[GS_COL_SEGMENT])
			appendStringInfo(&sql, "%s, ", quote_identifier(n->column[GS_COL_SEGMENT]));
		for (j = 0; j < spec->ncolumns; j++)
			appendStringInfo(&sql, "%s%s", j > 0 ? ", " : "",
							 quote_identifier(spec->columns[j] == GS_COL_RANK ?
											  GS_RANK_COLUMN : n->column[spec->columns[j]]));
		appendStringInfoChar(&sql, ')');
		lb_new_run(sql.data, psprintf("index \"%s\"", idx));
	}
}

/* The board's row in gamestats.leaderboard_config, as its owner writes it. */
static void
lb_new_config(const LbNew *n, Oid boardid)
{
	Oid			argtypes[8] = {REGCLASSOID, TEXTOID, NAMEOID, NAMEOID, BOOLOID,
	NAMEOID, NAMEOID, TEXTOID};
	/* the parameter of each column's name */
	static const struct
	{
		GsColumn	col;
		int			param;
	}			names[] = {
		{GS_COL_PLAYER, 2}, {GS_COL_SCORE, 3},
		{GS_COL_TIEBREAK, 5}, {GS_COL_SEGMENT, 6},
	};
	Datum		values[8];
	char		nulls[8];
	int			i;

	memset(nulls, ' ', sizeof(nulls));
	values[0] = ObjectIdGetDatum(boardid);
	values[1] = CStringGetTextDatum(n->query);
	for (i = 0; i < lengthof(names); i++)
	{
		const char *name = n->column[names[i].col];

		values[names[i].param] = name ?
			DirectFunctionCall1(namein, CStringGetDatum(name)) : (Datum) 0;
		nulls[names[i].param] = name ? ' ' : 'n';
	}
	values[4] = BoolGetDatum(n->descending);
	values[7] = CStringGetTextDatum(gs_rank_type_name(n->rank_type));
	lb_spi("INSERT INTO gamestats.leaderboard_config"
		   " (board, query, player_column, score_column, descending,"
		   "  tiebreak_column, segment_column, rank_type)"
		   " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
		   8, argtypes, values, nulls, true);
	/* the scan of gs_board_get() must see it */
	CommandCounterIncrement();
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
	LbDefinition def;

	lb_definition_args(fcinfo, "query", &def);
	def.query = text_to_cstring(PG_GETARG_TEXT_PP(1));
	PG_RETURN_OID(lb_create(&def, NULL, NULL));
}

/*
 * The arguments that create_leaderboard and create_live_leaderboard share,
 * in the same places (board, 1: "second", player_column, score_column,
 * descending, tiebreak_column, segment_column, rank_type), checked into
 * *def; def->query is left to the caller.
 */
void
lb_definition_args(FunctionCallInfo fcinfo, const char *second, LbDefinition *def)
{
	const char *const argnames[] = {"board", second, "player_column",
	"score_column", "descending", NULL, NULL, "rank_type"};
	int			i;

	for (i = 0; i < lengthof(argnames); i++)
		if (argnames[i] != NULL)
			gs_require_arg(fcinfo, i, argnames[i]);
	memset(def, 0, sizeof(LbDefinition));
	def->board_text = text_to_cstring(PG_GETARG_TEXT_PP(0));
	def->column[GS_COL_PLAYER] = pstrdup(NameStr(*PG_GETARG_NAME(2)));
	def->column[GS_COL_SCORE] = pstrdup(NameStr(*PG_GETARG_NAME(3)));
	def->descending = PG_GETARG_BOOL(4);
	def->column[GS_COL_TIEBREAK] = PG_ARGISNULL(5) ? NULL : pstrdup(NameStr(*PG_GETARG_NAME(5)));
	def->column[GS_COL_SEGMENT] = PG_ARGISNULL(6) ? NULL : pstrdup(NameStr(*PG_GETARG_NAME(6)));
	def->rank_type = gs_rank_type_parse(text_to_cstring(PG_GETARG_TEXT_PP(7)));
}

/*
 * Creates a board: validates the query, creates the materialized view that
 * ranks its rows (WITH NO DATA), its indexes and its configuration row,
 * runs "before_fill" (live boards add their parts), then fills it by the
 * swap refresh path (as the owner, with a safe search_path), all in the
 * caller's transaction: an error leaves nothing.  Locks only the new board
 * (ACCESS EXCLUSIVE, as CREATE MATERIALIZED VIEW does) and, for reading,
 * the tables of the query.  Returns the board's OID.
 */
Oid
lb_create(const LbDefinition *def, void (*before_fill) (Oid boardid, void *arg),
		  void *arg)
{
	LbNew		n;
	Oid			boardid;
	int			i;

	memset(&n, 0, sizeof(n));
	n.board_text = pstrdup(def->board_text);
	for (i = 0; i < GS_COL_RANK; i++)
		n.column[i] = def->column[i] ? pstrdup(def->column[i]) : NULL;
	n.descending = def->descending;
	n.rank_type = def->rank_type;

	gs_forbid_in_recovery("create a leaderboard");
	lb_new_name(&n);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	lb_new_query(&n, def->query);
	boardid = lb_new_view(&n);
	lb_new_indexes(&n);
	lb_new_config(&n, boardid);
	if (before_fill)
	{
		before_fill(boardid, arg);
		CommandCounterIncrement();
	}

	/*
	 * The first contents, built like every swap refresh: as the owner, with
	 * a safe search_path, so a query that only works with the caller's
	 * search_path fails now rather than at its first refresh.
	 */
	(void) lb_refresh(gs_board_get(boardid), LB_SWAP, "create", true);

	SPI_finish();
	return boardid;
}

/* Runs one statement of a refresh or a fold as the owner of gamestats' tables. */
void
lb_spi_as_owner(const char *sql, int nargs, Oid *argtypes, Datum *values)
{
	lb_spi(sql, nargs, argtypes, values, NULL, true);
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
	GsSeasonWindow season;
	int64		rows;

	/* conflicts with another refresh, not with readers */
	LockRelationOid(b->relid, ExclusiveLock);
	if (!SearchSysCacheExists1(RELOID, ObjectIdGetDatum(b->relid)))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("leaderboard \"%s\" was dropped while waiting for its lock", b->name),
				 errdetail("Nothing is left to refresh.")));
	gs_board_check_columns(b);
	started = GetCurrentTimestamp();

	if (strategy == LB_COMPACT)
	{
		if (!gs_board_live(b))
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("leaderboard \"%s\" is not live: only live boards are compacted", b->name),
					 errhint("Refresh it with the 'swap' strategy.")));
		return gs_live_compact(b);
	}
	if (gs_board_live(b) && strategy != LB_SWAP)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("live leaderboard \"%s\" is folded only by the 'swap' strategy", b->name),
				 errdetail("A fold must forget the changes it folds in, in the same snapshot; PostgreSQL's REFRESH cannot."),
				 errhint("Call gamestats.refresh_leaderboard(board) without a strategy.")));
	/* a seasonal board's query sees its season (season.c) */
	gs_season_window_enter(b->relid, &season);
	if (strategy == LB_SWAP)
	{
		lb_refresh_swap(b, &sz, creating);
		if (gs_board_live(b))
			gs_live_after_fold(b);
	}
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
	rows = lb_write_state(b, &sz, label, started);
	gs_season_window_leave(&season);
	return rows;
}

/* A swap refresh of the board, for season.c; returns its rows. */
int64
lb_refresh_board(GsBoard *b)
{
	return lb_refresh(b, LB_SWAP, lb_strategies[LB_SWAP].name, false);
}

/*
 * Keeps a failed refresh's error in gamestats.leaderboard_errors, which only
 * the view shows, and only to the board's readers (messages quote rows).
 * Locks the configuration row: a board dropped meanwhile records nothing.
 */
void
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

	call->rows = lb_refresh(call->b, call->strategy, lb_strategies[call->strategy].name,
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
	strategy = (LbStrategy) gs_parse_choice("strategy", text_to_cstring(PG_GETARG_TEXT_PP(1)),
										   lb_strategies, lengthof(lb_strategies));
	raise_error = PG_GETARG_BOOL(2);

	gs_forbid_in_recovery("refresh a leaderboard");

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	b = lb_get_board(relid, "refresh it");

	if (raise_error)
		rows = lb_refresh(b, strategy, lb_strategies[strategy].name, false);
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

/*
 * Records the sizes of a board that PostgreSQL's REFRESH just rebuilt, as
 * a refresh with strategy "label" ('blocking' or 'concurrently') would.
 * SPI connected.
 */
void
lb_record_refresh(const GsBoard *b, const char *label)
{
	GsOwnerContext ctx;
	LbSizes		sz;

	gs_owner_context_enter(&ctx, gs_rel_class(b->relid).relowner);
	lb_count(b, b->name, -1, &sz);
	gs_owner_context_leave(&ctx);
	(void) lb_write_state(b, &sz, label, GetCurrentTimestamp());
}

/*
 * A fold of live board "relid" now, without the ownership check (the
 * TRUNCATE trigger of its source runs it for whoever truncated).
 */
int64
lb_fold_now(Oid relid, const char *label)
{
	int64		rows;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	rows = lb_refresh(gs_board_get(relid), LB_SWAP, label, false);
	SPI_finish();
	return rows;
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
