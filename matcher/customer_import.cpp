#include "matcher/customer_import.h"

#include <algorithm>
#include <array>
#include <optional>
#include <tuple>

#include "core/ascii.h"
#include "core/errors.h"
#include "core/utf8.h"
#include "db/store_error.h"
#include "identity/identity.h"
#include "identity/identity_text.h"
#include "matcher/csv_reader.h"
#include "matcher/import_spool.h"

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
    "  INSERT INTO customer_identifiers (hash, kind, customer_id, key_version, bucket)"
    "  SELECT DISTINCT ON (hash, customer_id, key_version) hash, kind, customer_id, key_version,"
    "   sighting_bucket(hash)"
    "  FROM import_staging ORDER BY hash, customer_id, key_version"
    "  ON CONFLICT DO NOTHING"
    "  RETURNING hash, customer_id, key_version)"
    " SELECT (SELECT count(*) FROM ins),"
    "        (SELECT count(DISTINCT s.line) FROM import_staging s"
    "          JOIN ins USING (hash, customer_id, key_version)),"
    "        (SELECT count(*) FROM import_staging)";

enum class Column { kCustomerId, kAppleId, kEmail, kPhone, kName, kKind, kHash, kIgnored };

Column column_of(std::string_view header, bool hashed) {
  const std::string name = ascii_lowercase(trim(header));
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
  identity::KeyedHash hash;
  identity::Kind kind;
};

// Validates one plaintext row; fills `out` or returns the rejection reason.
std::optional<std::string> hash_plain_row(const Header& header, const CsvRecord& record,
                                          const identity::HashKey& key, const std::string& region,
                                          std::vector<Staged>* out) {
  for (size_t i = 0; i < record.fields.size(); ++i) {
    const std::string& field = record.fields[i];
    if (field.find_first_not_of(" \t") == std::string::npos) continue;
    tl::expected<identity::Identifier, identity::Rejection> id = tl::unexpected(identity::Rejection{});
    const char* column = "";
    switch (header.columns[i]) {
      case Column::kAppleId:
        column = "apple_id";
        id = identity::normalize_apple_id(field, region);
        break;
      case Column::kEmail:
        column = "email";
        id = identity::normalize_email(field).map([](std::string v) {
          return identity::Identifier{identity::Kind::kEmail, std::move(v)};
        });
        break;
      case Column::kPhone:
        column = "phone";
        id = identity::normalize_phone(field, region).map([](std::string v) {
          return identity::Identifier{identity::Kind::kPhone, std::move(v)};
        });
        break;
      case Column::kName:
        column = "name";
        id = identity::normalize_name(field).map([](std::string v) {
          return identity::Identifier{identity::Kind::kName, std::move(v)};
        });
        break;
      default:
        continue;
    }
    if (!id) return std::string(column) + ": " + id.error().reason;
    Staged staged{key.hash(id->kind, id->value), id->kind};
    bool duplicate =
        std::any_of(out->begin(), out->end(), [&](const Staged& s) { return s.hash == staged.hash; });
    if (!duplicate) out->push_back(staged);
  }
  bool has_key =
      std::any_of(out->begin(), out->end(), [](const Staged& s) { return s.kind != identity::Kind::kName; });
  if (!has_key) return std::string("no email, phone or Apple ID (a name alone cannot be matched)");
  return std::nullopt;
}

std::optional<std::string> parse_hashed_row(const Header& header, const CsvRecord& record,
                                            std::vector<Staged>* out) {
  std::optional<identity::Kind> kind;
  std::optional<identity::KeyedHash> hash;
  for (size_t i = 0; i < record.fields.size(); ++i) {
    if (header.columns[i] == Column::kKind) {
      kind = identity::parse_kind(record.fields[i]);
      if (!kind) return std::string("kind: expected email, phone or name");
    } else if (header.columns[i] == Column::kHash) {
      identity::KeyedHash h;
      if (!identity::parse_hex(record.fields[i], &h)) return std::string("hash: expected 32 hex digits");
      hash = h;
    }
  }
  out->push_back(Staged{*hash, *kind});
  return std::nullopt;
}

}  // namespace

