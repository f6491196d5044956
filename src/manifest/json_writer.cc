#include "manifest/json_writer.h"

#include <algorithm>
#include <charconv>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "manifest/manifest.h"
#include "manifest/path_encoding.h"
#include "util/format.h"

namespace treeprint {

namespace {

constexpr size_t k_flush_at = 64 << 10;

class Out {
 public:
  explicit Out(const Sink& sink) : m_sink(sink) { m_buf.reserve(k_flush_at + 4096); }
  ~Out() { flush(); }
  std::string& buf() { return m_buf; }
  void maybe_flush() {
    if (m_buf.size() >= k_flush_at) flush();
  }
  void flush() {
    if (!m_buf.empty()) m_sink(m_buf);
    m_buf.clear();
  }
  void sink(std::string_view s) {
    if (!s.empty()) m_sink(s);
  }

 private:
  const Sink& m_sink;
  std::string m_buf;
};

void append_uint(std::string& s, uint64_t v) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  s.append(buf, static_cast<size_t>(r.ptr - buf));
}

template <typename T, typename F>
void write_array(Out& out, std::string_view key, const std::vector<T>& items, F&& write_item, bool last) {
  std::string& b = out.buf();
  b.append("  \"").append(key).append("\": [");
  for (size_t i = 0; i < items.size(); ++i) {
    b.append(i == 0 ? "\n    {" : ",\n    {");
    write_item(b, items[i]);
    b.push_back('}');
    out.maybe_flush();
  }
  b.append(items.empty() ? "]" : "\n  ]");
  b.append(last ? "\n" : ",\n");
}

void append_file(std::string& s, const FileEntry* f) {
  append_json_name(s, "path", f->path);
  s.append(", \"size\": ");
  append_uint(s, f->size);
  s.append(", \"mtime\": \"");
  append_timestamp_ns(s, f->mtime_ns);
  s.append("\", \"mode\": \"").append(mode_text(f->executable));
  s.append("\", \"sha256\": \"");
  append_hex(s, f->sha256);
  s.push_back('"');
  if (f->git_blob_size != 0) {
    s.append(", \"git_blob\": \"");
    append_hex(s, f->git_blob_id());
    s.push_back('"');
  }
}

void append_git(std::string& b, const GitSummary& g) {
  b.append("  \"git\": {\"object_format\": ");
  append_json_string(b, g.object_format);
  if (!g.head.empty()) {
    b.append(", \"head\": ");
    append_json_string(b, g.head);
  }
  if (!g.tree.empty()) {
    b.append(", \"tree\": ");
    append_json_string(b, g.tree);
  }
  b.append(", \"clean\": ").append(g.clean ? "true" : "false");
  b.append(", \"tracked\": ").append(std::to_string(g.tracked));
  b.append(", \"modified\": ").append(std::to_string(g.modified));
  b.append(", \"untracked\": ").append(std::to_string(g.untracked));
  b.append(", \"ignored_tracked\": ").append(std::to_string(g.ignored_tracked));
  if (!g.conversion.empty()) {
    b.append(", \"conversion\": ");
    append_json_string(b, "sha256:" + g.conversion);
  }
  b.append("},\n");
}

// Renders files [begin, end) exactly as write_array would.
void render_files(std::string& s, const std::vector<const FileEntry*>& files, size_t begin, size_t end) {
  for (size_t i = begin; i < end; ++i) {
    s.append(i == 0 ? "\n    {" : ",\n    {");
    append_file(s, files[i]);
    s.push_back('}');
  }
}

// The files array is most of a manifest: with several threads, blocks of it are rendered in parallel and handed to
// the sink in order. Whichever thread is free renders the next block, into a ring of a few slots, while the calling
// thread also hands finished blocks to the sink as they come due; so the sink's writes overlap the rendering, and
// memory stays at a few hundred KB however large the manifest.
void write_files(Out& out, const std::vector<const FileEntry*>& files, unsigned threads) {
  constexpr size_t k_block = 512;  // about 120 KB of text per block
  // More threads than cores would only wait.
  threads = std::min(threads, std::max(1u, std::thread::hardware_concurrency()));
  if (threads <= 1 || files.size() < 2 * k_block) {
    write_array(out, "files", files, append_file, false);
    return;
  }
  out.buf().append("  \"files\": [");
  out.flush();
  const size_t blocks = (files.size() + k_block - 1) / k_block;
  const size_t ring = 2 * static_cast<size_t>(threads);
  std::vector<std::string> slots(ring);
  std::vector<char> ready(ring, 0);
  std::mutex mu;
  std::condition_variable cv;
  size_t next = 0;  // the next block to render
  size_t sunk = 0;  // blocks handed to the sink; block b's slot (b % ring) is free once b - ring was
  const auto claimable = [&] { return next < blocks && next < sunk + ring; };
  const auto render = [&](size_t b) {
    std::string& s = slots[b % ring];
    s.clear();
    render_files(s, files, b * k_block, std::min(files.size(), (b + 1) * k_block));
  };
  {
    std::vector<std::jthread> helpers;
    for (size_t t = 1; t < threads; ++t) {
      helpers.emplace_back([&] {
        std::unique_lock lock(mu);
        for (;;) {
          cv.wait(lock, [&] { return next >= blocks || claimable(); });
          if (next >= blocks) return;
          const size_t b = next++;
          lock.unlock();
          render(b);
          lock.lock();
          ready[b % ring] = 1;
          cv.notify_all();
        }
      });
    }
    std::unique_lock lock(mu);
    while (sunk < blocks) {
      if (ready[sunk % ring] != 0) {
        ready[sunk % ring] = 0;
        lock.unlock();
        out.sink(slots[sunk % ring]);
        lock.lock();
        ++sunk;
        cv.notify_all();
      } else if (claimable()) {
        const size_t b = next++;
        lock.unlock();
        render(b);
        lock.lock();
        ready[b % ring] = 1;
      } else {
        cv.wait(lock, [&] { return ready[sunk % ring] != 0 || claimable(); });
      }
    }
  }
  out.buf().append("\n  ],\n");
}

}  // namespace

