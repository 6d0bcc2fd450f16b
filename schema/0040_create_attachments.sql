-- Files linked from listings (issue #17): archives, dumps, sheets. The
-- crawler streams each download through the archive reader and the
-- extractor as it arrives; no byte of the file is stored. What is kept:
--
-- attachments: one row per (source, URL), the URL stored as
-- ListingPrivacy::stored_url (masked, plus a keyed tag when it carries an
-- identifier), the listing that linked it (the exposure's listing), and
-- what the next visit sends as a conditional request (ETag, Last-Modified)
-- or compares (size).
--
-- attachment_sightings: what the extractor found in it, as keyed hashes
-- and masked forms only, with the member path (masked) and the line within
-- the member; replaced whole when the file changes. Names in the same line
-- are kind 'name' (evidence, never a key), as in sightings.
CREATE TABLE attachments (
  id            bigserial   PRIMARY KEY,
  source        text        NOT NULL REFERENCES crawl_sources (name),
  url           text        NOT NULL,
  page_id       bigint      NOT NULL REFERENCES pages (id) ON DELETE CASCADE,
  etag          text,
  last_modified text,
  size          bigint,
  content_type  text,
  bytes         bigint      NOT NULL DEFAULT 0,
  complete      boolean     NOT NULL DEFAULT false,
  error         text,
  fetched_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (source, url)
);

CREATE INDEX attachments_page ON attachments (page_id);

CREATE TABLE attachment_sightings (
  attachment_id bigint      NOT NULL REFERENCES attachments (id) ON DELETE CASCADE,
  member        text        NOT NULL,
  line          bigint      NOT NULL CHECK (line >= 0),
  hash          uuid        NOT NULL,
  key_version   smallint    NOT NULL,
  kind          text        NOT NULL CHECK (kind IN ('email', 'phone', 'name')),
  masked        text        NOT NULL,
  seen_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (attachment_id, member, line, hash, key_version)
);

CREATE INDEX attachment_sightings_hash ON attachment_sightings (hash);
