// Files written whole or not at all, and temporary files removed when the run is interrupted.
#pragma once

#include <string>
#include <string_view>

#include "trailhound/error.hpp"

namespace trailhound {

/// Removes every registered temporary file when SIGINT, SIGTERM or SIGHUP arrives, then dies
/// of the signal as before. Installed once; later calls do nothing.
void install_cleanup_handlers();

/// Registers `path` for removal on interruption; returns a slot for unregister_cleanup(), or -1
/// when every slot is taken (the file is then left behind on interruption, never lost).
[[nodiscard]] int register_cleanup(const std::string& path);
/// Forgets a slot given by register_cleanup() (the file was renamed or removed).
void unregister_cleanup(int slot);

/// A file replaced only on success: the bytes go to a temporary file beside the target
/// (`.NAME.XXXXXX`, same folder, same file system), which commit() syncs and renames over the
/// target. A full disk, a crash or an interruption leaves the previous target whole. A target
/// that exists and is no regular file (a device such as /dev/null, a FIFO) is written directly.
class AtomicFile {
 public:
  AtomicFile() = default;
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  ~AtomicFile() { discard(); }

  /// Creates the temporary file (mode 0644 less the umask); a Write error naming `label`
  /// (such as "-o FILE") when it cannot.
  [[nodiscard]] Status open(const std::string& target, const std::string& label);
  /// The descriptor to write to; -1 before open().
  [[nodiscard]] int fd() const { return fd_; }
  /// Syncs, closes and renames the temporary file over the target.
  [[nodiscard]] Status commit();
  /// Closes and removes the temporary file; the target is left as it was.
  void discard();

 private:
  std::string target_, temp_, label_;
  int fd_ = -1;
  int slot_ = -1;
  bool direct_ = false;  ///< writing the target itself (a device or FIFO)
};

/// Writes `data` to `target` through an AtomicFile: the target is replaced whole or left as
/// it was. Errors name `label`.
[[nodiscard]] Status write_file_atomically(const std::string& target, const std::string& label,
                                           std::string_view data);

/// True when `a` and `b` name the same file (same device and inode); false when either
/// cannot be looked at.
[[nodiscard]] bool same_file(const std::string& a, const std::string& b);

}  // namespace trailhound
