/*-------------------------------------------------------------------------
 *
 * pg_gamestats.c
 *	  Module entry point: defines the gamestats.* settings.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/guc.h"

#include "pg_gamestats.h"

PG_MODULE_MAGIC;

int			gamestats_lock_timeout = 100;
int			gamestats_lock_retries = 5;
int			gamestats_max_batch = 10000;
int			gamestats_live_fold_threshold = 100000;

void		_PG_init(void);

void
_PG_init(void)
{
	DefineCustomIntVariable("gamestats.lock_timeout",
							"Longest wait, in milliseconds, for any lock pg_gamestats takes during maintenance or a swap refresh.",
							"A step that cannot get its lock in time is skipped (maintenance) or retried (refresh), so it never waits in the lock queue in front of the game's queries.",
							&gamestats_lock_timeout,
							100, 1, INT_MAX,
							PGC_USERSET,
							GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomIntVariable("gamestats.lock_retries",
							"How many times a swap refresh retries the switch when its lock times out.",
							NULL,
							&gamestats_lock_retries,
							5, 0, 1000,
							PGC_USERSET,
							0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("gamestats.max_batch",
							"Largest number of keys one batched lookup or rank call accepts.",
							NULL,
							&gamestats_max_batch,
							10000, 1, 1000000,
							PGC_USERSET,
							0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("gamestats.live_fold_threshold",
							"Pending changes of a live leaderboard past which gamestats.leaderboards reports its fold as overdue.",
							NULL,
							&gamestats_live_fold_threshold,
							100000, 0, INT_MAX,
							PGC_USERSET,
							0,
							NULL, NULL, NULL);

	MarkGUCPrefixReserved("gamestats");
}

/*
 * gamestats.version() RETURNS text
 *
 * Version of the loaded shared library; takes no locks.
 */
PG_FUNCTION_INFO_V1(gamestats_version);
Datum
gamestats_version(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(GAMESTATS_VERSION));
}
