// The `runs` table (schema/0022_create_runs.sql): one row per `leakwatch
// run`, its status, per-stage figures and errors, for monitoring and for the
// next run to see what the last one did.
//
// Not thread-safe; the connection must outlive each call.
#pragma once

#include <cstdint>
#include <string>

#include <pqxx/pqxx>

namespace leakwatch::db {

struct StartedRun {
  int64_t id = 0;
  double started = 0;  // seconds since the epoch
};

// Marks runs still 'running' as abandoned (their process is gone: the caller
// holds the run lock) and records a new one. Throws leakwatch::RuntimeError
// with the server's message; the caller says what it was doing.
StartedRun start_run(pqxx::connection& conn);

// Records how run `id` ended; `stages_json` and `errors_json` are JSON
// documents. Returns the finish time (seconds since the epoch). Throws
// leakwatch::RuntimeError with the server's message.
double finish_run(pqxx::connection& conn, int64_t id, const std::string& status,
                  const std::string& stages_json, const std::string& errors_json);

}  // namespace leakwatch::db
