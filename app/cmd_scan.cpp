// `leakwatch scan [--format text|json] [--all] [FILE...]`: ad-hoc matching of
// a dump from a shell, streaming, stdin when no FILE.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <thread>

#include <nlohmann/json.hpp>

#include "app/command.h"
#include "core/errors.h"
#include "db/migrations.h"
#include "matcher/customer_lookup.h"
#include "matcher/parallel_scan.h"

namespace leakwatch::app {
namespace {

struct ScanArgs {
  std::string format = "text";
  bool all = false;
  std::vector<std::string> files;
};

class Printer {
 public:
  Printer(const ScanArgs& args) : json_(args.format == "json"), all_(args.all) {}

  void print(const std::string& file, const matcher::ScanHit& hit, const std::string* customer_id) {
    std::string_view kind = matcher::kind_name(hit.identifier.kind);
    if (json_) {
      nlohmann::json line{{"kind", kind}, {"masked", hit.masked}, {"file", file}, {"line", hit.line}};
      if (customer_id != nullptr) line["customer_id"] = *customer_id;
      if (all_) line["value"] = hit.identifier.value;
      std::cout << line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    } else if (all_) {
      std::cout << file << ':' << hit.line << '\t' << kind << '\t' << hit.identifier.value << '\n';
    } else {
      std::cout << file << ':' << hit.line << '\t' << kind << '\t' << hit.masked << '\t' << *customer_id << '\n';
    }
  }

 private:
  bool json_;
  bool all_;
};

// Returns false (after one message on stderr) when the file cannot be read.
bool scan_one(const std::string& file, const matcher::Extractor& extractor, const matcher::HashKey* key,
              matcher::CustomerLookup* lookup, Printer& printer) {
  int fd = 0;
  if (file != "-") {
    fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      std::cerr << "leakwatch: error: cannot read " << file << ": " << std::strerror(errno) << "\n";
      return false;
    }
  }
  struct Closer {
    int fd;
    ~Closer() {
      if (fd > 0) ::close(fd);
    }
  } closer{fd};
  matcher::ScanOptions options;
  options.threads = std::max(1u, std::thread::hardware_concurrency());
  try {
    matcher::scan_stream(fd, extractor, key, options, [&](std::vector<matcher::ScanHit>& hits) {
      if (lookup == nullptr) {
        for (const auto& hit : hits) printer.print(file, hit, nullptr);
      } else {
        std::vector<matcher::KeyedHash> hashes;
        hashes.reserve(hits.size());
        for (const auto& hit : hits) hashes.push_back(hit.hash);
        auto customers = lookup->find(hashes);
        for (const auto& hit : hits) {
          auto it = customers.find(hit.hash);
          if (it == customers.end()) continue;
          for (const auto& id : it->second) printer.print(file, hit, &id);
        }
      }
      std::cout.flush();
    });
  } catch (const RuntimeError& e) {
    std::cerr << "leakwatch: error: cannot read " << file << ": " << e.what() << "\n";
    return false;
  }
  return true;
}

void run_scan(Context& ctx, const ScanArgs& args) {
  std::ios::sync_with_stdio(false);
  matcher::ExtractorOptions options;
  options.default_region = ctx.config().default_region;
  options.names = false;
  const matcher::Extractor extractor(options);

  const matcher::HashKey* key = nullptr;
  std::unique_ptr<matcher::CustomerLookup> lookup;
  if (!args.all) {
    key = &ctx.hash_key();
    auto& db = ctx.database();
    db::require_current_schema(db);
    lookup = std::make_unique<matcher::CustomerLookup>(db, key->version());
  }
  Printer printer(args);
  std::vector<std::string> files = args.files.empty() ? std::vector<std::string>{"-"} : args.files;
  int unreadable = 0;
  for (const auto& file : files) {
    if (!scan_one(file, extractor, key, lookup.get(), printer)) ++unreadable;
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
