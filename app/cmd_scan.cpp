// `leakwatch scan [--format text|json] [--all] [FILE...]`: ad-hoc matching of
// a dump from a shell, streaming, stdin when no FILE.
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <thread>

#include <nlohmann/json.hpp>

#include "app/command.h"
#include "core/errors.h"
#include "db/migrations.h"
#include "matcher/customer_lookup.h"
#include "matcher/stream_scan.h"

namespace leakwatch::app {
namespace {

struct ScanArgs {
  std::string format = "text";
  bool all = false;
  std::vector<std::string> files;
};

class Printer {
 public:
  explicit Printer(const ScanArgs& args) : json_(args.format == "json"), all_(args.all) {}

  void print(const std::string& file, const matcher::FoundIdentifier& hit, const std::string* customer_id) {
    std::string_view kind = matcher::kind_name(hit.identifier.kind);
    const std::size_t line = hit.record + 1;
    if (json_) {
      nlohmann::json out{{"kind", kind}, {"masked", hit.masked}, {"file", file}, {"line", line}};
      if (customer_id != nullptr) out["customer_id"] = *customer_id;
      if (all_) out["value"] = hit.identifier.value;
      std::cout << out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    } else if (all_) {
      std::cout << file << ':' << line << '\t' << kind << '\t' << hit.identifier.value << '\n';
    } else {
      std::cout << file << ':' << line << '\t' << kind << '\t' << hit.masked << '\t' << *customer_id << '\n';
    }
  }

 private:
  bool json_;
  bool all_;
};

// Matches found identifiers against the customers in batches: one query per
// kBatch identifiers (and at the end of each file), never one per identifier.
class MatchBatcher {
 public:
  static constexpr std::size_t kBatch = 20000;
  MatchBatcher(matcher::CustomerLookup& lookup, Printer& printer) : lookup_(lookup), printer_(printer) {}

  void add(const std::string& file, const matcher::FoundIdentifier& hit) {
    pending_.push_back(hit);
    file_ = &file;
    if (pending_.size() >= kBatch) flush();
  }

  void flush() {
    if (pending_.empty()) return;
    std::vector<matcher::KeyedHash> hashes;
    hashes.reserve(pending_.size());
    for (const auto& hit : pending_) hashes.push_back(*hit.hash);
    auto customers = lookup_.find(hashes);
    for (const auto& hit : pending_) {
      auto it = customers.find(*hit.hash);
      if (it == customers.end()) continue;
      for (const auto& id : it->second) printer_.print(*file_, hit, &id);
    }
    pending_.clear();
    std::cout.flush();
  }

 private:
  matcher::CustomerLookup& lookup_;
  Printer& printer_;
  std::vector<matcher::FoundIdentifier> pending_;
  const std::string* file_ = nullptr;
};

// Returns false (after one message on stderr) when the file cannot be read.
bool scan_one(const std::string& file, const matcher::Extractor& extractor, MatchBatcher* batcher,
              Printer& printer) {
  std::ifstream opened;
  std::istream* in = &std::cin;
  if (file != "-") {
    opened.open(file, std::ios::binary);
    if (!opened) {
      std::cerr << "leakwatch: error: cannot read " << file << ": " << std::strerror(errno) << "\n";
      return false;
    }
    in = &opened;
  }
  matcher::StreamScanOptions options;
  options.threads = std::max(1u, std::thread::hardware_concurrency());
  auto result = matcher::scan_stream(*in, extractor, options, [&](const matcher::FoundIdentifier& hit) {
    if (hit.identifier.kind == matcher::Kind::kName) return;  // evidence, not an identifier
    if (batcher != nullptr) {
      batcher->add(file, hit);
    } else {
      printer.print(file, hit, nullptr);
    }
  });
  if (batcher != nullptr) batcher->flush();
  std::cout.flush();
  if (!result) {
    std::cerr << "leakwatch: error: cannot read " << file << ": " << result.error() << "\n";
    return false;
  }
  return true;
}

void run_scan(Context& ctx, const ScanArgs& args) {
  std::ios::sync_with_stdio(false);
  matcher::ExtractorOptions options;
  options.default_region = ctx.config().default_region;
  std::unique_ptr<matcher::CustomerLookup> lookup;
  if (!args.all) {
    options.key = &ctx.hash_key();  // hashes are computed on the scanning threads
    auto& db = ctx.database();
    db::require_current_schema(db);
    lookup = std::make_unique<matcher::CustomerLookup>(db, options.key->version());
  }
  const matcher::Extractor extractor(options);
  Printer printer(args);
  std::unique_ptr<MatchBatcher> batcher;
  if (lookup) batcher = std::make_unique<MatchBatcher>(*lookup, printer);
  std::vector<std::string> files = args.files.empty() ? std::vector<std::string>{"-"} : args.files;
  int unreadable = 0;
  for (const auto& file : files) {
    if (!scan_one(file, extractor, batcher.get(), printer)) ++unreadable;
  }
  if (unreadable > 0) ctx.exit_code = 1;
}

}  // namespace

void add_scan_command(CLI::App& root, Context& ctx, const Command& self) {
  auto args = std::make_shared<ScanArgs>();
  auto* scan = root.add_subcommand(std::string(self.name), std::string(self.summary));
  scan->add_option("--format", args->format, "text (default) or json (JSON Lines)")
      ->check(CLI::IsMember({"text", "json"}));
  scan->add_flag("--all", args->all,
                 "print every identifier found, matched or not, with its normalized value (plaintext, on "
                 "request); needs no database");
  scan->add_option("FILE", args->files, "files to scan; standard input when none (or -)");
  scan->callback([&ctx, args] { run_scan(ctx, *args); });
}

}  // namespace leakwatch::app
