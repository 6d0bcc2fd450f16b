// Attachments within a crawl pass: files linked from the pages it stores
// (crawler/attachment_types.h says which), fetched through the pass's own
// Fetcher (same proxy, scope, per-host limits and rate as pages) and
// streamed, as they arrive, through a bounded AttachmentPipe to the scanner
// the CLI gives (archive reader + extractor, on a thread per download).
// Nothing of a file is kept but what the scanner found, stored against the
// listing that linked it (db/attachment_store.h).
//
// Limits: CrawlDefaults::attachment_max_bytes per file (a larger
// Content-Length is refused before the body; a body that grows past it is
// cut and what came is scanned), SourceDefaults::attachment_budget_bytes per
// source per pass, attachment_concurrency downloads at once. A revisit sends
// If-None-Match / If-Modified-Since, and a 200 whose ETag, or Last-Modified
// and size, match the last download is stopped before its body.
//
// Not thread-safe: used by the pass's thread. The connection, options and
// fetcher must outlive it.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "crawler/crawl_options.h"
#include "crawler/fetcher.h"
#include "db/connection.h"

namespace leakwatch::crawler {

struct AttachmentStats {
  int64_t linked = 0;        // attachment links taken from stored pages
  int64_t fetched = 0;       // downloaded and scanned (whole or cut)
  int64_t not_modified = 0;  // unchanged since the last download: not downloaded
  int64_t skipped = 0;       // refused (type, size, budget)
  int64_t failed = 0;
  int64_t sightings = 0;  // identifiers and names found in them
  uint64_t bytes = 0;     // bytes streamed to the scanner
};

class AttachmentCrawl {
 public:
  using Notice = std::function<void(std::string_view line)>;
  AttachmentCrawl(db::Connection& conn, const CrawlOptions& options, Fetcher& fetcher, Notice notice);
  ~AttachmentCrawl();
  AttachmentCrawl(const AttachmentCrawl&) = delete;
  AttachmentCrawl& operator=(const AttachmentCrawl&) = delete;

  bool enabled() const { return static_cast<bool>(options_.attachment_scanner); }

  // Moves the attachment links of the page stored as `listing_url` out of
  // `links`, to be fetched once the page is committed. `profile` must
  // outlive this object. The links left (pages, as far as their names
  // say) are remembered with their listing, the last kMaxOrigins of them,
  // for adopt().
  void take(const SourceOptions& source, const FetchProfile* profile, const std::string& listing_url,
            std::vector<std::string>& links);
  // A link fetched as a page answered with `content_type`, which is not
  // text: when that type is a file's (an archive, a sheet, or a generic
  // type the first bytes will decide) and a committed listing of this pass
  // linked `url`, queues it as that listing's attachment and returns true
  // (the page fetch is over; the file is fetched again through the
  // attachment path, with its caps). False otherwise: the caller skips it.
  bool adopt(const std::string& source, const std::string& url, const std::string& content_type);
  static constexpr size_t kMaxOrigins = size_t{1} << 16;
  // The pages of the links taken so far went to the commit writer as one
  // batch; committed(n): the next `n` batches are committed (batches commit
  // in order), so their attachments may start.
  void submitted();
  void committed(size_t batches);
  // Stores finished scans and starts waiting downloads, within the limits.
  void step();
  // Takes a fetch result that is an attachment's; false for any other.
  bool handle(FetchResult& result);
  // Downloads ready to start, in flight or being scanned (not those whose
  // page is still being committed: the pass waits for the writer first).
  size_t busy() const;
  const AttachmentStats& stats() const { return stats_; }

 private:
  struct Job;
  void start(std::unique_ptr<Job> job);
  void finish(Job& job);
  void say(const std::string& line);

  db::Connection& conn_;
  const CrawlOptions& options_;
  Fetcher& fetcher_;
  Notice notice_;
  // Which listing linked a link that looked like a page (take()), per batch
  // until committed, then in origins_ (oldest first in origin_order_).
  struct Origin {
    const FetchProfile* profile = nullptr;
    int64_t budget = 0;
    std::string listing_url;
  };
  using OriginKey = std::pair<std::string, std::string>;  // (source, URL)
  std::vector<std::pair<OriginKey, Origin>> uncommitted_origins_;
  std::deque<std::vector<std::pair<OriginKey, Origin>>> submitted_origins_;
  std::map<OriginKey, Origin> origins_;
  std::deque<OriginKey> origin_order_;
  std::vector<std::unique_ptr<Job>> uncommitted_;
  std::deque<std::vector<std::unique_ptr<Job>>> submitted_;  // one entry per batch, oldest first
  std::vector<std::unique_ptr<Job>> waiting_;
  std::map<uint64_t, std::unique_ptr<Job>> running_;
  std::map<std::string, int64_t> used_;  // bytes per source in this pass
  std::map<std::string, bool> budget_said_;
  std::set<std::pair<std::string, std::string>> seen_;  // (source, URL) taken in this pass
  uint64_t next_id_ = 0;
  AttachmentStats stats_;
};

}  // namespace leakwatch::crawler
