// Response headers and body as they arrive: the status line, the headers we
// keep (Content-Type, ETag, Last-Modified), the refusal of non-text bodies
// before their first byte, and the cap on decoded body bytes.
#include <cctype>
#include <cstdlib>

#include "crawler/fetcher_impl.h"

namespace leakwatch::crawler {
namespace fetch_detail {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

bool is_text_type(std::string_view content_type) {
  std::string mime = lower(trim(content_type.substr(0, content_type.find(';'))));
  return mime.empty() || mime == "text/html" || mime == "application/xhtml+xml" || mime == "text/plain" ||
         mime == "text/csv";
}

}  // namespace fetch_detail

using namespace fetch_detail;

size_t Fetcher::Impl::on_header(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = size * count;
  std::string_view line(data, n);
  if (line.starts_with("HTTP/")) {
    t->reset_response();
    auto space = line.find(' ');
    if (space != std::string_view::npos)
      t->status = std::atol(std::string(line.substr(space + 1, 3)).c_str());
    return n;
  }
  std::string_view value = trim(line);
  if (value.empty()) {
    // End of one response's headers: refuse a non-text body before it comes.
    if (t->status >= 200 && t->status < 300 && !is_text_type(t->content_type)) {
      t->not_text = true;
      return 0;
    }
    return n;
  }
  auto colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  std::string name = lower(trim(line.substr(0, colon)));
  std::string_view v = trim(line.substr(colon + 1));
  if (name == "content-type") {
    t->content_type = v;
  } else if (name == "etag") {
    t->etag = v;
  } else if (name == "last-modified") {
    t->last_modified = v;
  }
  return n;
}

size_t Fetcher::Impl::on_body(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = size * count;
  if (t->status >= 300 && t->status < 400) return n;  // redirect bodies are noise
  size_t cap = (t->status >= 200 && t->status < 300) ? static_cast<size_t>(t->max_bytes)
                                                     : std::min<size_t>(kErrorBodyBytes, t->max_bytes);
  if (t->body.size() + n > cap) {
    t->body.append(data, cap - t->body.size());
    t->truncated = true;
    return 0;  // abort: the cap applies to decoded bytes, as they arrive
  }
  t->body.append(data, n);
  return n;
}

}  // namespace leakwatch::crawler
