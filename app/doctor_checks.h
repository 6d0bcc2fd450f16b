// `leakwatch doctor`: the preflight checks of what `run` needs (config,
// database, key file, proxy, sources, disk), each a result with one line of
// what was found and one of what to do about it.
// Not thread-safe: uses the command's Context.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "app/context.h"

namespace leakwatch::app {

enum class CheckStatus { kOk, kSkip, kWarn, kFail };

// "ok", "skip", "warn", "fail".
std::string_view to_string(CheckStatus status);

struct CheckResult {
  std::string check;  // "config", "database", "migrations", "rights", "key", "key fingerprint",
                      // "proxy", "source NAME", "disk"
  CheckStatus status = CheckStatus::kOk;
  std::string message;  // what was found; no password, key byte or identifier
  std::string fix;      // what to do; empty when nothing needs doing
};

struct DoctorOptions {
  int64_t min_free_mb = 1024;  // less free space than this where the database lives is a failure
};

// Runs every check, in the order above. What a check finds wrong is a
// result, never an exception; a config that does not parse ends the checks
// (the others need it).
std::vector<CheckResult> run_doctor_checks(Context& ctx, const DoctorOptions& options);

// 0 when every check is ok or skipped, 1 when some warn, 2 when one fails.
int doctor_exit_code(const std::vector<CheckResult>& results);

// How the disk check judges `available` bytes: fail below `min_free`, warn
// below four times that or below the database's own size (it could not
// grow to twice its size), else ok.
CheckStatus judge_free_space(uint64_t available, int64_t database_bytes, uint64_t min_free);

}  // namespace leakwatch::app
