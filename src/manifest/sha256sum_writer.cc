#include "manifest/sha256sum_writer.h"

#include <string>

#include "manifest/path_encoding.h"
#include "util/format.h"

namespace treeprint {

void write_sha256sum(const Manifest& manifest, const Sink& sink) {
  std::string buf;
  std::string escaped;
  for (const FileEntry* f : manifest.files) {
    const bool esc = escape_checksum_name(f->path, &escaped);
    if (esc) buf.push_back('\\');
    append_hex(buf, f->sha256);
    buf.append("  ");
    buf.append(esc ? std::string_view(escaped) : f->path);
    buf.push_back('\n');
    if (buf.size() >= (64 << 10)) {
      sink(buf);
      buf.clear();
    }
  }
  if (!buf.empty()) sink(buf);
}

}  // namespace treeprint
