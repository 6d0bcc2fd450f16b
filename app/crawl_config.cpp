#include "app/crawl_config.h"

#include <filesystem>
#include <set>
#include <string_view>

#include "app/table_reader.h"
#include "core/errors.h"

namespace leakwatch::app {
namespace {

constexpr std::string_view kCrawlKeys[] = {"proxy",
                                           "concurrency",
                                           "per_host_concurrency",
                                           "rate",
                                           "connect_timeout_s",
                                           "timeout_s",
                                           "max_page_bytes",
                                           "max_redirects",
                                           "max_tries",
                                           "retry_base_ms",
                                           "max_retry_after_s",
                                           "lease_s",
                                           "heartbeat_s",
                                           "max_depth",
                                           "max_pages",
                                           "revisit_hours",
                                           "user_agent",
                                           "log_interval_s",
                                           "learn_params",
                                           "keep_params",
                                           "drop_params",
                                           "attachments",
                                           "attachment_max_bytes",
                                           "attachment_budget_bytes",
                                           "attachment_timeout_s",
                                           "attachment_concurrency",
                                           "max_rate"};
constexpr std::string_view kSourceKeys[] = {"name",           "seeds",
                                            "allow",          "deny",
                                            "session_params", "max_depth",
                                            "max_pages",      "revisit_hours",
                                            "rate",           "proxy",
                                            "cookies",        "cookie_file",
                                            "headers",        "user_agent",
                                            "allow_private",  "fields",
                                            "learn_params",   "keep_params",
                                            "drop_params",    "login_check",
                                            "attachments",    "attachment_budget_bytes",
                                            "max_rate"};
constexpr std::string_view kFieldKeys[] = {"title", "price", "seller"};
constexpr std::string_view kProxySchemes[] = {"socks5h://", "socks5://", "socks4a://",
                                              "socks4://",  "http://",   "https://"};

void check_proxy(const TableReader& r, std::string_view key, std::string& proxy) {
  if (proxy == "none") proxy.clear();
  if (proxy.empty()) return;
  for (auto scheme : kProxySchemes) {
    if (proxy.starts_with(scheme)) return;
  }
  r.fail(*r.node(key), key,
         "expected a proxy URL socks5h://, socks5://, socks4a://, http:// or https:// (or \"none\")");
}

// `rate`: requests per second, or "auto" (AIMD up to `max_rate`).
void read_rate(const TableReader& r, crawler::SourceDefaults& d) {
  if (const toml::node* n = r.node("rate"); n != nullptr && n->is_string()) {
    if (n->value<std::string>() != "auto") r.fail(*n, "rate", "expected requests per second, or \"auto\"");
    d.auto_rate = true;
  } else if (n != nullptr) {
    r.read_number("rate", d.rate, 0.01, 10000);
    d.auto_rate = false;
  }
  r.read_number("max_rate", d.max_rate, 0.1, 10000);
}

crawler::CrawlDefaults read_defaults(const Config& config, int& log_interval_s) {
  crawler::CrawlDefaults d;
  auto section = TableReader::section(config, "crawl");
  if (!section) return d;
  const TableReader& r = *section;
  r.check_keys(kCrawlKeys);
  r.read("proxy", d.proxy);
  check_proxy(r, "proxy", d.proxy);
  r.read_int("concurrency", d.concurrency, 1, 1024);
  r.read_int("per_host_concurrency", d.per_host_concurrency, 1, 1024);
  read_rate(r, d);
  r.read_int("connect_timeout_s", d.connect_timeout_s, 1, 3600);
  r.read_int("timeout_s", d.timeout_s, 1, 86400);
  r.read_int("max_page_bytes", d.max_page_bytes, 1024, int64_t{1} << 31);
  r.read_int("max_redirects", d.max_redirects, 0, 50);
  r.read_int("max_tries", d.max_tries, 1, 20);
  r.read_int("retry_base_ms", d.retry_base_ms, 1, 600000);
  r.read_int("max_retry_after_s", d.max_retry_after_s, 0, 86400);
  r.read_int("lease_s", d.lease_s, 5, 86400);
  r.read_int("heartbeat_s", d.heartbeat_s, 1, 3600);
  r.read_int("max_depth", d.max_depth, 0, 1000);
  r.read_int("max_pages", d.max_pages, 1, 1000000000);
  r.read_number("revisit_hours", d.revisit_hours, 0, 1e6);
  r.read("user_agent", d.user_agent);
  r.read_int("log_interval_s", log_interval_s, 1, 86400);
  r.read("learn_params", d.learn_params);
  r.read_strings("keep_params", d.keep_params);
  r.read_strings("drop_params", d.drop_params);
  r.read("attachments", d.attachments);
  r.read_int("attachment_max_bytes", d.attachment_max_bytes, 1024, int64_t{1} << 40);
  r.read_int("attachment_budget_bytes", d.attachment_budget_bytes, 0, int64_t{1} << 50);
  r.read_int("attachment_timeout_s", d.attachment_timeout_s, 1, 7 * 86400);
  r.read_int("attachment_concurrency", d.attachment_concurrency, 1, 64);
  return d;
}

crawler::SourceOptions read_source(const Config& config, const toml::table& t,
                                   const crawler::CrawlDefaults& d, size_t index) {
  crawler::SourceOptions s;
  static_cast<crawler::SourceDefaults&>(s) = d;
  s.proxy = d.proxy;
  s.user_agent = d.user_agent;
  TableReader r(config, t, "[[source]] #" + std::to_string(index + 1));
  r.check_keys(kSourceKeys);
  if (r.node("name") == nullptr) {
    throw ConfigError(where(config, t) + "[[source]] #" + std::to_string(index + 1) + ": name: missing");
  }
  r.read("name", s.name);
  if (s.name.empty()) r.fail(*r.node("name"), "name", "must not be empty");
  TableReader named(config, t, "[[source]] " + s.name + ":");
  named.read_strings("seeds", s.seeds);
  if (s.seeds.empty()) {
    throw ConfigError(where(config, t) + "[[source]] " + s.name + ": seeds: at least one seed URL is needed");
  }
  named.read_strings("allow", s.allow);
  named.read_strings("deny", s.deny);
  named.read_strings("session_params", s.session_params);
  named.read_int("max_depth", s.max_depth, 0, 1000);
  named.read_int("max_pages", s.max_pages, 1, 1000000000);
  named.read_number("revisit_hours", s.revisit_hours, 0, 1e6);
  read_rate(named, s);
  named.read("proxy", s.proxy);
  check_proxy(named, "proxy", s.proxy);
  named.read("cookies", s.cookies);
  named.read("cookie_file", s.cookie_file);
  if (!s.cookie_file.empty()) {
    std::filesystem::path p(s.cookie_file);
    if (p.is_relative() && !config.file.empty()) p = config.file.parent_path() / p;
    if (!std::filesystem::is_regular_file(p))
      named.fail(*named.node("cookie_file"), "cookie_file", "no such file " + p.string());
    s.cookie_file = p.string();
  }
  if (const toml::node* h = named.node("headers")) {
    if (const toml::table* table = h->as_table()) {
      for (const auto& [key, value] : *table) {
        auto v = value.value<std::string>();
        if (!v) named.fail(value, "headers", "expected string values");
        s.headers.push_back(std::string(key.str()) + ": " + *v);
      }
    } else {
      named.read_strings("headers", s.headers);
      for (const auto& header : s.headers) {
        if (header.find(':') == std::string::npos)
          named.fail(*h, "headers", "expected \"Name: value\" strings");
      }
    }
  }
  named.read("user_agent", s.user_agent);
  named.read("allow_private", s.allow_private);
  named.read("learn_params", s.learn_params);
  named.read_strings("keep_params", s.keep_params);
  named.read_strings("drop_params", s.drop_params);
  named.read("login_check", s.login_check);
  named.read("attachments", s.attachments);
  named.read_int("attachment_budget_bytes", s.attachment_budget_bytes, 0, int64_t{1} << 50);
  if (!s.login_check.empty() && !s.login_check.starts_with("http://") &&
      !s.login_check.starts_with("https://"))
    named.fail(*named.node("login_check"), "login_check", "expected an absolute http(s) URL");
  if (const toml::node* f = named.node("fields")) {
    const toml::table* ft = f->as_table();
    if (ft == nullptr)
      named.fail(*f, "fields", "expected a table { title = \"...\", price = \"...\", seller = \"...\" }");
    TableReader fr(config, *ft, "[[source]] " + s.name + ": fields.");
    fr.check_keys(kFieldKeys);
    fr.read("title", s.fields.title);
    fr.read("price", s.fields.price);
    fr.read("seller", s.fields.seller);
  }
  return s;
}

}  // namespace

crawler::CrawlOptions read_crawl_options(const Config& config, const std::vector<std::string>& only) {
  crawler::CrawlOptions options;
  options.defaults = read_defaults(config, options.log_interval_s);
  const toml::node* sources = config.table.get("source");
  if (sources == nullptr) {
    throw ConfigError((config.file.empty() ? std::string("no config file") : config.file.string()) +
                      ": no [[source]] to crawl");
  }
  const toml::array* array = sources->as_array();
  if (array == nullptr) throw ConfigError(where(config, *sources) + "source: expected [[source]] tables");
  std::set<std::string> names;
  std::vector<crawler::SourceOptions> all;
  for (size_t i = 0; i < array->size(); ++i) {
    const toml::node& node = *array->get(i);
    if (!node.is_table()) throw ConfigError(where(config, node) + "[[source]]: expected a table");
    auto s = read_source(config, *node.as_table(), options.defaults, i);
    if (!names.insert(s.name).second) {
      throw ConfigError(where(config, node) + "[[source]] " + s.name + ": name: used twice");
    }
    all.push_back(std::move(s));
  }
  for (const auto& name : only) {
    if (!names.count(name)) {
      std::string known;
      for (const auto& n : names) known += (known.empty() ? "" : ", ") + n;
      throw ConfigError("--source " + name + ": no such source in " + config.file.string() +
                        " (known: " + known + ")");
    }
  }
  for (auto& s : all) {
    if (only.empty() || std::find(only.begin(), only.end(), s.name) != only.end()) {
      options.sources.push_back(std::move(s));
    }
  }
  return options;
}

}  // namespace leakwatch::app
