#include "matcher/import_spool.h"

#include <cerrno>
#include <cstring>

#include "core/errors.h"

namespace leakwatch::matcher {
namespace {

struct Record {
  int64_t line;
  identity::KeyedHash hash;
  uint8_t kind;
  uint32_t id_size;
};

}  // namespace

Spool::Spool() : file_(std::tmpfile()) {
  if (!file_) throw RuntimeError(std::string("cannot create a temporary file: ") + std::strerror(errno));
}

void Spool::append(const SpooledRow& row) {
  Record r{row.line, row.hash, static_cast<uint8_t>(row.kind), static_cast<uint32_t>(row.customer_id.size())};
  if (std::fwrite(&r, sizeof r, 1, file_.get()) != 1 ||
      std::fwrite(row.customer_id.data(), 1, row.customer_id.size(), file_.get()) != row.customer_id.size()) {
    throw RuntimeError(std::string("cannot write the import spool file: ") + std::strerror(errno));
  }
}

void Spool::rewind() {
  std::fflush(file_.get());
  std::rewind(file_.get());
}

bool Spool::next(SpooledRow* row) {
  Record r;
  if (std::fread(&r, sizeof r, 1, file_.get()) != 1) return false;
  row->line = r.line;
  row->hash = r.hash;
  row->kind = static_cast<identity::Kind>(r.kind);
  row->customer_id.resize(r.id_size);
  if (std::fread(row->customer_id.data(), 1, r.id_size, file_.get()) != r.id_size) {
    throw RuntimeError("the import spool file is truncated");
  }
  return true;
}

}  // namespace leakwatch::matcher
