#include <doctest/doctest.h>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "extractor_fixture.h"

TEST_CASE("extractor: labelled corpus from gen_corpus.py scores precision >= 0.995 and recall >= 0.99") {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("leakwatch-corpus-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::string script = LEAKWATCH_SOURCE_DIR "/scripts/gen_corpus.py", out = dir.string();
  std::vector<char*> argv{const_cast<char*>("python3"),
                          script.data(),
                          const_cast<char*>("--lines"),
                          const_cast<char*>("20000"),
                          const_cast<char*>("--out"),
                          out.data(),
                          nullptr};
  posix_spawn_file_actions_t quiet;  // its stderr to /dev/null
  posix_spawn_file_actions_init(&quiet);
  posix_spawn_file_actions_addopen(&quiet, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  // glibc's posix_spawnp reports a failed exec (python3 not installed) as its result.
  int spawn_error = posix_spawnp(&pid, "python3", &quiet, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&quiet);
  if (spawn_error != 0) {
    fs::remove_all(dir);
    FAIL("could not run python3: ", std::strerror(spawn_error));
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    fs::remove_all(dir);
    FAIL("scripts/gen_corpus.py failed: wait status ", status);
  }
  std::ifstream corpus_in(dir / "corpus.txt", std::ios::binary);
  std::ostringstream corpus;
  corpus << corpus_in.rdbuf();
  using Row = std::tuple<std::size_t, std::string, std::string>;
  std::multiset<Row> truth;
  std::ifstream labels(dir / "labels.tsv");
  std::string line;
  while (std::getline(labels, line)) {
    std::istringstream fields(line);
    std::string n, kind, value;
    std::getline(fields, n, '\t');
    std::getline(fields, kind, '\t');
    std::getline(fields, value, '\t');
    truth.insert({std::stoul(n), kind, value});
  }
  fs::remove_all(dir);
  REQUIRE(truth.size() > 10000);

  std::size_t found = 0;
  std::size_t true_positives = 0;
  extractor().scan(corpus.str(), [&](const FoundIdentifier& f) {
    if (f.identifier.kind == Kind::kName) return;
    ++found;
    auto it = truth.find({f.record, std::string(kind_name(f.identifier.kind)), f.identifier.value});
    if (it != truth.end()) {
      ++true_positives;
      truth.erase(it);
    }
  });
  std::size_t labelled = true_positives + truth.size();
  double precision = static_cast<double>(true_positives) / static_cast<double>(found);
  double recall = static_cast<double>(true_positives) / static_cast<double>(labelled);
  MESSAGE("corpus: ", labelled, " labelled, ", found, " found, precision ", precision, ", recall ", recall);
  std::printf("extractor corpus: %zu labelled, %zu found, precision %.4f, recall %.4f\n", labelled, found,
              precision, recall);
  CHECK(precision >= 0.995);
  CHECK(recall >= 0.99);
}
