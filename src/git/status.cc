#include "git/status.h"

namespace treeprint::git {

std::string_view stat_match_name(StatMatch match) {
  switch (match) {
    case StatMatch::clean: return "clean";
    case StatMatch::unmerged: return "unmerged";
    case StatMatch::intent_to_add: return "intent to add";
    case StatMatch::gitlink: return "a submodule";
    case StatMatch::type_changed: return "type changed";
    case StatMatch::mode_changed: return "mode changed";
    case StatMatch::size_changed: return "size changed";
    case StatMatch::mtime_changed: return "mtime changed";
    case StatMatch::ctime_changed: return "ctime changed";
    case StatMatch::inode_changed: return "inode changed";
    case StatMatch::device_changed: return "device changed";
    case StatMatch::owner_changed: return "owner changed";
    case StatMatch::smudged: return "racily smudged";
    case StatMatch::racy: return "racily clean";
  }
  return "?";
}

StatMatch match_stat(const IndexEntry& entry, const struct stat& st, IndexTime index_mtime) {
  if (entry.stage() != 0) return StatMatch::unmerged;
  if (entry.intent_to_add()) return StatMatch::intent_to_add;
  switch (entry.mode) {
    case k_mode_file:
    case k_mode_executable:
      if (!S_ISREG(st.st_mode)) return StatMatch::type_changed;
      if (((entry.mode ^ static_cast<uint32_t>(st.st_mode)) & 0100) != 0) return StatMatch::mode_changed;
      break;
    case k_mode_symlink:
      if (!S_ISLNK(st.st_mode)) return StatMatch::type_changed;
      break;
    case k_mode_gitlink: return StatMatch::gitlink;
    default: return StatMatch::type_changed;  // the reader accepts no other mode
  }
  if (entry.size != static_cast<uint32_t>(st.st_size)) return StatMatch::size_changed;
  if (entry.mtime.seconds != static_cast<uint32_t>(st.st_mtim.tv_sec) ||
      entry.mtime.nanoseconds != static_cast<uint32_t>(st.st_mtim.tv_nsec)) {
    return StatMatch::mtime_changed;
  }
  if (entry.ctime.seconds != static_cast<uint32_t>(st.st_ctim.tv_sec) ||
      entry.ctime.nanoseconds != static_cast<uint32_t>(st.st_ctim.tv_nsec)) {
    return StatMatch::ctime_changed;
  }
  if (entry.ino != static_cast<uint32_t>(st.st_ino)) return StatMatch::inode_changed;
  if (entry.dev != static_cast<uint32_t>(st.st_dev)) return StatMatch::device_changed;
  if (entry.uid != static_cast<uint32_t>(st.st_uid) || entry.gid != static_cast<uint32_t>(st.st_gid)) {
    return StatMatch::owner_changed;
  }
  if (entry.size == 0 && !(entry.id == empty_blob_id(entry.id.format()))) return StatMatch::smudged;
  if (entry.mtime.seconds >= index_mtime.seconds) return StatMatch::racy;
  return StatMatch::clean;
}

}  // namespace treeprint::git
