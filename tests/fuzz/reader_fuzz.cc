// libFuzzer target for the manifest reader: any bytes must give a manifest or an error, never a crash, a hang or
// unbounded memory; and whatever is accepted must write back to bytes that read back to the same manifest.

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "manifest/json_writer.h"
#include "manifest/manifest.h"
#include "manifest/reader.h"

namespace {

std::string render(const treeprint::Manifest& m, const treeprint::ManifestHeader& h) {
  std::string out;
  treeprint::write_manifest_json(m, h.root_digest, h.tool_version, [&](std::string_view s) { out.append(s); });
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto source = treeprint::memory_source(std::string_view(reinterpret_cast<const char*>(data), size));
  treeprint::Manifest m;
  treeprint::ManifestHeader h;
  treeprint::Status loaded = treeprint::load_manifest(*source, &m, &h);
  if (!loaded) {
    if (loaded.error().empty()) std::abort();  // every refusal says why
    return 0;
  }
  if (treeprint::root_digest(m) != h.root_digest) std::abort();
  const std::string once = render(m, h);
  auto again = treeprint::memory_source(once);
  treeprint::Manifest m2;
  treeprint::ManifestHeader h2;
  if (!treeprint::load_manifest(*again, &m2, &h2)) std::abort();
  if (render(m2, h2) != once) std::abort();
  return 0;
}
