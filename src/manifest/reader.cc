#include "manifest/reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "manifest/manifest.h"
#include "manifest/path_encoding.h"
#include "simdjson.h"
#include "util/format.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace treeprint {

namespace {

namespace od = simdjson::ondemand;

constexpr size_t k_block = 1 << 20;         // first pass: bytes read at a time
// Second pass: entries parsed together, about this many bytes. The parser's structural index costs it about 6 bytes
// per input byte, so a batch is kept small: 256 KiB parses as fast as 1 MiB and holds 1.5 MB, not 6 MB.
constexpr uint64_t k_batch = 256 << 10;
constexpr uint64_t k_max_entry = 4 << 20;   // one entry of a list (a path deeper than PATH_MAX is still far less)
constexpr uint64_t k_max_value = 64 << 10;  // any other top-level value
constexpr size_t k_max_depth = 16;          // nesting; a manifest needs 3
constexpr size_t k_max_key = 64;

// ---------------------------------------------------------------------------------------------------------------
// Sources

class FileSource final : public ByteSource {
 public:
  FileSource(FileSystem& fs, int fd, uint64_t size, std::string path)
      : m_fs(fs), m_fd(fd), m_size(size), m_path(std::move(path)) {}
  ~FileSource() override { m_fs.close(m_fd); }
  uint64_t size() const override { return m_size; }
  Status read_at(uint64_t offset, char* buf, size_t n) override {
    while (n > 0) {
      const long got = m_fs.read_at(m_fd, buf, n, offset);
      if (got <= 0) {
        return Status::failure("cannot read '" + m_path + "': " +
                               (got < 0 ? errno_text(static_cast<int>(-got)) : "file shrank while being read"));
      }
      buf += got;
      n -= static_cast<size_t>(got);
      offset += static_cast<uint64_t>(got);
    }
    return ok_status();
  }

 private:
  FileSystem& m_fs;
  int m_fd;
  uint64_t m_size;
  std::string m_path;
};

class MemorySource final : public ByteSource {
 public:
  explicit MemorySource(std::string_view bytes) : m_bytes(bytes) {}
  explicit MemorySource(std::string owned) : m_owned(std::move(owned)), m_bytes(m_owned) {}
  uint64_t size() const override { return m_bytes.size(); }
  Status read_at(uint64_t offset, char* buf, size_t n) override {
    if (offset > m_bytes.size() || m_bytes.size() - offset < n) {
      return Status::failure("read past the end of the manifest");
    }
    std::memcpy(buf, m_bytes.data() + offset, n);
    return ok_status();
  }

