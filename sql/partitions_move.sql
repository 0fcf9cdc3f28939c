-- Moving rows out of the default partition: no trigger and no foreign-key
-- action fires, rows of referencing tables stay exactly as they were, the
-- moved rows are exactly the rows that were there (any layout, TOAST,
-- generated columns); constraints the new partition declares are checked;
-- a partitioned or foreign default partition is refused.
CREATE SCHEMA pmove;
SET search_path = pmove, public;
CREATE FUNCTION pg_temp.try(sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE st text; msg text; hint text;
BEGIN
    EXECUTE sql;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, hint = PG_EXCEPTION_HINT;
    RETURN st || ': ' || msg || E'\nHINT: ' || hint;
END $$;

-- a managed table referenced with every foreign-key action
CREATE TABLE ev (id bigint, at timestamptz NOT NULL, kind text NOT NULL DEFAULT 'k',
                 payload text, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
CREATE INDEX ON ev (kind);
SELECT gamestats.manage_partitions('ev', '1 day', retention => '7 days', premake => 1,
                                   now => '2024-03-10 12:00+00');
CREATE TABLE r_cascade  (n int, eid bigint, eat timestamptz,
    FOREIGN KEY (eid, eat) REFERENCES ev ON DELETE CASCADE ON UPDATE CASCADE);
CREATE TABLE r_setnull  (n int, eid bigint, eat timestamptz,
    FOREIGN KEY (eid, eat) REFERENCES ev ON DELETE SET NULL ON UPDATE SET NULL);
CREATE TABLE r_setdef   (n int, eid bigint DEFAULT 0, eat timestamptz DEFAULT '2024-03-10 00:00+00',
    FOREIGN KEY (eid, eat) REFERENCES ev ON DELETE SET DEFAULT ON UPDATE SET DEFAULT);
CREATE TABLE r_noaction (n int, eid bigint, eat timestamptz,
    FOREIGN KEY (eid, eat) REFERENCES ev ON DELETE NO ACTION);
CREATE TABLE r_restrict (n int, eid bigint, eat timestamptz,
    FOREIGN KEY (eid, eat) REFERENCES ev ON DELETE RESTRICT ON UPDATE RESTRICT);
CREATE TABLE r_deferred (n int, eid bigint, eat timestamptz,
    FOREIGN KEY (eid, eat) REFERENCES ev DEFERRABLE INITIALLY DEFERRED);
-- the target of SET DEFAULT, in an existing partition
INSERT INTO ev VALUES (0, '2024-03-10 00:00+00', 'target');
-- rows of two days without a partition land in the default partition, one
-- of them with a value large enough to be TOASTed
INSERT INTO ev (id, at, payload)
SELECT i, '2024-03-08 00:00+00'::timestamptz + i * interval '1 minute', 'p' || i
  FROM generate_series(1, 2000) i;
UPDATE ev SET payload = repeat(md5('big'), 4000) WHERE id = 7;
-- a column added with a default after the rows were written: the stored
-- rows do not have it, the default partition's catalog supplies it
ALTER TABLE ev ADD COLUMN added int DEFAULT 42;
INSERT INTO r_cascade  SELECT id, id, at FROM ev WHERE id > 0;
INSERT INTO r_setnull  SELECT id, id, at FROM ev WHERE id > 0;
INSERT INTO r_setdef   SELECT id, id, at FROM ev WHERE id > 0;
INSERT INTO r_noaction SELECT id, id, at FROM ev WHERE id > 0;
INSERT INTO r_restrict SELECT id, id, at FROM ev WHERE id > 0;
INSERT INTO r_deferred SELECT id, id, at FROM ev WHERE id > 0;
-- user triggers of every kind: on the parent (cloned to every partition),
-- on the default partition itself, row and statement level
CREATE TABLE fired (what text);
CREATE FUNCTION note() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO pmove.fired VALUES (TG_WHEN || ' ' || TG_LEVEL || ' ' || TG_OP || ' ' || TG_TABLE_NAME);
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;
CREATE TRIGGER a_row AFTER INSERT OR UPDATE OR DELETE ON ev FOR EACH ROW EXECUTE FUNCTION note();
CREATE TRIGGER b_row BEFORE INSERT OR UPDATE OR DELETE ON ev FOR EACH ROW EXECUTE FUNCTION note();
CREATE TRIGGER a_stmt AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ev FOR EACH STATEMENT EXECUTE FUNCTION note();
CREATE TRIGGER d_row BEFORE DELETE ON ev_default FOR EACH ROW EXECUTE FUNCTION note();
CREATE TRIGGER d_always BEFORE DELETE ON ev_default FOR EACH ROW EXECUTE FUNCTION note();
ALTER TABLE ev_default ENABLE ALWAYS TRIGGER d_always;
CREATE RULE no_delete AS ON DELETE TO ev_default DO INSTEAD NOTHING;

-- what the tables hold before the move
CREATE TABLE before_ev AS SELECT id, at, kind, md5(payload) AS payload, added FROM ev;
CREATE TABLE before_refs AS
SELECT 'cascade' AS t, * FROM r_cascade UNION ALL SELECT 'setnull', * FROM r_setnull
UNION ALL SELECT 'setdef', * FROM r_setdef UNION ALL SELECT 'noaction', * FROM r_noaction
UNION ALL SELECT 'restrict', * FROM r_restrict UNION ALL SELECT 'deferred', * FROM r_deferred;
SELECT tableoid::regclass AS part, count(*) FROM ev GROUP BY 1 ORDER BY 1;

SELECT * FROM gamestats.run_maintenance('ev', now => '2024-03-10 12:00+00');
SELECT tableoid::regclass AS part, count(*) FROM ev GROUP BY 1 ORDER BY 1;
SELECT last_error, default_rows FROM gamestats.managed_tables WHERE parent = 'ev'::regclass;
-- no trigger fired
SELECT count(*) AS triggers_fired FROM fired;
-- the rows are exactly those from before, each once
SELECT count(*) AS rows, count(DISTINCT (id, at)) AS distinct_rows FROM ev;
(SELECT id, at, kind, md5(payload), added FROM ev EXCEPT ALL SELECT * FROM before_ev)
UNION ALL
(SELECT * FROM before_ev EXCEPT ALL SELECT id, at, kind, md5(payload), added FROM ev);
SELECT added, count(*) FROM ev GROUP BY 1;
-- the referencing rows are exactly those from before
WITH now_refs AS (
SELECT 'cascade' AS t, * FROM r_cascade UNION ALL SELECT 'setnull', * FROM r_setnull
UNION ALL SELECT 'setdef', * FROM r_setdef UNION ALL SELECT 'noaction', * FROM r_noaction
UNION ALL SELECT 'restrict', * FROM r_restrict UNION ALL SELECT 'deferred', * FROM r_deferred)
SELECT t, count(*) AS rows, count(eid) AS with_key,
       (SELECT count(*) FROM (SELECT * FROM now_refs n2 WHERE n2.t = n.t
                              EXCEPT ALL SELECT * FROM before_refs b WHERE b.t = n.t) d) AS changed
  FROM now_refs n GROUP BY t ORDER BY t;
-- the moved rows live in the new partitions, which are complete partitions:
-- index scans find them, the foreign keys act on them
SET enable_seqscan = off;
SELECT tableoid::regclass AS part, id, kind FROM ev WHERE id = 1500 AND at = '2024-03-09 01:00+00';
SELECT tableoid::regclass AS part, count(*) FROM ev WHERE kind = 'k' GROUP BY 1 ORDER BY 1;
RESET enable_seqscan;
SELECT length(payload) FROM ev WHERE id = 7;
SELECT count(*) AS fk_constraints_on_new_partition FROM pg_constraint
 WHERE confrelid = 'ev_p20240308'::regclass;
DROP TRIGGER b_row ON ev;
DROP TRIGGER a_row ON ev;
DROP TRIGGER a_stmt ON ev;
DELETE FROM r_noaction WHERE eid = 10;
DELETE FROM r_restrict WHERE eid = 10;
DELETE FROM r_deferred WHERE eid = 10;
DELETE FROM ev WHERE id = 10;
SELECT (SELECT count(*) FROM r_cascade WHERE n = 10) AS cascaded,
       (SELECT eid IS NULL FROM r_setnull WHERE n = 10) AS set_null,
       (SELECT eid FROM r_setdef WHERE n = 10) AS set_default;
-- still referenced by r_noaction and r_restrict
SELECT split_part(pg_temp.try($$DELETE FROM ev WHERE id = 11$$), ':', 1) AS sqlstate;
DROP TABLE r_cascade, r_setnull, r_setdef, r_noaction, r_restrict, r_deferred,
           before_ev, before_refs, ev;
TRUNCATE fired;

-- manage_partitions on a table whose default partition already holds rows;
-- the default partition was attached with its own column order and a
-- dropped column, the parent has a stored generated column
CREATE TABLE gen (at date NOT NULL, v int, twice int GENERATED ALWAYS AS (v * 2) STORED,
                  note text) PARTITION BY RANGE (at);
CREATE TABLE gen_catchall (note text, junk int, v int, at date NOT NULL,
                           twice int GENERATED ALWAYS AS (v * 2) STORED);
ALTER TABLE gen_catchall DROP COLUMN junk;
ALTER TABLE gen ATTACH PARTITION gen_catchall DEFAULT;
CREATE TRIGGER gen_note BEFORE INSERT OR DELETE ON gen FOR EACH ROW EXECUTE FUNCTION note();
INSERT INTO gen (at, v, note) VALUES ('2024-06-01', 1, 'a'), ('2024-06-02', 2, NULL),
                                     ('2024-06-02', 3, repeat('x', 10000)), ('2020-01-01', 4, 'old');
TRUNCATE fired;
SELECT gamestats.manage_partitions('gen', '1 day', retention => '7 days', premake => 1,
                                   now => '2024-06-02 12:00+00');
SELECT tableoid::regclass AS part, at, v, twice, length(note) AS note_len FROM gen ORDER BY v;
SELECT count(*) AS triggers_fired FROM fired;
SELECT default_rows FROM gamestats.managed_tables WHERE parent = 'gen'::regclass;
DROP TABLE gen;

-- a NOT VALID check constraint of the parent becomes a valid one in a new
-- partition: a default row that violates it is not moved, with a clear
-- error, and the other slots are made
CREATE TABLE chk (at timestamptz NOT NULL, v int) PARTITION BY RANGE (at);
SELECT gamestats.manage_partitions('chk', '1 day', retention => '7 days', premake => 0,
                                   now => '2024-06-02 12:00+00');
INSERT INTO chk VALUES ('2024-05-30 10:00+00', -1), ('2024-05-31 10:00+00', 1);
ALTER TABLE chk ADD CONSTRAINT positive CHECK (v > 0) NOT VALID;
SELECT parent, created, moved_rows, error
  FROM gamestats.run_maintenance('chk', now => '2024-06-03 12:00+00');
SELECT tableoid::regclass AS part, v FROM chk ORDER BY v;
UPDATE chk SET v = 2 WHERE v = -1;
SELECT parent, created, moved_rows, error
  FROM gamestats.run_maintenance('chk', now => '2024-06-03 12:00+00');
SELECT tableoid::regclass AS part, v FROM chk ORDER BY v;
DROP TABLE chk;

-- a partitioned default partition: refused by manage_partitions, and at
-- maintenance when attached later, while retention still runs
CREATE TABLE sub (at timestamptz NOT NULL, region int) PARTITION BY RANGE (at);
CREATE TABLE sub_default PARTITION OF sub DEFAULT PARTITION BY LIST (region);
CREATE TABLE sub_default_1 PARTITION OF sub_default FOR VALUES IN (1);
INSERT INTO sub VALUES ('2024-06-02 10:00+00', 1);
SELECT pg_temp.try($$SELECT gamestats.manage_partitions('sub', '1 day', premake => 1,
                                   now => '2024-06-02 12:00+00')$$);
SELECT count(*) AS managed FROM gamestats.managed_tables WHERE parent = 'sub'::regclass;
SELECT count(*) AS partitions FROM pg_inherits WHERE inhparent = 'sub'::regclass;
ALTER TABLE sub DETACH PARTITION sub_default;
DROP TABLE sub_default;
SELECT gamestats.manage_partitions('sub', '1 day', retention => '2 days', premake => 1,
                                   now => '2024-06-02 12:00+00');
ALTER TABLE sub DETACH PARTITION sub_default;
DROP TABLE sub_default;
CREATE TABLE sub_default2 PARTITION OF sub DEFAULT PARTITION BY LIST (region);
SELECT parent, created, dropped, error
  FROM gamestats.run_maintenance('sub', now => '2024-06-06 12:00+00');
SELECT last_error FROM gamestats.managed_tables WHERE parent = 'sub'::regclass;
SELECT partition FROM gamestats.partitions WHERE parent = 'sub'::regclass ORDER BY 1;

-- a foreign default partition: the same
CREATE FOREIGN DATA WRAPPER pmove_fdw;
CREATE SERVER pmove_srv FOREIGN DATA WRAPPER pmove_fdw;
CREATE TABLE fdt (at timestamptz NOT NULL) PARTITION BY RANGE (at);
CREATE FOREIGN TABLE fdt_remote PARTITION OF fdt DEFAULT SERVER pmove_srv;
SELECT pg_temp.try($$SELECT gamestats.manage_partitions('fdt', '1 day', premake => 1,
                                   now => '2024-06-02 12:00+00')$$);
ALTER TABLE sub DETACH PARTITION sub_default2;
CREATE FOREIGN TABLE sub_remote PARTITION OF sub DEFAULT SERVER pmove_srv;
SELECT parent, created, error
  FROM gamestats.run_maintenance('sub', now => '2024-06-06 12:00+00');
-- a plain default partition again: maintenance works again
ALTER TABLE sub DETACH PARTITION sub_remote;
SELECT parent, created, error
  FROM gamestats.run_maintenance('sub', now => '2024-06-06 12:00+00');
DROP TABLE sub, sub_default2, fdt;
DROP FOREIGN TABLE sub_remote;
DROP SERVER pmove_srv;
DROP FOREIGN DATA WRAPPER pmove_fdw;

RESET search_path;
DROP SCHEMA pmove CASCADE;
SELECT count(*) AS managed_left FROM gamestats.partition_config;
