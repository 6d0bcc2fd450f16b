#include "crawler/param_rule_store.h"

#include <algorithm>

#include <pqxx/pqxx>

#include "db/pg_array.h"
#include "db/store_error.h"

namespace leakwatch::crawler {
namespace {

constexpr const char* kLoad =
    "SELECT pattern, param, same, differs FROM url_param_rules WHERE source = $1 ORDER BY pattern, param";
// updated_at is the writing transaction's start: a minute back covers any
// save (one statement) committed after the last read began.
constexpr const char* kLoadSince =
    "SELECT source, pattern, param, same, differs, extract(epoch FROM updated_at)::float8"
    " FROM url_param_rules WHERE source = ANY($1::text[])"
    " AND updated_at >= to_timestamp($2::float8) - interval '1 minute'";
constexpr const char* kMerge =
    "INSERT INTO url_param_rules AS r (source, pattern, param, same, differs)"
    " SELECT $1, p, n, s, d FROM unnest($2::text[], $3::text[], $4::int8[], $5::int8[]) AS t(p, n, s, d)"
    " ON CONFLICT (source, pattern, param) DO UPDATE"
    " SET same = GREATEST(r.same, EXCLUDED.same), differs = GREATEST(r.differs, EXCLUDED.differs),"
    " updated_at = now()";

}  // namespace

std::vector<ParamRule> load_param_rules(db::Connection& conn, const std::string& source) {
  return db::store_call([&] { return "reading the URL parameter rules of source " + source; },
                        [&] {
                          pqxx::read_transaction tx(conn);
                          std::vector<ParamRule> out;
                          for (const auto& row : tx.exec_params(kLoad, source)) {
                            out.push_back({row[0].as<std::string>(), row[1].as<std::string>(),
                                           row[2].as<int>(), row[3].as<int>()});
                          }
                          return out;
                        });
}

RulesSince load_param_rules_since(db::Connection& conn, const std::vector<std::string>& sources,
                                  double since) {
  return db::store_call(
      [&] { return std::string("reading the URL parameter rules other workers stored"); },
      [&] {
        pqxx::read_transaction tx(conn);
        RulesSince out;
        out.watermark = since;
        for (const auto& row : tx.exec_params(kLoadSince, db::to_pg_array(sources), since)) {
          out.by_source[row[0].as<std::string>()].push_back(
              {row[1].as<std::string>(), row[2].as<std::string>(), row[3].as<int>(), row[4].as<int>()});
          out.watermark = std::max(out.watermark, row[5].as<double>());
        }
        return out;
      });
}

void save_param_rules(db::Connection& conn, const std::string& source, const std::vector<ParamRule>& rules) {
  if (rules.empty()) return;
  std::vector<std::string> patterns, params;
  std::vector<int64_t> same, differs;
  for (const auto& r : rules) {
    patterns.push_back(r.pattern);
    params.push_back(r.param);
    same.push_back(r.same);
    differs.push_back(r.differs);
  }
  db::store_call([&] { return "storing the URL parameter rules of source " + source; },
                 [&] {
                   pqxx::work tx(conn);
                   tx.exec_params0(kMerge, source, db::to_pg_array(patterns), db::to_pg_array(params),
                                   db::to_pg_array(same), db::to_pg_array(differs));
                   tx.commit();
                 });
}

}  // namespace leakwatch::crawler
