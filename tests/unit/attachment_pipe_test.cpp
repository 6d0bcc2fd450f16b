// The hand-over of a download from the fetcher's thread to the scanner's
// (crawler/attachment_pipe.h), and what the scanner the crawl streams it
// through names as members (matcher/attachment_scan.h): from the user's
// side, the bytes that arrive, when the transfer must pause or stop, and the
// member paths and lines a sighting records.
#include <archive.h>
#include <archive_entry.h>
#include <doctest/doctest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "crawler/attachment_pipe.h"
#include "extract/extractor.h"
#include "identity/keyed_hash.h"
#include "matcher/attachment_scan.h"

using namespace leakwatch::crawler;
using Write = leakwatch::crawler::BodySink::Write;

namespace {

ResponseHead head(std::string content_type) {
  ResponseHead h;
  h.status = 200;
  h.content_type = std::move(content_type);
  return h;
}

AttachmentPipe::Accept take_all() {
  return [](const ResponseHead&) { return std::string(); };
}

// Writes `body` in `piece`-byte writes as a fetcher would: on kPause it
// waits until writable() and offers the same bytes again. Returns how the
// last write ended.
Write feed(AttachmentPipe& pipe, const std::string& body, std::size_t piece) {
  for (std::size_t at = 0; at < body.size();) {
    const std::string_view bytes = std::string_view(body).substr(at, piece);
    const Write w = pipe.write(bytes);
    if (w == Write::kStop) return w;
    if (w == Write::kPause) {
      while (!pipe.writable()) std::this_thread::yield();
      continue;
    }
    at += bytes.size();
  }
  return Write::kTaken;
}

std::string drain(AttachmentPipe& pipe, std::size_t read_size, std::ptrdiff_t* last) {
  std::string got;
  std::vector<char> buffer(read_size);
  while ((*last = pipe.read(buffer.data(), buffer.size())) > 0) got.append(buffer.data(), *last);
  return got;
}

std::string body_of(std::size_t size) {
  std::string s;
  for (std::size_t i = 0; s.size() < size; ++i)
    s += "line " + std::to_string(i) + " a" + std::to_string(i) + "@qq.com\n";
  s.resize(size);
  return s;
}

}  // namespace

TEST_CASE("attachment pipe: every byte written on the fetcher's thread is read, in order, on the scanner's") {
  const std::string body = body_of(3 << 20);
  for (std::size_t capacity : {std::size_t{1} << 10, std::size_t{64} << 10, std::size_t{8} << 20}) {
    for (std::size_t piece : {std::size_t{1000}, std::size_t{16384}}) {
      CAPTURE(capacity);
      CAPTURE(piece);
      AttachmentPipe pipe(capacity, take_all());
      REQUIRE(pipe.accept(head("application/zip")).empty());
      std::thread fetcher([&] {
        CHECK(feed(pipe, body, piece) == Write::kTaken);
        pipe.close(false);
      });
      std::ptrdiff_t last = 1;
      const std::string got = drain(pipe, 7777, &last);
      fetcher.join();
      CHECK(last == 0);  // the end of the data, not a failure
      CHECK(got.size() == body.size());
      CHECK(got == body);
    }
  }
}

TEST_CASE("attachment pipe: a full pipe pauses the transfer instead of growing, and resumes once half read") {
  AttachmentPipe pipe(1000, take_all());
  REQUIRE(pipe.accept(head("text/plain")).empty());
  CHECK(pipe.write(std::string(600, 'a')) == Write::kTaken);
  CHECK(pipe.write(std::string(300, 'b')) == Write::kTaken);
  CHECK(pipe.write(std::string(200, 'c')) == Write::kPause);  // 900 + 200 > 1000: nothing taken
  CHECK_FALSE(pipe.writable());
  std::vector<char> out(300);
  CHECK(pipe.read(out.data(), out.size()) == 300);
  CHECK_FALSE(pipe.writable());  // 600 still wait: more than half the capacity
  CHECK(pipe.read(out.data(), out.size()) == 300);
  CHECK(pipe.writable());
  CHECK(pipe.write(std::string(200, 'c')) == Write::kTaken);
  pipe.close(false);
  std::ptrdiff_t last = 1;
  CHECK(drain(pipe, 64, &last) == std::string(300, 'b') + std::string(200, 'c'));
  CHECK(last == 0);
}

