// `leakwatch doctor [--json] [--quiet] [--min-free-mb N]`: the preflight
// (app/doctor_checks.h). One line per check with its fix; exit 0 all ok, 1
// warnings, 2 failures, so cron and systemd can run it before `run`.
#include <iostream>

#include <nlohmann/json.hpp>

#include "app/command.h"
#include "app/doctor_checks.h"

namespace leakwatch::app {
namespace {

struct DoctorArgs {
  bool json = false;
  bool quiet = false;
  DoctorOptions options;
};

void print_text(std::ostream& out, const std::vector<CheckResult>& results, bool quiet) {
  int counts[4] = {0, 0, 0, 0};
  for (const auto& r : results) {
    ++counts[static_cast<int>(r.status)];
    if (quiet && (r.status == CheckStatus::kOk || r.status == CheckStatus::kSkip)) continue;
    std::string label(to_string(r.status));
    out << label << std::string(6 - label.size(), ' ') << r.check << ": " << r.message;
    if (!r.fix.empty()) out << " -- fix: " << r.fix;
    out << "\n";
  }
  if (quiet && counts[2] == 0 && counts[3] == 0) return;
  out << "doctor: " << counts[0] << " ok, " << counts[2] << " warning(s), " << counts[3] << " failure(s)"
      << (counts[1] > 0 ? ", " + std::to_string(counts[1]) + " skipped" : "") << "\n";
}

void print_json(std::ostream& out, const std::vector<CheckResult>& results) {
  nlohmann::json checks = nlohmann::json::array();
  for (const auto& r : results) {
    nlohmann::json c = {{"check", r.check}, {"status", to_string(r.status)}, {"message", r.message}};
    if (!r.fix.empty()) c["fix"] = r.fix;
    checks.push_back(std::move(c));
  }
  int code = doctor_exit_code(results);
  nlohmann::json doc = {{"status", code == 0   ? "ok"
                                   : code == 1 ? "warn"
                                               : "fail"},
                        {"exit_code", code},
                        {"checks", std::move(checks)}};
  // Listing text never reaches these messages, but a config may hold any
  // bytes: replace what is not UTF-8 rather than throw.
  out << doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

}  // namespace

void add_doctor_command(CLI::App& root, Context& ctx, const Command& self) {
  auto args = std::make_shared<DoctorArgs>();
  auto* cmd = root.add_subcommand(std::string(self.name), std::string(self.summary));
  cmd->add_flag("--json", args->json, "one JSON document for monitoring: status, exit_code, checks[]");
  cmd->add_flag("--quiet", args->quiet, "print only warnings and failures (nothing when all is well)");
  cmd->add_option("--min-free-mb", args->options.min_free_mb,
                  "free space where the database lives below which the disk check fails (default 1024)")
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 40));
  cmd->callback([&ctx, args] {
    auto results = run_doctor_checks(ctx, args->options);
    if (args->json) {
      print_json(std::cout, results);
    } else {
      print_text(std::cout, results, args->quiet);
    }
    ctx.exit_code = doctor_exit_code(results);
  });
}

}  // namespace leakwatch::app