 private:
  std::string m_owned;
  std::string_view m_bytes;
};

// ---------------------------------------------------------------------------------------------------------------
// First pass: the document's structure.

enum List : uint8_t { k_symlinks, k_skipped, k_errors, k_files, k_list_count };  // the order they are read in
constexpr std::array<const char*, k_list_count> k_list_names = {"symlinks", "skipped", "errors", "files"};

enum Scalar : uint8_t { k_schema, k_tool, k_root_digest, k_totals, k_shard, k_git, k_scalar_count };
constexpr std::array<const char*, k_scalar_count> k_scalar_names = {"schema", "tool",  "root_digest",
                                                                    "totals", "shard", "git"};

struct Batch {
  uint64_t begin = 0;  // offset of the first entry's '{'
  uint64_t end = 0;    // one past the last entry's '}'
  uint64_t first_index = 0;
};

struct ListLayout {
  bool present = false;
  uint64_t count = 0;
  std::vector<Batch> batches;
};

struct ValueLayout {
  bool present = false;
  uint64_t begin = 0;
  uint64_t end = 0;
};

struct Layout {
  std::array<ListLayout, k_list_count> lists;
  std::array<ValueLayout, k_scalar_count> values;
};

bool is_ws(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

// The first '"' or '\\' at or after `i` (n when none): the end of a string's plain run. memchr is vectorised; a
// backslash is rare in a manifest (only in names that hold one), so the second search usually covers a few bytes.
size_t find_quote_or_backslash(const char* data, size_t i, size_t n) {
  const void* q = std::memchr(data + i, '"', n - i);
  const size_t quote = q == nullptr ? n : static_cast<size_t>(static_cast<const char*>(q) - data);
  const void* b = std::memchr(data + i, '\\', quote - i);
  return b == nullptr ? quote : static_cast<size_t>(static_cast<const char*>(b) - data);
}

// Finds the top-level keys, the extent of each top-level value and of each entry in the four lists, checking the
// punctuation between them. What is inside a value is checked later, by simdjson.
class Framer {
 public:
  explicit Framer(Layout* layout) : m_layout(layout) {}

  bool feed(const char* data, size_t n, uint64_t base) {
    size_t i = 0;
    while (i < n) {
      const char c = data[i];
      const uint64_t off = base + i;
      switch (m_state) {
        case State::before_root:
          if (is_ws(c)) break;
          if (c != '{') return fail(off, "a manifest is a JSON object: expected '{'");
          m_state = State::key_or_end;
          break;
        case State::key_or_end:
        case State::key_start:
          if (is_ws(c)) break;
          if (c == '"') {
            m_key.clear();
            m_key_begin = off;
            m_escape = false;
            m_state = State::in_key;
          } else if (c == '}' && m_state == State::key_or_end) {
            m_state = State::after_root;
          } else {
            return fail(off, "expected a key in double quotes");
          }
          break;
        case State::in_key:
          if (m_escape) {
            m_escape = false;
          } else if (c == '\\') {
            m_escape = true;
          } else if (c == '"') {
            m_state = State::colon;
            break;
          }
          if (m_key.size() > k_max_key) return fail(m_key_begin, "unknown top-level key (longer than any known key)");
          m_key.push_back(c);
          break;
        case State::colon:
          if (is_ws(c)) break;
          if (c != ':') return fail(off, "expected ':' after a key");
          if (!identify_key()) return false;
          m_state = State::value_start;
          break;
        case State::value_start:
          if (is_ws(c)) break;
          m_value_begin = off;
          if (m_list != k_list_count) {
            if (c != '[') return fail(off, std::string("\"") + k_list_names[m_list] + "\" must be an array");
            m_layout->lists[m_list].present = true;
            m_batch = Batch{};
            m_batch_count = 0;
            m_state = State::elem_or_end;
          } else if (c == '{' || c == '[') {
            m_stack.assign(1, c);
            m_in_string = false;
            m_then = State::after_value;
            m_state = State::nested;
          } else if (c == '"') {
            m_escape = false;
            m_state = State::string_value;
          } else {
            m_state = State::scalar_value;
          }
          break;
        case State::string_value: {
          i = skip_string(data, i, n);
          if (m_in_string_value_done) {
            m_in_string_value_done = false;
            end_value(base + i);
            m_state = State::after_value;
          } else if (base + i - m_value_begin > k_max_value) {
            return too_big();
          }
          continue;
        }
        case State::scalar_value:
          if (is_ws(c) || c == ',' || c == '}') {
            end_value(off);
            m_state = State::after_value;
            continue;  // the character is looked at again
          }
          if (off - m_value_begin > k_max_value) return too_big();
          break;
        case State::nested:
          i = scan_nested(data, i, n, base);
          if (!m_error.empty()) return false;
          if (m_stack.empty()) {
            if (m_then == State::after_value) {
              end_value(base + i);
            } else if (!end_entry(base + i)) {
              return false;
            }
            m_state = m_then;
          } else if (base + i - m_value_begin > (m_then == State::after_value ? k_max_value : k_max_entry)) {
            return too_big();
          }
          continue;
        case State::after_value:
          if (is_ws(c)) break;
          if (c == ',') {
            m_state = State::key_start;
          } else if (c == '}') {
            m_state = State::after_root;
          } else {
            return fail(off, "expected ',' or '}' after the value of \"" + m_key + "\"");
          }
          break;
        case State::elem_or_end:
        case State::elem_start:
          if (is_ws(c)) break;
          if (c == ']' && m_state == State::elem_or_end) {
            m_list = k_list_count;
            m_state = State::after_value;
            break;
          }
          if (c != '{') {
            return fail(off, entry_name() + ": expected an object" +
                                 (c == ']' ? std::string(" (a ',' before ']')") : std::string()));
          }
          m_value_begin = off;
          m_stack.assign(1, '{');
          m_in_string = false;
          m_then = State::after_entry;
          m_state = State::nested;
          break;
        case State::after_entry:
          if (is_ws(c)) break;
          if (c == ',') {
            m_state = State::elem_start;
          } else if (c == ']') {
            close_batch();
            m_layout->lists[m_list].count = m_count;
            m_count = 0;
            m_list = k_list_count;
            m_state = State::after_value;
          } else {
            return fail(off, "expected ',' or ']' after " + entry_name(/*previous=*/true));
          }
          break;
        case State::after_root:
          if (!is_ws(c)) return fail(off, "unexpected text after the manifest's closing '}'");
          break;
      }
      ++i;
    }
    return true;
  }

  bool finish(uint64_t size) {
    if (m_state == State::after_root) return true;
    if (m_state == State::before_root) return fail(size, "the manifest is empty");
    return fail(size, "the manifest ends early (truncated?)");
  }

  const std::string& error() const { return m_error; }

 private:
  enum class State : uint8_t {
    before_root,
    key_or_end,
    key_start,
    in_key,
    colon,
    value_start,
    string_value,
    scalar_value,
    nested,
    after_value,
    elem_or_end,
    elem_start,
    after_entry,
    after_root,
  };

  bool fail(uint64_t off, const std::string& what) {
    m_error = "byte " + std::to_string(off) + ": " + what;
    return false;
  }
  bool too_big() {
    if (m_then == State::after_entry && m_state == State::nested) {
      return fail(m_value_begin, entry_name() + " is larger than " + human_bytes(k_max_entry));
    }
    return fail(m_value_begin, "the value of \"" + m_key + "\" is larger than " + human_bytes(k_max_value));
  }
  // The entry being read (or, with `previous`, the one just read).
  std::string entry_name(bool previous = false) const {
    return std::string(k_list_names[m_list]) + "[" + std::to_string(m_count - (previous ? 1 : 0)) + "]";
  }

  bool identify_key() {
    std::string key = m_key;
    if (key.find('\\') != std::string::npos) {  // an escaped key: let simdjson decode it
      simdjson::padded_string text("\"" + key + "\"");
      od::parser parser;
      od::document doc;
      std::string_view decoded;
      if (parser.iterate(text).get(doc) != simdjson::SUCCESS || doc.get_string().get(decoded) != simdjson::SUCCESS) {
        return fail(m_key_begin, "malformed key");
      }
      key.assign(decoded);
    }
    m_list = k_list_count;
    m_scalar = k_scalar_count;
    for (uint8_t i = 0; i < k_list_count; ++i) {
      if (key == k_list_names[i]) m_list = static_cast<List>(i);
    }
    for (uint8_t i = 0; i < k_scalar_count; ++i) {
      if (key == k_scalar_names[i]) m_scalar = static_cast<Scalar>(i);
    }
    if (m_list == k_list_count && m_scalar == k_scalar_count) {
      // Not quoted: a file that is not a manifest at all (a config, a secrets file) must not reach the log.
      return fail(m_key_begin, "a top-level key that is not one of a manifest's");
    }
    const bool seen = m_list != k_list_count ? m_layout->lists[m_list].present : m_layout->values[m_scalar].present;
    if (seen) return fail(m_key_begin, "the key \"" + key + "\" appears twice");
    m_key = key;
    return true;
  }

  void end_value(uint64_t end) {
    ValueLayout& v = m_layout->values[m_scalar];
    v.present = true;
    v.begin = m_value_begin;
    v.end = end;
  }

  bool end_entry(uint64_t end) {
    if (m_batch_count == 0) {
      m_batch.begin = m_value_begin;
      m_batch.first_index = m_count;
    }
    m_batch.end = end;
    ++m_batch_count;
    ++m_count;
    if (m_batch.end - m_batch.begin >= k_batch) close_batch();
    return true;
  }

  void close_batch() {
    if (m_batch_count != 0) m_layout->lists[m_list].batches.push_back(m_batch);
    m_batch_count = 0;
  }

  // Inside a string value at depth 1: advances past the closing quote (setting m_in_string_value_done) or to `n`.
  size_t skip_string(const char* data, size_t i, size_t n) {
    while (i < n) {
      if (m_escape) {
        m_escape = false;
        ++i;
        continue;
      }
      i = find_quote_or_backslash(data, i, n);
      if (i == n) return n;
      const char c = data[i++];
      if (c == '\\') {
        m_escape = true;
      } else {
        m_in_string_value_done = true;
        return i;
      }
    }
    return i;
  }

  // Inside an object or array below depth 1: tracks strings and brackets until the one that opened it closes.
  // Returns the index just past that bracket (m_stack empty), or `n` (also on an error, with m_error set).
  size_t scan_nested(const char* data, size_t i, size_t n, uint64_t base) {
#if defined(__SSE2__)
    // 64 bytes at a time: where the quotes and brackets are, as bit masks. Without a backslash in the window every
    // quote opens or closes a string, so the bits inside strings are a running XOR of the quote bits (carried
    // from the window before), and only the brackets outside them are looked at one by one. A window with a
    // backslash (rare: only names that hold one) goes byte by byte.
    while (n - i >= 64) {
      const WindowMasks w = window_masks(data + i);
      if (w.backslash != 0 || m_escape) {
        const size_t next = scan_nested_bytes(data, i, i + 64, base);
        if (!m_error.empty()) return n;
        if (next != i + 64 || m_stack.empty()) return next;
        i = next;
        continue;
      }
      const uint64_t inside = prefix_xor(w.quote) ^ (m_in_string ? ~uint64_t{0} : 0);
      for (uint64_t brackets = w.bracket & ~inside; brackets != 0; brackets &= brackets - 1) {
        const size_t at = i + static_cast<size_t>(__builtin_ctzll(brackets));
        if (!bracket(data[at], base + at)) return n;
        if (m_stack.empty()) {
          m_in_string = false;
          return at + 1;
        }
      }
      m_in_string = (inside >> 63) != 0;
      i += 64;
    }
#endif
    const size_t next = scan_nested_bytes(data, i, n, base);
    return m_error.empty() ? next : n;
  }

#if defined(__SSE2__)
  struct WindowMasks {
    uint64_t quote = 0;
    uint64_t backslash = 0;
    uint64_t bracket = 0;  // { } [ ]
  };
  static WindowMasks window_masks(const char* p) {
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    const __m128i case_bit = _mm_set1_epi8(0x20);  // '[' | 0x20 is '{', ']' | 0x20 is '}'
    const __m128i open = _mm_set1_epi8('{');
    const __m128i close = _mm_set1_epi8('}');
    WindowMasks m;
    for (int k = 0; k < 4; ++k) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * k));
      const __m128i folded = _mm_or_si128(v, case_bit);
      const auto bits = [](__m128i x) { return static_cast<uint64_t>(static_cast<uint32_t>(_mm_movemask_epi8(x))); };
      m.quote |= bits(_mm_cmpeq_epi8(v, quote)) << (16 * k);
      m.backslash |= bits(_mm_cmpeq_epi8(v, backslash)) << (16 * k);
      m.bracket |= bits(_mm_or_si128(_mm_cmpeq_epi8(folded, open), _mm_cmpeq_epi8(folded, close))) << (16 * k);
    }
    return m;
  }
  // Bit i of the result is the XOR of bits 0..i of x.
  static uint64_t prefix_xor(uint64_t x) {
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    return x;
  }
