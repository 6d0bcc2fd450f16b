// `leakwatch run [--wait] [--json] [--metrics-file PATH]`: what cron calls.
// crawl, extract and match, in order, under the PostgreSQL advisory lock
// db::kRunLockKey: a second run while one holds it says who holds it and
// since when, and exits 0 at once (or waits with --wait), so overlapping cron
// runs are harmless; when the holder has held it longer than [run]
// stuck_after_s it is reported as stuck and the exit status is 1. Each run is a row in
// `runs` (start, end, per-stage counts, errors, status); a run killed midway
// is marked 'abandoned' by the next one, whose stages resume its work.
// Exit 0 when every stage ran (pages may have failed: the counts say how
// many), 1 when a stage could not run.
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <iostream>
#include <optional>
#include <sstream>

#include <nlohmann/json.hpp>

#include "app/command.h"
#include "app/crawl_pass.h"
#include "app/output_file.h"
#include "app/stages.h"
#include "core/errors.h"
#include "db/connection.h"
#include "db/migrations.h"
#include "db/run_lock.h"
#include "db/runs.h"

namespace leakwatch::app {

namespace {

struct RunArgs {
  bool wait = false;
  bool json = false;
  std::string metrics_file;
};

// What a run did: each stage's counts as the stage returned them (empty when
// it failed or was skipped), and the same as JSON for the runs table.
struct RunRecord {
  int64_t id = 0;
  double started = 0;
  double finished = 0;
  std::string status;
  std::optional<crawler::CrawlStats> crawl;
  std::optional<matcher::ExtractStats> extract;
  std::optional<matcher::MatchStats> match;
  nlohmann::ordered_json stages = nlohmann::ordered_json::object();
  nlohmann::ordered_json errors = nlohmann::ordered_json::array();
  bool lost_connection = false;  // the database session (and the run lock) is gone
};

nlohmann::ordered_json crawl_json(const crawler::CrawlStats& st) {
  int64_t errors = st.error_total();
  auto hosts = nlohmann::ordered_json::array();
  for (const auto& h : st.hosts) {
    hosts.push_back({{"host", h.host},
                     {"rate", h.rate},
                     {"auto", h.automatic},
                     {"requests", h.requests},
                     {"requests_per_s", h.requests_per_s},
                     {"rate_limited", h.rate_limited},
                     {"latency_s", h.latency_s},
                     {"in_flight_limit", h.in_flight_limit}});
  }
  return {{"fetched", st.fetched},
          {"pages_new", st.pages_new},
          {"duplicates", st.duplicates},
          {"not_modified", st.not_modified},
          {"failed", st.failed},
          {"errors", errors},
          {"skipped", st.skipped},
          {"enqueued", st.enqueued},
          {"url_variants", st.variants},
          {"queued", st.queued},
          {"bytes", st.bytes},
          {"seconds", st.seconds},
          {"hosts", hosts}};
}

nlohmann::ordered_json extract_json(const matcher::ExtractStats& st) {
  return {{"pages", st.pages},
          {"identifiers", st.identifiers},
          {"names", st.names},
          {"sightings_new", st.sightings_new}};
}

nlohmann::ordered_json match_json(const matcher::MatchStats& st) {
  return {{"exposures_new", st.exposures_new},
          {"exposures_updated", st.exposures_updated},
          {"exposures_total", st.exposures_total},
          {"listings_matched", st.pages_matched},
          {"full_join", st.full}};
}

// Runs one stage; a failure is recorded (message only: messages never hold
// identifiers) and the later stages still run on what is committed, unless
// the connection to the database was lost: the run lock went with the
// session, and a later stage would run on a new session without it
// (pqxx reconnects), next to a run that may have taken the lock meanwhile.
template <typename Stage>
void run_stage(Context& ctx, RunRecord* run, const char* name, Stage&& stage) {
  if (run->lost_connection) {
    run->stages[name] = {{"skipped", true}, {"reason", "lost the connection to the database"}};
    return;
  }
  auto start = std::chrono::steady_clock::now();
  try {
    run->stages[name] = stage();
  } catch (const ConfigError&) {
    throw;
  } catch (const std::exception& e) {
    const std::string message = ctx.describe_failure(e);
    std::cerr << "leakwatch: error: " << name << ": " << message << "\n";
    run->errors.push_back({{"stage", name}, {"error", message}});
    run->stages[name] = {{"failed", true}};
    run->lost_connection = ctx.connection_lost(e);
  }
  run->stages[name]["seconds"] =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void metric(std::ostream& out, const std::string& name, const std::string& help, double value,
            const std::string& labels = "") {
  out << "# HELP " << name << " " << help << "\n# TYPE " << name << " gauge\n"
      << name << labels << " " << std::setprecision(15) << value << "\n";
}

// Prometheus text format for node_exporter's textfile collector. A stage
// that did not run counts 0.
std::string metrics_text(const RunRecord& run) {
  std::ostringstream out;
  auto count = [](const auto& stats, auto member) -> double {
    return stats ? static_cast<double>((*stats).*member) : 0;
  };
  using crawler::CrawlStats;
  using matcher::ExtractStats;
  using matcher::MatchStats;
  metric(out, "leakwatch_run_id", "id of the last run in the runs table", static_cast<double>(run.id));
  metric(out, "leakwatch_run_start_timestamp_seconds", "when the last run started", run.started);
  metric(out, "leakwatch_run_end_timestamp_seconds", "when the last run finished", run.finished);
  metric(out, "leakwatch_run_duration_seconds", "duration of the last run", run.finished - run.started);
  metric(out, "leakwatch_run_success", "1 when every stage of the last run ran", run.status == "ok" ? 1 : 0);
  metric(out, "leakwatch_run_stage_errors", "stages of the last run that could not run",
         static_cast<double>(run.errors.size()));
  metric(out, "leakwatch_crawl_pages_fetched", "pages fetched by the last run",
         count(run.crawl, &CrawlStats::fetched));
  metric(out, "leakwatch_crawl_pages_new", "new page contents stored by the last run",
         count(run.crawl, &CrawlStats::pages_new));
  metric(out, "leakwatch_crawl_pages_failed", "URLs given up by the last run",
         count(run.crawl, &CrawlStats::failed));
  metric(out, "leakwatch_extract_pages", "pages extracted by the last run",
         count(run.extract, &ExtractStats::pages));
  metric(out, "leakwatch_extract_sightings_new", "new sightings of the last run",
         count(run.extract, &ExtractStats::sightings_new));
  metric(out, "leakwatch_match_exposures_new", "new exposures of the last run",
         count(run.match, &MatchStats::exposures_new));
  metric(out, "leakwatch_match_exposures_total", "exposures in the database",
         count(run.match, &MatchStats::exposures_total));
  return out.str();
}

// "2h 5m", "40 s": how long a lock has been held, for people.
std::string duration_text(double seconds) {
  auto s = static_cast<int64_t>(seconds < 0 ? 0 : seconds);
  if (s < 120) return std::to_string(s) + " s";
  if (s < 7200) return std::to_string(s / 60) + " min";
  return std::to_string(s / 3600) + "h " + std::to_string(s % 3600 / 60) + "m";
}

std::string utc_text(double epoch) {
  auto t = static_cast<std::time_t>(epoch);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char out[32];
  std::strftime(out, sizeof out, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return out;
}

// Who holds the run lock, in one line: "server pid 4242 (application_name
// 'leakwatch run (pid 77)', from 127.0.0.1; run 12), holding it since
// 2026-12-07T08:00:00Z (3h 5m)".
std::string holder_text(const db::LockHolder& h) {
  std::string out = "server pid " + std::to_string(h.pid) + " (application_name '" + h.application_name +
                    "', from " + h.client + (h.run_id ? "; run " + std::to_string(*h.run_id) : "") + ")";
  return out + ", holding it since " + utc_text(h.held_since) + " (" + duration_text(h.now - h.held_since) +
         ")";
}

// The run lock is held by another session: say who, since when, and whether
// that looks stuck ([run] stuck_after_s), on stderr, in --json and in the
// metrics file. Not stuck: exit 0, as overlapping cron runs are normal;
// stuck: exit 1, so cron and systemd report it.
void report_lock_held(Context& ctx, const RunArgs& args) {
  std::optional<db::LockHolder> holder;
  try {
    holder = db::advisory_lock_holder(ctx.database(), db::kRunLockKey);
  } catch (const std::exception& e) {
    std::cerr << "leakwatch: cannot tell who holds the run lock: " << ctx.describe_failure(e) << "\n";
  }
  const int stuck_after = ctx.config().stuck_after_s;
  const double held = holder ? holder->now - holder->held_since : 0;
  const bool stuck = holder && held > stuck_after;
  const std::string who = holder ? holder_text(*holder) : "a session that has just let go of it";
  if (stuck) {
    std::cerr << "leakwatch: error: the run lock is held by " << who
              << ": longer than [run] stuck_after_s = " << stuck_after
              << " s, the run looks stuck (see it with: SELECT * FROM pg_stat_activity WHERE pid = "
              << holder->pid << "; end it with pg_terminate_backend(" << holder->pid << "))\n";
    ctx.exit_code = 1;
  } else {
    std::cerr << "leakwatch: another `leakwatch run` is in progress on this database; nothing to do "
                 "(use --wait to wait for it): the run lock is held by "
              << who << "\n";
  }
  nlohmann::ordered_json lock{{"stuck", stuck}, {"stuck_after_s", stuck_after}};
  if (holder) {
    lock["pid"] = holder->pid;
    lock["application_name"] = holder->application_name;
    lock["client"] = holder->client;
    lock["connected_at"] = holder->connected_at;
    lock["held_since"] = holder->held_since;
    lock["held_s"] = held;
    lock["run"] = holder->run_id ? nlohmann::ordered_json(*holder->run_id) : nlohmann::ordered_json();
    lock["state"] = holder->state;
  }
  if (!args.metrics_file.empty()) {
    std::ostringstream out;
    metric(out, "leakwatch_run_skipped", "1 when the last run found the run lock held and did nothing", 1);
    metric(out, "leakwatch_run_lock_stuck", "1 when the run lock is held longer than [run] stuck_after_s",
           stuck ? 1 : 0);
    if (holder) {
      metric(out, "leakwatch_run_lock_holder_pid", "server pid of the session holding the run lock",
             holder->pid);
      metric(out, "leakwatch_run_lock_held_since_timestamp_seconds", "since when the run lock is held",
             holder->held_since);
      metric(out, "leakwatch_run_lock_held_seconds", "how long the run lock has been held", held);
    }
    write_atomically(args.metrics_file, out.str());
  }
  if (args.json) {
    nlohmann::ordered_json summary{{"status", stuck ? "stuck" : "skipped"}, {"lock", lock}};
    std::cout << summary.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  }
}

void run_run(Context& ctx, const RunArgs& args) {
  ctx.set_application_name("leakwatch run (pid " + std::to_string(::getpid()) + ")");
  auto& db = ctx.database();
  db::require_current_schema(db);
  std::optional<db::AdvisoryLock> lock;
  lock.emplace(db::AdvisoryLock::try_acquire(db, db::kRunLockKey));
  if (!lock->held()) {
    if (!args.wait) return report_lock_held(ctx, args);
    std::cerr << "leakwatch: another `leakwatch run` is in progress; waiting for it to finish\n";
    lock.reset();
    lock.emplace(db::AdvisoryLock::acquire(db, db::kRunLockKey));
  }

  RunRecord run;
  const db::StartedRun started = db::start_run(db);
  run.id = started.id;
  run.started = started.started;

  if (ctx.config().table.contains("source")) {
    run_stage(ctx, &run, "crawl", [&] {
      run.crawl = run_crawl_pass(ctx, {}, std::nullopt);
      return crawl_json(*run.crawl);
    });
  } else {
    std::cerr << "leakwatch: no [[source]] in the config: crawl skipped\n";
    run.stages["crawl"] = {{"skipped", true}};
  }
  run_stage(ctx, &run, "extract", [&] {
    run.extract = run_extract_stage(ctx);
    return extract_json(*run.extract);
  });
  run_stage(ctx, &run, "match", [&] {
    run.match = run_match_stage(ctx);
    return match_json(*run.match);
  });
  run.status = run.errors.empty() ? "ok" : "failed";
  if (run.lost_connection) {
    std::cerr << "leakwatch: run " << run.id
              << ": the stages after the lost connection did not run (the run lock went with it); the next "
                 "run resumes\n";
  }

  run.finished = db::finish_run(db, run.id, run.status, run.stages.dump(), run.errors.dump());

  if (!args.metrics_file.empty()) write_atomically(args.metrics_file, metrics_text(run));
  if (args.json) {
    nlohmann::ordered_json summary{{"run", run.id},          {"status", run.status},
                                   {"started", run.started}, {"finished", run.finished},
                                   {"stages", run.stages},   {"errors", run.errors}};
    std::cout << summary.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  }
  std::cerr << "run " << run.id << ": " << run.status << "\n";
  if (!run.errors.empty()) ctx.exit_code = 1;
}

}  // namespace

void add_run_command(CLI::App& root, Context& ctx, const Command& self) {
  auto* run = root.add_subcommand(std::string(self.name), std::string(self.summary));
  auto args = std::make_shared<RunArgs>();
  run->add_flag("--wait", args->wait, "wait for a run in progress instead of exiting at once");
  run->add_flag("--json", args->json, "print the run's summary as JSON on standard output");
  run->add_option("--metrics-file", args->metrics_file,
                  "write Prometheus metrics here (atomically), for node_exporter's textfile collector");
  run->callback([&ctx, args] { run_run(ctx, *args); });
}

}  // namespace leakwatch::app
