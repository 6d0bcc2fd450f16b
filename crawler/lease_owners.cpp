#include "crawler/lease_owners.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <random>

namespace leakwatch::crawler {

std::string worker_name() {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  std::random_device rd;
  char token[9];
  snprintf(token, sizeof token, "%08x", rd());
  return std::string(host) + ":" + std::to_string(getpid()) + ":" + token;
}

// A lease owner "host:pid:token" on this host whose process is gone.
bool owner_is_dead(const std::string& owner) {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  auto first = owner.find(':');
  auto second = owner.find(':', first + 1);
  if (first == std::string::npos || second == std::string::npos) return false;
  if (owner.substr(0, first) != host) return false;
  pid_t pid = static_cast<pid_t>(std::atol(owner.substr(first + 1, second - first - 1).c_str()));
  if (pid <= 0 || pid == getpid()) return false;
  return kill(pid, 0) != 0 && errno == ESRCH;
}

}  // namespace leakwatch::crawler
