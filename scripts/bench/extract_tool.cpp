// Extraction quality and speed, driven by scripts/bench/extract.sh (built
// there with the compiler against the build tree's libleakwatch_matcher.a).
//
//   extract_tool score CORPUS LABELS   precision/recall against gen_corpus.py labels
//   extract_tool speed CORPUS [THREADS] MB/s of Extractor::scan (+ keyed hash)
//   extract_tool stream CORPUS [THREADS] MB/s of scan_stream, hashing on the workers
//   extract_tool strategies CORPUS       MB/s of ways to find candidates (no validation),
//                                        one thread: the measurement behind the trigger design
//   extract_tool phones CORPUS           the distinct phone numbers libphonenumber is asked
//                                        about (not Chinese mobiles), normalized again on one
//                                        thread and on two: how far its calls scale
//
// Plaintext is printed only for misses and false positives of the labelled
// synthetic corpus, which holds no real person's data.
#include <sys/resource.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <re2/re2.h>
#include <re2/set.h>

#include "extract/extractor.h"
#include "extract/stream_scan.h"
#include "identity/keyed_hash.h"

using namespace leakwatch::identity;
using namespace leakwatch::extract;

namespace {

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

std::string read_all(const char* path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << "extract_tool: cannot read " << path << "\n";
    std::exit(2);
  }
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

int score(const char* corpus_path, const char* labels_path) {
  std::string corpus = read_all(corpus_path);
  std::multiset<std::tuple<std::size_t, std::string, std::string>> truth;
  std::ifstream labels(labels_path);
  std::string line;
  while (std::getline(labels, line)) {
    std::istringstream fields(line);
    std::string n, kind, value;
    std::getline(fields, n, '\t');
    std::getline(fields, kind, '\t');
    std::getline(fields, value, '\t');
    truth.insert({std::stoul(n), kind, value});
  }
  Extractor extractor{ExtractorOptions{}};
  std::multiset<std::tuple<std::size_t, std::string, std::string>> found;
  extractor.scan(corpus, [&](const FoundIdentifier& f) {
    if (f.identifier.kind == Kind::kName) return;
    found.insert({f.record, std::string(kind_name(f.identifier.kind)), f.identifier.value});
  });
  std::size_t tp = 0;
  std::vector<std::tuple<std::size_t, std::string, std::string>> fp, fn;
  auto remaining = truth;
  for (const auto& f : found) {
    auto it = remaining.find(f);
    if (it != remaining.end()) {
      ++tp;
      remaining.erase(it);
    } else {
      fp.push_back(f);
    }
  }
  fn.assign(remaining.begin(), remaining.end());
  // Show lines of the synthetic corpus for a few errors of each sort.
  std::vector<std::string_view> lines;
  for (std::size_t pos = 0; pos < corpus.size();) {
    std::size_t nl = corpus.find('\n', pos);
    if (nl == std::string::npos) nl = corpus.size();
    lines.push_back(std::string_view(corpus).substr(pos, nl - pos));
    pos = nl + 1;
  }
  auto show = [&](const char* what, const auto& list) {
    for (std::size_t i = 0; i < list.size() && i < 15; ++i) {
      const auto& [n, kind, value] = list[i];
      std::cout << what << " line " << n << " " << kind << " " << value << "  | "
                << (n < lines.size() ? lines[n] : std::string_view()) << "\n";
    }
  };
  show("FP", fp);
  show("FN", fn);
  double precision = found.empty() ? 1.0 : static_cast<double>(tp) / static_cast<double>(found.size());
  double recall = truth.empty() ? 1.0 : static_cast<double>(tp) / static_cast<double>(truth.size());
  std::printf(
      "corpus: %zu labelled identifiers, %zu found, %zu true positives, %zu false positives, %zu missed\n",
      truth.size(), found.size(), tp, fp.size(), fn.size());
  std::printf("precision %.4f (need >= 0.995)  recall %.4f (need >= 0.99)\n", precision, recall);
  return precision >= 0.995 && recall >= 0.99 ? 0 : 1;
}

int speed(const char* corpus_path, unsigned threads) {
  std::string corpus = read_all(corpus_path);
  auto t_build = std::chrono::steady_clock::now();
  Extractor extractor{ExtractorOptions{}};
  double build_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t_build).count();
  HashKey key(std::vector<std::uint8_t>(32, 0x42));
  // Chunks split at line boundaries, one worker per chunk range.
  std::vector<std::string_view> chunks;
  const std::size_t kChunk = 4 << 20;
  for (std::size_t pos = 0; pos < corpus.size();) {
    std::size_t end = std::min(corpus.size(), pos + kChunk);
    std::size_t nl = corpus.find('\n', end);
    end = nl == std::string::npos ? corpus.size() : nl + 1;
    chunks.push_back(std::string_view(corpus).substr(pos, end - pos));
    pos = end;
  }
  std::vector<std::size_t> counts(threads);
  const bool hash = std::getenv("EXTRACT_NO_HASH") == nullptr;
  double cpu0 = cpu_seconds();
  auto t0 = std::chrono::steady_clock::now();
  std::vector<std::thread> workers;
  for (unsigned t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      std::size_t n = 0;
      std::uint8_t x = 0;
      for (std::size_t c = t; c < chunks.size(); c += threads) {
        extractor.scan(chunks[c], [&](const FoundIdentifier& f) {
          ++n;
          if (hash) x ^= key.hash(f.identifier.kind, f.identifier.value)[0];
        });
      }
      counts[t] = n + (x & 0);
    });
  }
  for (auto& w : workers) w.join();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  double cpu = cpu_seconds() - cpu0;
  std::size_t total = 0;
  for (auto n : counts) total += n;
  double mib = static_cast<double>(corpus.size()) / (1024.0 * 1024.0);
  std::printf(
      "extractor: %.1f MiB in %.3f s wall (%.3f s CPU) with %u thread(s): %.1f MiB/s wall, %.1f MiB per "
      "CPU-second; %zu identifiers extracted, normalized, masked%s; start-up %.1f ms\n",
      mib, secs, cpu, threads, mib / secs, mib / cpu, total, hash ? " and HMAC-hashed" : "", build_ms);
  return 0;
}