#endif

  // A bracket outside strings: pushed or popped, with the depth and pairing checked.
  bool bracket(char c, uint64_t off) {
    if (c == '{' || c == '[') {
      if (m_stack.size() >= k_max_depth) {
        return fail(off, "nesting deeper than " + std::to_string(k_max_depth) + " levels");
      }
      m_stack.push_back(c);
      return true;
    }
    if (m_stack.back() != (c == '}' ? '{' : '[')) return fail(off, std::string("mismatched '") + c + "'");
    m_stack.pop_back();
    return true;
  }

  // scan_nested one byte at a time, up to `n`.
  size_t scan_nested_bytes(const char* data, size_t i, size_t n, uint64_t base) {
    while (i < n) {
      if (m_in_string) {
        if (m_escape) {
          m_escape = false;
          ++i;
          continue;
        }
        i = find_quote_or_backslash(data, i, n);
        if (i == n) return n;
        if (data[i] == '\\') {
          m_escape = true;
        } else {
          m_in_string = false;
        }
        ++i;
        continue;
      }
      const char c = data[i];
      if (c == '"') {
        m_in_string = true;
        m_escape = false;
      } else if (c == '{' || c == '[' || c == '}' || c == ']') {
        if (!bracket(c, base + i)) return n;
        if (m_stack.empty()) return i + 1;
      }
      ++i;
    }
    return n;
  }

  Layout* m_layout;
  State m_state = State::before_root;
  State m_then = State::after_value;
  std::string m_key;
  uint64_t m_key_begin = 0;
  List m_list = k_list_count;
  Scalar m_scalar = k_scalar_count;
  uint64_t m_value_begin = 0;
  bool m_escape = false;
  bool m_in_string = false;
  bool m_in_string_value_done = false;
  std::string m_stack;
  uint64_t m_count = 0;
  Batch m_batch;
  uint64_t m_batch_count = 0;
  std::string m_error;
};

// ---------------------------------------------------------------------------------------------------------------
// Second pass: the values.

bool decode_digest(std::string_view hex, Digest* out) { return hex.size() == 64 && decode_lower_hex(hex, out->data()); }

// "a/b/c": not empty, no leading or trailing '/', no empty, '.' or '..' segments, no NUL.
bool is_clean_relative_path(std::string_view p) {
  if (p.empty() || p.find('\0') != std::string_view::npos) return false;
  size_t start = 0;
  for (;;) {
    const size_t slash = p.find('/', start);
    const std::string_view seg =
        p.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (seg.empty() || seg == "." || seg == "..") return false;
    if (slash == std::string_view::npos) return true;
    start = slash + 1;
  }
}

const char* k_skip_types[] = {"fifo", "socket", "char-device", "block-device", "unknown"};

// ---------------------------------------------------------------------------------------------------------------
// Entries. Each batch is parsed by itself (on a second thread when there is one: BatchParser touches nothing
// else), then checked in list and batch order against what came before (Reader::apply_batch), so the entries, the
// order they are visited in and the first error are the same whichever thread parsed them.

struct EntryContext {
  List list;
  uint64_t index;
  uint64_t offset;
};

std::string where(const EntryContext& c) {
  return std::string(k_list_names[c.list]) + "[" + std::to_string(c.index) + "] (byte " + std::to_string(c.offset) +
         ")";
}

// One entry as its parse leaves it, checked alone; its text is in the batch's arena.
struct ParsedEntry {
  uint64_t offset = 0;
  uint32_t path = 0, path_size = 0;
  uint32_t target = 0, target_size = 0;
  uint32_t text = 0, text_size = 0;
  uint32_t hex = 0;  // a file's 64 sha256 digits, as the manifest has them
  uint32_t git_blob = 0;  // its git blob id's file.git_blob_size bytes, when it has one
  FileEntry file;    // all but the path
};

// A batch of one list: its bytes ('[' entries ']' and simdjson's padding), then what the parse made of them.
struct ParsedBatch {
  List list = k_files;
  uint64_t first_index = 0;
  uint64_t begin = 0;
  std::string input;
  size_t input_size = 0;
  std::vector<ParsedEntry> entries;  // whole entries, up to the first problem
  std::string arena;
  // The first problem, in the entry after the last of `entries`: reported as it is, unless (with
  // `after_order_check`) that entry's path, in `failed`, is out of order: the order is checked first.
  bool failed = false;
  bool after_order_check = false;
  ParsedEntry failed_entry;
  std::string error;

  std::string_view view(uint32_t at, uint32_t size) const { return std::string_view(arena).substr(at, size); }
};

class BatchParser {
 public:
  BatchParser(od::parser& parser, size_t git_id_hex) : m_parser(parser), m_git_id_hex(git_id_hex) {}

  void parse(ParsedBatch& b) {
    b.entries.clear();
    b.arena.clear();
    b.failed = false;
    b.after_order_check = false;
    b.error.clear();
    od::document doc;
    od::array array;
    EntryContext c{b.list, b.first_index, b.begin};
    ParsedEntry e;
    e.offset = b.begin;
    if (m_parser.iterate(b.input.data(), b.input_size, b.input.size()).get(doc) != simdjson::SUCCESS ||
        doc.get_array().get(array) != simdjson::SUCCESS) {
      return failed(b, e, where(c) + ": not valid JSON");
    }
    const char* base = b.input.data() + 1;
    for (auto element : array) {
      e = ParsedEntry{};
      e.offset = c.offset;
      od::value value;
      if (const auto err = element.get(value); err != simdjson::SUCCESS) {
        return failed(b, e, where(c) + ": not valid JSON (" + simdjson::error_message(err) + ")");
      }
      if (const char* location = nullptr; value.current_location().get(location) == simdjson::SUCCESS) {
        c.offset = b.begin + static_cast<uint64_t>(location - base);
      }
      e.offset = c.offset;
      od::object obj;
      const auto err = value.get_object().get(obj);
      if (err != simdjson::SUCCESS) {
        return failed(b, e, where(c) + ": not valid JSON (" + simdjson::error_message(err) + ")");
      }
      m_after_order_check = false;
      if (!parse_entry(c, obj, b, e)) {
        b.after_order_check = m_after_order_check;
        return failed(b, e, m_error);
      }
      b.entries.push_back(e);
      ++c.index;
    }
  }

