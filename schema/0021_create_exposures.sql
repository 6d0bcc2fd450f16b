-- Exposures: a customer's identifier standing in a crawled listing, written
-- by `leakwatch match` (set-based join of sightings with
-- customer_identifiers), read by `leakwatch report`. One row per
-- (customer, identifier hash, page). confidence: 'confirmed' when two or more
-- identifiers of the customer, or one and the customer's name, stand in the
-- same record; else 'single'. notified_at is NULL until a report
-- --mark-notified has included the row.
CREATE TABLE exposures (
  id          bigserial   PRIMARY KEY,
  customer_id text        NOT NULL,
  kind        text        NOT NULL CHECK (kind IN ('email', 'phone')),
  hash        uuid        NOT NULL,
  key_version smallint    NOT NULL,
  masked      text        NOT NULL,
  page_id     bigint      NOT NULL REFERENCES pages (id) ON DELETE CASCADE,
  first_seen  timestamptz NOT NULL,
  last_seen   timestamptz NOT NULL,
  confidence  text        NOT NULL CHECK (confidence IN ('confirmed', 'single')),
  matched_at  timestamptz NOT NULL DEFAULT now(),
  notified_at timestamptz,
  UNIQUE (customer_id, hash, page_id)
);

CREATE INDEX exposures_unnotified ON exposures (id) WHERE notified_at IS NULL;
CREATE INDEX exposures_first_seen ON exposures (first_seen);
