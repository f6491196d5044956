#include "scan/baseline.h"

#include <cstring>

#include "manifest/manifest.h"
#include "manifest/reader.h"
#include "util/format.h"
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

std::string encode_stat_file(const Digest& root, const StatHeader& header, const std::vector<FileStat>& stats) {
  std::string out(k_magic);
  out.reserve(k_magic.size() + 56 + stats.size() * 16 + 32);
  out.append(reinterpret_cast<const char*>(root.data()), root.size());
  put(out, header.root_dev);
  put(out, header.racy_after_ns);
  put(out, static_cast<uint64_t>(stats.size()));
  for (const FileStat& s : stats) {
    put(out, s.ino);
    put(out, s.ctime_ns);
  }
  const Digest check = Sha256::of(out);
  out.append(reinterpret_cast<const char*>(check.data()), check.size());
  return out;
}

std::unique_ptr<Baseline> Baseline::load(const std::string& manifest_path, std::string* note, bool* warning) {
  *warning = false;
  auto b = std::unique_ptr<Baseline>(new Baseline);
  std::string error;
  ManifestHeader header;
  struct stat st {};
  if (::stat(manifest_path.c_str(), &st) != 0 && errno == ENOENT) {
    *note =
        "no baseline at '" + printable(manifest_path) + "' yet: hashing every file (the next run can reuse this one)";
    return nullptr;
  }
  if (!load_manifest(manifest_path, &b->m_manifest, &header, &error)) {
    *warning = true;
    *note = "ignoring the baseline: " + error;
    return nullptr;
  }
  const std::string stat_path = stat_file_path(manifest_path);
  auto source = open_byte_source(stat_path, &error);
  std::string bytes;
  if (source) {
    bytes.resize(source->size());
    if (!source->read_at(0, bytes.data(), bytes.size(), &error)) source.reset();
  }
  if (!source) {
    *warning = true;
    *note = "ignoring the baseline: " + error + " (it is written by `scan --baseline`; hashing every file)";
    return nullptr;
  }
  const size_t fixed = k_magic.size() + 32 + 24;
  const size_t n = b->m_manifest.files.size();
  auto damaged = [&](const std::string& why) {
    *warning = true;
    *note = "ignoring '" + printable(stat_path) + "': " + why + "; hashing every file";
    return nullptr;
  };
  if (bytes.size() < fixed + 32 || bytes.compare(0, k_magic.size(), k_magic) != 0) return damaged("not a stat file");
  const Digest check = Sha256::of(std::string_view(bytes).substr(0, bytes.size() - 32));
  if (std::memcmp(check.data(), bytes.data() + bytes.size() - 32, 32) != 0) return damaged("its checksum is wrong");
  const char* p = bytes.data() + k_magic.size();
  if (std::memcmp(p, header.root_digest.data(), 32) != 0) {
    return damaged("it belongs to another manifest (root digests differ)");
  }
  b->m_header.root_dev = get<uint64_t>(p + 32);
  b->m_header.racy_after_ns = get<int64_t>(p + 40);
  const uint64_t count = get<uint64_t>(p + 48);
  if (count != n || bytes.size() != fixed + n * 16 + 32) return damaged("its size does not match the manifest");
  b->m_stats.resize(n);
  p += 56;
  b->m_index.reserve(n);
  for (size_t i = 0; i < n; ++i, p += 16) {
    b->m_stats[i] = {get<uint64_t>(p), get<int64_t>(p + 8)};
    b->m_index.emplace(b->m_manifest.files[i]->path, static_cast<uint32_t>(i));
  }
  return b;
}

const FileEntry* Baseline::reusable(std::string_view path, const struct stat& st) const {
  const auto it = m_index.find(path);
  if (it == m_index.end()) return nullptr;
  const FileEntry* e = m_manifest.files[it->second];
  const FileStat& s = m_stats[it->second];
  const int64_t mtime = static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  const int64_t ctime = ctime_ns(st);
  const bool same = S_ISREG(st.st_mode) && static_cast<uint64_t>(st.st_size) == e->size && mtime == e->mtime_ns &&
                    st.st_ino == s.ino && ctime == s.ctime_ns && ((st.st_mode & S_IXUSR) != 0) == e->executable;
  return same && ctime < m_header.racy_after_ns ? e : nullptr;
}

}  // namespace treeprint
