-- Pages become listings (issue #14): one row per canonical URL holding its
-- current version, instead of one row per distinct text. A listing whose
-- text changes on every visit (a view counter) stays one row, so its
-- exposures — (customer, identifier, page_id) — stay one per listing: a
-- revisit moves last_seen and never notifies again.
--
-- Raw text is no longer stored in the clear: text_sealed holds it sealed
-- (libsodium secretbox, XChaCha20-Poly1305) under a data key derived from
-- the HMAC key, which never enters the database (db/listing_privacy.h).
-- The plaintext column goes; pages not yet extracted are fetched again.
--
-- dedupe_key: a keyed hash of a page's records (the lines holding
-- identifiers), so that a paste and its /raw/ copy are one listing.
-- frontier.url_sealed: the fetchable URL, sealed, for URLs stored masked
-- because they carry an identifier.

-- 1. Merge the rows of one URL into its newest; their exposures merge too
--    (earliest first_seen, latest last_seen, notified if any was).
CREATE TEMPORARY TABLE page_merge ON COMMIT DROP AS
  SELECT id AS old_id, max(id) OVER (PARTITION BY url) AS new_id FROM pages;
DELETE FROM page_merge WHERE old_id = new_id;

INSERT INTO exposures (customer_id, kind, hash, key_version, masked, page_id, first_seen, last_seen,
                       confidence, matched_at, notified_at)
  SELECT e.customer_id, min(e.kind), e.hash, min(e.key_version), min(e.masked), m.new_id, min(e.first_seen),
         max(e.last_seen), CASE WHEN bool_or(e.confidence = 'confirmed') THEN 'confirmed' ELSE 'single' END,
         min(e.matched_at), min(e.notified_at)
  FROM exposures e JOIN page_merge m ON m.old_id = e.page_id
  GROUP BY e.customer_id, e.hash, m.new_id
ON CONFLICT (customer_id, hash, page_id) DO UPDATE SET
  first_seen = least(exposures.first_seen, excluded.first_seen),
  last_seen = greatest(exposures.last_seen, excluded.last_seen),
  confidence = CASE WHEN excluded.confidence = 'confirmed' THEN 'confirmed' ELSE exposures.confidence END,
  notified_at = coalesce(exposures.notified_at, excluded.notified_at);

UPDATE page_urls u SET page_id = m.new_id FROM page_merge m WHERE u.page_id = m.old_id;
DELETE FROM pages WHERE id IN (SELECT old_id FROM page_merge);

-- 2. One row per URL; content_hash is now only "has it changed".
ALTER TABLE pages DROP CONSTRAINT pages_content_hash_key;
ALTER TABLE pages ADD CONSTRAINT pages_url_key UNIQUE (url);
ALTER TABLE pages ADD COLUMN dedupe_key bytea;
CREATE INDEX pages_source_dedupe_key ON pages (source, dedupe_key);

-- 3. No plaintext text: what extraction has not read yet is fetched again
--    (unconditionally: no ETag) and stored sealed.
UPDATE frontier SET state = 'queued', next_attempt_at = now(), etag = NULL, last_modified = NULL
  WHERE url IN (SELECT url FROM pages WHERE text IS NOT NULL AND extracted_version = 0)
    AND state <> 'leased';
ALTER TABLE pages DROP COLUMN text;
ALTER TABLE pages ADD COLUMN text_sealed bytea;

ALTER TABLE frontier ADD COLUMN url_sealed bytea;
