-- Planning a match in a new session costs what its statistics weigh
-- (issue #18 part 2). Every `leakwatch match` is a new session, and the
-- first statement of a session that names sightings reads, for each of its
-- 17 tables (the parent and 16 partitions), the pg_statistic rows of the
-- columns it selects, detoasting them (get_attavgwidth): at the default
-- statistics target the rows of hashes (uuid[]: 1,000 most common elements),
-- keys, codes and masked took 3 MB in all, and reading them was most of the
-- 50-200 ms that planning a one-page match took in a new session at
-- 200,000 sightings (BENCHMARKS.md).
--
-- No plan needs those statistics: these columns are compared only with
-- arrays known at run time (`c.hash = ANY(g.hashes)`, `keys && (SELECT ...)`),
-- for which the planner takes its default selectivities, and masked and
-- codes are never compared. A target of 1 keeps their width and null
-- fraction (the row widths of the plans) in rows of ~2 kB or less, under
-- the size that is toasted. ALTER TABLE on the parent sets it on every
-- partition; ANALYZE rewrites the statistics already taken (a target of 0
-- would skip the columns and leave their old rows).
ALTER TABLE sightings
  ALTER COLUMN hashes SET STATISTICS 1,
  ALTER COLUMN keys SET STATISTICS 1,
  ALTER COLUMN codes SET STATISTICS 1,
  ALTER COLUMN masked SET STATISTICS 1;

ANALYZE sightings;
