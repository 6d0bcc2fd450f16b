-- The crawl workers sharing the frontier (issue #18, part 4): every
-- `leakwatch crawl` process, on this machine or another, registers here and
-- beats every [crawl] heartbeat_s (crawler/worker_registry.cpp).
--
-- A worker is live while its last beat is recent (live_until, three beats
-- ahead) AND the server session it beats on still exists (pg_stat_activity;
-- backend_start tells a reused pid apart). PostgreSQL ends a session as soon
-- as its client's socket closes, so a worker killed with SIGKILL is dead at
-- once; a worker that hangs, or loses its network, is dead three beats later.
-- The frontier's leases of a worker that is not live are taken by the next
-- Frontier::lease(), without waiting for lease_expires.
--
-- `sources` lists the sources the worker is fetching now: a host's rate is
-- shared among the live workers fetching its source (crawler/host_pace.h).
CREATE TABLE crawl_workers (
  worker        text        PRIMARY KEY CHECK (worker <> ''),  -- its frontier.lease_owner
  backend_pid   integer     NOT NULL,
  backend_start timestamptz NOT NULL,
  sources       text[]      NOT NULL DEFAULT '{}',
  heartbeat_s   integer     NOT NULL CHECK (heartbeat_s > 0),
  started_at    timestamptz NOT NULL DEFAULT now(),
  heartbeat_at  timestamptz NOT NULL DEFAULT now(),
  live_until    timestamptz NOT NULL
);

-- The live workers, by the rule above. pg_stat_activity shows every
-- session's pid to every role; backend_start only to the session's own role
-- (and pg_read_all_stats), hence the NULL.
CREATE VIEW live_crawl_workers AS
  SELECT w.*
    FROM crawl_workers w
   WHERE w.live_until >= now()
     AND EXISTS (SELECT 1 FROM pg_stat_activity a
                  WHERE a.pid = w.backend_pid
                    AND (a.backend_start IS NULL OR a.backend_start = w.backend_start));
