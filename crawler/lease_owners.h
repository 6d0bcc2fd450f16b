// Who holds a lease in the frontier: a name per crawl process (whether its
// process is live is the worker registry's, worker_registry.h).
#pragma once

#include <string>

namespace leakwatch::crawler {

// "host:pid:token", new for each call (the token tells apart two passes of
// one process).
std::string worker_name();

}  // namespace leakwatch::crawler
