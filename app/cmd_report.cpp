// `leakwatch report [--since TIME] [--all] [--format json|csv|html] [-o FILE]
// [--mark-notified] [--group-by customer]`: the breach-notification report.
// The report is rendered in memory, written (atomically with -o: a temp file
// in the same folder, then rename), and only then is the transaction that
// read and marked the rows committed: a report that fails notifies nothing.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <sstream>

#include "app/command.h"
#include "app/output_file.h"
#include "core/errors.h"
#include "db/migrations.h"
#include "matcher/report_query.h"
#include "report/report_csv.h"
#include "report/report_html.h"
#include "report/report_json.h"

namespace leakwatch::app {
namespace {

struct ReportArgs {
  std::optional<std::string> since;
  bool all = false;
  std::string format = "json";
  std::optional<std::string> output;
  bool mark_notified = false;
  std::optional<std::string> group_by;
};

std::string utc_now() {
  std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

std::string scope_text(const ReportArgs& args) {
  std::string scope = args.all ? "all exposures" : "exposures not yet notified";
  if (args.since) scope += ", first seen since " + *args.since;
  return scope;
}

void run_report(Context& ctx, const ReportArgs& args) {
  auto& db = ctx.database();
  db::require_current_schema(db);
  matcher::ReportFilter filter;
  filter.all = args.all;
  filter.mark_notified = args.mark_notified;
  filter.since = args.since;
  matcher::ExposureReport exposures(db, filter);
  const auto& rows = exposures.rows();

  std::ostringstream text;
  const bool grouped = args.group_by.has_value();
  if (args.format == "json") {
    report::write_report_json(text, rows, grouped);
  } else if (args.format == "csv") {
    report::write_report_csv(text, rows);
  } else {
    report::write_report_html(text, rows, report::HtmlReportInfo{utc_now(), scope_text(args)});
  }
  if (args.output && *args.output != "-") {
    write_atomically(*args.output, text.str());
  } else {
    std::cout << text.str() << std::flush;
    if (!std::cout) throw RuntimeError("cannot write the report to standard output");
  }
  exposures.commit();
  std::cerr << "report: " << rows.size() << " exposures"
            << (args.mark_notified ? ", marked as notified" : "");
  if (args.output && *args.output != "-") std::cerr << ", written to " << *args.output;
  std::cerr << "\n";
}

}  // namespace

void add_report_command(CLI::App& root, Context& ctx, const Command& self) {
  auto* report = root.add_subcommand(std::string(self.name), std::string(self.summary));
  auto args = std::make_shared<ReportArgs>();
  report->add_option(
      "--since", args->since,
      "only exposures first seen at or after TIME (2024-05-01, '2024-05-01 12:00+08', 7d, 24h)");
  report->add_flag("--all", args->all, "include exposures already notified");
  report->add_option("--format", args->format, "json (default), csv or html")
      ->check(CLI::IsMember({"json", "csv", "html"}));
  report->add_option("-o,--output", args->output, "write to FILE (atomically) instead of standard output");
  report->add_flag("--mark-notified", args->mark_notified,
                   "mark exactly the reported exposures as notified, in the transaction that reads them");
  report
      ->add_option("--group-by", args->group_by, "customer: one entry per customer (JSON), rows by customer")
      ->check(CLI::IsMember({"customer"}));
  report->callback([&ctx, args] { run_report(ctx, *args); });
}

}  // namespace leakwatch::app