// The path `leakwatch scan` takes: a stream read in chunks by this thread,
// scanned and hashed on worker threads, delivered in order.
int stream(const char* corpus_path, unsigned threads) {
  HashKey key(std::vector<std::uint8_t>(32, 0x42));
  ExtractorOptions options;
  options.key = &key;
  Extractor extractor{options};
  std::ifstream in(corpus_path, std::ios::binary);
  if (!in) {
    std::cerr << "extract_tool: cannot read " << corpus_path << "\n";
    return 2;
  }
  StreamScanOptions stream_options;
  stream_options.threads = threads;
  std::uint8_t x = 0;
  double cpu0 = cpu_seconds();
  auto t0 = std::chrono::steady_clock::now();
  auto stats =
      scan_stream(in, extractor, stream_options, [&](const FoundIdentifier& f) { x ^= (*f.hash)[0]; });
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  double cpu = cpu_seconds() - cpu0;
  if (!stats) {
    std::cerr << "extract_tool: " << stats.error() << "\n";
    return 1;
  }
  double mib = static_cast<double>(stats->bytes) / (1024.0 * 1024.0);
  std::printf(
      "scan_stream: %.1f MiB, %zu lines in %.3f s wall (%.3f s CPU) with %u worker(s): %.1f MiB/s; "
      "%zu identifiers extracted, normalized, masked and HMAC-hashed (check %u)\n",
      mib, stats->records, secs, cpu, threads, mib / secs, stats->identifiers, x & 0);
  return 0;
}

std::size_t find_all(const RE2& re, re2::StringPiece input) {
  std::size_t n = 0;
  while (RE2::FindAndConsume(&input, re)) ++n;
  return n;
}

// RE2::Set on each line, then the matching patterns' RE2 on the lines it picks.
std::size_t count_by_set_per_line(const std::string& corpus, const RE2::Set& set, const RE2& email_re,
                                  const RE2& phone_re) {
  std::size_t n = 0;
  std::vector<int> which;
  for (std::size_t pos = 0; pos < corpus.size();) {
    std::size_t nl = corpus.find('\n', pos);
    if (nl == std::string::npos) nl = corpus.size();
    re2::StringPiece line(corpus.data() + pos, nl - pos);
    which.clear();
    if (set.Match(line, &which)) {
      for (int k : which) n += find_all(k == 0 ? email_re : phone_re, line);
    }
    pos = nl + 1;
  }
  return n;
}

// '@' and digit runs found by a byte loop; an anchored `domain` after each
// '@', a digit count for each run.
std::size_t count_by_byte_trigger(const std::string& corpus, const RE2& domain) {
  std::size_t n = 0;
  const char* p = corpus.data();
  const std::size_t size = corpus.size();
  for (std::size_t i = 0; i < size; ++i) {
    char c = p[i];
    if (c == '@') {
      std::size_t b = i;
      while (b > 0 &&
             (std::isalnum(static_cast<unsigned char>(p[b - 1])) || p[b - 1] == '.' || p[b - 1] == '_'))
        --b;
      if (b < i && domain.Match(corpus, i + 1, std::min(size, i + 256), RE2::ANCHOR_START, nullptr, 0)) ++n;
    } else if (c >= '0' && c <= '9') {
      std::size_t e = i, digits = 0;
      while (e < size && ((p[e] >= '0' && p[e] <= '9') || ((p[e] == ' ' || p[e] == '-') && digits > 0))) {
        if (p[e] >= '0' && p[e] <= '9') ++digits;
        ++e;
      }
      if (digits >= 7) ++n;
      i = e;
    }
  }
  return n;
}

