#include "manifest/manifest.h"

#include <charconv>
#include <chrono>
#include <cstring>

#include "util/format.h"
#include "util/sha256.h"

namespace treeprint {

void RootDigestBuilder::add_file(const FileEntry& f) {
  char hex[64];
  constexpr char k_digits[] = "0123456789abcdef";
  for (size_t i = 0; i < f.sha256.size(); ++i) {
    hex[2 * i] = k_digits[f.sha256[i] >> 4];
    hex[2 * i + 1] = k_digits[f.sha256[i] & 15];
  }
  add_file(f, std::string_view(hex, sizeof hex));
}

void RootDigestBuilder::add_file(const FileEntry& f, std::string_view sha256_hex) {
  char size[24];
  const auto r = std::to_chars(size, size + sizeof size, f.size);
  const std::string_view mode = mode_text(f.executable);
  const size_t need = 2 + f.path.size() + 1 + mode.size() + 1 + static_cast<size_t>(r.ptr - size) + 1 +
                      sha256_hex.size() + 1;
  const size_t at = m_pending.size();
  m_pending.resize(at + need);
  char* p = m_pending.data() + at;
  auto put = [&](std::string_view s) {
    std::memcpy(p, s.data(), s.size());
    p += s.size();
    *p++ = '\0';
  };
  *p++ = 'f';
  *p++ = '\0';
  put(f.path);
  put(mode);
  put(std::string_view(size, static_cast<size_t>(r.ptr - size)));
  put(sha256_hex);
  flush_if_full();
}

void RootDigestBuilder::add_symlink(std::string_view path, std::string_view target) {
  m_pending.push_back('l');
  m_pending.push_back('\0');
  m_pending.append(path);
  m_pending.push_back('\0');
  m_pending.append(target);
  m_pending.push_back('\0');
  flush_if_full();
}

Digest RootDigestBuilder::finish() {
  m_hash.update(m_pending);
  m_pending.clear();
  return m_hash.finish();
}

Digest root_digest(const Manifest& m) {
  RootDigestBuilder b;
  size_t i = 0, j = 0;
  while (i < m.files.size() || j < m.symlinks.size()) {
    if (j == m.symlinks.size() || (i < m.files.size() && m.files[i]->path < std::string_view(m.symlinks[j].path))) {
      b.add_file(*m.files[i++]);
    } else {
      b.add_symlink(m.symlinks[j].path, m.symlinks[j].target);
      ++j;
    }
  }
  return b.finish();
}

namespace {
char* put_digits(char* p, unsigned value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    p[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  return p + width;
}
}  // namespace

void append_timestamp_ns(std::string& out, int64_t ns) {
  using namespace std::chrono;
  const sys_time<nanoseconds> tp{nanoseconds{ns}};
  const auto day = floor<days>(tp);
  const year_month_day ymd{day};
  const int64_t in_day = (tp - day).count();  // [0, 86400e9)
  const auto secs = static_cast<unsigned>(in_day / 1'000'000'000);
  const auto frac = static_cast<unsigned>(in_day % 1'000'000'000);
  char buf[48];
  char* p = buf;
  int year = static_cast<int>(ymd.year());
  if (year < 0 || year > 9999) {
    p = std::to_chars(p, buf + 12, year).ptr;  // outside RFC 3339's range; still unambiguous
  } else {
    p = put_digits(p, static_cast<unsigned>(year), 4);
  }
  *p++ = '-';
  p = put_digits(p, static_cast<unsigned>(ymd.month()), 2);
  *p++ = '-';
  p = put_digits(p, static_cast<unsigned>(ymd.day()), 2);
  *p++ = 'T';
  p = put_digits(p, secs / 3600, 2);
  *p++ = ':';
  p = put_digits(p, secs / 60 % 60, 2);
  *p++ = ':';
  p = put_digits(p, secs % 60, 2);
  *p++ = '.';
  p = put_digits(p, frac, 9);
  *p++ = 'Z';
  out.append(buf, static_cast<size_t>(p - buf));
}

std::string format_timestamp_ns(int64_t ns) {
  std::string out;
  append_timestamp_ns(out, ns);
  return out;
}

}  // namespace treeprint
