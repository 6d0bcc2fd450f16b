#include "crawler/lease_owners.h"

#include <unistd.h>

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

}  // namespace leakwatch::crawler
