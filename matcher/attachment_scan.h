// The scanner the crawler streams attachments through (db::AttachmentScanner):
// the archive reader (extract/archive_reader.h: the format told from the
// bytes; members, nested archives and .xlsx rows) over the bytes as they
// arrive, each member scanned line by line by the extractor, each
// identifier kept as its keyed hash and masked form with the member path
// and line. Names in the same line are kept as evidence (kind 'name').
//
// The returned scanner is safe to call from several threads at once; the
// extractor and key must outlive it.
#pragma once

#include <cstdint>

#include "db/attachment_store.h"
#include "extract/archive_reader.h"
#include "extract/extractor.h"
#include "identity/keyed_hash.h"

namespace leakwatch::matcher {

// `max_bytes`: the largest attachment the crawl takes, which bounds the
// memory an archive that must seek (zip, 7z) is read into (ArchiveLimits::
// max_buffered_bytes: a download is a stream, not a file).
db::AttachmentScanner make_attachment_scanner(const extract::Extractor& extractor,
                                              const identity::HashKey& key, std::int64_t max_bytes);

}  // namespace leakwatch::matcher
