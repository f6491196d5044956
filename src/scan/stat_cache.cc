#include "scan/stat_cache.h"

#include <cstring>

#include "scan/hash_file.h"
#include "util/sha256.h"

namespace treeprint {

namespace {

// Layout (host byte order: inode numbers only mean something on this machine anyway):
//   "treeprint-stat 1\n"  magic
//   root digest of the manifest (32 bytes), root_dev (u64), racy_after_ns (i64), count (u64)
//   count x {ino (u64), ctime_ns (i64)}
//   SHA-256 of everything above (32 bytes)
constexpr std::string_view k_magic = "treeprint-stat 1\n";

template <typename T>
void put(std::string& out, T v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof v);
}

template <typename T>
T get(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

}  // namespace

std::string stat_file_path(const std::string& manifest_path) { return manifest_path + ".stat"; }

std::string encode_stat_file(const Digest& root, const StatHeader& header, const Manifest& manifest) {
  std::string out(k_magic);
  out.reserve(k_magic.size() + 56 + manifest.files.size() * 16 + 32);
  out.append(reinterpret_cast<const char*>(root.data()), root.size());
  put(out, header.root_dev);
  put(out, header.racy_after_ns);
  put(out, static_cast<uint64_t>(manifest.files.size()));
  for (const FileEntry* f : manifest.files) {
    put(out, f->ino);
    put(out, f->ctime_ns);
  }
  const Digest check = Sha256::of(out);
  out.append(reinterpret_cast<const char*>(check.data()), check.size());
  return out;
}

Result<std::unique_ptr<StatCache>> StatCache::from(Manifest manifest, const Digest& root, std::string_view bytes) {
  using R = Result<std::unique_ptr<StatCache>>;
  auto c = std::unique_ptr<StatCache>(new StatCache);
  c->m_manifest = std::move(manifest);
  const size_t fixed = k_magic.size() + 32 + 24;
  const size_t n = c->m_manifest.files.size();
  if (bytes.size() < fixed + 32 || bytes.compare(0, k_magic.size(), k_magic) != 0) return R::failure("not a stat file");
  const Digest check = Sha256::of(bytes.substr(0, bytes.size() - 32));
  if (std::memcmp(check.data(), bytes.data() + bytes.size() - 32, 32) != 0) return R::failure("its checksum is wrong");
  const char* p = bytes.data() + k_magic.size();
  if (std::memcmp(p, root.data(), 32) != 0) return R::failure("it belongs to another manifest (root digests differ)");
  c->m_header.root_dev = get<uint64_t>(p + 32);
  c->m_header.racy_after_ns = get<int64_t>(p + 40);
  const uint64_t count = get<uint64_t>(p + 48);
  if (count != n || bytes.size() != fixed + n * 16 + 32) return R::failure("its size does not match the manifest");
  c->m_stats.resize(n);
  p += 56;
  c->m_index.reserve(n);
  for (size_t i = 0; i < n; ++i, p += 16) {
    c->m_stats[i] = {get<uint64_t>(p), get<int64_t>(p + 8)};
    c->m_index.emplace(c->m_manifest.files[i]->path, static_cast<uint32_t>(i));
  }
  return R(std::move(c));
}

const FileEntry* StatCache::reusable(std::string_view path, const struct stat& st) const {
  const auto it = m_index.find(path);
  if (it == m_index.end()) return nullptr;
  const FileEntry* e = m_manifest.files[it->second];
  const FileStat& s = m_stats[it->second];
  const int64_t mtime = mtime_ns(st);
  const int64_t ctime = ctime_ns(st);
  const bool same = S_ISREG(st.st_mode) && static_cast<uint64_t>(st.st_size) == e->size && mtime == e->mtime_ns &&
                    st.st_ino == s.ino && ctime == s.ctime_ns && ((st.st_mode & S_IXUSR) != 0) == e->executable;
  return same && ctime < m_header.racy_after_ns ? e : nullptr;
}

}  // namespace treeprint
