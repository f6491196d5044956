#include "git/tree.h"

#include <string>
#include <vector>

#include "util/format.h"

namespace treeprint::git {

namespace {

void append_entry(std::string& body, std::string_view mode, std::string_view name, const ObjectId& id) {
  body.append(mode);
  body += ' ';
  body.append(name);
  body += '\0';
  const auto raw = id.bytes();
  body.append(reinterpret_cast<const char*>(raw.data()), raw.size());
}

std::string_view mode_text(uint32_t mode) {
  switch (mode) {
    case k_mode_file: return "100644";
    case k_mode_executable: return "100755";
    case k_mode_symlink: return "120000";
    default: return "160000";
  }
}

struct Level {
  std::string path;  // the directory's path with a trailing '/' ("" for the root)
  std::string body;  // its tree entries so far
};

}  // namespace

Result<ObjectId> index_tree_id(const Index& index, TreeSource source) {
  if (index.unmerged_count() != 0) {
    return Result<ObjectId>::failure("the index has " + with_commas(index.unmerged_count()) +
                                     " unmerged entries: it describes no single tree");
  }
  if (index.intent_to_add_count() != 0) {
    return Result<ObjectId>::failure("the index has " + with_commas(index.intent_to_add_count()) +
                                     " intent-to-add entries (git add -N): their contents are not in it");
  }
  if (source == TreeSource::cache_tree_if_valid && index.cache_tree_root()) return *index.cache_tree_root();

  ObjectHasher hasher(index.format());
  auto close_level = [&](std::vector<Level>& stack) {
    Level done = std::move(stack.back());
    stack.pop_back();
    hasher.start("tree", done.body.size());
    hasher.update(done.body);
    const ObjectId id = hasher.finish();
    std::string_view name(done.path);
    name.remove_suffix(1);
    name.remove_prefix(stack.back().path.size());
    append_entry(stack.back().body, "40000", name, id);
  };

  std::vector<Level> stack(1);
  for (size_t i = 0; i < index.size(); ++i) {
    const IndexEntry e = index.entry(i);
    const std::string_view path = e.path;
    // Close the directories this path is not in.
    while (stack.size() > 1 && !path.starts_with(stack.back().path)) close_level(stack);
    // Open the ones it is in, below the innermost open one.
    size_t start = stack.back().path.size();
    for (size_t slash; (slash = path.find('/', start)) != std::string_view::npos; start = slash + 1) {
      const std::string_view dir = path.substr(0, slash);
      if (index.find(dir)) {
        return Result<ObjectId>::failure("'" + printable(std::string(dir)) +
                                         "' is both a file and a directory in the index");
      }
      stack.push_back({std::string(path.substr(0, slash + 1)), {}});
    }
    append_entry(stack.back().body, mode_text(e.mode), path.substr(start), e.id);
  }
  while (stack.size() > 1) close_level(stack);
  hasher.start("tree", stack[0].body.size());
  hasher.update(stack[0].body);
  return hasher.finish();
}

}  // namespace treeprint::git
