#pragma once
// A manifest's file digests in the formats supply-chain tools take (docs/export.md):
// - sha256sum: coreutils' text, escaped names included (`sha256sum -c` reads it back);
// - subject-checksums: the checksums file actions/attest(-build-provenance) reads: "<hex>  <name>" lines, no
//   escapes (it has none), at most 512 KiB;
// - base64-subjects: slsa-github-generator's input: base64 of sha256sum-style text, one line;
// - in-toto: a Statement v1 with one subject per file, the manifest's root digest and totals as the predicate.
// Names a format cannot carry (a newline, bytes that are not UTF-8, edge whitespace the reader trims) are left out
// and reported, never silently changed.

#include <string>
#include <vector>

#include "manifest/entry.h"

namespace treeprint {

inline constexpr size_t k_subject_checksums_max = 512 * 1024;  // actions/attest refuses bigger files
// The manifest schema's own id (docs/manifest.schema.json): a URI that names what the predicate holds.
inline constexpr const char* k_in_toto_predicate_type = "urn:treeprint:manifest:v1";

struct ExportResult {
  std::string text;
  std::vector<std::string> left_out;  // raw paths the format cannot carry
};

ExportResult export_sha256sum(const Manifest& manifest);
ExportResult export_subject_checksums(const Manifest& manifest);
ExportResult export_base64_subjects(const Manifest& manifest);
ExportResult export_in_toto(const Manifest& manifest, const Digest& root, std::string_view tool_version);

}  // namespace treeprint
