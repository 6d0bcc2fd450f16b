// Which links are attachments, and which downloads are worth scanning: what
// leaks travel as (text, CSV, JSON, SQL, archives and compressed files,
// office sheets), told by the link's file name, then confirmed by the
// response's Content-Type or, when that says nothing useful, its first bytes.
// Pure functions.
#pragma once

#include <string>
#include <string_view>

namespace leakwatch::crawler {

// A link whose path ends in a file name with a leak's extension (".zip",
// ".7z", ".rar", ".gz", ".tgz", ".bz2", ".xz", ".zst", ".tar", ".txt", ".csv",
// ".tsv", ".json", ".jsonl", ".sql", ".xlsx"), case-insensitive.
bool is_attachment_link(std::string_view url);

// "" when a response with this Content-Type may be an attachment (a generic
// or absent type defers to the first bytes); else why not ("an HTML page",
// "image/jpeg").
std::string refuse_content_type(std::string_view content_type);

// Whether the type left the decision to the first bytes.
bool needs_sniffing(std::string_view content_type);

// "" when the body's first bytes are an archive, a compressed stream or
// text; else why not. `first` is at most the first few KiB.
std::string refuse_first_bytes(std::string_view first);

// The file name a report shows for an attachment URL: its last path
// segment ("sample.zip"), or the host when the path has none.
std::string attachment_file_name(std::string_view url);

}  // namespace leakwatch::crawler