TEST_CASE("attachment pipe: one write larger than the whole capacity still passes when nothing waits") {
  AttachmentPipe pipe(100, take_all());
  REQUIRE(pipe.accept(head("text/plain")).empty());
  CHECK(pipe.write(std::string(5000, 'x')) == Write::kTaken);
  CHECK(pipe.write("y") == Write::kPause);
  pipe.close(false);
  std::ptrdiff_t last = 1;
  CHECK(drain(pipe, 4096, &last) == std::string(5000, 'x'));
}

TEST_CASE("attachment pipe: a download that broke off gives its bytes, then a failure, never a clean end") {
  AttachmentPipe pipe(1 << 20, take_all());
  REQUIRE(pipe.accept(head("text/plain")).empty());
  CHECK(pipe.write("first part\n") == Write::kTaken);
  pipe.close(true);
  std::ptrdiff_t last = 0;
  CHECK(drain(pipe, 4, &last) == "first part\n");
  CHECK(last == -1);
  CHECK(pipe.write("late bytes") == Write::kStop);  // nothing is taken after the end
}

TEST_CASE("attachment pipe: a scanner that stops early stops the transfer at its next write") {
  AttachmentPipe pipe(100, take_all());
  REQUIRE(pipe.accept(head("application/gzip")).empty());
  CHECK(pipe.write(std::string(100, 'z')) == Write::kTaken);
  CHECK_FALSE(pipe.writable());
  pipe.abandon();
  CHECK(pipe.writable());  // a paused transfer wakes up, to be told to stop
  CHECK(pipe.write("more") == Write::kStop);
}

TEST_CASE("attachment pipe: the response is refused by what the crawl decides on its headers") {
  AttachmentPipe pipe(1 << 10, [](const ResponseHead& h) {
    return h.content_length > 100 ? std::string("larger than attachment_max_bytes") : std::string();
  });
  ResponseHead big = head("application/zip");
  big.content_length = 101;
  CHECK(pipe.accept(big) == "larger than attachment_max_bytes");
  ResponseHead small = head("application/zip");
  small.content_length = 100;
  CHECK(pipe.accept(small).empty());
}

TEST_CASE("attachment pipe: under a generic content type the first bytes decide; a named type is trusted") {
  using namespace std::string_literals;
  SUBCASE("an image behind application/octet-stream is stopped before any byte is taken") {
    AttachmentPipe pipe(1 << 10, take_all());
    REQUIRE(pipe.accept(head("application/octet-stream")).empty());
    CHECK(pipe.write("\x89PNG\r\n\x1A\n\x00\x00\x00\rIHDR"s) == Write::kStop);
    CHECK(pipe.refused() == "binary content (not text, an archive or a sheet)");
    pipe.close(false);
    std::ptrdiff_t last = 1;
    CHECK(drain(pipe, 64, &last).empty());
  }
  SUBCASE("a zip behind application/octet-stream, or no type at all, is taken") {
    for (const char* type : {"application/octet-stream", ""}) {
      AttachmentPipe pipe(1 << 10, take_all());
      REQUIRE(pipe.accept(head(type)).empty());
      CHECK(pipe.write("PK\x03\x04rest"s) == Write::kTaken);
      CHECK(pipe.refused().empty());
    }
  }
  SUBCASE("application/zip is not sniffed: its bytes are the scanner's to judge") {
    AttachmentPipe pipe(1 << 10, take_all());
    REQUIRE(pipe.accept(head("application/zip")).empty());
    CHECK(pipe.write("\x00\x01\x02\x03"s) == Write::kTaken);
    CHECK(pipe.refused().empty());
  }
}

