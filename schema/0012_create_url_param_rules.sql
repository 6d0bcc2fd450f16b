-- What the crawler learned about URL query parameters (crawler/url_params.h):
-- per source, path pattern ("http://h.onion/listing/{n}") and parameter, how
-- often leaving the parameter out gave the same page and how often another
-- page. A parameter with 3 or more "same" and no "differs" is dropped from
-- that pattern's links before they are queued. Shared by every worker and
-- kept across runs; counts only grow (workers merge with GREATEST).
CREATE TABLE url_param_rules (
  source      text        NOT NULL REFERENCES crawl_sources (name),
  pattern     text        NOT NULL,
  param       text        NOT NULL,
  same        integer     NOT NULL DEFAULT 0 CHECK (same >= 0),
  differs     integer     NOT NULL DEFAULT 0 CHECK (differs >= 0),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (source, pattern, param)
);
