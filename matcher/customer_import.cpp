#include "matcher/customer_import.h"

#include <algorithm>
#include <array>
#include <optional>
#include <tuple>

#include "core/errors.h"
#include "matcher/csv_reader.h"
#include "matcher/identity.h"

namespace leakwatch::matcher {
namespace {

// Staged rows go to the real table in batches of this many (one transaction
// in all, so a batch boundary is invisible to other sessions).
constexpr long kBatchRows = 1'000'000;

constexpr const char* kCreateStaging =
    "CREATE TEMP TABLE import_staging ("
    " line bigint NOT NULL, hash uuid NOT NULL, kind text NOT NULL,"
    " customer_id text NOT NULL, key_version smallint NOT NULL) ON COMMIT DROP";

// Moves staged rows into customer_identifiers, sorted by hash (btree-friendly),
// and reports (new pairs, rows that added something, staged rows).
constexpr const char* kFlushStaging =
    "WITH ins AS ("
    "  INSERT INTO customer_identifiers (hash, kind, customer_id, key_version)"
    "  SELECT DISTINCT ON (hash, customer_id, key_version) hash, kind, customer_id, key_version"
    "  FROM import_staging ORDER BY hash, customer_id, key_version"
    "  ON CONFLICT DO NOTHING"
    "  RETURNING hash, customer_id, key_version)"
    " SELECT (SELECT count(*) FROM ins),"
    "        (SELECT count(DISTINCT s.line) FROM import_staging s"
    "          JOIN ins USING (hash, customer_id, key_version)),"
    "        (SELECT count(*) FROM import_staging)";

enum class Column { kCustomerId, kAppleId, kEmail, kPhone, kName, kKind, kHash, kIgnored };

Column column_of(std::string name, bool hashed) {
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  name.erase(0, name.find_first_not_of(" \t"));
  name.erase(name.find_last_not_of(" \t") + 1);
  if (name == "customer_id") return Column::kCustomerId;
  if (hashed) {
    if (name == "kind") return Column::kKind;
    if (name == "hash") return Column::kHash;
  } else {
    if (name == "apple_id") return Column::kAppleId;
    if (name == "email") return Column::kEmail;
    if (name == "phone") return Column::kPhone;
    if (name == "name") return Column::kName;
  }
  return Column::kIgnored;
}

struct Header {
  std::vector<Column> columns;
  size_t customer_id = 0;
};

Header parse_header(const CsvRecord& record, const ImportOptions& options) {
  const std::string where = options.input_name + ":" + std::to_string(record.line) + ": ";
  if (!record.error.empty()) throw ConfigError(where + "header: " + record.error);
  Header header;
  std::optional<size_t> customer_id;
  int identifier_columns = 0;
  bool kind = false, hash = false;
  std::vector<Column> seen;
  for (size_t i = 0; i < record.fields.size(); ++i) {
    Column c = column_of(record.fields[i], options.hashed);
    if (c != Column::kIgnored && std::find(seen.begin(), seen.end(), c) != seen.end()) {
      throw ConfigError(where + "header: column '" + record.fields[i] + "' appears twice");
    }
    seen.push_back(c);
    header.columns.push_back(c);
    if (c == Column::kCustomerId) customer_id = i;
    if (c == Column::kAppleId || c == Column::kEmail || c == Column::kPhone || c == Column::kName) {
      ++identifier_columns;
    }
    kind |= c == Column::kKind;
    hash |= c == Column::kHash;
  }
  if (!customer_id) throw ConfigError(where + "header: no customer_id column");
  if (options.hashed && !(kind && hash)) {
    throw ConfigError(where + "header: a hashed file needs the columns customer_id,kind,hash");
  }
  if (!options.hashed && identifier_columns == 0) {
    throw ConfigError(where + "header: no identifier column (apple_id, email, phone or name)");
  }
  header.customer_id = *customer_id;
  return header;
}

struct Staged {
  KeyedHash hash;
  Kind kind;
};

// Validates one plaintext row; fills `out` or returns the rejection reason.
std::optional<std::string> hash_plain_row(const Header& header, const CsvRecord& record,
                                          const HashKey& key, const std::string& region,
                                          std::vector<Staged>* out) {
  for (size_t i = 0; i < record.fields.size(); ++i) {
    const std::string& field = record.fields[i];
    if (field.find_first_not_of(" \t") == std::string::npos) continue;
    tl::expected<Identifier, Rejection> id = tl::unexpected(Rejection{});
    const char* column = "";
    switch (header.columns[i]) {
      case Column::kAppleId:
        column = "apple_id";
        id = normalize_apple_id(field, region);
        break;
      case Column::kEmail:
        column = "email";
        id = normalize_email(field).map([](std::string v) { return Identifier{Kind::kEmail, std::move(v)}; });
        break;
      case Column::kPhone:
        column = "phone";
        id = normalize_phone(field, region).map([](std::string v) { return Identifier{Kind::kPhone, std::move(v)}; });
        break;
      case Column::kName:
        column = "name";
        id = normalize_name(field).map([](std::string v) { return Identifier{Kind::kName, std::move(v)}; });
        break;
      default:
        continue;
    }
    if (!id) return std::string(column) + ": " + id.error().reason;
    Staged staged{key.hash(id->kind, id->value), id->kind};
    bool duplicate = std::any_of(out->begin(), out->end(), [&](const Staged& s) { return s.hash == staged.hash; });
    if (!duplicate) out->push_back(staged);
  }
  bool has_key = std::any_of(out->begin(), out->end(), [](const Staged& s) { return s.kind != Kind::kName; });
  if (!has_key) return std::string("no email, phone or Apple ID (a name alone cannot be matched)");
  return std::nullopt;
}

std::optional<std::string> parse_hashed_row(const Header& header, const CsvRecord& record,
                                            std::vector<Staged>* out) {
  std::optional<Kind> kind;
  std::optional<KeyedHash> hash;
  for (size_t i = 0; i < record.fields.size(); ++i) {
    if (header.columns[i] == Column::kKind) {
      kind = parse_kind(record.fields[i]);
      if (!kind) return std::string("kind: expected email, phone or name");
    } else if (header.columns[i] == Column::kHash) {
      KeyedHash h;
      if (!parse_hex(record.fields[i], &h)) return std::string("hash: expected 32 hex digits");
      hash = h;
    }
  }
  out->push_back(Staged{*hash, *kind});
  return std::nullopt;
}

}  // namespace

ImportSummary import_customers(pqxx::connection& conn, std::istream& in, const HashKey* key,
                               const ImportOptions& options,
                               const std::function<void(const RowRejection&)>& on_reject) {
  if (!options.hashed && key == nullptr) throw ConfigError("a plaintext import needs the HMAC key");
  CsvReader reader(in);
  CsvRecord record;
  if (!reader.next(&record)) throw ConfigError(options.input_name + ": empty file (expected a header row)");
  const Header header = parse_header(record, options);

  ImportSummary summary;
  pqxx::work tx(conn, "customers import");
  tx.exec0(kCreateStaging);
  auto stream = std::make_unique<pqxx::stream_to>(
      tx, "import_staging", std::vector<std::string>{"line", "hash", "kind", "customer_id", "key_version"});
  long staged_rows = 0;
  long valid_rows_in_batch = 0;

  auto flush = [&] {
    stream->complete();
    stream.reset();
    pqxx::row r = tx.exec1(kFlushStaging);
    long added = r[0].as<long>();
    long rows_with_new = r[1].as<long>();
    long staged = r[2].as<long>();
    summary.identifiers_new += added;
    summary.identifiers_present += staged - added;
    summary.rows_imported += rows_with_new;
    summary.rows_skipped += valid_rows_in_batch - rows_with_new;
    tx.exec0("TRUNCATE import_staging");
    staged_rows = 0;
    valid_rows_in_batch = 0;
  };

  std::vector<Staged> staged;
  while (reader.next(&record)) {
    ++summary.rows;
    staged.clear();
    std::optional<std::string> reason;
    if (!record.error.empty()) {
      reason = record.error;
    } else if (record.fields.size() != header.columns.size()) {
      reason = "expected " + std::to_string(header.columns.size()) + " fields, found " +
               std::to_string(record.fields.size());
    } else if (record.fields[header.customer_id].empty()) {
      reason = "customer_id is empty";
    } else if (options.hashed) {
      reason = parse_hashed_row(header, record, &staged);
    } else {
      reason = hash_plain_row(header, record, *key, options.default_region, &staged);
    }
    if (reason) {
      ++summary.rows_rejected;
      if (options.strict) {
        throw RuntimeError(options.input_name + ":" + std::to_string(record.line) + ": " + *reason +
                           " (--strict: nothing imported)");
      }
      if (on_reject) on_reject(RowRejection{record.line, *reason});
      continue;
    }
    if (!stream) {
      stream = std::make_unique<pqxx::stream_to>(
          tx, "import_staging", std::vector<std::string>{"line", "hash", "kind", "customer_id", "key_version"});
    }
    const std::string& customer_id = record.fields[header.customer_id];
    for (const Staged& s : staged) {
      *stream << std::make_tuple(record.line, to_hex(s.hash), std::string(kind_name(s.kind)), customer_id,
                                 options.key_version);
      ++staged_rows;
    }
    ++valid_rows_in_batch;
    if (staged_rows >= kBatchRows) flush();
  }
  if (!stream) {
    stream = std::make_unique<pqxx::stream_to>(
        tx, "import_staging", std::vector<std::string>{"line", "hash", "kind", "customer_id", "key_version"});
  }
  flush();
  tx.commit();
  return summary;
}

}  // namespace leakwatch::matcher
