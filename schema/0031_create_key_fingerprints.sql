-- Which HMAC key hashed the customer set, per key_version: its fingerprint
-- (identity/keyed_hash.h HashKey::fingerprint(), a keyed hash of a fixed
-- message; never the key). Recorded by `customers import`, compared with the
-- key file by `doctor`, so a run with another key is caught before it
-- matches nothing.
CREATE TABLE key_fingerprints (
  key_version smallint    PRIMARY KEY,
  fingerprint text        NOT NULL CHECK (fingerprint ~ '^[0-9a-f]{32}$'),
  recorded_at timestamptz NOT NULL DEFAULT now()
);
