-- The customer set, as keyed hashes only (DESIGN.md "Identity").
-- hash = first 16 bytes of HMAC-SHA256(key, kind || ':' || normalized), as uuid.
-- Hash-partitioned so the set can later be spread across servers.
CREATE TABLE customer_identifiers (
  hash        uuid        NOT NULL,
  kind        text        NOT NULL CHECK (kind IN ('email', 'phone', 'name')),
  customer_id text        NOT NULL CHECK (customer_id <> ''),
  key_version smallint    NOT NULL DEFAULT 1,
  imported_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (hash, customer_id, key_version)
) PARTITION BY HASH (hash);

CREATE TABLE customer_identifiers_p0 PARTITION OF customer_identifiers FOR VALUES WITH (MODULUS 4, REMAINDER 0);
CREATE TABLE customer_identifiers_p1 PARTITION OF customer_identifiers FOR VALUES WITH (MODULUS 4, REMAINDER 1);
CREATE TABLE customer_identifiers_p2 PARTITION OF customer_identifiers FOR VALUES WITH (MODULUS 4, REMAINDER 2);
CREATE TABLE customer_identifiers_p3 PARTITION OF customer_identifiers FOR VALUES WITH (MODULUS 4, REMAINDER 3);