namespace {

const std::vector<std::string> kStagingColumns{"line", "hash", "kind", "customer_id", "key_version"};
const std::vector<std::string> kTableColumns{"hash", "kind", "customer_id", "key_version", "bucket"};

// The slow path: replays the spooled rows into a staging table and merges
// them in with ON CONFLICT DO NOTHING, in batches.
void merge_through_staging(pqxx::work& tx, Spool& spool, const ImportOptions& options, long valid_rows,
                           long identifiers, ImportSummary* summary) {
  tx.exec0(kCreateStaging);
  spool.rewind();
  SpooledRow row;
  bool more = true;
  long rows_with_new_total = 0;
  ImportProgress progress{summary->rows, identifiers, true, 0, identifiers};
  while (more) {
    if (options.progress) options.progress(progress);
    long staged = 0;
    {
      pqxx::stream_to stream(tx, "import_staging", kStagingColumns);
      while (staged < kBatchRows && (more = spool.next(&row))) {
        stream << std::make_tuple(row.line, identity::to_hex(row.hash),
                                  std::string(identity::kind_name(row.kind)), row.customer_id,
                                  options.key_version);
        ++staged;
      }
      stream.complete();
    }
    pqxx::row r = tx.exec1(kFlushStaging);
    summary->identifiers_new += r[0].as<long>();
    summary->identifiers_present += r[2].as<long>() - r[0].as<long>();
    rows_with_new_total += r[1].as<long>();
    tx.exec0("TRUNCATE import_staging");
    progress.identifiers_merged += staged;
  }
  // A row split across two batches could be counted twice; never report more
  // imported rows than there were.
  summary->rows_imported = std::min(rows_with_new_total, valid_rows);
  summary->rows_skipped = valid_rows - summary->rows_imported;
}

// Why a data row cannot be imported, or nullopt with its identifiers in
// `staged`.
std::optional<std::string> rejection_of(const Header& header, const CsvRecord& record,
                                        const identity::HashKey* key, const ImportOptions& options,
                                        std::vector<Staged>* staged) {
  if (!record.error.empty()) return record.error;
  if (record.fields.size() != header.columns.size()) {
    return "expected " + std::to_string(header.columns.size()) + " fields, found " +
           std::to_string(record.fields.size());
  }
  const std::string& id = record.fields[header.customer_id];
  if (id.empty()) return std::string("customer_id is empty");
  // PostgreSQL would refuse the row, abort the whole COPY and quote it.
  if (!is_valid_utf8(id) || id.find('\0') != std::string::npos) {
    return std::string("customer_id is not valid UTF-8 text");
  }
  if (options.hashed) return parse_hashed_row(header, record, staged);
  return hash_plain_row(header, record, *key, options.default_region, staged);
}

// Reads the data rows into `tx`. Fast path: COPY straight into the table, as
// a raw COPY would, inside a savepoint. If any row is already stored (a
// re-import) the COPY fails on the primary key, and the spooled rows are
// merged through a staging table.
ImportSummary import_rows(pqxx::work& tx, CsvReader& reader, const Header& header,
                          const identity::HashKey* key, const ImportOptions& options,
                          const std::function<void(const RowRejection&)>& on_reject) {
  ImportSummary summary;
  Spool spool;
  auto fast = std::make_unique<pqxx::subtransaction>(tx, "import_fast_copy");
  auto stream = std::make_unique<pqxx::stream_to>(*fast, "customer_identifiers", kTableColumns);
  const std::string version = std::to_string(options.key_version);
  long valid_rows = 0;
  long staged_rows = 0;

  CsvRecord record;
  std::vector<Staged> staged;
  SpooledRow spooled;
  while (reader.next(&record)) {
    if (++summary.rows % kProgressRows == 0 && options.progress) {
      options.progress({.rows_read = summary.rows, .identifiers = staged_rows});
    }
    staged.clear();
    if (std::optional<std::string> reason = rejection_of(header, record, key, options, &staged)) {
      ++summary.rows_rejected;
      if (options.strict) {
        throw RuntimeError(options.input_name + ":" + std::to_string(record.line) + ": " + *reason +
                           " (--strict: nothing imported)");
      }
      if (on_reject) on_reject(RowRejection{record.line, *reason});
      continue;
    }
    ++valid_rows;
    spooled.line = record.line;
    spooled.customer_id = std::move(record.fields[header.customer_id]);
    for (const Staged& s : staged) {
      spooled.hash = s.hash;
      spooled.kind = s.kind;
      spool.append(spooled);
      if (stream) {
        try {
          *stream << std::make_tuple(identity::to_hex(s.hash), std::string(identity::kind_name(s.kind)),
                                     spooled.customer_id, version, s.hash[0] >> 4);  // bucket (schema/0070)
        } catch (const pqxx::unique_violation&) {
          stream.reset();  // the server gave up on the COPY; the spool has every row
        }
      }
      ++staged_rows;
    }
  }

  if (options.progress) options.progress({.rows_read = summary.rows, .identifiers = staged_rows, .read_all = true});
  bool fast_ok = stream != nullptr;
  try {
    if (fast_ok) {
      stream->complete();
      stream.reset();
      fast->commit();
    }
  } catch (const pqxx::unique_violation&) {
    fast_ok = false;
  }
  stream.reset();
  fast.reset();  // rolls back to the savepoint if the fast path failed
  if (fast_ok) {
    summary.identifiers_new = staged_rows;
    summary.rows_imported = valid_rows;
  } else {
    merge_through_staging(tx, spool, options, valid_rows, staged_rows, &summary);
  }
  return summary;
}

}  // namespace

ImportSummary import_customers(pqxx::connection& conn, std::istream& in, const identity::HashKey* key,
                               const ImportOptions& options,
                               const std::function<void(const RowRejection&)>& on_reject) {
  if (!options.hashed && key == nullptr) throw ConfigError("a plaintext import needs the HMAC key");
  CsvReader reader(in);
  CsvRecord record;
  if (!reader.next(&record)) throw ConfigError(options.input_name + ": empty file (expected a header row)");
  const Header header = parse_header(record, options);
  return db::store_call([&] { return "importing customers from " + options.input_name; },
                        [&] {
                          pqxx::work tx(conn, "customers import");
                          ImportSummary summary = import_rows(tx, reader, header, key, options, on_reject);
                          tx.commit();
                          return summary;
                        });
}

}  // namespace leakwatch::matcher
