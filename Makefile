# pg_gamestats: PGXS build.  `make && make install` builds against the
# pg_config found below; `make test` and `make demo` first install what is
# missing (see test/deps.sh), so this file must parse without pg_config.

MODULE_big = pg_gamestats
OBJS = \
	src/pg_gamestats.o \
	src/util.o \
	src/partition_math.o \
	src/partition_maint.o \
	src/partition.o \
	src/leaderboard.o \
	src/query.o

EXTENSION = pg_gamestats
EXTVERSION = 0.1.0
# The install script of the version under development is assembled from one
# SQL file per feature; released versions are frozen in sql/versions/ beside
# their upgrade scripts.
SCRIPT_PARTS = \
	src/core.sql \
	src/partitions.sql \
	src/leaderboards.sql \
	src/queries.sql \
	src/monitoring.sql
DATA_built = pg_gamestats--$(EXTVERSION).sql
DATA = $(wildcard sql/versions/pg_gamestats--*.sql)

REGRESS = \
	setup \
	guc \
	partitions_basic \
	partitions_errors \
	partitions_security \
	leaderboard_ranks \
	leaderboard_swap \
	leaderboard_errors \
	queries \
	queries_security \
	bad_input \
	security \
	monitoring
REGRESS_OPTS = --outputdir=sql_output \
	--temp-instance=tmp_check_regress --temp-config=test/regress.conf \
	--encoding=UTF8 --no-locale

ISOLATION = \
	concurrent_create \
	partition_inserts \
	partition_concurrent \
	partition_reader \
	leaderboard_swap \
	queries_during_refresh
ISOLATION_OPTS = --inputdir=test --outputdir=test_output \
	--temp-instance=tmp_check_isolation --temp-config=test/isolation.conf \
	--encoding=UTF8 --no-locale

TAP_TESTS = 1
PROVE_TESTS = test/t/*.pl

EXTRA_CLEAN = pg_gamestats--$(EXTVERSION).sql sql_output test_output \
	tmp_check tmp_check_regress tmp_check_isolation

# JIT bitcode would need clang at install time; these functions gain nothing from it.
override with_llvm = no

PG_CONFIG ?= $(firstword $(wildcard /usr/lib/postgresql/15/bin/pg_config) pg_config)
PGXS := $(shell $(PG_CONFIG) --pgxs 2>/dev/null)
ifneq ($(PGXS),)
include $(PGXS)
else
# Without PostgreSQL's build files only the bootstrap targets below work.
all install installcheck:
	@echo "pg_config not found: run 'make test' or 'make demo' to install PostgreSQL 15, or set PG_CONFIG" >&2
	@exit 1
endif

pg_gamestats--$(EXTVERSION).sql: $(SCRIPT_PARTS)
	cat $^ > $@

# The three suites, each on its own temporary instance.  test/run-tests.sh
# calls them as a non-root user; they can also be run one by one.
.PHONY: check-regress check-isolation check-tap test demo demo-stop bench soak deps examples
check-regress:
	$(pg_regress_installcheck) $(REGRESS_OPTS) $(REGRESS)
check-isolation:
	$(pg_isolation_regress_installcheck) $(ISOLATION_OPTS) $(ISOLATION)
check-tap:
	$(prove_installcheck)

deps:
	bash test/deps.sh

test: deps
	bash test/run-tests.sh

demo: deps
	bash test/demo/demo.sh start

demo-stop:
	bash test/demo/demo.sh stop

bench: deps
	bash test/bench/run.sh

soak: deps
	bash test/soak/run.sh

# The service examples (examples/node, examples/python) against a throwaway
# cluster with the extension installed; see test/examples.sh.
examples: deps
	bash test/examples.sh
