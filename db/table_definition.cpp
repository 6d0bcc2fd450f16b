#include "db/table_definition.h"

namespace leakwatch::db {
namespace {

constexpr const char* kColumns =
    "SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,"
    " pg_get_expr(d.adbin, d.adrelid), a.attstattarget"
    " FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
    " WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum";
// A partition's own constraints and those it inherits alike.
constexpr const char* kConstraints =
    "SELECT pg_get_constraintdef(oid) FROM pg_constraint"
    " WHERE conrelid = $1::regclass AND contype IN ('c', 'p', 'u') ORDER BY contype, conname";
// Indexes that no constraint above already makes.
constexpr const char* kIndexes =
    "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i"
    " WHERE i.indrelid = $1::regclass"
    " AND NOT EXISTS (SELECT FROM pg_constraint c WHERE c.conindid = i.indexrelid)"
    " ORDER BY i.indexrelid::regclass::text";

}  // namespace

std::string table_definition(pqxx::transaction_base& tx, const std::string& table,
                             const std::string& extra_constraint) {
  const std::string name = tx.quote_name(table);
  std::string elements;
  std::string statistics;
  auto add = [&elements](const std::string& element) {
    elements += (elements.empty() ? "" : ", ") + element;
  };
  for (const auto& c : tx.exec_params(kColumns, table)) {
    const std::string column = tx.quote_name(c[0].as<std::string>());
    std::string element = column + " " + c[1].as<std::string>();
    if (c[2].as<bool>()) element += " NOT NULL";
    if (!c[3].is_null()) element += " DEFAULT " + c[3].as<std::string>();
    add(element);
    if (const int target = c[4].as<int>(); target >= 0) {
      statistics += (statistics.empty() ? "ALTER TABLE " + name + " " : ", ") + "ALTER COLUMN " + column +
                    " SET STATISTICS " + std::to_string(target);
    }
  }
  for (const auto& c : tx.exec_params(kConstraints, table)) add(c[0].as<std::string>());
  if (!extra_constraint.empty()) add(extra_constraint);
  std::string sql = "CREATE TABLE IF NOT EXISTS " + name + " (" + elements + ");";
  for (const auto& i : tx.exec_params(kIndexes, table)) {
    // "CREATE [UNIQUE] INDEX name ON ...": made idempotent as the table is.
    std::string index = i[0].as<std::string>();
    const std::string keyword = " INDEX ";
    if (auto at = index.find(keyword); at != std::string::npos) {
      index.insert(at + keyword.size(), "IF NOT EXISTS ");
    }
    sql += index + ";";
  }
  if (!statistics.empty()) sql += statistics + ";";
  return sql;
}

}  // namespace leakwatch::db
