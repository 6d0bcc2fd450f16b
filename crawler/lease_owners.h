// Who holds a lease in the frontier: a name per crawl process, and whether the
// process behind a name is gone (its leases may be taken back at once).
#pragma once

#include <string>

namespace leakwatch::crawler {

// "host:pid:token", new for each call (the token tells apart two passes of
// one process).
std::string worker_name();

// A lease owner "host:pid:token" on this host whose process is gone. False
// for other hosts, this process, and names of another form.
bool owner_is_dead(const std::string& owner);

}  // namespace leakwatch::crawler
