#pragma once
// The deterministic JSON form of a manifest (schema v1, docs/manifest.schema.json).
//
// Fixed key order, one entry per line, entries sorted bytewise by path, integers in decimal, a final newline: the
// same tree gives the same bytes whatever the thread count or the machine. Output goes to a sink in chunks, so a
// manifest of millions of entries is never held in memory as text.

#include <cstddef>
#include <functional>
#include <string_view>

#include "manifest/entry.h"

namespace treeprint {

using Sink = std::function<void(std::string_view)>;

/// `root` is root_digest(manifest), passed in because callers also show it. With `threads` > 1 the entries are
/// rendered in parallel; the bytes are the same. Returns the offset in the output of the root digest's 64 hex digits:
/// a caller writing to a file it can patch may pass any digest, compute the real one meanwhile, and write it there
/// (the header is fixed-width, so nothing else moves).
size_t write_manifest_json(const Manifest& manifest, const Digest& root, std::string_view tool_version,
                           const Sink& sink, unsigned threads = 1);

}  // namespace treeprint
