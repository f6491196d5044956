#include "publish/zip_reader.h"

#include <unzip.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "util/format.h"

namespace treeprint {
namespace {

// minizip reads through these callbacks: a read-only stream over the bytes in memory.
struct MemoryStream {
  std::string_view data;
  uint64_t pos = 0;
};

voidpf ZCALLBACK mem_open(voidpf opaque, const void*, int) { return opaque; }

uLong ZCALLBACK mem_read(voidpf, voidpf stream, void* buf, uLong size) {
  auto* s = static_cast<MemoryStream*>(stream);
  const uint64_t n = std::min<uint64_t>(size, s->data.size() - std::min<uint64_t>(s->pos, s->data.size()));
  if (n > 0) std::memcpy(buf, s->data.data() + s->pos, n);
  s->pos += n;
  return static_cast<uLong>(n);
}

uLong ZCALLBACK mem_write(voidpf, voidpf, const void*, uLong) { return 0; }

ZPOS64_T ZCALLBACK mem_tell(voidpf, voidpf stream) { return static_cast<MemoryStream*>(stream)->pos; }

long ZCALLBACK mem_seek(voidpf, voidpf stream, ZPOS64_T offset, int origin) {
  auto* s = static_cast<MemoryStream*>(stream);
  uint64_t base = 0;
  switch (origin) {
    case ZLIB_FILEFUNC_SEEK_SET: base = 0; break;
    case ZLIB_FILEFUNC_SEEK_CUR: base = s->pos; break;
    case ZLIB_FILEFUNC_SEEK_END: base = s->data.size(); break;
    default: return -1;
  }
  if (offset > s->data.size() || base + offset > s->data.size()) return -1;
  s->pos = base + offset;
  return 0;
}

int ZCALLBACK mem_close(voidpf, voidpf) { return 0; }
int ZCALLBACK mem_error(voidpf, voidpf) { return 0; }

class Archive {
 public:
  explicit Archive(std::string_view data) : m_stream{data, 0} {
    zlib_filefunc64_def funcs{};
    funcs.zopen64_file = mem_open;
    funcs.zread_file = mem_read;
    funcs.zwrite_file = mem_write;
    funcs.ztell64_file = mem_tell;
    funcs.zseek64_file = mem_seek;
    funcs.zclose_file = mem_close;
    funcs.zerror_file = mem_error;
    funcs.opaque = &m_stream;
    m_zip = unzOpen2_64("memory", &funcs);
  }
  ~Archive() {
    if (m_zip != nullptr) unzClose(m_zip);
  }
  Archive(const Archive&) = delete;
  Archive& operator=(const Archive&) = delete;
  unzFile get() const { return m_zip; }

