#pragma once
// Filesystems whose files the kernel makes up as they are read (procfs, sysfs and their kin): their sizes say
// nothing (0, or 4096), some never end, and a scan of them means nothing. The walker refuses a root on one.

namespace treeprint {

/// The name of the pseudo filesystem the open `fd` is on ("procfs", "sysfs", ...), or nullptr for a real one (or
/// when fstatfs fails).
const char* pseudo_filesystem(int fd);

}  // namespace treeprint
