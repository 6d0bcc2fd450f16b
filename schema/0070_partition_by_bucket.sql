-- Shardable layout (issue #18, part 3): customer_identifiers and sightings
-- are both list-partitioned by the bucket of the keyed hash (its top 4 bits,
-- 0-15; sighting_bucket in 0050), one partition per bucket with the same
-- bounds on both sides. The keyed hash is an HMAC, so buckets are even: this
-- is hash partitioning by the identifier hash, on a column both tables hold
-- (a sightings row holds many hashes, all in its bucket). So the join
--   sightings g JOIN customer_identifiers c
--     ON c.bucket = g.bucket AND c.key_version = g.key_version AND c.hash = ANY(g.hashes)
-- is a partition-wise join (enable_partitionwise_join), and each pair of
-- partitions can live on another PostgreSQL server as postgres_fdw foreign
-- tables (scripts/db-shard), where the pair's join runs.
--
-- What a foreign partition cannot carry is kept per partition or replaced:
-- - no primary key on the parents (PostgreSQL refuses foreign partitions
--   under a unique index): each local partition has its own, and so does each
--   shard's table; the bucket is a function of the hash, so a key unique in
--   each partition is unique in all. Inserts use ON CONFLICT DO NOTHING with
--   no target, which tests every unique index of the row's partition.
-- - no foreign key from sightings to sighting_locations (foreign tables take
--   none): a statement trigger deletes the sightings of deleted locations
--   (pages deleted cascade to their locations, then to their sightings).
-- - the GIN index is over a column, `keys` (the 20-bit prefix of each hash,
--   parallel to hashes), not over an expression with a function of ours:
--   only built-in operators are sent to a shard, so a probe by prefix runs
--   where the rows are.

-- The 20-bit prefix of one hash.
CREATE FUNCTION sighting_hash_key(hash uuid) RETURNS integer
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT (get_byte(b, 0) << 12) | (get_byte(b, 1) << 4) | (get_byte(b, 2) >> 4) FROM uuid_send(hash) AS b $$;

-- customer_identifiers, by bucket.
ALTER TABLE customer_identifiers RENAME TO customer_identifiers_v1;
DROP TRIGGER customer_identifiers_match_queue ON customer_identifiers_v1;

CREATE TABLE customer_identifiers (
  hash        uuid        NOT NULL,
  kind        text        NOT NULL CHECK (kind IN ('email', 'phone', 'name')),
  customer_id text        NOT NULL CHECK (customer_id <> ''),
  key_version smallint    NOT NULL DEFAULT 1,
  imported_at timestamptz NOT NULL DEFAULT now(),
  bucket      smallint    NOT NULL CHECK (bucket BETWEEN 0 AND 15)
) PARTITION BY LIST (bucket);

-- sightings, by bucket, with the prefixes of their hashes.
DROP VIEW sighting_rows;
ALTER TABLE sightings RENAME TO sightings_v1;

CREATE TABLE sightings (
  location_id integer     NOT NULL,
  bucket      smallint    NOT NULL CHECK (bucket BETWEEN 0 AND 15),
  key_version smallint    NOT NULL,
  seen_at     timestamptz NOT NULL,
  hashes      uuid[]      NOT NULL,
  codes       integer[]   NOT NULL,
  masked      text        NOT NULL,
  keys        integer[]   NOT NULL,
  CHECK (cardinality(hashes) = cardinality(codes)),
  CHECK (cardinality(keys) = cardinality(hashes))
) PARTITION BY LIST (bucket);

DO $$
BEGIN
  FOR b IN 0..15 LOOP
    EXECUTE format('CREATE TABLE customer_identifiers_b%s PARTITION OF customer_identifiers'
                   ' (PRIMARY KEY (hash, customer_id, key_version)) FOR VALUES IN (%s)', b, b);
    EXECUTE format('CREATE TABLE sightings_b%s PARTITION OF sightings'
                   ' (PRIMARY KEY (location_id, key_version)) FOR VALUES IN (%s)', b, b);
  END LOOP;
END $$;

INSERT INTO customer_identifiers (hash, kind, customer_id, key_version, imported_at, bucket)
  SELECT hash, kind, customer_id, key_version, imported_at, sighting_bucket(hash)
  FROM customer_identifiers_v1 ORDER BY imported_at, hash;
DROP TABLE customer_identifiers_v1;

INSERT INTO sightings (location_id, bucket, key_version, seen_at, hashes, codes, masked, keys)
  SELECT location_id, bucket, key_version, seen_at, hashes, codes, masked,
         ARRAY(SELECT sighting_hash_key(h) FROM unnest(hashes) WITH ORDINALITY AS u(h, i) ORDER BY i)
  FROM sightings_v1;
DROP TABLE sightings_v1;
DROP FUNCTION sighting_hash_keys(uuid[]);

-- The indexes of 0050, on the parents (non-unique, so foreign partitions
-- may join them: a shard's table has its own).
CREATE INDEX customer_identifiers_imported_at ON customer_identifiers USING brin (imported_at);
CREATE INDEX sightings_keys ON sightings USING gin (keys);

-- 0050's import queue trigger, on the new table.
CREATE TRIGGER customer_identifiers_match_queue AFTER INSERT ON customer_identifiers
  FOR EACH STATEMENT EXECUTE FUNCTION queue_import_for_match();

-- The foreign key's cascade, as a trigger.
CREATE FUNCTION drop_sightings_of_locations() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM sightings WHERE location_id IN (SELECT id FROM gone);
  RETURN NULL;
END $$;
CREATE TRIGGER sighting_locations_deleted AFTER DELETE ON sighting_locations
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION drop_sightings_of_locations();

-- The view of 0050, over the new table.
CREATE VIEW sighting_rows AS
  SELECT l.page_id, s.location_id, l.place, u.code >> 2 AS record, u.hash, s.key_version,
         (ARRAY['email', 'phone', 'name'])[(u.code & 3) + 1] AS kind,
         coalesce(u.masked, '') AS masked, s.seen_at
  FROM sightings s JOIN sighting_locations l ON l.id = s.location_id,
       LATERAL unnest(s.hashes, s.codes, string_to_array(s.masked, E'\n')) AS u(hash, code, masked);
