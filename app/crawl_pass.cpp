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

// " | rates: shop.onion:80 17.9/s auto, ..." : what each host is asked at now.
std::string host_rates(const crawler::CrawlStats& st) {
  if (st.hosts.empty()) return "";
  std::ostringstream s;
  s << std::fixed << std::setprecision(1) << " | rates:";
  bool first = true;
  for (const auto& h : st.hosts) {
    s << (first ? " " : ", ") << h.host << " " << h.rate << "/s" << (h.automatic ? " auto" : "");
    first = false;
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
  s << host_rates(st);
  return s.str();
}

// SIGINT and SIGTERM set g_stop while it lives (the pass then finishes what
// is in flight and commits); the handlers before it are restored after.
class StopOnSignal {
 public:
  StopOnSignal() {
    g_stop.store(false);
    struct sigaction action {};
    action.sa_handler = on_stop_signal;
    action.sa_flags = SA_RESETHAND;  // a second Ctrl-C kills at once
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &old_int_);
    sigaction(SIGTERM, &action, &old_term_);
  }
  StopOnSignal(const StopOnSignal&) = delete;
  StopOnSignal& operator=(const StopOnSignal&) = delete;
  ~StopOnSignal() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
  }

 private:
  struct sigaction old_int_ {
  }, old_term_{};
};

// Progress on stderr: on a terminal one line rewritten in place (cleared
// before a notice, at the end, and on failure); otherwise a plain line every
// log_interval_s.
class ProgressDisplay {
 public:
  ProgressDisplay(Context& ctx, const crawler::CrawlOptions& options) : ctx_(ctx), options_(options) {}

  crawler::CrawlCallbacks callbacks() {
    crawler::CrawlCallbacks callbacks;
    callbacks.stop = &g_stop;
    callbacks.notice = [this](std::string_view line) {
      clear();
      std::cerr << "leakwatch: " << ctx_.mask(line) << "\n";
    };
    callbacks.progress = [this](const crawler::CrawlStats& st, bool final) { show(st, final); };
    return callbacks;
  }

  // Removes the line rewritten in place, if one is shown.
  void clear() {
    if (line_shown_) std::cerr << "\r\033[K";
    line_shown_ = false;
  }

 private:
  void show(const crawler::CrawlStats& st, bool final) {
    if (options_.progress_on_terminal) {
      if (final) {
        clear();
      } else {
        std::cerr << "\r\033[K" << progress_line(st) << std::flush;
        line_shown_ = true;
      }
      return;
    }
    auto now = std::chrono::steady_clock::now();
    if (!final && now - last_log_ >= std::chrono::seconds(options_.log_interval_s)) {
      std::cerr << "leakwatch: " << progress_line(st) << "\n";
      last_log_ = now;
    }
  }

  Context& ctx_;
  const crawler::CrawlOptions& options_;
  std::chrono::steady_clock::time_point last_log_ = std::chrono::steady_clock::now();
  bool line_shown_ = false;
};

// " k1 n1, k2 n2" (`separator` before the first) of a count per kind.
template <typename Map>
std::string counts_by_kind(const Map& counts, const char* first_separator) {
  std::ostringstream out;
  bool first = true;
  for (const auto& [k, n] : counts) {
    out << (first ? first_separator : ", ") << k << " " << n;
    first = false;
  }
  return out.str();
}

// The summary `crawl` prints at the end: pages, errors and retries by kind,
// login walls (masked).
std::string summary_text(Context& ctx, const crawler::CrawlStats& st) {
  std::ostringstream summary;
  summary << "crawl: " << st.fetched << " pages fetched (" << st.pages_new << " new, " << st.duplicates
          << " duplicate content, " << st.not_modified << " not modified), " << human_bytes(st.bytes) << ", "
          << st.enqueued << " new URLs (" << st.variants << " URL variants left out), " << st.queued
          << " still queued, " << std::fixed << std::setprecision(1) << st.seconds << " s";
  if (st.seconds > 0) summary << " (" << st.fetched / st.seconds << " pages/s)";
  summary << "\n";
  for (const auto& h : st.hosts) {
    summary << "crawl: host " << h.host << ": " << h.requests << " requests, " << h.requests_per_s
            << "/s; rate now " << h.rate << "/s" << (h.automatic ? " (auto)" : "")
            << (h.workers > 1 ? " shared by " + std::to_string(h.workers) + " workers" : "") << ", "
            << h.rate_limited << " answered 429/503, latency " << std::setprecision(2) << h.latency_s
            << " s, up to " << h.in_flight_limit << " in flight\n"
            << std::setprecision(1);
  }
  summary << "crawl: " << st.error_total() << " errors";
  if (!st.errors.empty()) summary << ":" << counts_by_kind(st.errors, " ");
  int retries = 0;
  for (const auto& [k, n] : st.retries) retries += n;
  summary << "; " << retries << " retries";
  if (!st.retries.empty()) summary << " (" << counts_by_kind(st.retries, "") << ")";
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
  return summary.str();
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

  StopOnSignal stop_on_signal;
  ProgressDisplay display(ctx, options);
  crawler::CrawlStats st;
  try {
    st = crawler::run_crawl(db, options, display.callbacks());
  } catch (...) {
    display.clear();
    throw;
  }
  std::cerr << summary_text(ctx, st);
  return st;
}

}  // namespace leakwatch::app
