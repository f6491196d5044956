#pragma once
// Reading the small files of a repository (HEAD, refs, config) whole, with one read where the kernel
// allows, refusing anything that is not a regular file or is larger than the caller's cap.

#include <sys/stat.h>

#include <cstddef>
#include <string>

#include "util/result.h"

namespace treeprint::git {

/// The bytes of `path` (symlinks followed, as git follows them). Errors name the path and the reason; a missing
/// file is reported with `*missing` set when `missing` is given.
Result<std::string> read_whole_file(const std::string& path, size_t limit, struct stat* st = nullptr,
                                    bool* missing = nullptr);

/// Opens `path` for reading when it is a regular file of at most `limit` bytes (its stat data in `st`); the caller
/// closes the fd. `missing` (when given) says whether the failure was a missing path, as read_whole_file's does.
Result<int> open_regular_file(const std::string& path, size_t limit, struct stat* st, bool* missing = nullptr);

/// Up to `size` bytes of the open file `fd` (fewer when it shrank meanwhile); `path` names it in errors.
Result<std::string> read_open_file(int fd, size_t size, const std::string& path);

/// Whether `path` names a directory / a regular file (symlinks followed).
bool is_directory(const std::string& path);
bool is_regular_file(const std::string& path);

}  // namespace treeprint::git
