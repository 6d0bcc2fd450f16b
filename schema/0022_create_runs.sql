-- One row per `leakwatch run` (what cron calls): when it ran, what each
-- stage counted ({"crawl": {...}, "extract": {...}, "match": {...}}), the
-- errors met, and how it ended. A run killed before it finished stays
-- 'running' until the next run, holding the run lock, marks it 'abandoned'.
CREATE TABLE runs (
  id          bigserial   PRIMARY KEY,
  started_at  timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  status      text        NOT NULL DEFAULT 'running'
              CHECK (status IN ('running', 'ok', 'failed', 'abandoned')),
  stages      jsonb       NOT NULL DEFAULT '{}',
  errors      jsonb       NOT NULL DEFAULT '[]'
);

CREATE INDEX runs_started_at ON runs (started_at);