 private:
  void failed(ParsedBatch& b, const ParsedEntry& e, std::string error) {
    b.failed = true;
    b.failed_entry = e;
    b.error = std::move(error);
  }
  bool entry_fail(const EntryContext& c, const std::string& what) {
    m_error = where(c) + ": " + what;
    return false;
  }
  // A check made after the one of the path's order (which needs the entries before it).
  bool late_fail(const EntryContext& c, const std::string& what) {
    m_after_order_check = true;
    return entry_fail(c, what);
  }
  static uint32_t keep(ParsedBatch& b, std::string_view text) {
    const auto at = static_cast<uint32_t>(b.arena.size());
    b.arena.append(text);
    return at;
  }

  // A name field: `key` (UTF-8 text) or `key_base64` (raw bytes that are not UTF-8). Stores the raw bytes.
  // `*raw` views the document's text, or `storage` for a decoded name.
  bool name_field(const EntryContext& c, std::string_view key, bool base64, od::value value, std::string* storage,
                  std::string_view* raw, bool must_be_relative) {
    std::string_view text;
    if (value.get_string().get(text) != simdjson::SUCCESS) return entry_fail(c, std::string(key) + " must be a string");
    if (base64) {
      auto decoded = base64_decode_strict(text);
      if (!decoded) return entry_fail(c, std::string(key) + " is not canonical padded base64");
      *storage = std::move(*decoded);
      *raw = *storage;
      if (is_valid_utf8(*raw)) {
        return entry_fail(c, std::string(key) + " holds valid UTF-8: the name belongs in the plain field");
      }
    } else {
      *raw = text;  // valid until the next batch is parsed
    }
    if (must_be_relative && !is_clean_relative_path(*raw)) {
      return entry_fail(c, "path '" + printable(*raw) +
                               "' is not a clean relative path (absolute, empty, or with '.', '..' or empty segments)");
    }
    return true;
  }

  enum FieldBit : uint32_t {
    b_path = 1,
    b_path64 = 2,
    b_size = 4,
    b_mtime = 8,
    b_mode = 16,
    b_sha = 32,
    b_target = 64,
    b_target64 = 128,
    b_not_followed = 256,
    b_type = 512,
    b_message = 1024,
    b_git_blob = 2048
  };

  // The member `key` names in an entry of `list`, or 0.
  static uint32_t member_bit(std::string_view key, List list) {
    switch (key.size()) {
      case 4:
        if (key == "path") return b_path;
        if (list == k_files && key == "size") return b_size;
        if (list == k_files && key == "mode") return b_mode;
        if (list == k_skipped && key == "type") return b_type;
        return 0;
      case 5: return list == k_files && key == "mtime" ? uint32_t{b_mtime} : 0;
      case 6:
        if (list == k_files && key == "sha256") return b_sha;
        if (list == k_symlinks && key == "target") return b_target;
        return 0;
      case 7: return list == k_errors && key == "message" ? uint32_t{b_message} : 0;
      case 8: return list == k_files && key == "git_blob" ? uint32_t{b_git_blob} : 0;
      case 11: return key == "path_base64" ? uint32_t{b_path64} : 0;
      case 12: return list == k_symlinks && key == "not_followed" ? uint32_t{b_not_followed} : 0;
      case 13: return list == k_symlinks && key == "target_base64" ? uint32_t{b_target64} : 0;
      default: return 0;
    }
  }

  // A key without escapes that is no longer than any member's name, straight from the document (unescaping would
  // copy it); false for any other key, which unescaped_key() then decodes.
  static bool plain_key(const char* raw, std::string_view* key) {
    for (size_t i = 0; i < 16; ++i) {
      if (raw[i] == '"') {
        *key = std::string_view(raw, i);
        return true;
      }
      if (raw[i] == '\\') return false;
    }
    return false;
  }

  bool parse_entry(const EntryContext& c, od::object obj, ParsedBatch& b, ParsedEntry& e) {
    uint32_t seen = 0;
    std::string_view path, target, text;  // in the document's text, or m_path and m_target when decoded
    FileEntry& f = e.file;
    std::string_view sha256_hex;  // checked: the canonical record takes the text as it is
    for (auto field : obj) {
      std::string_view key;
      od::raw_json_string raw_key;
      if (field.key().get(raw_key) != simdjson::SUCCESS ||
          (!plain_key(raw_key.raw(), &key) && field.unescaped_key().get(key) != simdjson::SUCCESS)) {
        return entry_fail(c, "malformed member");
      }
      od::value value;
      if (field.value().get(value) != simdjson::SUCCESS) return entry_fail(c, "malformed value");
      const uint32_t bit = member_bit(key, c.list);
      bool ok = true;
      switch (bit) {
        case b_path:
        case b_path64:
          ok = name_field(c, key, bit == b_path64, value, &m_path, &path, c.list != k_errors);
          break;
        case b_size:
          if (value.get_uint64().get(f.size) != simdjson::SUCCESS)
            return entry_fail(c, "size must be an unsigned integer");
          break;
        case b_mtime: {
          std::string_view t;
          std::optional<int64_t> ns;
          if (value.get_string().get(t) != simdjson::SUCCESS || !(ns = parse_timestamp_ns(t))) {
            return entry_fail(c, "mtime must be a timestamp like \"2024-01-02T03:04:05.123456789Z\"");
          }
          f.mtime_ns = *ns;
          break;
        }
        case b_mode: {
          std::string_view m;
          if (value.get_string().get(m) != simdjson::SUCCESS || (m != "0644" && m != "0755")) {
            return entry_fail(c, "mode must be \"0644\" or \"0755\"");
          }
          f.executable = m == "0755";
          break;
        }
        case b_sha:
          if (value.get_string().get(sha256_hex) != simdjson::SUCCESS || !decode_digest(sha256_hex, &f.sha256)) {
            return entry_fail(c, "sha256 must be 64 lower-case hex digits");
          }
          break;
        case b_git_blob: {
          std::string_view hex;
          unsigned char id[32];
          if (value.get_string().get(hex) != simdjson::SUCCESS || (hex.size() != 40 && hex.size() != 64) ||
              !decode_lower_hex(hex, id)) {
            return entry_fail(c, "git_blob must be 40 or 64 lower-case hex digits");
          }
          if (m_git_id_hex != hex.size()) {
            return entry_fail(c, m_git_id_hex == 0 ? "git_blob needs the top-level \"git\" object"
                                                   : "git_blob's length does not match git.object_format");
          }
          f.git_blob_size = static_cast<uint8_t>(hex.size() / 2);
          e.git_blob = keep(b, std::string_view(reinterpret_cast<const char*>(id), f.git_blob_size));
          break;
        }
        case b_target:
        case b_target64:
          ok = name_field(c, key, bit == b_target64, value, &m_target, &target, false);
          break;
        case b_not_followed:
        case b_type:
        case b_message: {
          std::string_view t;
          if (value.get_string().get(t) != simdjson::SUCCESS || t.empty()) {
            return entry_fail(c, std::string(key) + " must be a non-empty string");
          }
          text = t;
          break;
        }
        default:
          return entry_fail(c, "unexpected member \"" + printable(key) + "\"");
      }
      if (!ok) return false;
      if (seen & bit) return entry_fail(c, "member \"" + std::string(key) + "\" appears twice");
      seen |= bit;
    }
    const bool one_path = (seen & (b_path | b_path64)) == b_path || (seen & (b_path | b_path64)) == b_path64;
    if (!one_path) return entry_fail(c, "needs exactly one of \"path\" and \"path_base64\"");
    e.path = keep(b, path);
    e.path_size = static_cast<uint32_t>(path.size());
    switch (c.list) {
      case k_files: {
        constexpr uint32_t need = b_size | b_mtime | b_mode | b_sha;
        if ((seen & need) != need) return late_fail(c, "needs \"size\", \"mtime\", \"mode\" and \"sha256\"");
        e.hex = keep(b, sha256_hex);
        break;
      }
      case k_symlinks: {
        const uint32_t t = seen & (b_target | b_target64);
        if (t != b_target && t != b_target64)
          return late_fail(c, "needs exactly one of \"target\" and \"target_base64\"");
        break;
      }
      case k_skipped: {
        if (!(seen & b_type)) return late_fail(c, "needs \"type\"");
        bool known = false;
        for (const char* t : k_skip_types) known = known || text == t;
        if (!known)
          return late_fail(
              c, "type \"" + printable(text) + "\" is not fifo, socket, char-device, block-device or unknown");
        break;
      }
      case k_errors: {
        if (!(seen & b_message)) return late_fail(c, "needs \"message\"");
        break;
      }
      case k_list_count: break;
    }
    e.target = keep(b, target);
    e.target_size = static_cast<uint32_t>(target.size());
    e.text = keep(b, text);
    e.text_size = static_cast<uint32_t>(text.size());
    return true;
  }

