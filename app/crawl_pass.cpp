#include "app/crawl_pass.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "app/crawl_config.h"
#include "app/stages.h"
#include "core/errors.h"
#include "db/migrations.h"
#include "matcher/attachment_scan.h"

namespace leakwatch::app {
namespace {

std::atomic<bool> g_stop{false};

extern "C" void on_stop_signal(int) { g_stop.store(true); }

std::string human_bytes(uint64_t bytes) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(1);
  if (bytes >= (1u << 30)) {
    s << bytes / double(1u << 30) << " GiB";
  } else if (bytes >= (1u << 20)) {
    s << bytes / double(1u << 20) << " MiB";
  } else if (bytes >= 1024) {
    s << bytes / 1024.0 << " KiB";
  } else {
    s << bytes << " B";
  }
  return s.str();
}

std::string progress_line(const crawler::CrawlStats& st) {
  std::ostringstream s;
  int64_t errors = st.error_total();
  double rate = st.seconds > 0 ? st.fetched / st.seconds : 0;
  s << "crawl: " << st.fetched << " pages, " << st.queued << " queued, " << std::fixed << std::setprecision(1)
    << rate << " pages/s, " << errors << " errors";
  for (const auto& src : st.sources) s << " | " << src.name << " " << src.fetched << "/" << src.errors;
  return s.str();
}

}  // namespace

crawler::CrawlStats run_crawl_pass(Context& ctx, const std::vector<std::string>& sources,
                                   std::optional<int64_t> max_pages) {
  crawler::CrawlOptions options = read_crawl_options(ctx.config(), sources);
  options.max_pages = max_pages;
  options.progress_on_terminal = isatty(STDERR_FILENO) != 0;
  options.privacy = &ctx.listing_privacy();
  // Attachments are scanned as they stream in, by the pipeline's extractor.
  std::unique_ptr<extract::Extractor> extractor = make_pipeline_extractor(ctx);
  options.attachment_scanner =
      matcher::make_attachment_scanner(*extractor, ctx.hash_key(), options.defaults.attachment_max_bytes);
  auto& db = ctx.database();
  db::require_current_schema(db);

  g_stop.store(false);
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  action.sa_flags = SA_RESETHAND;  // a second Ctrl-C kills at once
  sigemptyset(&action.sa_mask);
  struct sigaction old_int {
  }, old_term{};
  sigaction(SIGINT, &action, &old_int);
  sigaction(SIGTERM, &action, &old_term);
  struct RestoreSignals {
    struct sigaction i, t;
    ~RestoreSignals() {
      sigaction(SIGINT, &i, nullptr);
      sigaction(SIGTERM, &t, nullptr);
    }
  } restore{old_int, old_term};

  auto last_log = std::chrono::steady_clock::now();
  bool line_shown = false;
  crawler::CrawlCallbacks callbacks;
  callbacks.stop = &g_stop;
  callbacks.notice = [&](std::string_view line) {
    if (line_shown) std::cerr << "\r\033[K";
    line_shown = false;
    std::cerr << "leakwatch: " << ctx.mask(line) << "\n";
  };
  callbacks.progress = [&](const crawler::CrawlStats& st, bool final) {
    if (options.progress_on_terminal) {
      if (final) {
        if (line_shown) std::cerr << "\r\033[K";
        line_shown = false;
      } else {
        std::cerr << "\r\033[K" << progress_line(st) << std::flush;
        line_shown = true;
      }
      return;
    }
    auto now = std::chrono::steady_clock::now();
    if (!final && now - last_log >= std::chrono::seconds(options.log_interval_s)) {
      std::cerr << "leakwatch: " << progress_line(st) << "\n";
      last_log = now;
    }
  };

  crawler::CrawlStats st;
  try {
    st = crawler::run_crawl(db, options, callbacks);
  } catch (...) {
    if (line_shown) std::cerr << "\r\033[K";
    throw;
  }

  std::ostringstream summary;
  summary << "crawl: " << st.fetched << " pages fetched (" << st.pages_new << " new, " << st.duplicates
          << " duplicate content, " << st.not_modified << " not modified), " << human_bytes(st.bytes) << ", "
          << st.enqueued << " new URLs (" << st.variants << " URL variants left out), " << st.queued
          << " still queued, " << std::fixed << std::setprecision(1) << st.seconds << " s";
  if (st.seconds > 0) summary << " (" << st.fetched / st.seconds << " pages/s)";
  summary << "\n";
  int64_t errors = st.error_total();
  summary << "crawl: " << errors << " errors";
  if (!st.errors.empty()) {
    summary << ":";
    bool first = true;
    for (const auto& [k, n] : st.errors) {
      summary << (first ? " " : ", ") << k << " " << n;
      first = false;
    }
  }
  int retries = 0;
  for (const auto& [k, n] : st.retries) retries += n;
  summary << "; " << retries << " retries";
  if (!st.retries.empty()) {
    summary << " (";
    bool first = true;
    for (const auto& [k, n] : st.retries) {
      summary << (first ? "" : ", ") << k << " " << n;
      first = false;
    }
    summary << ")";
  }
  summary << "\n";
  const crawler::AttachmentStats& a = st.attachments;
  if (a.linked > 0) {
    summary << "crawl: " << a.linked << " attachments linked: " << a.fetched << " fetched and scanned ("
            << human_bytes(a.bytes) << ", " << a.sightings << " identifiers and names), " << a.not_modified
            << " unchanged, " << a.skipped << " skipped, " << a.failed << " failed\n";
  }
  summary << "crawl: " << st.login_walls.size() << " login walls";
  for (const auto& w : st.login_walls) summary << "\n  " << ctx.mask(w);
  summary << "\n";
  if (g_stop.load()) summary << "crawl: stopped by a signal; the next `leakwatch crawl` continues\n";
  std::cerr << summary.str();
  return st;
}

}  // namespace leakwatch::app
