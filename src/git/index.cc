#include "git/index.h"

#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <thread>

#include "git/file.h"
#include "util/format.h"

namespace treeprint::git {

namespace {

// Offsets are 32-bit; no real index comes near this (300,000 entries take about 30 MB).
constexpr size_t k_max_index_size = size_t{2} << 30;
// Version 4 paths, expanded, may take at most this many times the file's size (deep paths with short names
// differing at the end come to about 8; a hostile file could ask for thousands).
constexpr size_t k_max_path_expansion = 32;
constexpr size_t k_stat_size = 40;  // ctime, mtime (8 each), dev, ino, mode, uid, gid, size (4 each)
// From this size on the checksum is computed on a thread of its own while the entries are parsed (a 50,000-file
// index is about 6 MB: 4 ms of SHA-1 beside 4 ms of parsing).
constexpr size_t k_parallel_checksum_min = 1 << 20;

uint32_t be32(std::string_view d, size_t pos) {
  const auto* p = reinterpret_cast<const unsigned char*>(d.data() + pos);
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

uint16_t be16(std::string_view d, size_t pos) {
  const auto* p = reinterpret_cast<const unsigned char*>(d.data() + pos);
  return static_cast<uint16_t>((p[0] << 8) | p[1]);
}

bool valid_mode(uint32_t mode) {
  return mode == k_mode_file || mode == k_mode_executable || mode == k_mode_symlink || mode == k_mode_gitlink;
}

bool is_dot_git(std::string_view part) {
  return part.size() == 4 && part[0] == '.' && (part[1] | 0x20) == 'g' && (part[2] | 0x20) == 'i' &&
         (part[3] | 0x20) == 't';
}

Result<Index> refused(std::string_view origin, const std::string& why) {
  return Result<Index>::failure("index '" + printable(std::string(origin)) + "': " + why);
}

// How many leading bytes `a` and `b` share, compared eight at a time.
size_t common_prefix(std::string_view a, std::string_view b) {
  const size_t n = std::min(a.size(), b.size());
  size_t i = 0;
  if constexpr (std::endian::native == std::endian::little) {
    for (; i + 8 <= n; i += 8) {
      uint64_t x = 0;
      uint64_t y = 0;
      std::memcpy(&x, a.data() + i, 8);
      std::memcpy(&y, b.data() + i, 8);
      if (x != y) return i + static_cast<size_t>(std::countr_zero(x ^ y) / 8);
    }
  }
  while (i < n && a[i] == b[i]) ++i;
  return i;
}

// Why `path` cannot be a tracked path, or nullptr. The components that end before `checked` are not looked at: they
// are the previous entry's, checked with it (its problem, if it had one, is already the index's).
const char* path_problem(std::string_view path, size_t checked = 0) {
  if (path.empty()) return "an empty path";
  if (path.front() == '/') return "an absolute path";
  if (path.back() == '/') return "a path ending in '/'";
  size_t start = 0;
  if (checked != 0) {
    const size_t slash = path.rfind('/', std::min(checked, path.size()) - 1);
    start = slash == std::string_view::npos ? 0 : slash + 1;
  }
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view part = path.substr(start, end - start);
    if (part.empty()) return "an empty path component";
    if (part == "." || part == "..") return "a '.' or '..' component";
    if (is_dot_git(part)) return "a '.git' component";
    start = end + 1;
  }
  return nullptr;
}

// git's varint (varint.c): 7 bits a byte, most significant first, each continuation adding one.
bool decode_varint(std::string_view d, size_t* pos, size_t end, uint64_t* out) {
  if (*pos >= end) return false;
  auto c = static_cast<unsigned char>(d[(*pos)++]);
  uint64_t value = c & 127;
  while ((c & 128) != 0) {
    value += 1;
    if (value >= (uint64_t{1} << 56) || *pos >= end) return false;
    c = static_cast<unsigned char>(d[(*pos)++]);
    value = (value << 7) + (c & 127);
  }
  *out = value;
  return true;
}

// The cache tree's root record: "" NUL, "<entries> <subtrees>\n", then the id when <entries> >= 0.
std::optional<ObjectId> parse_cache_tree_root(std::string_view ext, ObjectFormat format, size_t index_entries) {
  if (ext.empty() || ext[0] != '\0') return std::nullopt;
  size_t pos = 1;
  bool negative = false;
  if (pos < ext.size() && ext[pos] == '-') {
    negative = true;
    ++pos;
  }
  uint64_t entries = 0;
  const size_t digits_start = pos;
  while (pos < ext.size() && ext[pos] >= '0' && ext[pos] <= '9' && pos - digits_start < 12) {
    entries = entries * 10 + static_cast<uint64_t>(ext[pos++] - '0');
  }
  if (pos == digits_start || pos >= ext.size() || ext[pos] != ' ') return std::nullopt;
  const size_t eol = ext.find('\n', pos);
  if (eol == std::string_view::npos || negative) return std::nullopt;  // -1: invalidated
  if (entries != index_entries || ext.size() - (eol + 1) < id_size(format)) return std::nullopt;
  return ObjectId(format, std::span<const unsigned char>(reinterpret_cast<const unsigned char*>(ext.data() + eol + 1),
                                                         id_size(format)));
}

}  // namespace

Result<Index> Index::read(const std::string& path, ObjectFormat format) {
  struct stat st {};
  bool missing = false;
  const auto opened = open_regular_file(path, k_max_index_size, &st, &missing);
  if (!opened) {
    if (missing) {
      Index empty;
      empty.m_format = format;
      empty.m_version = 2;
      return empty;
    }
    return Result<Index>::failure(opened.error());
  }
  const int fd = *opened;
  const auto size = static_cast<uint64_t>(st.st_size);
  std::shared_ptr<const void> owner;
  std::string_view bytes;
  if (size != 0) {
    // Mapped, not read: copying a large index into fresh memory costs more than parsing it.
    void* at = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    if (at != MAP_FAILED) {
      owner = std::shared_ptr<const void>(at, [size](const void* p) { ::munmap(const_cast<void*>(p), size); });
      bytes = std::string_view(static_cast<const char*>(at), size);
    } else {
      // A file system that cannot map it: read it instead.
      auto data = read_open_file(fd, static_cast<size_t>(size), path);
      if (!data) {
        ::close(fd);
        return Result<Index>::failure(data.error());
      }
      auto held = std::make_shared<const std::string>(std::move(*data));
      bytes = *held;
      owner = std::move(held);
    }
  }
  ::close(fd);
  auto index = parse_bytes(std::move(owner), bytes, format, path);
  if (index) {
    index->m_file_exists = true;
    index->m_file_mtime = {static_cast<uint32_t>(st.st_mtim.tv_sec), static_cast<uint32_t>(st.st_mtim.tv_nsec)};
  }
  return index;
}

Result<Index> Index::parse(std::string data, ObjectFormat format, std::string_view origin) {
  auto owned = std::make_shared<const std::string>(std::move(data));
  const std::string_view bytes = *owned;
  return parse_bytes(std::move(owned), bytes, format, origin);
}

Result<Index> Index::parse_bytes(std::shared_ptr<const void> owner, std::string_view d, ObjectFormat format,
                                 std::string_view origin) {
  Index ix;
  ix.m_format = format;
  ix.m_owner = std::move(owner);
  ix.m_data = d;
  const size_t hash_size = id_size(format);
  auto bad = [&](const std::string& why) { return refused(origin, why); };
  if (d.size() > k_max_index_size) return bad("larger than " + with_commas(k_max_index_size) + " bytes");
  if (d.size() < 12 + hash_size) return bad("too short to be an index (" + std::to_string(d.size()) + " bytes)");
  if (d.substr(0, 4) != "DIRC") return bad("not an index file (no DIRC signature)");
  ix.m_version = be32(d, 4);
  if (ix.m_version < 2 || ix.m_version > 4) {
    return bad("index version " + std::to_string(ix.m_version) + " is not supported (2, 3 and 4 are)");
  }
  const size_t body_end = d.size() - hash_size;
  const std::string_view trailer = d.substr(body_end);
  // An all-zero trailer: index.skipHash. Otherwise the checksum is checked before anything else is reported: a
  // damaged file says so, whatever its entries look like.
  if (trailer.find_first_not_of('\0') == std::string_view::npos) return parse_entries(std::move(ix), origin);
  ObjectId sum;
  const auto summed = [&] {
    return std::equal(sum.bytes().begin(), sum.bytes().end(), reinterpret_cast<const unsigned char*>(trailer.data()));
  };
  const auto mismatch = [&] {
    return bad("checksum mismatch: the file is damaged, or not written in the repository's object format (" +
               std::string(format_name(format)) + ")");
  };
  // The bytes stay mapped while they are summed, whatever becomes of the index parsed from them meanwhile.
  const std::shared_ptr<const void> keep = ix.m_owner;
  std::jthread summer;
  if (body_end >= k_parallel_checksum_min && std::thread::hardware_concurrency() > 1) {
    try {
      summer = std::jthread([&] { sum = hash_bytes(format, d.substr(0, body_end)); });
    } catch (const std::system_error&) {
      // no thread to be had: summed on this one below
    }
  }
  if (!summer.joinable()) {
    sum = hash_bytes(format, d.substr(0, body_end));
    if (!summed()) return mismatch();
    return parse_entries(std::move(ix), origin);
  }
  Result<Index> parsed = parse_entries(std::move(ix), origin);
  summer.join();
  if (!summed()) return mismatch();
  return parsed;
}

Result<Index> Index::parse_entries(Index ix, std::string_view origin) {
  const std::string_view d = ix.m_data;
  const ObjectFormat format = ix.m_format;
  const size_t hash_size = id_size(format);
  const size_t body_end = d.size() - hash_size;
  auto bad = [&](const std::string& why) { return refused(origin, why); };

  const uint32_t count = be32(d, 8);
  const size_t fixed = k_stat_size + hash_size + 2;  // up to and including the flags
  const size_t min_entry = fixed + 2;                // a one-byte name and its NUL
  if (count > (body_end - 12) / min_entry) {
    return bad("claims " + with_commas(count) + " entries, more than its " + with_commas(d.size()) + " bytes can hold");
  }
  ix.m_slots.reserve(count);
  // What is wrong with an entry's meaning (its path, mode, order) is reported after the extensions were seen: a
  // split or sparse index has entries that look wrong without them, and its refusal says more.
  std::string deferred;
  auto defer = [&](const std::string& why) {
    if (deferred.empty()) deferred = why;
  };
  const bool v4 = ix.m_version == 4;
  const size_t max_arena = k_max_path_expansion * d.size();
  size_t pos = 12;
  // The previous entry's path, as an offset: views of the arena go stale when it grows.
  size_t previous_offset = 0;
  size_t previous_length = 0;
  int previous_stage = 0;
  auto previous_path = [&] {
    return std::string_view(v4 ? ix.m_paths : ix.m_data).substr(previous_offset, previous_length);
  };
  for (uint32_t i = 0; i < count; ++i) {
    auto where = [&] { return "entry " + std::to_string(i + 1) + " of " + std::to_string(count); };
    if (body_end - pos < fixed) return bad(where() + " is truncated");
    const size_t entry = pos;
    const uint32_t mode = be32(d, entry + 24);
    const uint16_t flags = be16(d, entry + k_stat_size + hash_size);
    size_t p = entry + fixed;
    uint16_t extended = 0;
    if ((flags & k_flag_extended) != 0) {
      if (ix.m_version < 3) return bad(where() + " has extended flags, which version 2 does not have");
      if (body_end - p < 2) return bad(where() + " is truncated");
      extended = be16(d, p);
      p += 2;
      if ((extended & ~(k_extended_skip_worktree | k_extended_intent_to_add)) != 0) {
        return bad(where() + " has reserved extended flag bits set");
      }
    }
    std::string_view path;
    uint32_t path_offset = 0;
    if (v4) {
      uint64_t strip = 0;
      if (!decode_varint(d, &p, body_end, &strip)) return bad(where() + " has a malformed path prefix length");
      if (strip > previous_length) {
        return bad(where() + " drops " + std::to_string(strip) + " bytes of a " + std::to_string(previous_length) +
                   "-byte previous path");
      }
      const char* nul = static_cast<const char*>(std::memchr(d.data() + p, '\0', body_end - p));
      if (nul == nullptr) return bad(where() + " has no NUL after its path");
      const size_t suffix = static_cast<size_t>(nul - (d.data() + p));
      const size_t keep = previous_length - static_cast<size_t>(strip);
      if (ix.m_paths.size() + keep + suffix > max_arena) {
        return bad("its version 4 paths expand to more than " + std::to_string(k_max_path_expansion) +
                   " times its size");
      }
      path_offset = static_cast<uint32_t>(ix.m_paths.size());
      ix.m_paths.append(ix.m_paths, previous_offset, keep);
      ix.m_paths.append(d.data() + p, suffix);
      path = std::string_view(ix.m_paths).substr(path_offset, keep + suffix);
      pos = p + suffix + 1;
    } else {
      const char* nul = static_cast<const char*>(std::memchr(d.data() + p, '\0', body_end - p));
      if (nul == nullptr) return bad(where() + " has no NUL after its path");
      const size_t length = static_cast<size_t>(nul - (d.data() + p));
      const size_t entry_size = (p - entry + length + 8) & ~size_t{7};
      if (entry_size > body_end - entry) return bad(where() + " is truncated");
      path_offset = static_cast<uint32_t>(p);
      path = d.substr(p, length);
      pos = entry + entry_size;
    }
    const size_t name_field = flags & k_flag_name_mask;
    if (name_field != std::min<size_t>(path.size(), k_flag_name_mask)) {
      defer(where() + ": its name length field says " + std::to_string(name_field) + ", its path has " +
            std::to_string(path.size()) + " bytes");
    }
    // Sorted paths share long prefixes: the components in the part shared with the previous path were checked with
    // it, and the order follows from the first byte that differs.
    const std::string_view previous = i > 0 ? previous_path() : std::string_view();
    const size_t common = common_prefix(path, previous);
    if (const char* problem = path_problem(path, common)) {
      defer(where() + " ('" + printable(std::string(path)) + "') has " + problem);
    }
    if (!valid_mode(mode)) {
      char octal[16];
      std::snprintf(octal, sizeof octal, "%o", mode);
      defer(where() + " ('" + printable(std::string(path)) + "') has mode " + octal +
            " (git writes 100644, 100755, 120000 and 160000)");
    }
    const int stage = (flags & k_flag_stage_mask) >> 12;
    if (i > 0) {
      const int order =
          common < std::min(path.size(), previous.size())
              ? (static_cast<unsigned char>(path[common]) < static_cast<unsigned char>(previous[common]) ? -1 : 1)
              : (path.size() < previous.size()   ? -1
                 : path.size() > previous.size() ? 1
                                                 : 0);
      if (order < 0 || (order == 0 && (stage <= previous_stage || stage == 0 || previous_stage == 0))) {
        defer(where() + " ('" + printable(std::string(path)) + "') is out of order or a duplicate");
      }
    }
    previous_offset = path_offset;
    previous_length = path.size();
    previous_stage = stage;
    ix.m_slots.push_back({static_cast<uint32_t>(entry), path_offset, static_cast<uint32_t>(path.size())});
    if (constexpr std::string_view k_attributes = ".gitattributes";
        path.ends_with(k_attributes) &&
        (path.size() == k_attributes.size() || path[path.size() - k_attributes.size() - 1] == '/')) {
      ix.m_attribute_files.push_back(i);
    }
    if (stage != 0) ++ix.m_unmerged;
    if ((extended & k_extended_intent_to_add) != 0) ++ix.m_intent_to_add;
    if ((extended & k_extended_skip_worktree) != 0) ++ix.m_skip_worktree;
  }

  while (pos < body_end) {
    if (body_end - pos < 8) return bad("truncated extension header after the entries");
    const std::string_view signature = d.substr(pos, 4);
    const uint32_t size = be32(d, pos + 4);
    const std::string name = "'" + printable(std::string(signature)) + "'";
    if (size > body_end - pos - 8) {
      return bad("extension " + name + " claims " + with_commas(size) + " bytes, only " +
                 with_commas(body_end - pos - 8) + " remain");
    }
    const std::string_view body = d.substr(pos + 8, size);
    if (signature == "TREE") {
      ix.m_cache_tree_root = parse_cache_tree_root(body, format, ix.m_slots.size());
    } else if (signature[0] >= 'A' && signature[0] <= 'Z') {
      // optional: skipped
    } else if (signature == "link") {
      return bad(
          "a split index (extension 'link', from core.splitIndex or update-index --split-index): its "
          "entries are partly in a shared index file; not supported");
    } else if (signature == "sdir") {
      return bad(
          "a sparse index (extension 'sdir', from sparse-checkout --sparse-index): directory entries "
          "stand for the files below them; not supported");
    } else {
      return bad("unknown required extension " + name);
    }
    pos += 8 + size;
  }
  if (!deferred.empty()) return bad(deferred);
  ix.m_paths.shrink_to_fit();
  return ix;
}

std::string_view Index::path(size_t i) const {
  const Slot& s = m_slots[i];
  return std::string_view(m_version == 4 ? m_paths : m_data).substr(s.path, s.path_length);
}

uint32_t Index::mode(size_t i) const { return be32(m_data, m_slots[i].entry + 24); }

IndexEntry Index::entry(size_t i) const {
  const Slot& s = m_slots[i];
  const std::string_view d = m_data;
  const size_t hash_size = id_size(m_format);
  IndexEntry e;
  e.path = path(i);
  e.ctime = {be32(d, s.entry), be32(d, s.entry + 4)};
  e.mtime = {be32(d, s.entry + 8), be32(d, s.entry + 12)};
  e.dev = be32(d, s.entry + 16);
  e.ino = be32(d, s.entry + 20);
  e.mode = be32(d, s.entry + 24);
  e.uid = be32(d, s.entry + 28);
  e.gid = be32(d, s.entry + 32);
  e.size = be32(d, s.entry + 36);
  e.id = ObjectId(m_format, std::span<const unsigned char>(
                                reinterpret_cast<const unsigned char*>(d.data() + s.entry + k_stat_size), hash_size));
  e.flags = be16(d, s.entry + k_stat_size + hash_size);
  if ((e.flags & k_flag_extended) != 0) e.extended_flags = be16(d, s.entry + k_stat_size + hash_size + 2);
  return e;
}

std::optional<size_t> Index::find(std::string_view wanted, int stage) const {
  size_t lo = 0;
  size_t hi = m_slots.size();
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    const int order = path(mid).compare(wanted);
    const int mid_stage =
        (be16(m_data, m_slots[mid].entry + k_stat_size + id_size(m_format)) & k_flag_stage_mask) >> 12;
    if (order < 0 || (order == 0 && mid_stage < stage)) {
      lo = mid + 1;
    } else if (order == 0 && mid_stage == stage) {
      return mid;
    } else {
      hi = mid;
    }
  }
  return std::nullopt;
}

size_t Index::lower_bound(std::string_view wanted, size_t begin, size_t end) const {
  size_t lo = begin;
  size_t hi = std::min(end, m_slots.size());
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    if (path(mid) < wanted) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

size_t Index::memory_bytes() const { return m_data.size() + m_paths.capacity() + m_slots.capacity() * sizeof(Slot); }

}  // namespace treeprint::git
