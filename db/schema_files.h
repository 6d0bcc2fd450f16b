// The SQL files of schema/, embedded at build time (cmake/EmbedSchema.cmake).
#pragma once

#include <string_view>
#include <vector>

namespace leakwatch::db {

struct SchemaFile {
  std::string_view name;  // file name without ".sql", e.g. "0001_create_customer_identifiers"
  std::string_view sql;
};

// Sorted by name; names start with a 4-digit version.
const std::vector<SchemaFile>& schema_files();

}  // namespace leakwatch::db