  od::parser& m_parser;
  size_t m_git_id_hex;
  std::string m_error;
  bool m_after_order_check = false;
  std::string m_path, m_target;  // decoded base64 names
};

// Items 0..count-1 go through three steps, each in item order: `load(i, slot)` on the calling thread, `work(slot)`
// on a second thread, `use(i, slot)` on the calling thread again; at most k_in_flight items are between load and use.
// `use` returning false stops everything. `load` returning false stops loading; the items loaded before it are still
// worked on and used, so a failed load is reported (false, with *load_failed set) only when nothing before it
// failed, as in a one-thread loop. The second thread is joined before this returns.
constexpr size_t k_in_flight = 3;

template <class Slot, class Load, class Work, class Use>
bool in_two_threads(size_t count, std::array<Slot, k_in_flight>& slots, Load load, Work work, Use use,
                    bool* load_failed) {
  *load_failed = false;
  enum class State : uint8_t { free, loaded, worked };
  std::array<State, k_in_flight> state{};
  std::mutex mutex;
  std::condition_variable changed;
  bool stop = false;
  std::thread worker([&] {
    for (size_t i = 0; i < count; ++i) {
      {
        std::unique_lock lock(mutex);
        changed.wait(lock, [&] { return stop || state[i % k_in_flight] == State::loaded; });
        if (stop) return;
      }
      work(slots[i % k_in_flight]);
      {
        std::lock_guard lock(mutex);
        state[i % k_in_flight] = State::worked;
      }
      changed.notify_all();
    }
  });
  struct Join {
    std::mutex& mutex;
    std::condition_variable& changed;
    bool& stop;
    std::thread& worker;
    ~Join() {
      {
        std::lock_guard lock(mutex);
        stop = true;
      }
      changed.notify_all();
      worker.join();
    }
  } join{mutex, changed, stop, worker};
  size_t loaded = 0;
  size_t load_failed_at = count;
  for (size_t i = 0; i < count; ++i) {
    while (loaded < count && loaded < i + k_in_flight && load_failed_at == count) {
      if (!load(loaded, slots[loaded % k_in_flight])) {
        load_failed_at = loaded;
        break;
      }
      {
        std::lock_guard lock(mutex);
        state[loaded % k_in_flight] = State::loaded;
      }
      changed.notify_all();
      ++loaded;
    }
    if (i == load_failed_at) {
      *load_failed = true;
      return false;
    }
    {
      std::unique_lock lock(mutex);
      changed.wait(lock, [&] { return state[i % k_in_flight] == State::worked; });
    }
    if (!use(i, slots[i % k_in_flight])) return false;
    std::lock_guard lock(mutex);
    state[i % k_in_flight] = State::free;
  }
  return true;
}

class Reader {
 public:
  Reader(ByteSource& source, ManifestVisitor& visitor, bool parallel)
      : m_source(source), m_visitor(visitor), m_parallel(parallel) {}

  Status run(ManifestHeader* header) {
    if (!frame() || !read_header(header) || !read_lists(header)) {
      return Status::failure(m_error);
    }
    return ok_status();
  }

 private:
  bool fail(std::string what) {
    m_error = std::move(what);
    return false;
  }
  // Until the schema is known to be ours the file may be anything, so messages say what is wrong without quoting
  // it.
  // A read error is the disk's, not the file's: it is reported as it is, never as "not a treeprint manifest".
  bool not_manifest(const std::string& what) {
    return m_read_failed ? false : fail("not a treeprint manifest (" + what + ")");
  }
  bool read_at(uint64_t offset, char* buf, size_t n) {
    Status read = m_source.read_at(offset, buf, n);
    if (read) return true;
    if (m_reading_ahead) {  // reported only if the reading gets that far (read_ahead)
      m_read_ahead_error = read.error();
      return false;
    }
    m_read_failed = true;
    return fail(read.error());
  }

  // Runs in_two_threads with this thread's reads made ahead of the checks: a failed read is this reader's error
  // only when in_two_threads says the checks got that far.
  template <class Slot, class Load, class Work, class Use>
  bool read_ahead(size_t count, std::array<Slot, k_in_flight>& slots, Load load, Work work, Use use) {
    m_reading_ahead = true;
    bool load_failed = false;
    const bool done = in_two_threads(count, slots, load, work, use, &load_failed);
    m_reading_ahead = false;
    if (load_failed) {
      m_read_failed = true;
      fail(m_read_ahead_error);
    }
    return done;
  }

  bool frame() {
    Framer framer(&m_layout);
    const uint64_t size = m_source.size();
    const size_t blocks = static_cast<size_t>((size + k_block - 1) / k_block);
    if (m_parallel && blocks >= 2) {
      // The next blocks are read while the second thread finds the structure of the one before.
      struct Block {
        std::string bytes;
        size_t size = 0;
        uint64_t offset = 0;
        bool framed = false;
      };
      std::array<Block, k_in_flight> slots;
      bool framing = true;  // false once the framer has failed: the blocks after it are not looked at
      const bool framed = read_ahead(
          blocks, slots,
          [&](size_t i, Block& b) {
            b.offset = i * k_block;
            b.size = static_cast<size_t>(std::min<uint64_t>(k_block, size - b.offset));
            b.bytes.resize(b.size);
            return read_at(b.offset, b.bytes.data(), b.size);
          },
          [&](Block& b) { b.framed = framing = framing && framer.feed(b.bytes.data(), b.size, b.offset); },
          [&](size_t, Block& b) { return b.framed || not_manifest(framer.error()); });
      if (!framed) return false;
    } else {
      std::string block(static_cast<size_t>(std::min<uint64_t>(k_block, size)), '\0');
      for (uint64_t off = 0; off < size; off += k_block) {
        const size_t n = static_cast<size_t>(std::min<uint64_t>(k_block, size - off));
        if (!read_at(off, block.data(), n)) return false;
        if (!framer.feed(block.data(), n, off)) return not_manifest(framer.error());
      }
    }
    if (!framer.finish(size)) return not_manifest(framer.error());
    for (const Scalar s : {k_schema, k_tool, k_root_digest, k_totals}) {
      if (!m_layout.values[s].present)
        return not_manifest(std::string("the required key \"") + k_scalar_names[s] + "\" is missing");
    }
    for (uint8_t l = 0; l < k_list_count; ++l) {
      if (!m_layout.lists[l].present)
        return not_manifest(std::string("the required key \"") + k_list_names[l] + "\" is missing");
    }
    return true;
  }

