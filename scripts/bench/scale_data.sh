# Sourced by scripts/bench/scale.sh and match_incremental.sh: the data they
# generate and the join they compare the match with. Needs $per_page (sightings
# a page) and $customers (customer identifiers md5('c' || 1..customers)).

# Sightings of pages [first, last] in the compact layout, as extract stores them.
sightings_sql() {
  cat <<SQL
INSERT INTO pages (content_hash, url, final_url, source, status, content_type, bytes, extracted_version)
  SELECT decode(md5('p' || p), 'hex'), 'http://bench.onion/' || p, 'http://bench.onion/' || p, 'bench', 200,
         'text/plain', 0, 1 FROM generate_series($1, $2) p;
INSERT INTO page_urls (url, page_id, source)
  SELECT url, id, 'bench' FROM pages WHERE url IN (SELECT 'http://bench.onion/' || p FROM generate_series($1, $2) p);
INSERT INTO sighting_locations (page_id)
  SELECT id FROM pages WHERE url IN (SELECT 'http://bench.onion/' || p FROM generate_series($1, $2) p);
INSERT INTO sightings (location_id, bucket, key_version, seen_at, hashes, codes, masked, keys)
  SELECT l.id, sighting_bucket(x.hash), 1, now(), array_agg(x.hash ORDER BY x.code), array_agg(x.code ORDER BY x.code),
         string_agg(x.masked, E'\n' ORDER BY x.code), array_agg(sighting_hash_key(x.hash) ORDER BY x.code)
  FROM (SELECT i / $per_page AS p, (i % $per_page / 3) * 4 + i % 3 AS code,
               CASE WHEN i % 3 = 2 THEN md5('name' || (i * 7919 % 50000))::uuid
                    WHEN i % 10 = 1 THEN md5('c' || (i::bigint * 7 % $customers + 1))::uuid
                    ELSE md5('s' || i)::uuid END AS hash,
               CASE i % 3 WHEN 0 THEN chr(97 + (i % 26)::int) || '***@' || (ARRAY['qq.com', '163.com', 'gmail.com', 'icloud.com', '126.com'])[1 + i % 5]
                          WHEN 1 THEN '+86138****' || lpad((i % 10000)::text, 4, '0') ELSE '' END AS masked
        FROM generate_series($1::bigint * $per_page, ($2::bigint + 1) * $per_page - 1) i) x
  JOIN pages pg ON pg.url = 'http://bench.onion/' || x.p
  JOIN sighting_locations l ON l.page_id = pg.id
  GROUP BY l.id, sighting_bucket(x.hash);
SQL
}

# The join of sightings and customers written by hand (printf: %s is an extra
# condition), inserting into exposures_baseline without confidence.
baseline_sql="INSERT INTO exposures_baseline (customer_id, kind, hash, key_version, masked, page_id, first_seen,
  last_seen, confidence)
  SELECT c.customer_id, CASE min(u.code & 3) WHEN 0 THEN 'email' ELSE 'phone' END, u.hash, min(s.key_version), min(u.masked), l.page_id, min(s.seen_at),
         max(s.seen_at), 'single'
  FROM sighting_locations l JOIN sightings s ON s.location_id = l.id
       CROSS JOIN LATERAL unnest(s.hashes, s.codes, string_to_array(s.masked, E'\\n')) AS u(hash, code, masked)
  JOIN customer_identifiers c ON c.hash = u.hash AND c.key_version = s.key_version
  WHERE u.code & 3 <> 2 %s
  GROUP BY c.customer_id, u.hash, l.page_id"