 private:
  MemoryStream m_stream;
  unzFile m_zip = nullptr;
};

}  // namespace

bool is_safe_zip_name(std::string_view name) {
  if (name.empty() || name[0] == '/' || name.find('\\') != std::string_view::npos ||
      name.find('\0') != std::string_view::npos) {
    return false;
  }
  if (name.size() >= 2 && name[1] == ':') return false;  // C:...
  while (!name.empty()) {
    const size_t slash = name.find('/');
    const std::string_view part = name.substr(0, slash);
    if (part == "..") return false;
    if (slash == std::string_view::npos) break;
    name.remove_prefix(slash + 1);
  }
  return true;
}

Result<std::string> read_zip_entry(std::string_view archive, std::string_view name, const ZipLimits& limits) {
  std::string out;
  const Status read = read_zip_entry_to(archive, name, limits, [&](std::string_view piece) {
    out.append(piece);
    return ok_status();
  });
  if (!read) return Result<std::string>::failure(read.error());
  return out;
}

Status read_zip_entry_to(std::string_view archive, std::string_view name, const ZipLimits& limits,
                         const std::function<Status(std::string_view)>& sink) {
  using R = Status;
  Archive zip(archive);
  if (zip.get() == nullptr) return R::failure("not a zip archive (" + std::to_string(archive.size()) + " bytes)");
  unz_global_info64 global{};
  if (unzGetGlobalInfo64(zip.get(), &global) != UNZ_OK) return R::failure("cannot read the zip directory");
  if (global.number_entry > limits.max_entries) {
    return R::failure("the zip holds " + std::to_string(global.number_entry) + " entries, more than the limit of " +
                      std::to_string(limits.max_entries));
  }
  // Check every name first: an archive built to escape its directory is not trusted for any of its files.
  bool found = false;
  unz64_file_pos found_pos{};
  unz_file_info64 found_info{};
  std::vector<char> buf(65536);
  for (int rc = unzGoToFirstFile(zip.get()); rc != UNZ_END_OF_LIST_OF_FILE; rc = unzGoToNextFile(zip.get())) {
    if (rc != UNZ_OK) return R::failure("the zip directory is corrupt");
    unz_file_info64 info{};
    if (unzGetCurrentFileInfo64(zip.get(), &info, buf.data(), static_cast<uLong>(buf.size()), nullptr, 0, nullptr, 0) !=
        UNZ_OK) {
      return R::failure("the zip directory is corrupt");
    }
    const std::string_view entry(buf.data(), std::min<size_t>(info.size_filename, buf.size() - 1));
    if (!is_safe_zip_name(entry)) {
      return R::failure("the zip holds an unsafe name '" + printable(entry) + "'; refusing the archive");
    }
    if (entry == name && !found) {
      found = true;
      found_info = info;
      if (unzGetFilePos64(zip.get(), &found_pos) != UNZ_OK) return R::failure("the zip directory is corrupt");
    }
  }
  const std::string what = "'" + printable(name) + "' in the zip";
  if (!found) return R::failure(what + ": no such file");
  const uint64_t compressed = std::max<uint64_t>(std::min<uint64_t>(found_info.compressed_size, archive.size()), 1);
  const auto too_big = [&](uint64_t size) {
    if (size > limits.max_size) {
      return what + " is " + std::to_string(size) + " bytes uncompressed, more than the limit of " +
             std::to_string(limits.max_size);
    }
    if (size > limits.ratio_floor && size / compressed > limits.max_ratio) {
      return what + " expands " + std::to_string(size / compressed) + " times (" + std::to_string(compressed) + " -> " +
             std::to_string(size) + " bytes), more than the limit of " + std::to_string(limits.max_ratio);
    }
    return std::string();
  };
  if (std::string e = too_big(found_info.uncompressed_size); !e.empty()) return R::failure(e);
  if (found_info.flag & 1) return R::failure(what + " is encrypted");
  if (unzGoToFilePos64(zip.get(), &found_pos) != UNZ_OK || unzOpenCurrentFile(zip.get()) != UNZ_OK) {
    return R::failure(what + ": cannot open it (unsupported compression method?)");
  }
  uint64_t inflated = 0;
  for (;;) {
    const int n = unzReadCurrentFile(zip.get(), buf.data(), static_cast<unsigned>(buf.size()));
    if (n < 0) {
      unzCloseCurrentFile(zip.get());
      return R::failure(what + ": corrupt data (minizip error " + std::to_string(n) + ")");
    }
    if (n == 0) break;
    inflated += static_cast<uint64_t>(n);
    if (std::string e = too_big(inflated); !e.empty()) {
      unzCloseCurrentFile(zip.get());
      return R::failure(e);
    }
    if (Status taken = sink(std::string_view(buf.data(), static_cast<size_t>(n))); !taken) {
      unzCloseCurrentFile(zip.get());
      return taken;
    }
  }
  if (unzCloseCurrentFile(zip.get()) != UNZ_OK) return R::failure(what + ": CRC mismatch, the data is corrupt");
  if (inflated != found_info.uncompressed_size) return R::failure(what + ": size does not match the zip directory");
  return ok_status();
}

}  // namespace treeprint
