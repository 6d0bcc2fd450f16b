// The network half of `leakwatch doctor`: each proxy the sources use (reachable;
// for .onion seeds, socks5h so that the proxy resolves names), and each
// source (its first seed answers through its proxy; its login cookie is still
// accepted, on the seed and on the source's `login_check` page when it names
// one). One request per page, no retries; nothing is stored.
#pragma once

#include <vector>

#include "app/context.h"
#include "app/doctor_checks.h"

namespace leakwatch::app {

// Results "proxy" (one per distinct proxy) and "source NAME" (one per source);
// none when the config names no source. The config must parse.
std::vector<CheckResult> check_network(Context& ctx);

}  // namespace leakwatch::app
