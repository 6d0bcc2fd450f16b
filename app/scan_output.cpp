#include "app/scan_output.h"

#include <charconv>
#include <cstdio>
#include <cstring>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <nlohmann/json.hpp>

#include "core/utf8.h"

namespace leakwatch::app {

std::string json_string_literal(const std::string& text) {
  // Once per member: nlohmann's replacing error handler is the one place an
  // invalid byte is turned into U+FFFD.
  return nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

namespace {

// Whether RapidJSON's Writer puts `s` out as it is, between quotes: valid
// UTF-8 (checked, not escaped: UTF-8 in, UTF-8 out) without a byte it
// escapes (a control character, '"', '\\'; its table in writer.h).
bool written_as_is(std::string_view s) {
  for (const char c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || c == '"' || c == '\\') return false;
  }
  return is_valid_utf8(s);
}

}  // namespace

bool ScanPrinter::format_json_as_is(const ScanPlace& place, const extract::FoundIdentifier& hit,
                                    std::string* out) const {
  // `scan --all` prints millions of lines whose strings (a kind, a mask, a
  // normalized identifier; the file's literal is made once per member) the
  // writer would copy unchanged: the line it would write is put together
  // here, sized once, as the text format is. Anything it would escape or
  // check goes to the writer (format_json).
  if (!all_ || !written_as_is(hit.masked) || !written_as_is(hit.identifier.value)) return false;
  const std::string_view kind = identity::kind_name(hit.identifier.kind);
  char number[24];
  const std::string_view line(
      number,
      static_cast<std::size_t>(std::to_chars(number, number + sizeof number, hit.record + 1).ptr - number));
  const std::string_view member_key = place.member.empty() ? std::string_view() : ",\"member\":";
  constexpr std::string_view kKind = "{\"kind\":\"";
  constexpr std::string_view kMasked = "\",\"masked\":\"";
  constexpr std::string_view kFile = "\",\"file\":";
  constexpr std::string_view kLine = ",\"line\":";
  constexpr std::string_view kValue = ",\"value\":\"";
  constexpr std::string_view kEnd = "\"}\n";
  const std::string_view pieces[] = {
      kKind, kind, kMasked, hit.masked,           kFile, place.json_file, member_key, place.json_member,
      kLine, line, kValue,  hit.identifier.value, kEnd};
  std::size_t size = 0;
  for (const std::string_view piece : pieces) size += piece.size();
  std::size_t at = out->size();
  out->resize(at + size);
  char* p = out->data() + at;
  for (const std::string_view piece : pieces) {
    std::memcpy(p, piece.data(), piece.size());
    p += piece.size();
  }
  return true;
}

void ScanPrinter::format_json(const ScanPlace& place, const extract::FoundIdentifier& hit,
                              const std::string* customer_id, std::string* out) const {
  if (customer_id == nullptr && format_json_as_is(place, hit, out)) return;
  // RapidJSON's streaming Writer, one per thread and reset per line: no
  // object is built, each value is escaped straight into the buffer. The
  // values are normalized identifiers and database text, hence UTF-8; they
  // are checked here, once (RapidJSON's own check, kWriteValidateEncodingFlag,
  // walks them a code point at a time and was a sixth of `scan --all
  // --format json`), and a line with invalid UTF-8 is written by nlohmann,
  // replacing it.
  if (!is_valid_utf8(hit.masked) || !is_valid_utf8(hit.identifier.value) ||
      (customer_id != nullptr && !is_valid_utf8(*customer_id))) {
    format_json_replacing(place, hit, customer_id, out);
    return;
  }
  thread_local rapidjson::StringBuffer buffer;
  thread_local rapidjson::Writer<rapidjson::StringBuffer> writer;
  buffer.Clear();
  writer.Reset(buffer);
  const std::string_view kind = identity::kind_name(hit.identifier.kind);
  auto string = [](auto& w, std::string_view s) {
    return w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  };
  bool ok = writer.StartObject();
  ok = ok && writer.Key("kind") && string(writer, kind);
  ok = ok && writer.Key("masked") && string(writer, hit.masked);
  ok = ok && writer.Key("file") &&
       writer.RawValue(place.json_file.data(), place.json_file.size(), rapidjson::kStringType);
  if (!place.member.empty()) {
    ok = ok && writer.Key("member") &&
         writer.RawValue(place.json_member.data(), place.json_member.size(), rapidjson::kStringType);
  }
  ok = ok && writer.Key("line") && writer.Uint64(hit.record + 1);
  if (customer_id != nullptr) ok = ok && writer.Key("customer_id") && string(writer, *customer_id);
  if (all_) ok = ok && writer.Key("value") && string(writer, hit.identifier.value);
  ok = ok && writer.EndObject();
  if (!ok) {
    format_json_replacing(place, hit, customer_id, out);
    return;
  }
  out->append(buffer.GetString(), buffer.GetSize());
  *out += '\n';
}

void ScanPrinter::format_json_replacing(const ScanPlace& place, const extract::FoundIdentifier& hit,
                                        const std::string* customer_id, std::string* out) const {
  nlohmann::ordered_json json;
  json["kind"] = identity::kind_name(hit.identifier.kind);
  json["masked"] = hit.masked;
  json["file"] = place.file;
  if (!place.member.empty()) json["member"] = place.member;
  json["line"] = hit.record + 1;
  if (customer_id != nullptr) json["customer_id"] = *customer_id;
  if (all_) json["value"] = hit.identifier.value;
  *out += json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  *out += '\n';
}

void ScanPrinter::format(const ScanPlace& place, const extract::FoundIdentifier& hit,
                         const std::string* customer_id, std::string* out) const {
  if (json_) {
    format_json(place, hit, customer_id, out);
    return;
  }
  // Sized once and copied in: this runs for every identifier of `scan --all`.
  std::string_view kind = identity::kind_name(hit.identifier.kind);
  char number[24];
  const std::string_view digits(
      number,
      static_cast<std::size_t>(std::to_chars(number, number + sizeof number, hit.record + 1).ptr - number));
  const std::string_view second =
      all_ ? std::string_view(hit.identifier.value) : std::string_view(hit.masked);
  const std::string_view third = all_ ? std::string_view() : std::string_view(*customer_id);
  const std::string_view where =
      with_filename_ ? std::string_view(place.label) : std::string_view(place.member);
  const std::size_t size = (where.empty() ? 0 : where.size() + 1) + digits.size() + kind.size() +
                           second.size() + third.size() + (all_ ? 3 : 4);
  std::size_t at = out->size();
  out->resize(at + size);
  char* p = out->data() + at;
  auto put = [&p](std::string_view piece, char after) {
    std::memcpy(p, piece.data(), piece.size());
    p += piece.size();
    *p++ = after;
  };
  if (!where.empty()) put(where, ':');
  put(digits, '\t');
  put(kind, '\t');
  if (all_) {
    put(second, '\n');
  } else {
    put(second, '\t');
    put(third, '\n');
  }
}

std::string describe_totals(const ScanTotals& t, bool all, double seconds, bool detailed) {
  char rate[64];
  std::snprintf(rate, sizeof rate, "%.1f s, %.1f MB/s", seconds,
                seconds > 0 ? static_cast<double>(t.bytes) / 1e6 / seconds : 0.0);
  const std::string found =
      all ? std::to_string(t.identifiers) + " identifiers"
          : std::to_string(t.matches) + " matches in " + std::to_string(t.identifiers) + " identifiers";
  std::string line = "leakwatch scan: " + found + "; " + std::to_string(t.bytes) + " bytes, " +
                     std::to_string(t.lines) + " lines in " + std::to_string(t.inputs) + " input(s)";
  if (t.archives > 0) {
    line += " (" + std::to_string(t.archives) + " compressed or archived, " + std::to_string(t.members) +
            " members)";
  }
  line += "; " + std::string(rate);
  if (t.errors > 0) line += "; " + std::to_string(t.errors) + " unread (see above)";
  if (!detailed) return line;
  line += "\n  bytes        " + std::to_string(t.bytes) + "  (text scanned, after decompression)";
  line += "\n  lines        " + std::to_string(t.lines);
  line += "\n  identifiers  " + std::to_string(t.identifiers) + "  (" + std::to_string(t.emails) +
          " email, " + std::to_string(t.phones) + " phone)";
  line += "\n  matches      " + std::to_string(all ? t.identifiers : t.matches) +
          (all ? "  (--all: every identifier is printed)" : "  (lines printed: customer, identifier)");
  line += "\n  unread       " + std::to_string(t.errors) + " error(s), " + std::to_string(t.warnings) +
          " warning(s) (encrypted entries and the like)";
  line +=
      "\n  skipped on purpose, not counted: reserved documentation domains (example.com, .example, .test, "
      ".invalid, .localhost), image names (logo@2x.png), numbers that are not valid phone numbers";
  return line;
}

}  // namespace leakwatch::app
