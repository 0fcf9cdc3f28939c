-- Creating, dropping and re-creating the extension (pg_regress created it
-- in the test database: --load-extension).
DROP EXTENSION pg_gamestats;
CREATE EXTENSION pg_gamestats;
SELECT extname, extversion, extrelocatable, n.nspname
  FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
 WHERE extname = 'pg_gamestats';
SELECT gamestats.version();
-- the schema is fixed
CREATE SCHEMA other;
ALTER EXTENSION pg_gamestats SET SCHEMA other;
DROP SCHEMA other;
DROP EXTENSION pg_gamestats;
SELECT count(*) FROM pg_proc WHERE proname = 'version' AND pronamespace::regnamespace::text = 'gamestats';
-- the schema itself stays (PostgreSQL made it for CREATE EXTENSION), empty
SELECT count(*) AS gamestats_schemas FROM pg_namespace WHERE nspname = 'gamestats';
SELECT count(*) AS objects_left FROM pg_class WHERE relnamespace = 'gamestats'::regnamespace;
CREATE EXTENSION pg_gamestats;
SELECT gamestats.version();