  // Loads bytes [begin, end) into the padded buffer, wrapped in `open` and `close` when given.
  bool load(uint64_t begin, uint64_t end, char open, char close, size_t* length) {
    const size_t n = static_cast<size_t>(end - begin);
    const size_t extra = open != 0 ? 2 : 0;
    if (m_buffer.size() < n + extra + simdjson::SIMDJSON_PADDING)
      m_buffer.resize(n + extra + simdjson::SIMDJSON_PADDING);
    char* p = m_buffer.data();
    if (open != 0) *p++ = open;
    if (!read_at(begin, p, n)) return false;
    if (close != 0) p[n] = close;
    *length = n + extra;
    return true;
  }

  std::string at_value(Scalar s) const {
    return std::string("\"") + k_scalar_names[s] + "\" (byte " + std::to_string(m_layout.values[s].begin) + ")";
  }

  bool value_doc(Scalar s, od::document* doc) {
    const ValueLayout& v = m_layout.values[s];
    size_t len = 0;
    if (!load(v.begin, v.end, 0, 0, &len)) return false;
    if (m_parser.iterate(m_buffer.data(), len, m_buffer.size()).get(*doc) != simdjson::SUCCESS) {
      return fail(at_value(s) + ": not valid JSON");
    }
    return true;
  }

  bool string_value(Scalar s, std::string* out) {
    od::document doc;
    if (!value_doc(s, &doc)) return false;
    std::string_view v;
    if (doc.get_string().get(v) != simdjson::SUCCESS) return fail(at_value(s) + ": expected a string");
    out->assign(v);
    return true;
  }

  // An object whose members are all unsigned integers, each named in `names` (all required).
  template <size_t N>
  bool counts_value(Scalar s, const std::array<const char*, N>& names, std::array<uint64_t, N>* out) {
    od::document doc;
    if (!value_doc(s, &doc)) return false;
    od::object obj;
    if (doc.get_object().get(obj) != simdjson::SUCCESS) return fail(at_value(s) + ": expected an object");
    uint32_t seen = 0;
    for (auto field : obj) {
      std::string_view key;
      if (field.unescaped_key().get(key) != simdjson::SUCCESS) return fail(at_value(s) + ": malformed member");
      size_t k = 0;
      while (k < N && key != names[k]) ++k;
      if (k == N) return fail(at_value(s) + ": unknown member \"" + printable(key) + "\"");
      if (seen & (1u << k)) return fail(at_value(s) + ": member \"" + std::string(key) + "\" appears twice");
      seen |= 1u << k;
      if (field.value().get_uint64().get((*out)[k]) != simdjson::SUCCESS) {
        return fail(at_value(s) + ": \"" + std::string(key) + "\" must be an unsigned integer");
      }
    }
    for (size_t k = 0; k < N; ++k) {
      if (!(seen & (1u << k))) return fail(at_value(s) + ": member \"" + names[k] + "\" is missing");
    }
    return true;
  }

  bool read_header(ManifestHeader* h) {
    std::string schema;
    if (!string_value(k_schema, &schema)) return not_manifest(m_error);
    if (schema != k_manifest_schema) {
      return not_manifest(at_value(k_schema) + ": the value is not a schema this version reads (" +
                          std::string(k_manifest_schema) + ")");
    }
    {
      od::document doc;
      if (!value_doc(k_tool, &doc)) return false;
      od::object obj;
      if (doc.get_object().get(obj) != simdjson::SUCCESS) return fail(at_value(k_tool) + ": expected an object");
      bool have_name = false, have_version = false;
      for (auto field : obj) {
        std::string_view key, value;
        if (field.unescaped_key().get(key) != simdjson::SUCCESS ||
            field.value().get_string().get(value) != simdjson::SUCCESS) {
          return fail(at_value(k_tool) + ": members must be strings");
        }
        if (key == "name" && !have_name) {
          if (value != "treeprint") return fail(at_value(k_tool) + ": name must be \"treeprint\"");
          have_name = true;
        } else if (key == "version" && !have_version) {
          if (value.empty()) return fail(at_value(k_tool) + ": version is empty");
          h->tool_version.assign(value);
          have_version = true;
        } else {
          return fail(at_value(k_tool) + ": unexpected member \"" + printable(key) + "\"");
        }
      }
      if (!have_name || !have_version) return fail(at_value(k_tool) + ": needs \"name\" and \"version\"");
    }
    std::string digest;
    if (!string_value(k_root_digest, &digest)) return false;
    if (digest.size() != 71 || digest.compare(0, 7, "sha256:") != 0 ||
        !decode_digest(std::string_view(digest).substr(7), &h->root_digest)) {
      return fail(at_value(k_root_digest) + ": expected \"sha256:\" and 64 lower-case hex digits");
    }
    std::array<uint64_t, 5> totals{};
    if (!counts_value(k_totals, std::array<const char*, 5>{"files", "bytes", "symlinks", "skipped", "errors"},
                      &totals)) {
      return false;
    }
    h->totals = {totals[0], totals[1], totals[2], totals[3], totals[4]};
    if (m_layout.values[k_shard].present) {
      std::array<uint64_t, 2> shard{};
      if (!counts_value(k_shard, std::array<const char*, 2>{"index", "count"}, &shard)) return false;
      if (shard[1] == 0 || shard[1] > UINT32_MAX || shard[0] == 0 || shard[0] > shard[1]) {
        return fail(at_value(k_shard) + ": needs 1 <= index <= count");
      }
      h->shard = ShardSpec{static_cast<uint32_t>(shard[0]), static_cast<uint32_t>(shard[1])};
    }
    if (m_layout.values[k_git].present && !git_value(h)) return false;
    return true;
  }