size_t write_manifest_json(const Manifest& m, const Digest& root, std::string_view tool_version, const Sink& sink,
                           unsigned threads) {
  Out out(sink);
  std::string& b = out.buf();
  b.append("{\n  \"schema\": \"").append(k_manifest_schema).append("\",\n");
  b.append("  \"tool\": {\"name\": \"treeprint\", \"version\": ");
  append_json_string(b, tool_version);
  b.append("},\n  \"root_digest\": \"sha256:");
  const size_t root_at = b.size();  // nothing is flushed before the header is whole
  append_hex(b, root);
  b.append("\",\n  \"totals\": {\"files\": ").append(std::to_string(m.files.size()));
  b.append(", \"bytes\": ").append(std::to_string(m.total_bytes));
  b.append(", \"symlinks\": ").append(std::to_string(m.symlinks.size()));
  b.append(", \"skipped\": ").append(std::to_string(m.skipped.size()));
  b.append(", \"errors\": ").append(std::to_string(m.errors.size()));
  b.append("},\n");
  if (m.shard) {
    b.append("  \"shard\": {\"index\": ").append(std::to_string(m.shard->index));
    b.append(", \"count\": ").append(std::to_string(m.shard->count)).append("},\n");
  }
  if (m.git) append_git(b, *m.git);

  write_files(out, m.files, threads);
  write_array(
      out, "symlinks", m.symlinks,
      [](std::string& s, const SymlinkEntry& l) {
        append_json_name(s, "path", l.path);
        s.append(", ");
        append_json_name(s, "target", l.target);
        if (!l.not_followed.empty()) {
          s.append(", \"not_followed\": ");
          append_json_string(s, l.not_followed);
        }
      },
      false);
  write_array(
      out, "skipped", m.skipped,
      [](std::string& s, const SkippedEntry& e) {
        append_json_name(s, "path", e.path);
        s.append(", \"type\": ");
        append_json_string(s, e.type);
      },
      false);
  write_array(
      out, "errors", m.errors,
      [](std::string& s, const ErrorEntry& e) {
        append_json_name(s, "path", e.path);
        s.append(", \"message\": ");
        append_json_string(s,
                           is_valid_utf8(e.message) ? std::string_view(e.message) : std::string_view("(unprintable)"));
      },
      true);
  b.append("}\n");
  return root_at;
}

}  // namespace treeprint
