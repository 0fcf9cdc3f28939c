# pg_gamestats: PGXS build.  `make && make install` builds against the
# pg_config found below; `make test` and `make demo` first install what is
# missing (see test/deps.sh), so this file must parse without pg_config.

MODULE_big = pg_gamestats
OBJS = \
	src/pg_gamestats.o \
	src/util.o \
	src/citus.o \
	src/partition_math.o \
	src/partition_maint.o \
	src/partition.o \
	src/board.o \
	src/leaderboard.o \
	src/leaderboard_swap.o \
	src/query.o \
	src/rollup.o \
	src/season.o \
	src/extension_guard.o \
	src/live.o

EXTENSION = pg_gamestats
# The version is stated once, in the control file; the library reports it
# through GAMESTATS_VERSION.
EXTVERSION := $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" $(dir $(lastword $(MAKEFILE_LIST)))pg_gamestats.control)
PG_CPPFLAGS = -DGAMESTATS_VERSION='"$(EXTVERSION)"'
# The install script of the version under development is assembled from one
# SQL file per feature, with the event triggers, which serve them all, last;
# released versions are frozen in sql/versions/ beside their upgrade scripts.
SCRIPT_PARTS = \
	src/core.sql \
	src/partitions.sql \
	src/leaderboards.sql \
	src/live.sql \
	src/seasons.sql \
	src/queries.sql \
	src/rollups.sql \
	src/monitoring.sql \
	src/event_triggers.sql
DATA_built = pg_gamestats--$(EXTVERSION).sql
DATA = $(wildcard sql/versions/pg_gamestats--*.sql)

REGRESS = \
	setup \
	catalog \
	guc \
	partitions_basic \
	partitions_errors \
	partitions_maint \
	partitions_security \
	partitions_move \
	leaderboard_ranks \
	leaderboard_swap \
	leaderboard_errors \
	queries \
	queries_security \
	queries_review \
	queries_untyped \
	rollups \
	live \
	live_seasons \
	bad_input \
	security \
	monitoring \
	seasons
# The files that need pg_cron; they are skipped, with a line saying so, on
# a server that has no pg_cron package (PostgreSQL 19).
REGRESS_CRON = \
	bad_input \
	catalog \
	leaderboard_errors \
	leaderboard_swap \
	monitoring \
	partitions_errors \
	security
GAMESTATS_HAVE_CRON ?= 1
ifeq ($(GAMESTATS_HAVE_CRON),1)
REGRESS_RUN = $(REGRESS)
REGRESS_CONF = test/regress.conf
ISOLATION_CONF = test/isolation.conf
else
REGRESS_RUN = $(filter-out $(REGRESS_CRON),$(REGRESS))
REGRESS_CONF = test/nocron.conf
ISOLATION_CONF = test/nocron.conf
endif
# --load-extension: each file also runs alone (make check-regress REGRESS_RUN=queries)
REGRESS_OPTS = --outputdir=sql_output --load-extension=pg_gamestats \
	--temp-instance=tmp_check_regress --temp-config=$(REGRESS_CONF) \
	--encoding=UTF8 --no-locale

ISOLATION = \
	concurrent_create \
	partition_inserts \
	partition_concurrent \
	partition_reader \
	partition_move \
	partition_advisory \
	partition_commit \
	partition_detach_pending \
	partition_long_xact \
	leaderboard_swap \
	queries_during_refresh \
	lookup_rowtype \
	lookup_checkxmin \
	board_sizes \
	swap_locks \
	rollup_refresh \
	live_board \
	live_season_rollover \
	season_rollover \
	season_writes
ISOLATION_OPTS = --inputdir=test --outputdir=test_output \
	--temp-instance=tmp_check_isolation --temp-config=$(ISOLATION_CONF) \
	--encoding=UTF8 --no-locale

TAP_TESTS = 1
PROVE_TESTS = test/t/*.pl

EXTRA_CLEAN = pg_gamestats--$(EXTVERSION).sql sql_output test_output \
	tmp_check tmp_check_regress tmp_check_isolation

# JIT bitcode would need clang at install time; these functions gain nothing from it.
override with_llvm = no

# PG=NN picks Debian's build of that major version (make test PG=18).
ifdef PG
PG_CONFIG ?= /usr/lib/postgresql/$(PG)/bin/pg_config
endif
PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs 2>/dev/null)
ifneq ($(PGXS),)
include $(PGXS)
else
# Without PostgreSQL's build files only the bootstrap targets below work.
all install installcheck:
	@echo "pg_config not found: run 'make test' or 'make demo' to install PostgreSQL 15, or set PG_CONFIG" >&2
	@exit 1
endif

# test/perl holds the TAP tests' shared module (after PGXS, which resets this)
PROVE_FLAGS = -I $(srcdir)/test/perl

pg_gamestats--$(EXTVERSION).sql: $(SCRIPT_PARTS)
	cat $^ > $@

# The three suites, each on its own temporary instance.  test/run-tests.sh
# calls them as a non-root user; they can also be run one by one.
.PHONY: check-regress check-isolation check-tap test demo demo-stop bench soak deps examples
check-regress:
ifneq ($(GAMESTATS_HAVE_CRON),1)
	@echo "skipped, pg_cron is not packaged for this PostgreSQL: $(filter $(REGRESS_CRON),$(REGRESS))"
endif
	$(pg_regress_installcheck) $(REGRESS_OPTS) $(REGRESS_RUN)
check-isolation:
	$(pg_isolation_regress_installcheck) $(ISOLATION_OPTS) $(ISOLATION)
check-tap:
	$(prove_installcheck)

deps:
	bash test/deps.sh

test:
	PG=$(PG) bash test/run-tests.sh

demo: deps
	bash test/demo/demo.sh start

demo-stop:
	bash test/demo/demo.sh stop

bench: deps
	PG=$(PG) bash test/bench/run.sh

soak: deps
	bash test/soak/run.sh

# The service examples (examples/node, examples/python) against a throwaway
# cluster with the extension installed; see test/examples.sh.
examples: deps
	bash test/examples.sh
