#include "git/git_repo.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <fstream>

#include "git/object_id.h"

namespace treeprint::git::testing {

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

Command run_in(const std::string& dir, const std::string& shell) {
  // HOME is the directory itself and there is no system or global config: nothing of the machine leaks in.
  const std::string command = "cd " + shell_quote(dir) + " && HOME=" + shell_quote(dir) +
                              " GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null GIT_AUTHOR_NAME=t"
                              " GIT_AUTHOR_EMAIL=t@example.com GIT_COMMITTER_NAME=t"
                              " GIT_COMMITTER_EMAIL=t@example.com GIT_AUTHOR_DATE='2024-01-01T00:00:00Z'"
                              " GIT_COMMITTER_DATE='2024-01-01T00:00:00Z' LC_ALL=C sh -c " +
                              shell_quote(shell);
  Command result;
  FILE* p = ::popen(command.c_str(), "r");
  if (p == nullptr) return result;
  char buffer[65536];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, p)) > 0) result.out.append(buffer, n);
  const int status = ::pclose(p);
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

void GitRepo::init(const std::string& object_format, const std::string& sub) {
  m_root = m_dir / sub;
  ::mkdir(m_root.c_str(), 0755);
  git("init -q --object-format=" + object_format + " -b main .");
  git("config core.autocrlf false");
}

void GitRepo::write(const std::string& rel, const std::string& content, int mode) const {
  const std::string path = m_root + "/" + rel;
  for (size_t pos = m_root.size() + 1; (pos = path.find('/', pos)) != std::string::npos; ++pos) {
    ::mkdir(path.substr(0, pos).c_str(), 0755);
  }
  std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
  ::chmod(path.c_str(), static_cast<mode_t>(mode));
}

Command GitRepo::try_git(const std::string& args) const { return run_in(m_root, "git " + args); }

void GitRepo::conflicting_merge(const std::string& path) const {
  git("checkout -q -b side");
  write(path, "side\n");
  git("commit -q -am side && git checkout -q main");
  write(path, "main\n");
  git("commit -q -am main");
  EXPECT_NE(try_git("merge -q side").status, 0) << "merging side was meant to conflict on " << path;
}

std::string GitRepo::git(const std::string& args) const {
  Command c = try_git(args);
  EXPECT_EQ(c.status, 0) << "git " << args << " in " << m_root;
  return c.out;
}

std::string GitRepo::sh(const std::string& shell) const {
  Command c = run_in(m_root, shell);
  EXPECT_EQ(c.status, 0) << shell << " in " << m_root;
  return c.out;
}

std::string GitRepo::rev_parse(const std::string& args) const {
  std::string out = git("rev-parse " + args);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

void populate(GitRepo& repo) {
  repo.write("a-b", "dash\n");
  repo.write("a.c", "dot\n");
  repo.write("a/x", "in a\n");
  repo.write("a/b/c/deep.txt", "deep\n");
  repo.write("a0", "zero\n");
  repo.write("run.sh", "#!/bin/sh\necho hi\n", 0755);
  repo.write("empty", "");
  repo.write("dir with space/file name.txt", "spaces\n");
  repo.write("new\nline", "newline in the name\n");
  repo.write("caf\xc3\xa9/\xe2\x82\xac.txt", "utf-8\n");
  repo.write("z/last", "last\n");
  const std::string link = repo.root() + "/link";
  EXPECT_EQ(::symlink("a/x", link.c_str()), 0);
  repo.git("add -A");
  // A path longer than the 12-bit name length field (0xfff): an index entry only (no file system holds it).
  std::string long_path;
  while (long_path.size() < 4200) long_path += std::string(200, 'L') + "/";
  long_path += "tail";
  std::string blob = repo.git("hash-object -w a-b");
  blob.pop_back();
  repo.git("update-index --add --cacheinfo 100644," + blob + "," + long_path);
  repo.git("commit -q -m populate");
}

std::string be32(uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
}

std::string header(uint32_t version, uint32_t count) { return "DIRC" + be32(version) + be32(count); }

std::string v2_entry(const std::string& path, uint32_t mode, uint16_t flags_extra) {
  std::string e(24, '\0');
  e += be32(mode);
  e += std::string(12, '\0');
  e += std::string(20, '\x11');
  const auto flags = static_cast<uint16_t>(flags_extra | std::min<size_t>(path.size(), 0xfff));
  e += static_cast<char>(flags >> 8);
  e += static_cast<char>(flags & 0xff);
  e += path;
  e.append(8 - (e.size() % 8), '\0');
  return e;
}

std::string finish(const std::string& body) {
  const ObjectId sum = hash_bytes(ObjectFormat::sha1, body);
  return body + std::string(reinterpret_cast<const char*>(sum.bytes().data()), sum.bytes().size());
}

}  // namespace treeprint::git::testing
