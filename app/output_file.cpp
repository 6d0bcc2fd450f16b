#include "app/output_file.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <system_error>

#include "core/errors.h"

namespace leakwatch::app {

void write_atomically(const std::filesystem::path& path, const std::string& content) {
  std::filesystem::path dir = path.parent_path().empty() ? "." : path.parent_path();
  std::filesystem::path temp = dir / ("." + path.filename().string() + ".tmp" + std::to_string(getpid()));
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << content;
    out.flush();
    if (!out) {
      std::error_code ignored;
      std::filesystem::remove(temp, ignored);
      throw RuntimeError("cannot write " + temp.string() + ": " + std::strerror(errno));
    }
  }
  if (std::FILE* f = std::fopen(temp.c_str(), "rb")) {
    ::fsync(fileno(f));
    std::fclose(f);
  }
  std::error_code ec;
  std::filesystem::rename(temp, path, ec);
  if (ec) {
    std::filesystem::remove(temp, ec);
    throw RuntimeError("cannot write " + path.string() + ": " + ec.message());
  }
}

}  // namespace leakwatch::app
