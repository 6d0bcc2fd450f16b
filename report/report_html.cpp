#include "report/report_html.h"

#include <openssl/evp.h>

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

namespace leakwatch::report {
namespace {

// The only script on the page: sorts the table by the clicked column. It
// moves rows and compares textContent; it never parses markup.
constexpr std::string_view kSortScript = R"js(
(function () {
  var table = document.getElementById('exposures');
  if (!table || !table.tHead) return;
  table.setAttribute('data-sortable', 'yes');
  var heads = table.tHead.rows[0].cells;
  Array.prototype.forEach.call(heads, function (head, col) {
    head.addEventListener('click', function () {
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      var ascending = head.getAttribute('aria-sort') !== 'ascending';
      Array.prototype.forEach.call(heads, function (h) { h.removeAttribute('aria-sort'); });
      head.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
      rows.sort(function (a, b) {
        var x = a.cells[col].textContent, y = b.cells[col].textContent;
        return ascending ? x.localeCompare(y) : y.localeCompare(x);
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
})();
)js";

constexpr std::string_view kStyle = R"css(
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#1d2329;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px}
.meta{color:#5b6670;margin:0 0 16px}
.figures{display:flex;flex-wrap:wrap;gap:12px}
.figure{border:1px solid #d5dbe1;border-radius:6px;padding:10px 16px;min-width:120px}
.figure b{display:block;font-size:24px}.figure span{color:#5b6670}
.charts{display:flex;flex-wrap:wrap;gap:24px}
svg text{font:11px system-ui,sans-serif;fill:#1d2329}
table{border-collapse:collapse;width:100%;margin-top:8px}
th,td{border-bottom:1px solid #e3e7eb;padding:4px 8px;text-align:left;vertical-align:top}
td.nowrap{white-space:nowrap}td.text{overflow-wrap:anywhere}td.url{word-break:break-all}
th{background:#f3f5f7;cursor:pointer;user-select:none;white-space:nowrap}
th[aria-sort=ascending]::after{content:" \25B2"}th[aria-sort=descending]::after{content:" \25BC"}
td.confirmed{color:#b00020;font-weight:600}
.empty{color:#5b6670;font-style:italic}
)css";

constexpr const char* kPalette[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
constexpr size_t kTopListings = 10;
constexpr size_t kLabelChars = 48;

// Length of the valid UTF-8 sequence at s[i], or 0.
size_t utf8_sequence(std::string_view s, size_t i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 0;
  }
  return n;
}

// At most `chars` code points of `text`, with "…" when cut.
std::string shorten(std::string_view text, size_t chars) {
  size_t i = 0, count = 0;
  while (i < text.size() && count < chars) {
    size_t n = utf8_sequence(text, i);
    i += n ? n : 1;
    ++count;
  }
  if (i >= text.size()) return std::string(text);
  return std::string(text.substr(0, i)) + "\xE2\x80\xA6";
}

std::string base64_sha256(std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha256(), nullptr);
  unsigned char encoded[4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1];
  int n = EVP_EncodeBlock(encoded, digest, static_cast<int>(length));
  return std::string(reinterpret_cast<char*>(encoded), static_cast<size_t>(n));
}

std::string listing_label(const ExposureRow& row) {
  return shorten(row.title && !row.title->empty() ? *row.title : row.url, kLabelChars);
}

void write_figures(std::ostream& out, const std::vector<ExposureRow>& rows) {
  std::set<std::string> customers, listings, sources;
  size_t confirmed = 0;
  std::string first, last;
  for (const auto& r : rows) {
    customers.insert(r.customer_id);
    listings.insert(r.url);
    sources.insert(r.source);
    if (r.confidence == "confirmed") ++confirmed;
    if (first.empty() || r.first_seen < first) first = r.first_seen;
    if (last.empty() || r.last_seen > last) last = r.last_seen;
  }
  auto figure = [&](const std::string& value, std::string_view label) {
    out << "<div class=\"figure\"><b>" << html_escape(value) << "</b><span>" << label << "</span></div>\n";
  };
  out << "<section class=\"figures\">\n";
  figure(std::to_string(customers.size()), "customers exposed");
  figure(std::to_string(rows.size()), "exposures");
  figure(std::to_string(confirmed), "confirmed (2+ identifiers or name in one record)");
  figure(std::to_string(listings.size()), "listings");
  figure(std::to_string(sources.size()), "sources");
  figure(rows.empty() ? "-" : first.substr(0, 10) + " \xE2\x80\x93 " + last.substr(0, 10),
         "first to last seen");
  out << "</section>\n";
}

// Stacked bars: new exposures (by first_seen day) per source.
void write_timeline(std::ostream& out, const std::vector<ExposureRow>& rows) {
  std::map<std::string, std::map<std::string, int>> by_day;  // day -> source -> count
  std::vector<std::string> sources;
  for (const auto& r : rows) {
    ++by_day[r.first_seen.substr(0, 10)][r.source];
    if (std::find(sources.begin(), sources.end(), r.source) == sources.end()) sources.push_back(r.source);
  }
  std::sort(sources.begin(), sources.end());
  int peak = 1;
  for (const auto& [day, counts] : by_day) {
    int total = 0;
    for (const auto& [s, n] : counts) total += n;
    peak = std::max(peak, total);
  }
  const int width = 560, height = 260, left = 40, top = 16, plot_w = width - left - 10, plot_h = 180;
  out << "<figure><figcaption>New exposures per day, by source</figcaption>\n"
      << "<svg role=\"img\" aria-label=\"New exposures per day by source\" width=\"" << width
      << "\" height=\"" << height << "\" viewBox=\"0 0 " << width << " " << height << "\">\n";
  out << "<line x1=\"" << left << "\" y1=\"" << top + plot_h << "\" x2=\"" << left + plot_w << "\" y2=\""
      << top + plot_h << "\" stroke=\"#888\"/>\n";
  out << "<text x=\"" << left - 4 << "\" y=\"" << top + 4 << "\" text-anchor=\"end\">" << peak << "</text>\n";
  out << "<text x=\"" << left - 4 << "\" y=\"" << top + plot_h << "\" text-anchor=\"end\">0</text>\n";
  const double slot = by_day.empty() ? plot_w : static_cast<double>(plot_w) / by_day.size();
  const double bar = std::max(1.0, std::min(slot * 0.8, 60.0));
  size_t i = 0;
  for (const auto& [day, counts] : by_day) {
    double x = left + slot * i + (slot - bar) / 2;
    double y = top + plot_h;
    for (size_t s = 0; s < sources.size(); ++s) {
      auto it = counts.find(sources[s]);
      if (it == counts.end()) continue;
      double h = static_cast<double>(plot_h) * it->second / peak;
      y -= h;
      out << "<rect x=\"" << x << "\" y=\"" << y << "\" width=\"" << bar << "\" height=\"" << h
          << "\" fill=\"" << kPalette[s % std::size(kPalette)] << "\"><title>" << html_escape(day) << " "
          << html_escape(sources[s]) << ": " << it->second << "</title></rect>\n";
    }
    if (i == 0 || i + 1 == by_day.size() || by_day.size() <= 8) {
      out << "<text x=\"" << x + bar / 2 << "\" y=\"" << top + plot_h + 14 << "\" text-anchor=\"middle\">"
          << html_escape(day) << "</text>\n";
    }
    ++i;
  }
  for (size_t s = 0; s < sources.size(); ++s) {
    int lx = left + static_cast<int>(s % 4) * 130, ly = top + plot_h + 32 + static_cast<int>(s / 4) * 16;
    out << "<rect x=\"" << lx << "\" y=\"" << ly - 9 << "\" width=\"10\" height=\"10\" fill=\""
        << kPalette[s % std::size(kPalette)] << "\"/><text x=\"" << lx + 14 << "\" y=\"" << ly << "\">"
        << html_escape(shorten(sources[s], 18)) << "</text>\n";
  }
  out << "</svg></figure>\n";
}

// Horizontal bars: the listings holding the most exposures.
void write_top_listings(std::ostream& out, const std::vector<ExposureRow>& rows) {
  std::map<std::string, std::pair<int, std::string>> by_url;  // url -> (count, label)
  for (const auto& r : rows) {
    auto& entry = by_url[r.url];
    ++entry.first;
    if (entry.second.empty()) entry.second = listing_label(r);
  }
  std::vector<std::pair<std::string, std::pair<int, std::string>>> top(by_url.begin(), by_url.end());
  std::stable_sort(top.begin(), top.end(),
                   [](const auto& a, const auto& b) { return a.second.first > b.second.first; });
  if (top.size() > kTopListings) top.resize(kTopListings);
  const int peak = top.empty() ? 1 : top.front().second.first;
  const int label_w = 300, bar_w = 200, row_h = 22, width = label_w + bar_w + 50;
  const int height = std::max(1, static_cast<int>(top.size())) * row_h + 8;
  out << "<figure><figcaption>Top listings by exposures</figcaption>\n"
      << "<svg role=\"img\" aria-label=\"Top listings by exposures\" width=\"" << width << "\" height=\""
      << height << "\" viewBox=\"0 0 " << width << " " << height << "\">\n";
  int y = 4;
  for (const auto& [url, entry] : top) {
    double w = static_cast<double>(bar_w) * entry.first / peak;
    out << "<text x=\"" << label_w - 6 << "\" y=\"" << y + 14 << "\" text-anchor=\"end\">"
        << html_escape(entry.second) << "<title>" << html_escape(url) << "</title></text>\n"
        << "<rect x=\"" << label_w << "\" y=\"" << y + 3 << "\" width=\"" << w << "\" height=\"" << row_h - 6
        << "\" fill=\"#d62728\"/><text x=\"" << label_w + w + 4 << "\" y=\"" << y + 14 << "\">" << entry.first
        << "</text>\n";
    y += row_h;
  }
  out << "</svg></figure>\n";
}

void write_table(std::ostream& out, const std::vector<ExposureRow>& rows) {
  static constexpr const char* kColumns[] = {"Customer",   "Kind",      "Identifier", "Source",
                                             "Listing",    "Price",     "Seller",     "URL",
                                             "First seen", "Last seen", "Confidence"};
  out << "<table id=\"exposures\"><thead><tr>";
  for (const char* c : kColumns) out << "<th scope=\"col\">" << c << "</th>";
  out << "</tr></thead>\n<tbody>\n";
  // Identifiers, phone numbers, prices and dates stay on one line (a masked
  // phone split after "+86138" reads as two numbers); listing text wraps, and
  // a URL, one long word, may break anywhere.
  auto cell = [&out](std::string_view cls, std::string_view text) {
    out << "<td class=\"" << cls << "\">" << html_escape(text) << "</td>";
  };
  for (const auto& r : rows) {
    out << "<tr>";
    cell("nowrap", r.customer_id);
    cell("nowrap", r.kind);
    cell("nowrap", r.masked);
    cell("nowrap", r.source);
    cell("text", r.title.value_or(""));
    cell("nowrap", r.price.value_or(""));
    cell("text", r.seller.value_or(""));
    // The chain: listing -> the file it linked, member and line.
    cell("url", r.attachment ? r.url + " \u2192 " + attachment_chain(r) : r.url);
    cell("nowrap", r.first_seen);
    cell("nowrap", r.last_seen);
    cell(r.confidence == "confirmed" ? "nowrap confirmed" : "nowrap single", r.confidence);
    out << "</tr>\n";
  }
  out << "</tbody></table>\n";
}

}  // namespace

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (size_t i = 0; i < text.size();) {
    size_t n = utf8_sequence(text, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD for a byte that is not UTF-8
      ++i;
      continue;
    }
    if (n == 1) {
      char c = text[i];
      switch (c) {
        case '&':
          out += "&amp;";
          break;
        case '<':
          out += "&lt;";
          break;
        case '>':
          out += "&gt;";
          break;
        case '"':
          out += "&quot;";
          break;
        case '\'':
          out += "&#39;";
          break;
        case '\t':
        case '\n':
          out += ' ';
          break;
        default:
          if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
            out += "\xEF\xBF\xBD";
          } else {
            out += c;
          }
      }
    } else {
      out.append(text.substr(i, n));
    }
    i += n;
  }
  return out;
}

void write_report_html(std::ostream& out, const std::vector<ExposureRow>& rows, const HtmlReportInfo& info) {
  out << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
      << "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src "
         "'unsafe-inline'; "
         "script-src 'sha256-"
      << base64_sha256(kSortScript) << "'; img-src 'none'; base-uri 'none'; form-action 'none'\">\n"
      << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      << "<title>leakwatch exposure report</title>\n<style>" << kStyle << "</style></head><body>\n"
      << "<h1>leakwatch exposure report</h1>\n<p class=\"meta\">" << html_escape(info.scope)
      << " \xC2\xB7 generated " << html_escape(info.generated_at)
      << " \xC2\xB7 identifiers are masked; listing text is shown as found</p>\n";
  write_figures(out, rows);
  if (rows.empty()) {
    out << "<p class=\"empty\">No exposures.</p>\n";
  } else {
    out << "<h2>Charts</h2><section class=\"charts\">\n";
    write_timeline(out, rows);
    write_top_listings(out, rows);
    out << "</section>\n<h2>Exposures</h2><p class=\"meta\">Click a column heading to sort.</p>\n";
    write_table(out, rows);
  }
  out << "<script>" << kSortScript << "</script>\n</body></html>\n";
}

}  // namespace leakwatch::report
