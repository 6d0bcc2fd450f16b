// `leakwatch scan [options] [FILE...]`: ad-hoc matching of a dump from a
// shell, streaming, stdin when no FILE; archives and compressed files are
// read by their content (extract/archive_reader.h). Exit status as grep's:
// 0 something found, 1 nothing found, 2 an error.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <iostream>
#include <thread>

#include "app/command.h"
#include "app/scan_output.h"
#include "core/errors.h"
#include "db/migrations.h"
#include "extract/archive_reader.h"
#include "extract/stream_scan.h"
#include "matcher/customer_lookup.h"

namespace leakwatch::app {
namespace {

// Matches found identifiers against the customers in batches: one query per
// kBatch identifiers (and at the end of each member), never one per identifier.
class MatchBatcher {
 public:
  static constexpr std::size_t kBatch = 20000;
  MatchBatcher(matcher::CustomerLookup& lookup, const ScanPrinter& printer, ScanTotals& totals)
      : lookup_(lookup), printer_(printer), totals_(totals) {}

  void add(const ScanPlace& place, extract::FoundIdentifier&& hit) {
    pending_.push_back(std::move(hit));
    place_ = &place;
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
      for (const auto& id : it->second) {
        line_.clear();
        printer_.format(*place_, hit, &id, &line_);
        std::cout << line_;
        ++totals_.matches;
      }
    }
    pending_.clear();
    std::cout.flush();
  }

 private:
  matcher::CustomerLookup& lookup_;
  const ScanPrinter& printer_;
  ScanTotals& totals_;
  std::vector<extract::FoundIdentifier> pending_;
  const ScanPlace* place_ = nullptr;
  std::string line_;
};

// Scans one stream of text (a file, or a member of an archive); returns "" or
// why it stopped.
std::string scan_text(const ScanPlace& place, std::istream& in, const extract::Extractor& extractor,
                      MatchBatcher* batcher, const ScanPrinter& printer, bool count_skips, ScanTotals* totals) {
  extract::StreamScanOptions options;
  options.threads = std::max(1u, std::thread::hardware_concurrency());
  options.count_skips = count_skips;  // --stats only: plain scans do no extra work
  std::atomic<std::uint64_t> emails{0};  // counted on the scanning threads under --all
  tl::expected<extract::StreamScanStats, std::string> result;
  if (batcher != nullptr) {
    result = extract::scan_stream(in, extractor, options, [&](extract::FoundIdentifier&& hit) {
      if (hit.identifier.kind == identity::Kind::kEmail) ++emails;
      batcher->add(place, std::move(hit));
    });
    batcher->flush();
  } else {
    // --all: output-bound, so lines are formatted on the scanning threads.
    result = extract::scan_stream_rendered(
        in, extractor, options,
        [&](const extract::FoundIdentifier& hit, std::string* out) {
          if (hit.identifier.kind == identity::Kind::kEmail) emails.fetch_add(1, std::memory_order_relaxed);
          printer.format(place, hit, nullptr, out);
        },
        [&](std::string_view text) {
          std::cout.write(text.data(), static_cast<std::streamsize>(text.size()));
        });
  }
  std::cout.flush();
  if (!result) return result.error();
  totals->bytes += result->bytes;
  totals->lines += result->records;
  totals->identifiers += result->identifiers;
  totals->emails += emails.load();
  totals->phones += result->identifiers - emails.load();
  totals->skipped += result->skipped;
  return {};
}

extract::ArchiveOptions archive_options(const ScanArgs& args) {
  extract::ArchiveOptions options;
  options.passwords = args.passwords;
  if (!args.password_file.empty()) {
    std::ifstream in(args.password_file);
    if (!in) throw ConfigError("--password-file " + args.password_file + ": cannot read it");
    for (std::string line; std::getline(in, line);) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (!line.empty()) options.passwords.push_back(line);
    }
  }
  extract::ArchiveLimits& limits = options.limits;
  if (args.max_expanded > 0) limits.max_expanded_bytes = args.max_expanded;
  if (args.max_ratio > 0) limits.max_ratio = args.max_ratio;
  if (args.max_entries > 0) limits.max_entries = args.max_entries;
  if (args.max_depth > 0) limits.max_depth = args.max_depth;
  return options;
}

extract::ExtractorOptions extractor_options(Context& ctx, const ScanArgs& args) {
  extract::ExtractorOptions options;
  options.default_region = ctx.config().default_region;
  options.names = false;  // names are evidence for the pipeline; scan prints identifiers only
  options.masks = !(args.all && args.format == "text");  // the one output without masked forms
  if (!args.all) options.key = &ctx.hash_key();          // hashes are computed on the scanning threads
  return options;
}

