#include "db/store_error.h"

#include <exception>

#include <pqxx/except>

#include "db/connection.h"

namespace leakwatch::db {

// libpq's messages span lines; what() is one ("ERROR:  ... LINE 1: ...").
StoreError::StoreError(std::string doing, std::string cause)
    : RuntimeError(doing + ": " + describe_failure(cause, false, {})),
      doing_(std::move(doing)),
      cause_(std::move(cause)) {}

void rethrow_translated(std::string doing) {
  try {
    throw;
  } catch (const pqxx::pqxx_exception& e) {
    throw StoreError(std::move(doing), e.base().what());
  }
}

bool handling_pqxx_error() {
  try {
    throw;
  } catch (const pqxx::pqxx_exception&) {
    return true;
  } catch (...) {
    return false;
  }
}

}  // namespace leakwatch::db
