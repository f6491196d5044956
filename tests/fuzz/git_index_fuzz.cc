// libFuzzer target for the git index reader: any bytes, read as either object format, must give an index or an
// error saying why, never a crash, a hang or unbounded memory; and whatever is accepted must hold together: every
// entry decodes, paths are sorted and found where they are, and the tree id is computed or refused with a reason.
// Each input is also tried with its trailing checksum made right, or the fuzzer would never get past it.

#include <sys/stat.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "git/index.h"
#include "git/status.h"
#include "git/tree.h"

namespace {

void check(const std::string& bytes, treeprint::git::ObjectFormat format) {
  using namespace treeprint::git;
  auto index = Index::parse(bytes, format, "fuzz");
  if (!index) {
    if (index.error().empty()) std::abort();  // every refusal says why
    return;
  }
  struct stat st {};
  for (size_t i = 0; i < index->size(); ++i) {
    const IndexEntry e = index->entry(i);
    if (e.path != index->path(i) || e.path.empty()) std::abort();
    if (i > 0 && index->path(i - 1) > e.path) std::abort();
    if (index->find(e.path, e.stage()) != i) std::abort();
    (void)match_stat(e, st, index->file_mtime());
  }
  for (TreeSource source : {TreeSource::entries, TreeSource::cache_tree_if_valid}) {
    auto id = index_tree_id(*index, source);
    if (!id && id.error().empty()) std::abort();
    if (id && id->format() != format) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using treeprint::git::ObjectFormat;
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  for (ObjectFormat format : {ObjectFormat::sha1, ObjectFormat::sha256}) {
    check(bytes, format);
    const size_t hash_size = treeprint::git::id_size(format);
    if (bytes.size() < hash_size) continue;
    std::string fixed = bytes;
    const auto sum = treeprint::git::hash_bytes(format, std::string_view(fixed).substr(0, fixed.size() - hash_size));
    fixed.replace(fixed.size() - hash_size, hash_size, reinterpret_cast<const char*>(sum.bytes().data()), hash_size);
    check(fixed, format);
  }
  return 0;
}