// Candidate finding alone, four ways, over the same text, one thread. The
// patterns are of the same power in each (email; Chinese mobile or +intl).
int strategies(const char* corpus_path) {
  std::string corpus = read_all(corpus_path);
  const std::string email = R"([A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})";
  const std::string phone =
      R"((?:\+?86[ -]?)?1[3-9][0-9][ .-]?[0-9]{4}[ .-]?[0-9]{4}|\+[1-9][0-9 ()-]{7,16}[0-9])";
  const double mib = static_cast<double>(corpus.size()) / (1024.0 * 1024.0);
  auto timed = [&](const char* name, auto&& body) {
    auto t0 = std::chrono::steady_clock::now();
    std::size_t n = body();
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("  %-52s %7.1f MiB/s  %zu candidates\n", name, mib / secs, n);
  };
  std::printf("candidate finding, 1 thread, %.1f MiB:\n", mib);
  RE2 combined("(?:" + email + ")|(?:" + phone + ")");
  timed("one combined RE2, whole match", [&] { return find_all(combined, corpus); });
  RE2 combined_captures("(" + email + ")|(" + phone + ")");
  timed("one combined RE2, with capture groups", [&] {
    re2::StringPiece input(corpus), a, b;
    std::size_t n = 0;
    while (RE2::FindAndConsume(&input, combined_captures, &a, &b)) ++n;
    return n;
  });
  RE2 email_re(email), phone_re(phone);
  timed("two RE2 passes (email, phone)",
        [&] { return find_all(email_re, corpus) + find_all(phone_re, corpus); });
  RE2::Set set(RE2::DefaultOptions, RE2::UNANCHORED);
  set.Add(email, nullptr);
  set.Add(phone, nullptr);
  set.Compile();
  timed("RE2::Set per line, then RE2 on matching lines",
        [&] { return count_by_set_per_line(corpus, set, email_re, phone_re); });
  // The trigger: '@' and digit runs found by a byte loop, an anchored RE2
  // (or a digit count) around each.
  RE2 domain(R"((?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,})");
  timed("byte trigger + anchored RE2 around each hit", [&] { return count_by_byte_trigger(corpus, domain); });
  Extractor extractor{ExtractorOptions{}};
  timed("for reference: the whole Extractor (validates too)", [&] {
    std::size_t n = 0;
    extractor.scan(corpus, [&](const FoundIdentifier&) { ++n; });
    return n;
  });
  return 0;
}

// libphonenumber's share does not shrink with more cores if its calls
// serialize (its regex cache is one locked map); this measures that alone.
int phones(const char* corpus_path) {
  std::string corpus = read_all(corpus_path);
  Extractor extractor{ExtractorOptions{}};
  std::set<std::string> distinct;
  extractor.scan(corpus, [&](const FoundIdentifier& f) {
    const std::string& v = f.identifier.value;
    bool cn_mobile = v.size() == 14 && v.compare(0, 4, "+861") == 0 && v[4] >= '3' && v[4] <= '9';
    if (f.identifier.kind == Kind::kPhone && !cn_mobile) distinct.insert(v);
  });
  const std::vector<std::string> numbers(distinct.begin(), distinct.end());
  for (unsigned threads : {1u, 2u, 1u, 2u}) {
    auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> workers;
    std::vector<std::size_t> valid(threads);
    for (unsigned t = 0; t < threads; ++t) {
      workers.emplace_back([&, t] {
        for (std::size_t i = t; i < numbers.size(); i += threads)
          valid[t] += normalize_phone(numbers[i], "CN") ? 1 : 0;
      });
    }
    for (auto& w : workers) w.join();
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    std::size_t ok = 0;
    for (std::size_t v : valid) ok += v;
    std::printf(
        "libphonenumber: %zu distinct numbers (%zu valid) on %u thread(s): %.0f ms wall, %.1f us a number\n",
        numbers.size(), ok, threads, ms, ms * 1000 / static_cast<double>(numbers.size()));
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 4 && std::string(argv[1]) == "score") return score(argv[2], argv[3]);
  if (argc >= 3 && std::string(argv[1]) == "speed") {
    return speed(argv[2], argc >= 4 ? static_cast<unsigned>(std::stoul(argv[3])) : 1);
  }
  if (argc >= 3 && std::string(argv[1]) == "strategies") return strategies(argv[2]);
  if (argc >= 3 && std::string(argv[1]) == "stream") {
    return stream(argv[2], argc >= 4 ? static_cast<unsigned>(std::stoul(argv[3])) : 2);
  }
  if (argc >= 3 && std::string(argv[1]) == "phones") return phones(argv[2]);
  std::cerr << "usage: extract_tool score CORPUS LABELS | speed CORPUS [THREADS] | stream CORPUS [THREADS] | "
               "strategies CORPUS | phones CORPUS\n";
  return 2;
}
