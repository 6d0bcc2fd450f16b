#include "db/shard.h"

#include <cctype>
#include <map>
#include <memory>

#include "core/errors.h"
#include "db/connection.h"
#include "db/store_error.h"
#include "db/table_definition.h"

namespace leakwatch::db {
namespace {

// Every partition of customer_identifiers with its bucket (from the name
// schema/0070 gives it) and, for a foreign one, its server and address.
constexpr const char* kPlaces =
    "SELECT substring(c.relname FROM '_b([0-9]+)$')::int AS bucket, coalesce(s.srvname, ''),"
    " coalesce((SELECT option_value FROM pg_options_to_table(s.srvoptions) WHERE option_name = 'host'), '')"
    "  || ':' || coalesce((SELECT option_value FROM pg_options_to_table(s.srvoptions)"
    "   WHERE option_name = 'port'), '5432')"
    "  || '/' || coalesce((SELECT option_value FROM pg_options_to_table(s.srvoptions)"
    "   WHERE option_name = 'dbname'), '')"
    " FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
    " LEFT JOIN pg_foreign_table f ON f.ftrelid = c.oid LEFT JOIN pg_foreign_server s ON s.oid = f.ftserver"
    " WHERE i.inhparent = 'customer_identifiers'::regclass ORDER BY 1";

// One table of bucket {b} swapped for a foreign table on server {s}, its
// rows copied over in the same transaction (the shard's copy emptied first,
// so that a move killed after the shard committed is simply done again).
constexpr const char* kMoveTable =
    "ALTER TABLE {t} DETACH PARTITION {t}_b{b};"
    "ALTER TABLE {t}_b{b} RENAME TO {t}_b{b}_moving;"
    "CREATE FOREIGN TABLE {t}_b{b} PARTITION OF {t} FOR VALUES IN ({b}) SERVER {s}"
    " OPTIONS (table_name '{t}_b{b}', batch_size '1000');"
    "TRUNCATE {t}_b{b};";
constexpr const char* kCopyRows = "INSERT INTO {t}_b{b} SELECT * FROM {t}_b{b}_moving";
constexpr const char* kDropMoved = "DROP TABLE {t}_b{b}_moving";

// The libpq options a postgres_fdw server takes from a shard's URL; user and
// password go to the user mapping.
constexpr std::string_view kServerOptions[] = {
    "host", "hostaddr", "port", "dbname", "sslmode", "sslrootcert", "sslcert", "sslkey", "connect_timeout"};

std::string fill(std::string text, const std::map<std::string, std::string>& values) {
  for (const auto& [name, value] : values) {
    const std::string mark = "{" + name + "}";
    for (size_t at; (at = text.find(mark)) != std::string::npos;) text.replace(at, mark.size(), value);
  }
  return text;
}

struct Shard {
  std::string url;
  std::string server;  // the postgres_fdw server's name on the coordinator
  std::string where;   // host:port/dbname
  std::unique_ptr<pqxx::connection> conn;
};

// Connects to the shard and names it after its address.
Shard open_shard(const std::string& url) {
  Shard shard{url, "", "", connect(url, "db shard")};
  pqxx::connection& c = *shard.conn;
  shard.where = server_address(c) + "/" + c.dbname();
  shard.server = "leakwatch_shard";
  for (char ch : shard.where) shard.server += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
  return shard;
}

// The postgres_fdw server and user mapping for `shard` on the coordinator.
void define_server(pqxx::work& tx, const Shard& shard) {
  const auto options = conninfo_options(shard.url);
  std::string server_options = "async_capable 'true', use_remote_estimate 'true', fetch_size '10000'";
  for (std::string_view key : kServerOptions) {
    auto it = options.find(std::string(key));
    if (it != options.end()) server_options += ", " + std::string(key) + " " + tx.quote(it->second);
  }
  if (options.count("dbname") == 0) server_options += ", dbname " + tx.quote(shard.conn->dbname());
  const std::string name = tx.quote_name(shard.server);
  tx.exec0("CREATE SERVER IF NOT EXISTS " + name + " FOREIGN DATA WRAPPER postgres_fdw OPTIONS (" +
           server_options + ")");
  auto user = options.find("user");
  std::string mapping =
      "user " + tx.quote(user != options.end() ? user->second : std::string(shard.conn->username()));
  if (auto password = options.find("password"); password != options.end()) {
    mapping += ", password " + tx.quote(password->second);
  }
  tx.exec0("CREATE USER MAPPING IF NOT EXISTS FOR CURRENT_USER SERVER " + name + " OPTIONS (" + mapping +
           ")");
}

long move_bucket(pqxx::connection& coordinator, const Shard& shard, int bucket) {
  long rows = 0;
  pqxx::work tx(coordinator, "db shard");
  for (const char* table : {"customer_identifiers", "sightings"}) {
    const std::map<std::string, std::string> v{
        {"t", table}, {"b", std::to_string(bucket)}, {"s", tx.quote_name(shard.server)}};
    tx.exec0(fill(kMoveTable, v));
    rows += static_cast<long>(tx.exec0(fill(kCopyRows, v)).affected_rows());
    tx.exec0(fill(kDropMoved, v));
  }
  tx.commit();
  return rows;
}

}  // namespace

std::vector<BucketPlace> bucket_places(pqxx::connection& coordinator) {
  return store_call("reading where the buckets live", [&] {
    std::vector<BucketPlace> places;
    pqxx::read_transaction tx(coordinator);
    for (const auto& row : tx.exec(kPlaces)) {
      BucketPlace p{row[0].as<int>(), row[1].as<std::string>(), row[2].as<std::string>()};
      if (p.server.empty()) p.where = "coordinator";
      places.push_back(std::move(p));
    }
    return places;
  });
}

void place_buckets(pqxx::connection& coordinator, const std::vector<std::string>& shard_urls,
                   const std::function<void(const BucketPlace&, long rows)>& progress) {
  if (shard_urls.empty()) throw ConfigError("db shard: name at least one shard server (a database URL)");
  std::vector<Shard> shards;
  for (const std::string& url : shard_urls) shards.push_back(open_shard(url));
  const std::vector<BucketPlace> places = bucket_places(coordinator);
  store_call("defining the shard servers (postgres_fdw)", [&] {
    pqxx::work tx(coordinator, "db shard");
    tx.exec0("CREATE EXTENSION IF NOT EXISTS postgres_fdw");
    for (const Shard& shard : shards) define_server(tx, shard);
    tx.commit();
  });
  for (const BucketPlace& place : places) {
    if (!place.server.empty()) continue;  // on a shard already
    const Shard& shard = shards[static_cast<size_t>(place.bucket) % shards.size()];
    const std::string b = std::to_string(place.bucket);
    // The shard's tables are the coordinator's partitions as the migrations
    // left them (primary key, indexes, statistics targets), plus their bound.
    const std::string tables = store_call([&] { return "reading bucket " + b + "'s tables"; }, [&] {
      pqxx::read_transaction tx(coordinator);
      const std::string bound = "CHECK (bucket = " + b + ")";
      return table_definition(tx, "customer_identifiers_b" + b, bound) +
             table_definition(tx, "sightings_b" + b, bound);
    });
    store_call([&] { return "creating bucket " + b + "'s tables on " + shard.where; },
               [&] {
                 pqxx::work remote(*shard.conn, "db shard");
                 remote.exec0(tables);
                 remote.commit();
               });
    const long rows = store_call([&] { return "moving bucket " + b + " to " + shard.where; },
                                 [&] { return move_bucket(coordinator, shard, place.bucket); });
    store_call([&] { return "analyzing bucket " + b + " on " + shard.where; },
               [&] {
                 pqxx::nontransaction remote(*shard.conn);
                 remote.exec0("ANALYZE customer_identifiers_b" + b + ", sightings_b" + b);
               });
    if (progress) progress(BucketPlace{place.bucket, shard.server, shard.where}, rows);
  }
}

}  // namespace leakwatch::db
