-- The crawl: sources, the frontier of URLs with leases, the pages fetched
-- (deduplicated by content hash), and login walls met per source
-- (DESIGN.md "Crawling dark markets"). Written by `leakwatch crawl`;
-- pages are read by `leakwatch extract` (extracted_version).

-- One row per configured source that has ever been crawled.
CREATE TABLE crawl_sources (
  name            text        PRIMARY KEY CHECK (name <> ''),
  first_crawl_at  timestamptz NOT NULL DEFAULT now(),
  last_crawl_at   timestamptz NOT NULL DEFAULT now()
);

-- Every URL known to the crawl, canonical (crawler/url.h), once.
-- state: queued (waiting; next_attempt_at says when), leased (a worker holds
-- it until lease_expires; an expired lease is taken again), done (fetched;
-- re-queued after revisit_hours), failed (gave up; last_error says why),
-- skipped (not text, or past a budget), login_wall (a login form, not content).
CREATE TABLE frontier (
  id              bigserial   PRIMARY KEY,
  url             text        NOT NULL UNIQUE,
  source          text        NOT NULL REFERENCES crawl_sources (name),
  depth           integer     NOT NULL CHECK (depth >= 0),
  state           text        NOT NULL DEFAULT 'queued'
                  CHECK (state IN ('queued', 'leased', 'done', 'failed', 'skipped', 'login_wall')),
  lease_owner     text,
  lease_expires   timestamptz,
  attempts        integer     NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error      text,
  http_status     integer,
  etag            text,
  last_modified   text,
  discovered_at   timestamptz NOT NULL DEFAULT now(),
  fetched_at      timestamptz
);

-- What Frontier::lease() scans: ready rows of a source, shallowest first.
CREATE INDEX frontier_queued ON frontier (source, depth, id) WHERE state = 'queued';
CREATE INDEX frontier_leased ON frontier (source, lease_expires) WHERE state = 'leased';
CREATE INDEX frontier_done ON frontier (source, fetched_at) WHERE state = 'done';

-- Fetched content, stored once per distinct content (content_hash = SHA-256
-- of the title and the visible text, so that session ids in links do not
-- make a page new). `text` holds the visible text lines (UTF-8, one record a
-- line) and is set to NULL by `leakwatch purge` after the retention window.
CREATE TABLE pages (
  id                bigserial   PRIMARY KEY,
  content_hash      bytea       NOT NULL UNIQUE,
  url               text        NOT NULL,
  final_url         text        NOT NULL,
  source            text        NOT NULL REFERENCES crawl_sources (name),
  status            integer     NOT NULL,
  content_type      text        NOT NULL,
  charset           text,
  title             text,
  listing_title     text,
  price             text,
  seller            text,
  text              text,
  bytes             integer     NOT NULL,
  truncated         boolean     NOT NULL DEFAULT false,
  fetched_at        timestamptz NOT NULL DEFAULT now(),
  extracted_version integer     NOT NULL DEFAULT 0
);

CREATE INDEX pages_extracted_version ON pages (extracted_version, id);
CREATE INDEX pages_fetched_at ON pages (fetched_at);

-- Every URL under which a page's content was seen (duplicates included).
CREATE TABLE page_urls (
  url        text        PRIMARY KEY,
  page_id    bigint      NOT NULL REFERENCES pages (id) ON DELETE CASCADE,
  source     text        NOT NULL REFERENCES crawl_sources (name),
  first_seen timestamptz NOT NULL DEFAULT now(),
  last_seen  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX page_urls_page_id ON page_urls (page_id);

-- A login wall per source: the first URL that met it, why, and how often.
CREATE TABLE login_walls (
  source     text        PRIMARY KEY REFERENCES crawl_sources (name),
  url        text        NOT NULL,
  reason     text        NOT NULL,
  hits       integer     NOT NULL DEFAULT 1,
  first_seen timestamptz NOT NULL DEFAULT now(),
  last_seen  timestamptz NOT NULL DEFAULT now()
);
