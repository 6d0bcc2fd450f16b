#include "crawler/attachment_crawl.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <optional>
#include <thread>

#include "crawler/attachment_pipe.h"
#include "crawler/attachment_types.h"

namespace leakwatch::crawler {
namespace {

// Fetch ids of attachments: apart from the frontier ids pages use.
constexpr uint64_t kIdBit = uint64_t{1} << 62;
// Bytes waiting between the download and the scanner, per attachment.
constexpr size_t kPipeBytes = size_t{4} << 20;
// accept()'s answer for a 200 that repeats the last download.
constexpr const char* kUnchanged = "unchanged since the last download";

bool unchanged(const ResponseHead& h, const db::AttachmentValidators& v) {
  if (!h.etag.empty() && h.etag == v.etag) return true;
  return !h.last_modified.empty() && h.last_modified == v.last_modified && h.content_length >= 0 &&
         h.content_length == v.size;
}

std::string megabytes(int64_t bytes) {
  return bytes % (1 << 20) == 0 ? std::to_string(bytes >> 20) + " MB" : std::to_string(bytes) + " bytes";
}

}  // namespace

struct AttachmentCrawl::Job {
  std::string source;
  const FetchProfile* profile = nullptr;
  int64_t budget = 0;
  std::string url;
  std::string listing_url;
  std::optional<db::AttachmentValidators> validators;
  int64_t max_bytes = 0;
  bool capped_by_budget = false;
  std::unique_ptr<AttachmentPipe> pipe;
  std::thread scanner;
  std::atomic<bool> scanned{false};
  db::AttachmentScan scan;
  std::optional<FetchResult> fetched;