  // The optional "git" object (docs/manifest.md): every member checked, none unknown.
  bool git_value(ManifestHeader* h) {
    od::document doc;
    if (!value_doc(k_git, &doc)) return false;
    od::object obj;
    if (doc.get_object().get(obj) != simdjson::SUCCESS) return fail(at_value(k_git) + ": expected an object");
    static constexpr std::array<const char*, 9> k_names = {
        "object_format", "head", "tree", "clean", "tracked", "modified", "untracked", "ignored_tracked", "conversion"};
    GitSummary g;
    uint32_t seen = 0;
    for (auto field : obj) {
      std::string_view key;
      if (field.unescaped_key().get(key) != simdjson::SUCCESS) return fail(at_value(k_git) + ": malformed member");
      size_t k = 0;
      while (k < k_names.size() && key != k_names[k]) ++k;
      if (k == k_names.size()) return fail(at_value(k_git) + ": unknown member \"" + printable(key) + "\"");
      if (seen & (1u << k)) return fail(at_value(k_git) + ": member \"" + std::string(key) + "\" appears twice");
      seen |= 1u << k;
      const std::string what = at_value(k_git) + ": \"" + std::string(key) + "\" ";
      std::string_view text;
      uint64_t count = 0;
      bool flag = false;
      switch (k) {
        case 0:
          if (field.value().get_string().get(text) != simdjson::SUCCESS || (text != "sha1" && text != "sha256")) {
            return fail(what + "must be \"sha1\" or \"sha256\"");
          }
          g.object_format = text;
          break;
        case 1:
        case 2:
          if (field.value().get_string().get(text) != simdjson::SUCCESS || text.empty() || !is_lower_hex(text)) {
            return fail(what + "must be lower-case hex digits");
          }
          (k == 1 ? g.head : g.tree) = text;
          break;
        case 3:
          if (field.value().get_bool().get(flag) != simdjson::SUCCESS) return fail(what + "must be true or false");
          g.clean = flag;
          break;
        case 8:
          if (field.value().get_string().get(text) != simdjson::SUCCESS || text.size() != 71 ||
              text.substr(0, 7) != "sha256:" || !is_lower_hex(text.substr(7))) {
            return fail(what + "must be \"sha256:\" and 64 lower-case hex digits");
          }
          g.conversion = text.substr(7);
          break;
        default:
          if (field.value().get_uint64().get(count) != simdjson::SUCCESS) {
            return fail(what + "must be an unsigned integer");
          }
          (k == 4 ? g.tracked : k == 5 ? g.modified : k == 6 ? g.untracked : g.ignored_tracked) = count;
          break;
      }
    }
    for (size_t k : {0, 3, 4, 5, 6, 7}) {
      if (!(seen & (1u << k))) return fail(at_value(k_git) + ": member \"" + k_names[k] + "\" is missing");
    }
    const size_t id_hex = g.object_format == "sha1" ? 40 : 64;
    if ((!g.head.empty() && g.head.size() != id_hex) || (!g.tree.empty() && g.tree.size() != id_hex)) {
      return fail(at_value(k_git) + ": head and tree must be " + std::to_string(id_hex) + " hex digits in " +
                  g.object_format);
    }
    m_git_id_hex = id_hex;
    h->git = std::move(g);
    return true;
  }

  // --- entries ---

  bool entry_fail(const EntryContext& c, const std::string& what) { return fail(where(c) + ": " + what); }

  bool check_order(const EntryContext& c, std::string_view path) {
    std::string_view& prev = m_prev[c.list];
    if (c.index != 0 && !(prev < path)) {
      return entry_fail(c, prev == path ? "path '" + printable(path) + "' appears twice"
                                        : "entries are not sorted by path ('" + printable(path) + "' after '" +
                                              printable(prev) + "')");
    }
    prev = path;
    return true;
  }

  // Loads batch `b` of `list` into `out`, for a BatchParser.
  bool load_batch(List list, const Batch& b, ParsedBatch* out) {
    out->list = list;
    out->first_index = b.first_index;
    out->begin = b.begin;
    const size_t n = static_cast<size_t>(b.end - b.begin);
    if (const size_t need = n + 2 + simdjson::SIMDJSON_PADDING; out->input.size() < need) {
      std::string(need, '\0').swap(out->input);  // exactly this size: resize() would double the capacity
    }
    out->input[0] = '[';
    if (!read_at(b.begin, out->input.data() + 1, n)) return false;
    out->input[n + 1] = ']';
    out->input_size = n + 2;
    return true;
  }

  // The checks that need the entries before: order, the byte sum, files against symlinks, the root digest; then
  // the visitor. Then the batch's own first problem, if it had one.
  bool apply_batch(const ParsedBatch& b) {
    const List list = b.list;
    EntryContext c{list, b.first_index, 0};
    for (const ParsedEntry& e : b.entries) {
      c.offset = e.offset;
      const std::string_view path = b.view(e.path, e.path_size);
      if (!check_order(c, path)) return false;
      switch (list) {
        case k_files: {
          FileEntry f = e.file;
          f.path = path;
          if (f.git_blob_size != 0) f.git_blob = reinterpret_cast<const unsigned char*>(b.arena.data() + e.git_blob);
          if (__builtin_add_overflow(m_bytes, f.size, &m_bytes)) return entry_fail(c, "sizes add up past 2^64");
          // Interleave the symlinks that sort before this file, for the root digest.
          while (m_next_link < m_links.size() && std::string_view(m_links[m_next_link].first) < path) {
            m_digest.add_symlink(m_links[m_next_link].first, m_links[m_next_link].second);
            ++m_next_link;
          }
          if (m_next_link < m_links.size() && m_links[m_next_link].first == path) {
            return entry_fail(c, "path '" + printable(path) + "' is both a file and a symlink");
          }
          m_digest.add_file(f, b.view(e.hex, 64));
          m_visitor.file(f);
          break;
        }
        case k_symlinks: {
          SymlinkEntry l{std::string(path), std::string(b.view(e.target, e.target_size)),
                         std::string(b.view(e.text, e.text_size))};
          m_links.emplace_back(l.path, l.target);
          m_visitor.symlink(l);
          break;
        }
        case k_skipped:
          m_visitor.skipped(SkippedEntry{std::string(path), std::string(b.view(e.text, e.text_size))});
          break;
        case k_errors:
          m_visitor.error(ErrorEntry{std::string(path), std::string(b.view(e.text, e.text_size))});
          break;
        case k_list_count: break;
      }
      ++c.index;
    }
    if (b.failed) {
      if (b.after_order_check) {
        c.offset = b.failed_entry.offset;
        if (!check_order(c, b.view(b.failed_entry.path, b.failed_entry.path_size))) return false;
      }
      return fail(b.error);
    }
    // The next batch's first entry is compared with this one's last: keep it past the batch.
    if (c.index != b.first_index) {
      m_prev_text[list].assign(m_prev[list]);
      m_prev[list] = m_prev_text[list];
    }
    return true;
  }

  struct BatchRef {
    List list;
    const Batch* batch;
  };

  bool read_batches(const std::vector<BatchRef>& all) {
    ParsedBatch b;
    BatchParser parser(m_parser, m_git_id_hex);
    for (const BatchRef& r : all) {
      if (!load_batch(r.list, *r.batch, &b)) return false;
      parser.parse(b);
      if (!apply_batch(b)) return false;
    }
    return true;
  }

  // The same, with the parses on a second thread. This thread reads each batch (the source is only ever called
  // from here), checks and visits the parsed ones in order; a few batches are in flight, so memory stays bounded.
  bool read_batches_in_parallel(const std::vector<BatchRef>& all) {
    std::array<ParsedBatch, k_in_flight> slots;
    BatchParser parser(m_parser, m_git_id_hex);  // used by the second thread only
    return read_ahead(
        all.size(), slots, [&](size_t i, ParsedBatch& b) { return load_batch(all[i].list, *all[i].batch, &b); },
        [&](ParsedBatch& b) { parser.parse(b); }, [&](size_t, ParsedBatch& b) { return apply_batch(b); });
  }

