#pragma once
// The manifest's files in coreutils' `sha256sum` format, so `sha256sum -c FILE` passes when run in the scanned
// directory: "<hex>  <path>\n", and for a name holding '\', LF or CR the line starts with '\' and the name is escaped
// (\\, \n, \r), exactly as sha256sum itself writes it.

#include "manifest/entry.h"
#include "manifest/json_writer.h"

namespace treeprint {

void write_sha256sum(const Manifest& manifest, const Sink& sink);

}  // namespace treeprint
