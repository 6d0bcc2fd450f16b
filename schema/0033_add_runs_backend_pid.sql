-- The server process (pg_backend_pid()) of the session that holds the run
-- lock for each run, so that a run finding the lock held can say which run
-- holds it and since when (pg_locks names the pid, runs.started_at the time).
ALTER TABLE runs ADD COLUMN backend_pid integer;
