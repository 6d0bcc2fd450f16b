#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "app/command.h"
#include "app/terminal_progress.h"
#include "core/errors.h"
#include "db/key_fingerprints.h"
#include "db/migrations.h"
#include "matcher/customer_import.h"

namespace leakwatch::app {
namespace {

struct ImportArgs {
  std::string file;
  bool hashed = false;
  bool strict = false;
};

// What the progress line says while rows are read (with the share of a
// file read, when it is a file) and while a re-import merges them.
std::function<void(const matcher::ImportProgress&)> import_progress_text(TerminalProgress& progress,
                                                                         std::ifstream& file,
                                                                         const std::string& name) {
  std::error_code ec;
  const auto size = file.is_open() ? std::filesystem::file_size(name, ec) : 0;
  const bool sized = file.is_open() && !ec && size > 0;
  const auto start = std::chrono::steady_clock::now();
  return [&progress, &file, sized, size, start](const matcher::ImportProgress& p) {
    std::string text = "customers import: ";
    if (p.identifiers_to_merge > 0) {
      text += "merging " + with_thousands(p.identifiers_to_merge) + " identifiers with those stored";
      if (p.identifiers_merged > 0) text += " (" + with_thousands(p.identifiers_merged) + " done)";
    } else if (p.read_all) {
      text += with_thousands(p.rows_read) + " rows read; storing " + with_thousands(p.identifiers) +
              " identifiers";
    } else {
      text += with_thousands(p.rows_read) + " rows read";
      if (sized) {
        auto at = file.tellg();
        if (at >= 0) text += " (" + std::to_string(static_cast<long long>(at) * 100 / size) + " %)";
      }
      double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (s > 0) text += ", " + with_thousands(static_cast<long long>(p.rows_read / s)) + " rows/s";
    }
    progress.set(std::move(text), p.read_all);  // the phases at once, the counts at the next tick
  };
}

void run_import(Context& ctx, const ImportArgs& args) {
  matcher::ImportOptions options;
  options.hashed = args.hashed;
  options.strict = args.strict;
  options.default_region = ctx.config().default_region;
  options.input_name = args.file;
  const identity::HashKey* key = nullptr;
  if (!args.hashed) {
    key = &ctx.hash_key();
    options.key_version = key->version();
  } else {
    options.key_version = ctx.config().key_version;
  }

  std::ifstream file;
  std::istream* in = &std::cin;
  if (args.file != "-") {
    file.open(args.file, std::ios::binary);
    if (!file) throw RuntimeError("cannot read " + args.file + ": " + std::strerror(errno));
    in = &file;
  }
  std::ios::sync_with_stdio(false);
  auto& db = ctx.database();
  db::require_current_schema(db);
  if (key != nullptr) {
    // The customer set is only as good as the key that hashed it: record
    // which key that is, and refuse to mix in hashes made with another.
    std::string fingerprint = key->fingerprint();
    if (db::record_key_fingerprint(db, key->version(), fingerprint) != fingerprint) {
      throw ConfigError(
          "the HMAC key file's fingerprint differs from the one stored with the customer set "
          "for key_version " +
          std::to_string(key->version()) +
          ": hashes made with this key would match nothing imported before; use the key the "
          "customers were imported with, or a new [hashing] key_version (`leakwatch doctor` "
          "checks this)");
    }
  }
  matcher::ImportSummary summary;
  {
    TerminalProgress progress("customers import: reading " + args.file);  // cleared before the summary
    if (progress.on()) options.progress = import_progress_text(progress, file, args.file);
    summary = matcher::import_customers(db, *in, key, options, [&](const matcher::RowRejection& r) {
      progress.print("leakwatch: " + args.file + ":" + std::to_string(r.line) + ": rejected: " + r.reason);
    });
  }
  std::cout << "customers import " << args.file << ": " << summary.rows << " rows: " << summary.rows_imported
            << " imported, " << summary.rows_skipped << " skipped (already present), "
            << summary.rows_rejected << " rejected; " << summary.identifiers_new << " new identifiers\n";
}

}  // namespace

void add_customers_command(CLI::App& root, Context& ctx, const Command& self) {
  auto* customers = root.add_subcommand(std::string(self.name), std::string(self.summary));
  customers->require_subcommand(1);
  auto args = std::make_shared<ImportArgs>();
  auto* import = customers->add_subcommand(
      "import",
      "import customers from a CSV (header: customer_id plus any of apple_id, email, phone, name); "
      "identifiers are hashed on the fly, plaintext is never stored");
  import->add_option("FILE", args->file, "CSV file, or - for standard input")->required();
  import->add_flag("--hashed", args->hashed, "the file holds customer_id,kind,hash rows (hex keyed hashes)");
  import->add_flag("--strict", args->strict, "any bad row is an error and nothing is imported");
  import->callback([&ctx, args] { run_import(ctx, *args);
});
}  // namespace leakwatch::app

}  // namespace leakwatch::app
