#include "crawler/attachment_types.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "crawler/parse/url.h"

namespace leakwatch::crawler {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string mime_of(std::string_view content_type) {
  std::string m = lower(content_type.substr(0, content_type.find(';')));
  while (!m.empty() && (m.back() == ' ' || m.back() == '\t')) m.pop_back();
  while (!m.empty() && (m.front() == ' ' || m.front() == '\t')) m.erase(0, 1);
  return m;
}

constexpr std::array<std::string_view, 17> kExtensions{".zip",  ".7z",    ".rar", ".gz",   ".tgz", ".bz2",
                                                       ".xz",   ".zst",   ".tar", ".txt",  ".csv", ".tsv",
                                                       ".json", ".jsonl", ".sql", ".xlsx", ".lzma"};

// Types that say "a file we read"; text/* other than HTML is read too.
constexpr std::array<std::string_view, 21> kTypes{
    "application/zip",
    "application/x-zip-compressed",
    "application/x-7z-compressed",
    "application/x-rar-compressed",
    "application/vnd.rar",
    "application/x-rar",
    "application/gzip",
    "application/x-gzip",
    "application/x-bzip2",
    "application/x-xz",
    "application/zstd",
    "application/x-tar",
    "application/x-gtar",
    "application/json",
    "application/x-ndjson",
    "application/sql",
    "application/x-sql",
    "application/csv",
    "application/x-lzma",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/x-compressed"};

// Types that say nothing: the first bytes decide.
constexpr std::array<std::string_view, 4> kGeneric{"", "application/octet-stream", "binary/octet-stream",
                                                   "application/download"};

}  // namespace

bool is_attachment_link(std::string_view url) {
  auto parts = parse_url(url);
  if (!parts) return false;
  std::string path = lower(parts->path);
  auto slash = path.rfind('/');
  std::string_view name =
      slash == std::string::npos ? std::string_view(path) : std::string_view(path).substr(slash + 1);
  return std::any_of(kExtensions.begin(), kExtensions.end(),
                     [&](std::string_view ext) { return name.size() > ext.size() && name.ends_with(ext); });
}

bool needs_sniffing(std::string_view content_type) {
  std::string m = mime_of(content_type);
  return std::find(kGeneric.begin(), kGeneric.end(), m) != kGeneric.end();
}

std::string refuse_content_type(std::string_view content_type) {
  std::string m = mime_of(content_type);
  if (needs_sniffing(m)) return "";
  if (m == "text/html" || m == "application/xhtml+xml") return "an HTML page, not a file";
  if (m.starts_with("text/")) return "";
  if (std::find(kTypes.begin(), kTypes.end(), m) != kTypes.end()) return "";
  return "not text, an archive or a sheet (" + m + ")";
}

std::string refuse_first_bytes(std::string_view first) {
  static constexpr std::array<std::string_view, 9> kMagic{std::string_view("PK\x03\x04", 4),
                                                          std::string_view("PK\x05\x06", 4),
                                                          std::string_view("7z\xBC\xAF\x27\x1C", 6),
                                                          std::string_view("Rar!\x1A\x07", 6),
                                                          std::string_view("\x1F\x8B", 2),
                                                          std::string_view("BZh", 3),
                                                          std::string_view("\xFD"
                                                                           "7zXZ\x00",
                                                                           6),
                                                          std::string_view("\x28\xB5\x2F\xFD", 4),
                                                          std::string_view("\x5D\x00\x00", 3)};
  for (auto magic : kMagic) {
    if (first.starts_with(magic)) return "";
  }
  if (first.size() > 262 && first.substr(257, 5) == "ustar") return "";
  // Text: no NUL byte and few control bytes (UTF-8 and legacy charsets pass).
  size_t control = 0;
  for (unsigned char c : first) {
    if (c == 0) return "binary content (not text, an archive or a sheet)";
    if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f') ++control;
  }
  if (control * 20 > first.size()) return "binary content (not text, an archive or a sheet)";
  return "";
}

std::string attachment_file_name(std::string_view url) {
  auto parts = parse_url(url);
  if (!parts) return std::string(url);
  std::string_view path = parts->path;
  auto slash = path.rfind('/');
  std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  return name.empty() ? parts->host : std::string(name);
}

}  // namespace leakwatch::crawler
