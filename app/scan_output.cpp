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

void ScanPrinter::format_json(const ScanPlace& place, const extract::FoundIdentifier& hit,
                              const std::string* customer_id, std::string* out) const {
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
  const extract::SkipCounts& k = t.skipped;
  line += "\n  skipped      " + std::to_string(k.reserved_domains + k.file_names + k.invalid_numbers) +
          " on purpose (neither printed nor counted above):";
  line += "\n    reserved domains  " + std::to_string(k.reserved_domains) +
          "  (addresses at example.com, .example, .test, .invalid, .localhost, .onion: documentation and "
          "special-use names)";
  line += "\n    file names        " + std::to_string(k.file_names) + "  (logo@2x.png: no address)";
  line += "\n    invalid numbers   " + std::to_string(k.invalid_numbers) +
          "  (7 to 17 digits that no default region reads as a valid phone number: dates, order numbers, "
          "numbers out of service)";
  return line;
}

}  // namespace leakwatch::app
