#pragma once
// Opening a path so that it cannot lead out of a directory: `..` and symlinks are resolved by the kernel, one
// component at a time relative to directory fds, never by looking at the path as a string.
//
// openat2(2) with RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS does it where the kernel has it (Linux 5.6 and later);
// elsewhere (an older kernel, or a seccomp filter that refuses openat2 with ENOSYS or EPERM) the same rules are
// followed by a walk that opens each component with O_NOFOLLOW and reads the symlinks it meets itself.
//
//   beneath  `..` above the anchor, an absolute path or an absolute symlink: EXDEV
//   in_root  the anchor is the root: `..` stops there and absolute symlinks start from it (RESOLVE_IN_ROOT); with
//            the anchor "/" that is the usual resolution, minus magic links
//
// Magic links (/proc/self/fd/N, /proc/PID/root, ...) are never followed (ELOOP). Every function returns an fd >= 0
// or -errno.

#include <sys/types.h>

#include <functional>
#include <string>
#include <string_view>

namespace treeprint {

enum class Resolve { beneath, in_root };

/// Opens `path` relative to `anchor_fd` with `flags` (O_CLOEXEC is added). A trailing symlink is followed, by the
/// same rules, unless `flags` has O_NOFOLLOW. `path` may be "" or "." for the anchor itself.
int open_resolved(int anchor_fd, std::string_view path, int flags, Resolve how);

/// Opens the directory `path` relative to `anchor_fd` (O_RDONLY | O_DIRECTORY), creating the missing ones with
/// mode 0777 & ~umask. Each directory it creates is opened without following symlinks and handed to `created`
/// (its fd and its path relative to the anchor) before anything is created inside it; a name that turns up as a
/// symlink or anything else but a directory while it is being created is an error, never followed.
int open_dir_creating(int anchor_fd, std::string_view path, Resolve how,
                      const std::function<void(int fd, const std::string& path)>& created);

/// Whether the running kernel has openat2 (cached after the first call). For tests and messages.
bool have_openat2();

/// Forces the component-by-component walk even where openat2 exists (tests cover both ways this way).
void force_resolve_walk(bool on);

}  // namespace treeprint
