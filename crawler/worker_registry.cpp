#include "crawler/worker_registry.h"

#include "db/pg_array.h"
#include "db/store_error.h"

namespace leakwatch::crawler {
namespace {

// This session's pid and start identify the worker's session in
// pg_stat_activity (see the view live_crawl_workers).
constexpr const char* kBeat =
    "INSERT INTO crawl_workers (worker, backend_pid, backend_start, sources, heartbeat_s, live_until)"
    " SELECT $1, a.pid, a.backend_start, $2::text[], $3::int, now() + $3::int * $4::int * interval '1 second'"
    " FROM pg_stat_activity a WHERE a.pid = pg_backend_pid()"
    " ON CONFLICT (worker) DO UPDATE SET backend_pid = EXCLUDED.backend_pid,"
    " backend_start = EXCLUDED.backend_start, sources = EXCLUDED.sources,"
    " heartbeat_s = EXCLUDED.heartbeat_s, heartbeat_at = now(), live_until = EXCLUDED.live_until";
constexpr const char* kOthersPerSource =
    "SELECT s, count(*) FROM live_crawl_workers w, unnest(w.sources) AS s"
    " WHERE w.worker <> $1 AND s = ANY($2::text[]) GROUP BY s";
constexpr const char* kForgetLongDead =
    "DELETE FROM crawl_workers WHERE live_until < now() - interval '1 hour'";
constexpr const char* kLeave = "DELETE FROM crawl_workers WHERE worker = $1";

}  // namespace

WorkerRegistry::WorkerRegistry(pqxx::connection& conn, std::string worker, int heartbeat_s)
    : conn_(conn), worker_(std::move(worker)), heartbeat_s_(heartbeat_s) {}

std::map<std::string, int> WorkerRegistry::beat(const std::vector<std::string>& active,
                                                const std::vector<std::string>& sources) {
  return db::store_call("recording this crawl worker's heartbeat", [&] {
    pqxx::work tx(conn_);
    if (!registered_) tx.exec0(kForgetLongDead);
    tx.exec_params0(kBeat, worker_, db::to_pg_array(active), heartbeat_s_, kMissedBeats);
    std::map<std::string, int> workers;
    for (const auto& s : sources) workers[s] = 1;
    for (const auto& row : tx.exec_params(kOthersPerSource, worker_, db::to_pg_array(sources))) {
      workers[row[0].as<std::string>()] += row[1].as<int>();
    }
    tx.commit();
    registered_ = true;
    return workers;
  });
}

void WorkerRegistry::leave() {
  db::store_call("removing this crawl worker from the registry", [&] {
    pqxx::work tx(conn_);
    tx.exec_params0(kLeave, worker_);
    tx.commit();
  });
}

}  // namespace leakwatch::crawler
