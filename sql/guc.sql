-- PostgreSQL 17 and later print the unit with both ends of a range
-- (guc_1.out); 15 and 16 print bare numbers (guc.out).
-- The gamestats.* settings: defaults, limits, units, the reserved prefix.
SELECT gamestats.version();  -- loads the library
SELECT name, setting, unit, context, min_val, max_val
  FROM pg_settings WHERE name LIKE 'gamestats.%' ORDER BY name;
SHOW gamestats.lock_timeout;
SET gamestats.lock_timeout = '2s';
SHOW gamestats.lock_timeout;
SET gamestats.lock_timeout = 0;
SET gamestats.max_batch = 0;
SET gamestats.max_batch = 500;
SHOW gamestats.max_batch;
SET gamestats.lock_retries = -1;
RESET ALL;
SHOW gamestats.lock_timeout;
-- the prefix is reserved: a misspelt setting is an error, not a placeholder
SET gamestats.lock_timout = 10;
