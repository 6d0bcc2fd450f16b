// Sharding the hash sets (issue #18, part 3): the partition pairs of
// customer_identifiers and sightings (one per bucket of the keyed hash,
// schema/0070) placed on other PostgreSQL servers as postgres_fdw foreign
// partitions. The coordinator (the database leakwatch is configured with)
// keeps everything else: the frontier, pages, locations, exposures, queues.
// The match's join of a pair then runs on the shard that holds it
// (partition-wise join pushed down, asynchronous append): PostgreSQL's own
// machinery, no routing of ours.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

namespace leakwatch::db {

inline constexpr int kBuckets = 16;  // schema/0070: one partition per bucket

// Where one bucket's pair of partitions lives.
struct BucketPlace {
  int bucket = 0;
  std::string server;  // "" on the coordinator, else the postgres_fdw server's name
  std::string where;   // "coordinator" or the shard as "host:port/dbname"
};

// Every bucket's place, in bucket order.
std::vector<BucketPlace> bucket_places(pqxx::connection& coordinator);

// Moves the buckets still on the coordinator to the shards, bucket b to
// shards[b % shards.size()]: creates the shard's tables (with their primary
// keys and indexes), a postgres_fdw server and user mapping per shard (the
// shard's user and password from its URL), then per bucket in one
// transaction copies both partitions over and swaps them for foreign tables.
// A bucket already on a shard stays there. Killed midway, run it again: a
// bucket moves whole or not at all (the shard's copy is emptied first).
// `progress` is told each bucket moved. Throws RuntimeError naming a shard
// it cannot reach (password hidden) or what failed.
void place_buckets(pqxx::connection& coordinator, const std::vector<std::string>& shard_urls,
                   const std::function<void(const BucketPlace&, long rows)>& progress);

}  // namespace leakwatch::db
