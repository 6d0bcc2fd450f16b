// `leakwatch scan [--format text|json] [--all] [FILE...]`: ad-hoc matching of
// a dump from a shell, streaming, stdin when no FILE.
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <iostream>
#include <thread>

#include <nlohmann/json.hpp>

#include "app/command.h"
#include "core/errors.h"
#include "db/migrations.h"
#include "extract/stream_scan.h"
#include "matcher/customer_lookup.h"

namespace leakwatch::app {
namespace {

struct ScanArgs {
  std::string format = "text";
  bool all = false;
  bool no_filename = false;
  std::vector<std::string> files;
};

// Formats output lines. format() is const and keeps no state of its own
// (its JSON object is per thread), so `scan --all` formats on the scanning
// threads; print() formats and writes on the calling thread.
class Printer {
 public:
  // Text lines start with the file name unless --no-filename (grep -h);
  // JSON always names the file.
  explicit Printer(const ScanArgs& args)
      : json_(args.format == "json"), all_(args.all), with_filename_(!args.no_filename) {}

  void format(const std::string& file, const extract::FoundIdentifier& hit, const std::string* customer_id,
              std::string* out) const {
    std::string_view kind = identity::kind_name(hit.identifier.kind);
    const std::size_t line = hit.record + 1;
    if (json_) {
      // One object per thread, its values overwritten: building a fresh
      // object (a std::map and its strings) per line cost more than dumping.
      thread_local nlohmann::json json;
      json["kind"] = kind;
      json["masked"] = hit.masked;
      json["file"] = file;
      json["line"] = line;
      if (customer_id != nullptr) {
        json["customer_id"] = *customer_id;
      } else {
        json.erase("customer_id");
      }
      if (all_) json["value"] = hit.identifier.value;
      *out += json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      *out += '\n';
      return;
    }
    // [file:]line<TAB>kind<TAB>value, or masked<TAB>customer_id: sized once
    // and copied in (this runs for every identifier of `scan --all`).
    char number[24];
    const std::string_view digits(
        number, static_cast<std::size_t>(std::to_chars(number, number + sizeof number, line).ptr - number));
    const std::string_view second =
        all_ ? std::string_view(hit.identifier.value) : std::string_view(hit.masked);
    const std::string_view third = all_ ? std::string_view() : std::string_view(*customer_id);
    const std::size_t size = (with_filename_ ? file.size() + 1 : 0) + digits.size() + kind.size() +
                             second.size() + third.size() + (all_ ? 3 : 4);
    std::size_t at = out->size();
    out->resize(at + size);
    char* p = out->data() + at;
    auto put = [&p](std::string_view piece, char after) {
      std::memcpy(p, piece.data(), piece.size());
      p += piece.size();
      *p++ = after;
    };
    if (with_filename_) put(file, ':');
    put(digits, '\t');
    put(kind, '\t');
    if (all_) {
      put(second, '\n');
    } else {
      put(second, '\t');
      put(third, '\n');
    }
  }

  void print(const std::string& file, const extract::FoundIdentifier& hit, const std::string* customer_id) {
    line_.clear();
    format(file, hit, customer_id, &line_);
    std::cout << line_;
  }

 private:
  bool json_;
  bool all_;
  bool with_filename_;
  std::string line_;
};

// Matches found identifiers against the customers in batches: one query per
// kBatch identifiers (and at the end of each file), never one per identifier.
class MatchBatcher {
 public:
  static constexpr std::size_t kBatch = 20000;
  MatchBatcher(matcher::CustomerLookup& lookup, Printer& printer) : lookup_(lookup), printer_(printer) {}

  void add(const std::string& file, extract::FoundIdentifier&& hit) {
    pending_.push_back(std::move(hit));
    file_ = &file;
    if (pending_.size() >= kBatch) flush();
  }

  void flush() {
    if (pending_.empty()) return;
    std::vector<identity::KeyedHash> hashes;
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
  std::vector<extract::FoundIdentifier> pending_;
  const std::string* file_ = nullptr;
};

// Returns false (after one message on stderr) when the file cannot be read.
bool scan_one(const std::string& file, const extract::Extractor& extractor, MatchBatcher* batcher,
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
  extract::StreamScanOptions options;
  options.threads = std::max(1u, std::thread::hardware_concurrency());
  tl::expected<extract::StreamScanStats, std::string> result;
  if (batcher != nullptr) {
    result = extract::scan_stream(
        *in, extractor, options, [&](extract::FoundIdentifier&& hit) { batcher->add(file, std::move(hit)); });
  } else {
    // --all: output-bound, so lines are formatted on the scanning threads.
    const Printer& format = printer;
    result = extract::scan_stream_rendered(
        *in, extractor, options,
        [&](const extract::FoundIdentifier& hit, std::string* out) {
          format.format(file, hit, nullptr, out);
        },
        [](std::string_view text) {
          std::cout.write(text.data(), static_cast<std::streamsize>(text.size()));
        });
  }
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
  extract::ExtractorOptions options;
  options.default_region = ctx.config().default_region;
  options.names = false;  // names are evidence for the pipeline; scan prints identifiers only
  options.masks = !(args.all && args.format == "text");  // the one output without masked forms
  std::unique_ptr<matcher::CustomerLookup> lookup;
  if (!args.all) {
    options.key = &ctx.hash_key();  // hashes are computed on the scanning threads
    auto& db = ctx.database();
    db::require_current_schema(db);
    lookup = std::make_unique<matcher::CustomerLookup>(db, options.key->version());
  }
  const extract::Extractor extractor(options);
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
  scan->add_flag("--no-filename", args->no_filename,
                 "text lines without the file name (line, kind, ...); JSON always names the file");
  scan->add_option("FILE", args->files, "files to scan; standard input when none (or -)");
  scan->callback([&ctx, args] { run_scan(ctx, *args); });
}

}  // namespace leakwatch::app
