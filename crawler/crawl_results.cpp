#include <algorithm>
#include <string>

#include "core/errors.h"
#include "crawler/crawl_pass.h"

namespace leakwatch::crawler::crawl_detail {
namespace {

// After the scheme's "://", the error's cause (fetch messages are "fetch URL: cause").
std::string cause_of(const std::string& message) {
  auto pos = message.find(": ");
  return pos == std::string::npos ? message : message.substr(pos + 2);
}

}  // namespace

void CrawlPass::handle(FetchResult&& r) {
  if (attachments_.handle(r)) return;
  auto node = in_flight_.extract(r.id);
  if (node.empty()) return;
  LeasedUrl leased = std::move(node.mapped());
  SourceRun& run = *by_name_.at(leased.source);
  --run.pending;
  stats_.bytes += r.body.size();

  Outcome o;
  o.frontier_id = leased.id;
  o.source = leased.source;
  o.http_status = static_cast<int>(r.status);
  if (!r.ok()) {
    handle_failure(run, leased, r, o);
    add_outcome(std::move(o));
    return;
  }
  if (r.not_modified()) {
    o.kind = Outcome::Kind::kNotModified;
    stats_.not_modified++;
    run.stats.fetched++;
    add_outcome(std::move(o));
    return;
  }
  ParseJob job;
  job.id = r.id;
  job.body = std::move(r.body);
  job.content_type = r.content_type;
  job.final_url = r.final_url;
  job.options = &run.parsing;
  job.want_links = leased.depth < run.options->max_depth;
  int64_t bytes = static_cast<int64_t>(job.body.size());
  parsers_.submit(std::move(job));
  parsing_.emplace(r.id, Parsing{std::move(leased), std::move(r), bytes});
}

void CrawlPass::handle_failure(SourceRun& run, const LeasedUrl& leased, FetchResult& r, Outcome& o) {
  if (first_error_.empty()) first_error_ = r.message;
  switch (r.error) {
    case FetchError::kProxyUnreachable:
      throw RuntimeError("source " + leased.source + ": " + cause_of(r.message));
    case FetchError::kLoginWall:
      o.kind = Outcome::Kind::kLoginWall;
      o.login_url = r.login_url;
      o.error = "redirected to a login page";
      break;
    case FetchError::kNotText:
      if (attachments_.adopt(leased.source, leased.url, r.content_type)) {
        // A link without a file's name that answers with a file's type: an
        // attachment of the listing that linked it, never a page.
        o.kind = Outcome::Kind::kSkipped;
        o.error = "a file (" + r.content_type + "): fetched as an attachment of the page that linked it";
        break;
      }
      [[fallthrough]];
    case FetchError::kRedirectOutOfScope:
      o.kind = Outcome::Kind::kSkipped;
      o.error = cause_of(r.message);
      stats_.skipped++;
      count_error(run, std::string(to_string(r.error)), r.message);
      break;
    case FetchError::kRateLimited:
      o.kind = Outcome::Kind::kRetryLater;
      o.retry_after_s = std::max(1, r.retry_after_s);
      o.error = cause_of(r.message);
      stats_.deferred++;
      count_error(run, std::string(to_string(r.error)), r.message);
      break;
    case FetchError::kHttpStatus:
      o.kind = Outcome::Kind::kFailed;
      o.error = cause_of(r.message);
      stats_.failed++;
      count_error(run, "HTTP " + std::to_string(r.status), r.message);
      break;
    default:
      o.kind = Outcome::Kind::kFailed;
      o.error = cause_of(r.message);
      stats_.failed++;
      count_error(run, std::string(to_string(r.error)), r.message);
      break;
  }
}

void CrawlPass::handle_parsed(ParseResult&& result) {
  auto node = parsing_.extract(result.id);
  if (node.empty()) return;
  if (result.error) std::rethrow_exception(result.error);
  Parsing& p = node.mapped();
  const FetchResult& r = p.fetched;
  SourceRun& run = *by_name_.at(p.leased.source);
  ParsedPage& parsed = result.page;

  Outcome o;
  o.frontier_id = p.leased.id;
  o.source = p.leased.source;
  o.http_status = static_cast<int>(r.status);
  if (parsed.login_wall) {
    o.kind = Outcome::Kind::kLoginWall;
    o.login_url = r.final_url;
    o.error = "the page asks for a login (password form or expired session)";
    add_outcome(std::move(o));
    return;
  }
  FetchedPage page;
  page.url = p.leased.url;
  page.final_url = r.final_url;
  page.status = static_cast<int>(r.status);
  page.content_type = r.content_type.empty() ? "text/html" : r.content_type;
  page.charset = std::move(parsed.charset);
  page.bytes = p.bytes;
  page.truncated = r.truncated;
  page.title = std::move(parsed.title);
  page.listing_title = std::move(parsed.listing_title);
  page.price = std::move(parsed.price);
  page.seller = std::move(parsed.seller);
  page.text = std::move(parsed.text);
  page.content_hash = std::move(parsed.content_hash);
  o.kind = Outcome::Kind::kFetched;
  o.etag = r.etag;
  o.last_modified = r.last_modified;
  run.params->observe(p.leased.url, page.content_hash);
  o.page = std::move(page);
  stats_.fetched++;
  run.stats.fetched++;
  add_outcome(std::move(o));
  attachments_.take(*run.options, &run.profile, p.leased.url, parsed.links);
  if (!parsed.links.empty()) add_links(run, p.leased.depth + 1, std::move(parsed.links));
}

}  // namespace leakwatch::crawler::crawl_detail
