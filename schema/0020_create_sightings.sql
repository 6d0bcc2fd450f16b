-- Sightings: every identifier `leakwatch extract` found in a page, as a keyed
-- hash and a masked form only (DESIGN.md "Privacy"). One row per (page,
-- record, hash, key version): re-extraction never doubles a sighting. Names
-- in the same record are stored as kind 'name' (evidence, never a key).
CREATE TABLE sightings (
  page_id     bigint      NOT NULL REFERENCES pages (id) ON DELETE CASCADE,
  record      integer     NOT NULL CHECK (record >= 0),
  hash        uuid        NOT NULL,
  key_version smallint    NOT NULL,
  kind        text        NOT NULL CHECK (kind IN ('email', 'phone', 'name')),
  masked      text        NOT NULL,
  seen_at     timestamptz NOT NULL,
  PRIMARY KEY (page_id, record, hash, key_version)
);

CREATE INDEX sightings_hash ON sightings (hash);

-- Where `leakwatch extract` COPYs a batch before moving it into sightings
-- with ON CONFLICT DO NOTHING, in the same transaction; `batch` keeps
-- concurrent workers apart. Unlogged: its rows never outlive a transaction.
CREATE UNLOGGED TABLE sightings_staging (
  batch       uuid        NOT NULL,
  page_id     bigint      NOT NULL,
  record      integer     NOT NULL,
  hash        uuid        NOT NULL,
  key_version smallint    NOT NULL,
  kind        text        NOT NULL,
  masked      text        NOT NULL,
  seen_at     timestamptz NOT NULL
);

CREATE INDEX sightings_staging_batch ON sightings_staging (batch);