  ~Job() {
    if (scanner.joinable()) {
      pipe->close(true);
      pipe->abandon();
      scanner.join();
    }
  }
};

AttachmentCrawl::AttachmentCrawl(db::Connection& conn, const CrawlOptions& options, Fetcher& fetcher,
                                 Notice notice)
    : conn_(conn), options_(options), fetcher_(fetcher), notice_(std::move(notice)) {}

AttachmentCrawl::~AttachmentCrawl() = default;

void AttachmentCrawl::say(const std::string& line) {
  if (notice_) notice_(options_.privacy->mask(line));
}

void AttachmentCrawl::take(const SourceOptions& source, const FetchProfile* profile,
                           const std::string& listing_url, std::vector<std::string>& links) {
  if (!enabled() || !source.attachments) return;
  auto is_file = [](const std::string& url) { return is_attachment_link(url); };
  auto files =
      std::stable_partition(links.begin(), links.end(), [&](const std::string& u) { return !is_file(u); });
  for (auto it = files; it != links.end(); ++it) {
    if (!seen_.emplace(source.name, *it).second) continue;
    auto job = std::make_unique<Job>();
    job->source = source.name;
    job->profile = profile;
    job->budget = source.attachment_budget_bytes;
    job->url = *it;
    job->listing_url = listing_url;
    uncommitted_.push_back(std::move(job));
    ++stats_.linked;
  }
  for (auto it = links.begin(); it != files; ++it) {
    uncommitted_origins_.push_back(
        {{source.name, *it}, Origin{profile, source.attachment_budget_bytes, listing_url}});
  }
  links.erase(files, links.end());
}

void AttachmentCrawl::submitted() {
  submitted_.push_back(std::move(uncommitted_));
  uncommitted_.clear();
  submitted_origins_.push_back(std::move(uncommitted_origins_));
  uncommitted_origins_.clear();
}

void AttachmentCrawl::committed(size_t batches) {
  for (; batches > 0 && !submitted_.empty(); --batches) {
    for (auto& job : submitted_.front()) waiting_.push_back(std::move(job));
    submitted_.pop_front();
    if (submitted_origins_.empty()) continue;
    for (auto& [key, origin] : submitted_origins_.front()) {
      if (origins_.insert_or_assign(key, std::move(origin)).second) origin_order_.push_back(key);
    }
    submitted_origins_.pop_front();
    while (origins_.size() > kMaxOrigins) {
      origins_.erase(origin_order_.front());
      origin_order_.pop_front();
    }
  }
}

bool AttachmentCrawl::adopt(const std::string& source, const std::string& url,
                            const std::string& content_type) {
  if (!enabled() || !refuse_content_type(content_type).empty()) return false;
  auto found = origins_.find({source, url});
  if (found == origins_.end()) return false;
  if (!seen_.emplace(source, url).second) return true;  // already taken as a file in this pass
  auto job = std::make_unique<Job>();
  job->source = source;
  job->profile = found->second.profile;
  job->budget = found->second.budget;
  job->url = url;
  job->listing_url = found->second.listing_url;
  waiting_.push_back(std::move(job));  // its listing is committed
  ++stats_.linked;
  return true;
}

size_t AttachmentCrawl::busy() const { return waiting_.size() + running_.size(); }

void AttachmentCrawl::step() {
  // Only scans left to finish, nothing to fetch: wait for them a little
  // rather than spin the pass's loop.
  if (fetcher_.pending() == 0 && !running_.empty() &&
      std::all_of(running_.begin(), running_.end(),
                  [](const auto& r) { return !r.second->scanned.load(); })) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  for (auto it = running_.begin(); it != running_.end();) {
    Job& job = *it->second;
    if (job.fetched && job.scanned.load()) {
      job.scanner.join();
      finish(job);
      it = running_.erase(it);
    } else {
      ++it;
    }
  }
  const auto limit = static_cast<size_t>(std::max(1, options_.defaults.attachment_concurrency));
  for (auto it = waiting_.begin(); it != waiting_.end() && running_.size() < limit;) {
    Job& job = **it;
    int64_t reserved = 0;
    bool source_running = false;
    for (const auto& [id, r] : running_) {
      if (r->source != job.source) continue;
      source_running = true;
      reserved += r->max_bytes;
    }
    const int64_t remaining = job.budget - used_[job.source] - reserved;
    if (remaining <= 0) {
      if (source_running) {
        ++it;  // what runs may leave some of the budget
        continue;
      }
      if (!budget_said_[job.source]) {
        budget_said_[job.source] = true;
        say("source " + job.source + ": attachment budget of " + megabytes(job.budget) +
            " reached (attachment_budget_bytes); not fetched in this run: " + job.url + " and any later");
      }
      ++stats_.skipped;
      it = waiting_.erase(it);
      continue;
    }
    auto owned = std::move(*it);
    it = waiting_.erase(it);
    owned->max_bytes = std::min(options_.defaults.attachment_max_bytes, remaining);
    owned->capped_by_budget = remaining < options_.defaults.attachment_max_bytes;
    start(std::move(owned));
  }
}

void AttachmentCrawl::start(std::unique_ptr<Job> owned) {
  Job* job = owned.get();
  job->validators = db::attachment_validators(conn_, *options_.privacy, job->source, job->url);
  job->pipe = std::make_unique<AttachmentPipe>(kPipeBytes, [job](const ResponseHead& h) -> std::string {
    if (std::string why = refuse_content_type(h.content_type); !why.empty()) return why;
    if (h.content_length > job->max_bytes) {
      return "larger (" + std::to_string(h.content_length) + " bytes) than " +
             (job->capped_by_budget ? "what is left of the source's attachment_budget_bytes"
                                    : "attachment_max_bytes") +
             " (" + megabytes(job->max_bytes) + ")";
    }
    if (job->validators && unchanged(h, *job->validators)) return kUnchanged;
    return "";
  });
  const db::AttachmentScanner& scanner = options_.attachment_scanner;
  job->scanner = std::thread([job, &scanner] {
    try {
      job->scan = scanner([job](char* out, std::size_t size) { return job->pipe->read(out, size); });
    } catch (const std::exception& e) {
      job->scan.complete = false;
      job->scan.notices.push_back(std::string("scan failed: ") + e.what());
    }
    job->pipe->abandon();  // a scan that stopped early stops the download too
    job->scanned = true;
  });
  FetchRequest request;
  request.id = kIdBit | next_id_++;
  request.url = job->url;
  request.profile = job->profile;
  request.sink = job->pipe.get();
  request.max_bytes = job->max_bytes;
  request.timeout_s = options_.defaults.attachment_timeout_s;
  if (job->validators) {
    request.etag = job->validators->etag;
    request.last_modified = job->validators->last_modified;
  }
  running_.emplace(request.id, std::move(owned));
  fetcher_.submit(std::move(request));
}

bool AttachmentCrawl::handle(FetchResult& result) {
  if ((result.id & kIdBit) == 0) return false;
  auto it = running_.find(result.id);
  if (it == running_.end()) return true;
  Job& job = *it->second;
  job.pipe->close(!result.ok());
  job.fetched = std::move(result);
  return true;
}

void AttachmentCrawl::finish(Job& job) {
  const FetchResult& r = *job.fetched;
  used_[job.source] += r.body_bytes;
  stats_.bytes += static_cast<uint64_t>(r.body_bytes);
  db::AttachmentRecord record;
  record.source = job.source;
  record.url = job.url;
  record.listing_url = job.listing_url;
  record.validators = {r.etag, r.last_modified, -1};
  record.content_type = r.content_type;
  const std::string sniffed = job.pipe->refused();
  const bool unchanged_200 = r.error == FetchError::kRefused && r.message.ends_with(kUnchanged);
  if (r.not_modified() || unchanged_200) {
    record.not_modified = true;
    if (job.validators) {
      if (record.validators.etag.empty()) record.validators.etag = job.validators->etag;
      if (record.validators.last_modified.empty())
        record.validators.last_modified = job.validators->last_modified;
      record.validators.size = job.validators->size;
    }
    ++stats_.not_modified;
  } else if (!sniffed.empty() || r.error == FetchError::kRefused) {
    ++stats_.skipped;
    say("attachment " + job.url +
        ": not fetched: " + (sniffed.empty() ? r.message.substr(r.message.rfind(": ") + 2) : sniffed));
    return;
  } else if (!r.ok()) {
    ++stats_.failed;
    say("attachment " + r.message);
    return;
  } else {
    record.bytes = r.body_bytes;
    record.complete = !r.truncated && job.scan.complete;
    if (!r.truncated) record.validators.size = r.body_bytes;
    if (r.truncated && r.body_bytes >= job.max_bytes) {
      record.error = "cut at " + megabytes(job.max_bytes) + " (" +
                     (job.capped_by_budget ? "attachment_budget_bytes" : "attachment_max_bytes") +
                     "); the part before was scanned";
    } else if (r.truncated) {
      record.error = "the download broke off after " + std::to_string(r.body_bytes) + " bytes";
    } else if (!job.scan.notices.empty()) {
      record.error = job.scan.notices.front();
    }
    if (!record.error.empty()) say("attachment " + job.url + ": " + record.error);
    record.scan = &job.scan;
    stats_.sightings += static_cast<int64_t>(job.scan.sightings.size());
    ++stats_.fetched;
  }
  if (!db::store_attachment(conn_, *options_.privacy, record)) {
    say("attachment " + job.url + ": the page that linked it is not stored; not recorded");
  }
}

}  // namespace leakwatch::crawler
