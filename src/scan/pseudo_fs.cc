#include "scan/pseudo_fs.h"

#include <linux/magic.h>
#include <sys/vfs.h>

namespace treeprint {

const char* pseudo_filesystem(int fd) {
  struct statfs st {};
  if (::fstatfs(fd, &st) != 0) return nullptr;
  switch (static_cast<unsigned long>(st.f_type)) {
    case PROC_SUPER_MAGIC: return "procfs";
    case SYSFS_MAGIC: return "sysfs";
    case DEBUGFS_MAGIC: return "debugfs";
    case TRACEFS_MAGIC: return "tracefs";
    case SECURITYFS_MAGIC: return "securityfs";
    case CGROUP_SUPER_MAGIC:
    case CGROUP2_SUPER_MAGIC: return "cgroupfs";
    case BPF_FS_MAGIC: return "bpffs";
    default: return nullptr;
  }
}

}  // namespace treeprint