namespace {

struct WriteFree {
  void operator()(struct archive* a) const noexcept { archive_write_free(a); }
};

// A zip of (path, content) pairs, written by libarchive into memory.
std::string zip_of(const std::vector<std::pair<std::string, std::string>>& files) {
  std::string out(1 << 20, '\0');
  std::size_t used = 0;
  std::unique_ptr<struct archive, WriteFree> a(archive_write_new());
  REQUIRE(archive_write_set_format_zip(a.get()) == ARCHIVE_OK);
  REQUIRE(archive_write_open_memory(a.get(), out.data(), out.size(), &used) == ARCHIVE_OK);
  for (const auto& [path, content] : files) {
    std::unique_ptr<struct archive_entry, void (*)(struct archive_entry*)> e(archive_entry_new(),
                                                                             archive_entry_free);
    archive_entry_set_pathname(e.get(), path.c_str());
    archive_entry_set_filetype(e.get(), AE_IFREG);
    archive_entry_set_perm(e.get(), 0644);
    archive_entry_set_size(e.get(), static_cast<la_int64_t>(content.size()));
    REQUIRE(archive_write_header(a.get(), e.get()) == ARCHIVE_OK);
    REQUIRE(archive_write_data(a.get(), content.data(), content.size()) ==
            static_cast<la_ssize_t>(content.size()));
  }
  REQUIRE(archive_write_close(a.get()) == ARCHIVE_OK);
  out.resize(used);
  return out;
}

// Streams `body` through a pipe into the crawl's attachment scanner, as a
// download does, and lists "member:line kind masked" per sighting.
std::vector<std::string> scan_download(const std::string& body) {
  static const leakwatch::extract::Extractor extractor{leakwatch::extract::ExtractorOptions{}};
  static const leakwatch::identity::HashKey key(std::vector<std::uint8_t>(32, 7));
  const auto scanner = leakwatch::matcher::make_attachment_scanner(extractor, key, 200 << 20);
  AttachmentPipe pipe(4096, take_all());
  REQUIRE(pipe.accept(head("application/octet-stream")).empty());
  std::thread fetcher([&] {
    feed(pipe, body, 1000);
    pipe.close(false);
  });
  const leakwatch::db::AttachmentScan scan =
      scanner([&](char* out, std::size_t size) { return pipe.read(out, size); });
  pipe.abandon();
  fetcher.join();
  CHECK(scan.complete);
  std::vector<std::string> found;
  for (const auto& s : scan.sightings) {
    if (s.kind != "name")
      found.push_back(s.member + ":" + std::to_string(s.line) + " " + s.kind + " " + s.masked);
  }
  return found;
}

}  // namespace

TEST_CASE("attachment pipe: a streamed zip's sightings name the member path, nested archives with '!'") {
  const std::string inner = zip_of({{"b.txt", "nothing\nnothing\nzhang.wei@163.com\n"}});
  const std::string outer = zip_of({{"readme.txt", "pass: 1234\n"},
                                    {"users/part1.csv", "id,email\n1,li.na@qq.com\n2,none\n3,13812345678\n"},
                                    {"more/inner.zip", inner}});
  const auto found = scan_download(outer);
  REQUIRE(found.size() == 3);
  CHECK(found[0].starts_with("users/part1.csv:2 email "));
  CHECK(found[1].starts_with("users/part1.csv:4 phone "));
  CHECK(found[2].starts_with("more/inner.zip!b.txt:3 email "));
  for (const auto& f : found) CHECK(f.find("li.na@qq.com") == std::string::npos);  // masked
}

TEST_CASE("attachment pipe: a plain-text download is its own member (\"\"), lines counted from 1") {
  const auto found = scan_download("header\n\nli.na@qq.com 13812345678\n");
  REQUIRE(found.size() == 2);
  CHECK(found[0].starts_with(":3 email "));
  CHECK(found[1].starts_with(":3 phone "));
}