void print_notice(const std::string& file, const extract::ArchiveNotice& notice, ScanTotals* totals) {
  const bool error = notice.level == extract::ArchiveNotice::Level::kError;
  ++(error ? totals->errors : totals->warnings);
  std::cerr << "leakwatch: " << (error ? "error: " : "warning: ");
  if (notice.member.empty() && notice.message.rfind("cannot read", 0) == 0) {
    std::cerr << "cannot read " << file << notice.message.substr(11) << "\n";  // "cannot read FILE: why"
    return;
  }
  std::cerr << file << (notice.member.empty() ? "" : "!" + notice.member) << ": " << notice.message << "\n";
}

void run_scan(Context& ctx, const ScanArgs& args) {
  ctx.failure_exit_code = 2;  // grep's convention: 1 means "nothing found"
  const auto start = std::chrono::steady_clock::now();
  std::ios::sync_with_stdio(false);
  const extract::ExtractorOptions options = extractor_options(ctx, args);
  std::unique_ptr<matcher::CustomerLookup> lookup;
  if (!args.all) {
    auto& db = ctx.database();
    db::require_current_schema(db);
    lookup = std::make_unique<matcher::CustomerLookup>(db, options.key->version());
  }
  const extract::Extractor extractor(options);
  const ScanPrinter printer(args);
  ScanTotals totals;
  std::unique_ptr<MatchBatcher> batcher;
  if (lookup) batcher = std::make_unique<MatchBatcher>(*lookup, printer, totals);
  extract::ArchiveReader reader(archive_options(args));
  const std::vector<std::string> files = args.files.empty() ? std::vector<std::string>{"-"} : args.files;
  for (const auto& file : files) {
    ++totals.inputs;
    extract::ArchiveReadStats read_stats;
    reader.read(
        file,
        [&](const std::string& member, std::istream& in) {
          const ScanPlace place(file, member);
          return scan_text(place, in, extractor, batcher.get(), printer, args.stats, &totals);
        },
        [&](const extract::ArchiveNotice& notice) { print_notice(file, notice, &totals); }, &read_stats);
    if (read_stats.archive) {
      ++totals.archives;
      totals.members += read_stats.members;
    }
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (args.stats || ::isatty(STDERR_FILENO) == 1)
    std::cerr << describe_totals(totals, args.all, seconds, args.stats) << "\n";
  const bool found = args.all ? totals.identifiers > 0 : totals.matches > 0;
  ctx.exit_code = totals.errors > 0 ? 2 : found ? 0 : 1;
}

}  // namespace

void add_scan_command(CLI::App& root, Context& ctx, const Command& self) {
  auto args = std::make_shared<ScanArgs>();
  auto* scan = root.add_subcommand(std::string(self.name), std::string(self.summary));
  scan->add_option("--format", args->format,
                   "text (default) or json (JSON Lines; \"member\" inside an archive)")
      ->check(CLI::IsMember({"text", "json"}));
  scan->add_flag("--all", args->all,
                 "print every identifier found, matched or not, with its normalized value (plaintext, on "
                 "request); needs no database");
  scan->add_flag("--no-filename", args->no_filename,
                 "text lines without the file name (member, line, kind, ...); JSON always names the file");
  scan->add_flag("--stats", args->stats,
                 "print bytes, lines, identifiers, matches and what was skipped on purpose (by why) to "
                 "stderr at the end (a terminal gets a one-line summary anyway)");
  scan->add_option("--password", args->passwords,
                   "a password to try on encrypted archive entries (repeatable; leak posts give them as "
                   "\"pass: ...\")")
      ->allow_extra_args(false);  // one password per --password: the FILEs follow
  scan->add_option("--password-file", args->password_file, "passwords to try, one per line");
  scan->add_option("--max-expanded", args->max_expanded,
                   "stop an input after expanding this much text (default 64G; units K, M, G)")
      ->transform(CLI::AsSizeValue(false));
  scan->add_option("--max-ratio", args->max_ratio,
                   "stop an input that expands more than this many times its compressed size, once past "
                   "64 MiB (default 200)");
  scan->add_option("--max-entries", args->max_entries,
                   "stop an input after this many entries (default 1000000)");
  scan->add_option("--max-depth", args->max_depth, "open archives nested this deep (default 4)");
  scan->add_option("FILE", args->files,
                   "files to scan: text, gzip, bzip2, xz, zstd, zip, 7z, rar, tar (+ any compression), "
                   ".xlsx, told by content; standard input when none (or -)");
  scan->footer(
      "Inside an archive a line reads FILE!MEMBER:LINE and counts lines within the member; a sheet's line n "
      "is "
      "its row n, cells joined as a CSV line. Encrypted entries are reported (a warning) and skipped unless "
      "a "
      "password opens them. An input that hits a cap ends with an error naming where it stopped.\n"
      "Skipped on purpose: reserved documentation domains (example.com, .example, .test, .invalid), image "
      "names (logo@2x.png), numbers that are not valid phone numbers; --stats counts them by why.\n"
      "Exit status: 0 something found (printed), 1 nothing found, 2 an error (a file or member left unread, "
      "the database, bad usage).");
  scan->callback([&ctx, args] { run_scan(ctx, *args); });
}

}  // namespace leakwatch::app