  bool read_lists(ManifestHeader* h) {
    std::vector<BatchRef> all;
    for (uint8_t l = 0; l < k_list_count; ++l) {
      for (const Batch& b : m_layout.lists[l].batches) all.push_back(BatchRef{static_cast<List>(l), &b});
    }
    if (!(m_parallel && all.size() >= 2 ? read_batches_in_parallel(all) : read_batches(all))) return false;
    while (m_next_link < m_links.size()) {
      m_digest.add_symlink(m_links[m_next_link].first, m_links[m_next_link].second);
      ++m_next_link;
    }
    const ManifestTotals& t = h->totals;
    auto check = [&](const char* name, uint64_t stated, uint64_t actual) {
      if (stated == actual) return true;
      return fail(std::string("totals.") + name + " says " + std::to_string(stated) + " but the manifest has " +
                  std::to_string(actual));
    };
    if (!check("files", t.files, m_layout.lists[k_files].count) || !check("bytes", t.bytes, m_bytes) ||
        !check("symlinks", t.symlinks, m_layout.lists[k_symlinks].count) ||
        !check("skipped", t.skipped, m_layout.lists[k_skipped].count) ||
        !check("errors", t.errors, m_layout.lists[k_errors].count)) {
      return false;
    }
    const Digest actual = m_digest.finish();
    if (actual != h->root_digest) {
      return fail("root_digest is sha256:" + to_hex(h->root_digest) + " but the entries give sha256:" + to_hex(actual) +
                  " (the manifest was changed after it was written)");
    }
    return true;
  }

  ByteSource& m_source;
  bool m_read_failed = false;
  ManifestVisitor& m_visitor;
  Layout m_layout;
  od::parser m_parser;
  std::string m_buffer;
  std::string m_error;
  std::array<std::string_view, k_list_count> m_prev;  // the last path of each list (in a batch or m_prev_text)
  std::array<std::string, k_list_count> m_prev_text;
  bool m_parallel;
  bool m_reading_ahead = false;
  std::string m_read_ahead_error;
  std::vector<std::pair<std::string, std::string>> m_links;
  size_t m_next_link = 0;
  uint64_t m_bytes = 0;
  size_t m_git_id_hex = 0;  // 40 or 64 when the manifest has a "git" object
  RootDigestBuilder m_digest;
};

// Keeps entries in memory, in the manifest's FileTable.
class LoadingVisitor final : public ManifestVisitor {
 public:
  explicit LoadingVisitor(Manifest* m) : m_manifest(m) {}
  void symlink(const SymlinkEntry& e) override { m_manifest->symlinks.push_back(e); }
  void skipped(const SkippedEntry& e) override { m_manifest->skipped.push_back(e); }
  void error(const ErrorEntry& e) override { m_manifest->errors.push_back(e); }
  void file(const FileEntry& e) override {
    m_manifest->files.push_back(m_manifest->table.add(e));
    m_manifest->total_bytes += e.size;
  }
  void done(const ManifestHeader& h) {
    m_manifest->shard = h.shard;
    m_manifest->git = h.git;
  }

 private:
  Manifest* m_manifest;
};

}  // namespace

Result<std::unique_ptr<ByteSource>> open_byte_source(const std::string& path, FileSystem& fs) {
  using Opened = Result<std::unique_ptr<ByteSource>>;
  if (path == "-") {
    std::string all;
    char buf[1 << 16];
    for (;;) {
      const long n = fs.read(STDIN_FILENO, buf, sizeof buf);
      if (n < 0) {
        return Opened::failure("cannot read standard input: " + errno_text(static_cast<int>(-n)));
      }
      if (n == 0) break;
      all.append(buf, static_cast<size_t>(n));
    }
    return Opened(std::make_unique<MemorySource>(std::move(all)));
  }
  const int fd = fs.open_file(AT_FDCWD, path.c_str(), true);
  if (fd < 0) {
    return Opened::failure("cannot open '" + printable(path) + "': " + errno_text(-fd));
  }
  return fd_byte_source(fd, path, fs);
}

Result<std::unique_ptr<ByteSource>> fd_byte_source(int fd, const std::string& name, FileSystem& fs) {
  using Opened = Result<std::unique_ptr<ByteSource>>;
  struct stat st {};
  if (fs.fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    fs.close(fd);
    return Opened::failure("'" + printable(name) + "' is not a regular file");
  }
  return Opened(std::make_unique<FileSource>(fs, fd, static_cast<uint64_t>(st.st_size), printable(name)));
}

std::unique_ptr<ByteSource> memory_source(std::string_view bytes) { return std::make_unique<MemorySource>(bytes); }

Status read_manifest(ByteSource& source, ManifestVisitor& visitor, ManifestHeader* header) {
  return read_manifest(source, visitor, header, ReadOptions{});
}

Status read_manifest(ByteSource& source, ManifestVisitor& visitor, ManifestHeader* header, const ReadOptions& options) {
  Reader reader(source, visitor, options.parallel && std::thread::hardware_concurrency() > 1);
  return reader.run(header);
}

Status load_manifest(ByteSource& source, Manifest* manifest, ManifestHeader* header) {
  LoadingVisitor visitor(manifest);
  Status read = read_manifest(source, visitor, header);
  if (!read) return read;
  visitor.done(*header);
  return ok_status();
}

Status load_manifest(const std::string& path, Manifest* manifest, ManifestHeader* header, FileSystem& fs) {
  auto source = open_byte_source(path, fs);
  if (!source) return Status::failure(source.error());
  Status loaded = load_manifest(**source, manifest, header);
  if (!loaded) return Status::failure(printable(path) + ": " + loaded.error());
  return ok_status();
}

std::optional<int64_t> parse_timestamp_ns(std::string_view t) {
  // YYYY-MM-DDTHH:MM:SS.NNNNNNNNNZ, exactly (years outside 0000-9999 do not fit in 64-bit nanoseconds anyway).
  if (t.size() != 30 || t[4] != '-' || t[7] != '-' || t[10] != 'T' || t[13] != ':' || t[16] != ':' || t[19] != '.' ||
      t[29] != 'Z') {
    return std::nullopt;
  }
  // The digits, all checked at once at the end (no branch per digit).
  unsigned bad = 0;
  auto num = [&](size_t at, size_t len) {
    int64_t v = 0;
    for (size_t i = at; i < at + len; ++i) {
      const unsigned digit = static_cast<unsigned char>(t[i]) - unsigned{'0'};
      bad |= digit > 9 ? 1u : 0u;
      v = v * 10 + digit;
    }
    return v;
  };
  const int64_t y = num(0, 4), mo = num(5, 2), d = num(8, 2), h = num(11, 2), mi = num(14, 2), s = num(17, 2),
                frac = num(20, 9);
  if (bad != 0) return std::nullopt;
  // Days since 1970-01-01 of a proleptic Gregorian date, counted in 400-year eras starting on March 1st (so that
  // the leap day is the last day of its year).
  const bool leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
  static constexpr int k_month_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (mo < 1 || mo > 12 || d < 1 || d > k_month_days[mo - 1] + (mo == 2 && leap ? 1 : 0) || h > 23 || mi > 59 ||
      s > 59) {
    return std::nullopt;
  }
  const int64_t ya = mo <= 2 ? y - 1 : y;
  const int64_t era = (ya >= 0 ? ya : ya - 399) / 400;
  const int64_t year_of_era = ya - era * 400;
  const int64_t day_of_year = (153 * (mo > 2 ? mo - 3 : mo + 9) + 2) / 5 + d - 1;
  const int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  const int64_t days_since = era * 146097 + day_of_era - 719468;
  const int64_t secs = days_since * 86400 + h * 3600 + mi * 60 + s;
  int64_t ns;
  if (__builtin_mul_overflow(secs, int64_t{1'000'000'000}, &ns) || __builtin_add_overflow(ns, frac, &ns)) {
    return std::nullopt;
  }
  return ns;
}

}  // namespace treeprint
