#include "db/runs.h"

#include "db/store_error.h"

namespace leakwatch::db {
namespace {

constexpr const char* kAbandonRuns =
    "UPDATE runs SET status = 'abandoned', finished_at = now() WHERE status = 'running'";
constexpr const char* kStartRun =
    "INSERT INTO runs (backend_pid) VALUES (pg_backend_pid()) RETURNING id, extract(epoch FROM started_at)";
constexpr const char* kFinishRun =
    "UPDATE runs SET finished_at = now(), status = $2, stages = $3::jsonb, errors = $4::jsonb WHERE id = $1"
    " RETURNING extract(epoch FROM finished_at)";

}  // namespace

StartedRun start_run(pqxx::connection& conn) {
  return store_call("recording the start of the run", [&] {
    pqxx::work tx(conn, "run start");
    tx.exec0(kAbandonRuns);
    pqxx::row r = tx.exec1(kStartRun);
    StartedRun run{r[0].as<int64_t>(), r[1].as<double>()};
    tx.commit();
    return run;
  });
}

double finish_run(pqxx::connection& conn, int64_t id, const std::string& status,
                  const std::string& stages_json, const std::string& errors_json) {
  return store_call([&] { return "recording the end of run " + std::to_string(id); },
                    [&] {
                      pqxx::work tx(conn, "run finish");
                      double finished =
                          tx.exec_params1(kFinishRun, id, status, stages_json, errors_json)[0].as<double>();
                      tx.commit();
                      return finished;
                    });
}

}  // namespace leakwatch::db
