#include "inputs/path_trust.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "util/beneath.h"
#include "util/format.h"

namespace treeprint {

namespace {

std::string without_trailing_slashes(std::string p) {
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  return p;
}

/// `rest` gets what follows `root` in `path` when `path` is `root` or below it, as written.
bool lexically_under(const std::string& path, const std::string& root, std::string* rest) {
  if (root.empty() || path.compare(0, root.size(), root) != 0) return false;
  if (root == "/") {
    *rest = path.substr(1);
    return true;
  }
  if (path.size() == root.size()) {
    rest->clear();
    return true;
  }
  if (path[root.size()] != '/') return false;
  *rest = path.substr(root.size() + 1);
  return true;
}

struct Anchor {
  UniqueFd fd;
  std::string root;  // the directory it stands for
  std::string rel;   // the path relative to it
  Resolve how = Resolve::beneath;
  const char* name = "the workspace";
};

std::string quoted(const std::string& path) { return "'" + printable(path) + "'"; }

const char* k_repository_rule =
    "a value from the config file, which a pull request can change, may only name a path inside the workspace "
    "(GITHUB_WORKSPACE)";

Result<Anchor> anchor_for(const PathRoots& roots, const std::string& path, PathSource source, bool output) {
  Anchor a;
  if (path.empty()) return Result<Anchor>::failure("the path is empty");
  if (path.front() != '/') {
    a.root = roots.workspace;
    a.rel = path;
  } else if (lexically_under(path, roots.workspace, &a.rel)) {
    a.root = roots.workspace;
  } else if (output && lexically_under(path, roots.runner_temp, &a.rel)) {
    a.root = roots.runner_temp;
    a.name = "RUNNER_TEMP";
  } else if (source == PathSource::repository) {
    return Result<Anchor>::failure(quoted(path) + " is outside the workspace: " + k_repository_rule +
                                   (output ? " or under RUNNER_TEMP" : "") +
                                   "; to use another place, set the input in the workflow instead");
  } else {
    a.root = "/";
    a.rel = path.substr(1);
    a.how = Resolve::in_root;  // from "/": the usual resolution, written by the workflow's author
    a.name = "/";
  }
  const int fd = ::open(a.root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    return Result<Anchor>::failure("cannot open " + std::string(a.name) + " " + quoted(a.root) + ": " +
                                   errno_text(errno));
  }
  a.fd = UniqueFd(fd);
  return a;
}

std::string resolve_error(const std::string& path, const Anchor& a, PathSource source, int err) {
  if (err == EXDEV) {
    std::string msg = quoted(path) + " leads outside " + a.name + " (through '..' or a symlink); ";
    if (source == PathSource::repository) return msg + k_repository_rule;
    return msg + "a path inside " + a.name + " must stay there (give an absolute path to name a place outside it)";
  }
  if (err == ELOOP) {
    return quoted(path) + ": a symlink on the way is not followed (a loop, a link into /proc, or the name itself " +
           "is a symlink)";
  }
  return quoted(path) + ": " + errno_text(err);
}

}  // namespace

UniqueFd::~UniqueFd() {
  if (m_fd >= 0) ::close(m_fd);
}

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) {
    if (m_fd >= 0) ::close(m_fd);
    m_fd = other.release();
  }
  return *this;
}

PathRoots path_roots(const EnvLookup& env) {
  PathRoots r;
  r.workspace = env("GITHUB_WORKSPACE").value_or("");
  if (r.workspace.empty() || r.workspace.front() != '/') {
    char* cwd = ::getcwd(nullptr, 0);
    r.workspace = cwd != nullptr ? cwd : ".";
    std::free(cwd);
  }
  r.workspace = without_trailing_slashes(r.workspace);
  r.runner_temp = env("RUNNER_TEMP").value_or("");
  if (!r.runner_temp.empty() && r.runner_temp.front() != '/') r.runner_temp.clear();
  r.runner_temp = without_trailing_slashes(r.runner_temp);
  return r;
}

Result<UniqueFd> open_trusted(const PathRoots& roots, const std::string& path, PathSource source, bool directory) {
  auto a = anchor_for(roots, path, source, /*output=*/false);
  if (!a) return Result<UniqueFd>::failure(a.error());
  // O_NONBLOCK: a FIFO never blocks the open; reading it is refused later (not a regular file).
  const int flags = O_RDONLY | O_NOCTTY | (directory ? O_DIRECTORY : O_NONBLOCK);
  const int fd = open_resolved(a->fd.get(), a->rel, flags, a->how);
  if (fd < 0) return Result<UniqueFd>::failure(resolve_error(path, *a, source, -fd));
  return UniqueFd(fd);
}

Result<OutputPlace> place_output(const PathRoots& roots, const std::string& path, PathSource source,
                                 const std::function<void(int fd, const std::string& path)>& created) {
  auto a = anchor_for(roots, path, source, /*output=*/true);
  if (!a) return Result<OutputPlace>::failure(a.error());
  const size_t slash = a->rel.rfind('/');
  OutputPlace place;
  place.base_name = slash == std::string::npos ? a->rel : a->rel.substr(slash + 1);
  const std::string dir = slash == std::string::npos ? std::string() : a->rel.substr(0, slash);
  if (place.base_name.empty() || place.base_name == "." || place.base_name == "..") {
    return Result<OutputPlace>::failure(quoted(path) + " names a directory, not a file");
  }
  const std::string root = a->root == "/" ? "" : a->root;
  const int fd = open_dir_creating(a->fd.get(), dir, a->how, [&](int dir_fd, const std::string& rel) {
    if (created) created(dir_fd, root + "/" + rel);
  });
  if (fd < 0) return Result<OutputPlace>::failure(resolve_error(path, *a, source, -fd));
  place.dir = UniqueFd(fd);
  return place;
}

}  // namespace treeprint
