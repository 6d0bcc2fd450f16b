#include <doctest/doctest.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "extract/stream_scan.h"

#include "extractor_fixture.h"

namespace {

// What one scan of the whole text skips on purpose: the reference for the
// counts a stream scan adds up chunk by chunk (as "reserved/files/numbers").
std::string skipped_in(const std::string& text) {
  std::vector<std::size_t> newlines;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') newlines.push_back(i);
  }
  leakwatch::extract::SkipTally tally;
  extractor().scan(text, newlines, [](FoundIdentifier&&) {}, nullptr, 0, &tally);
  const auto& k = tally.counts;
  return std::to_string(k.reserved_domains) + "/" + std::to_string(k.file_names) + "/" +
         std::to_string(k.invalid_numbers);
}

std::string counts(const leakwatch::extract::SkipCounts& k) {
  return std::to_string(k.reserved_domains) + "/" + std::to_string(k.file_names) + "/" +
         std::to_string(k.invalid_numbers);
}

}  // namespace

TEST_CASE(
    "extractor: scan_stream gives the same identifiers, offsets and records as one scan, any thread count") {
  std::string text = "id,name,phone\n";
  for (int i = 0; i < 400; ++i) {
    text += std::to_string(i) + ",Li Na," + std::to_string(13812345000LL + i) + "\n";
    if (i % 7 == 0) text += "noise 2017-06-08 logo@2x.png zw" + std::to_string(i) + "@qq.com\n";
    if (i % 11 == 0) text += "see li.na@example.com or order 2017060812\n";
    if (i == 200) text += "uid|姓名|手机\n";
    if (i > 200 && i < 300 && i % 5 == 0) text += "9|张伟|+86 139 0000 " + std::to_string(1000 + i) + "\n";
    // Headers that move the name column, each followed by rows that need it.
    if (i >= 300 && i % 20 == 0) text += i % 40 == 0 ? "姓名\tuid\t手机\n" : "uid;phone;name\n";
    if (i >= 300 && i % 40 < 20)
      text += "王芳\t" + std::to_string(i) + "\t13700001" + std::to_string(100 + i) + "\n";
    if (i >= 300 && i % 40 >= 20)
      text += std::to_string(i) + ";13600002" + std::to_string(100 + i) + ";Zhou Jie\n";
  }
  text += "tail 13912345678";  // no final newline
  auto key = [](const FoundIdentifier& f) {
    return std::string(kind_name(f.identifier.kind)) + ":" + f.identifier.value + "@" +
           std::to_string(f.offset) + "#" + std::to_string(f.record);
  };
  std::vector<std::string> expected;
  extractor().scan(text, [&](const FoundIdentifier& f) { expected.push_back(key(f)); });
  REQUIRE(expected.size() > 500);
  // 58 file names, 37 example.com addresses, and 58 dates and 37 order
  // numbers that are no phone numbers.
  const std::string skipped = skipped_in(text);
  REQUIRE(skipped == "37/58/95");
  for (unsigned threads : {1u, 2u, 4u}) {
    for (std::size_t chunk : {std::size_t{50}, std::size_t{997}, std::size_t{4096}, std::size_t{1} << 20}) {
      CAPTURE(threads);
      CAPTURE(chunk);
      std::istringstream in(text);
      std::vector<std::string> got;
      leakwatch::extract::StreamScanOptions options;
      options.threads = threads;
      options.chunk_bytes = chunk;
      auto stats = leakwatch::extract::scan_stream(in, extractor(), options,
                                                   [&](const FoundIdentifier& f) { got.push_back(key(f)); });
      REQUIRE(stats);
      CHECK(stats->bytes == text.size());
      CHECK(stats->records == static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 1);
      CHECK(stats->identifiers == got.size());
      CHECK(got == expected);
      CHECK(counts(stats->skipped) == "0/0/0");  // not asked for: nothing counted

      // Counted, each skip once: chunks scanned again for a header (from
      // line 300 on) do not count their lines twice.
      options.count_skips = true;
      std::istringstream counted_in(text);
      auto counted = leakwatch::extract::scan_stream(counted_in, extractor(), options, [](FoundIdentifier&&) {});
      REQUIRE(counted);
      CHECK(counts(counted->skipped) == skipped);

      // Rendered on the workers, written in order: the same text.
      std::istringstream again(text);
      std::string written;
      auto rendered = leakwatch::extract::scan_stream_rendered(
          again, extractor(), options,
          [&](const FoundIdentifier& f, std::string* out) { *out += key(f) + "\n"; },
          [&](std::string_view chunk_text) { written += chunk_text; });
      REQUIRE(rendered);
      CHECK(rendered->identifiers == expected.size());
      CHECK(counts(rendered->skipped) == skipped);
      std::string joined;
      for (const auto& e : expected) joined += e + "\n";
      CHECK(written == joined);
    }
  }
}

TEST_CASE("extractor: scan_stream scans a line longer than a chunk in windows, with the same results") {
  // Records joined without newlines (a dump flattened to one line): every
  // window cut lands somewhere inside or between identifiers.
  std::string text;
  for (int i = 0; text.size() < 300000; ++i) {
    text += "uid=" + std::to_string(i) + " mail=li.na" + std::to_string(i) + "@qq.com tel=+86 138 " +
            std::to_string(1000 + i % 9000) + " " + std::to_string(1000 + i % 8999) + " 20170608" +
            (i % 3 == 0 ? " ; " : " ") + (i % 4 == 0 ? "x" + std::to_string(i) + "@x.test ref 2017060812 " : "");
  }
  text += "\nsecond line 13912345678\n";
  auto key = [](const FoundIdentifier& f) {
    return std::string(kind_name(f.identifier.kind)) + ":" + f.identifier.value + "@" +
           std::to_string(f.offset) + "#" + std::to_string(f.record);
  };
  std::vector<std::string> expected;
  extractor().scan(text, [&](const FoundIdentifier& f) { expected.push_back(key(f)); });
  REQUIRE(expected.size() > 8000);
  const std::string skipped = skipped_in(text);
  REQUIRE(skipped == "1086/0/1086");  // every fourth record: a .test address and an order number
  for (std::size_t chunk : {std::size_t{100}, std::size_t{997}, std::size_t{65536}}) {
    for (unsigned threads : {1u, 2u}) {
      CAPTURE(chunk);
      CAPTURE(threads);
      std::istringstream in(text);
      leakwatch::extract::StreamScanOptions options;
      options.chunk_bytes = chunk;
      options.threads = threads;
      options.count_skips = true;
      std::vector<std::string> got;
      auto stats = leakwatch::extract::scan_stream(in, extractor(), options,
                                                   [&](const FoundIdentifier& f) { got.push_back(key(f)); });
      REQUIRE(stats);
      CHECK(stats->bytes == text.size());
      CHECK(stats->records == 2);
      CHECK(got == expected);
      // Each window counts the skips that start in its own part only.
      CHECK(counts(stats->skipped) == skipped);
    }
  }
}
