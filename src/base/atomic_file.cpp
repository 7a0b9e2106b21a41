// Files replaced only on success, and the removal of temporary files on interruption.
#include "trailhound/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>

namespace trailhound {
namespace {

// The signal handler may only touch what is async-signal-safe: fixed buffers and atomics.
constexpr int kSlots = 64;
constexpr std::size_t kPathMax = 4096;
char g_paths[kSlots][kPathMax];
std::atomic<bool> g_used[kSlots];

void remove_registered() {
  for (int i = 0; i < kSlots; ++i) {
    if (g_used[i].load()) ::unlink(g_paths[i]);
  }
}

extern "C" void on_interrupt(int sig) {
  remove_registered();
  // Die of the signal, as the caller expects (a shell tells ^C from an error by it).
  std::signal(sig, SIG_DFL);
  ::raise(sig);
}

}  // namespace

void install_cleanup_handlers() {
  static std::atomic<bool> installed{false};
  if (installed.exchange(true)) return;
  for (const int sig : {SIGINT, SIGTERM, SIGHUP}) {
    struct sigaction old {};
    if (::sigaction(sig, nullptr, &old) == 0 && old.sa_handler == SIG_IGN) continue;  // nohup
    struct sigaction sa {};
    sa.sa_handler = on_interrupt;
    sigemptyset(&sa.sa_mask);
    (void)::sigaction(sig, &sa, nullptr);
  }
}

int register_cleanup(const std::string& path) {
  if (path.size() >= kPathMax) return -1;
  for (int i = 0; i < kSlots; ++i) {
    if (g_used[i].load()) continue;
    // Slots are taken from the main thread only; the handler reads a slot once it is marked.
    std::memcpy(g_paths[i], path.c_str(), path.size() + 1);
    g_used[i].store(true);
    return i;
  }
  return -1;
}

void unregister_cleanup(int slot) {
  if (slot >= 0 && slot < kSlots) g_used[slot].store(false);
}

Status AtomicFile::open(const std::string& target, const std::string& label) {
  discard();
  target_ = target;
  label_ = label;
  struct stat st {};
  if (::stat(target.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    // A device or a FIFO: there is no previous file to keep, and no rename onto it.
    fd_ = ::open(target.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd_ < 0) return Error::write("cannot open the file", label, errno);
    direct_ = true;
    return {};
  }
  const std::size_t slash = target.rfind('/');
  const std::string dir = slash == std::string::npos ? std::string() : target.substr(0, slash + 1);
  const std::string name = slash == std::string::npos ? target : target.substr(slash + 1);
  std::string temp = dir + "." + name + ".XXXXXX";
  install_cleanup_handlers();
  fd_ = ::mkostemp(temp.data(), O_CLOEXEC);
  if (fd_ < 0) return Error::write("cannot create a file beside", label, errno);
  temp_ = temp;
  slot_ = register_cleanup(temp_);
  const mode_t mask = ::umask(0);
  ::umask(mask);
  (void)::fchmod(fd_, 0644 & ~mask);
  return {};
}

Status AtomicFile::commit() {
  if (fd_ < 0) return Error::write("the file was not opened", label_, EBADF);
  if (direct_) {
    const int rc = ::close(fd_);
    fd_ = -1;
    if (rc != 0) return Error::write("writing the file failed", label_, errno);
    return {};
  }
  int err = 0;
  if (::fsync(fd_) != 0 && errno != EINVAL) err = errno;
  if (::close(fd_) != 0 && err == 0) err = errno;
  fd_ = -1;
  if (err == 0 && ::rename(temp_.c_str(), target_.c_str()) != 0) err = errno;
  if (err != 0) {
    discard();
    return Error::write("writing the file failed; the previous file is left as it was", label_,
                        err);
  }
  unregister_cleanup(slot_);
  slot_ = -1;
  temp_.clear();
  return {};
}

void AtomicFile::discard() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  if (!temp_.empty()) ::unlink(temp_.c_str());
  unregister_cleanup(slot_);
  slot_ = -1;
  temp_.clear();
  direct_ = false;
}

Status write_file_atomically(const std::string& target, const std::string& label,
                             std::string_view data) {
  AtomicFile file;
  if (auto s = file.open(target, label); !s) return s;
  while (!data.empty()) {
    const ssize_t w = ::write(file.fd(), data.data(), data.size());
    if (w < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      file.discard();
      return Error::write("writing the file failed; the previous file is left as it was", label,
                          err);
    }
    data.remove_prefix(static_cast<std::size_t>(w));
  }
  return file.commit();
}

bool same_file(const std::string& a, const std::string& b) {
  struct stat sa {}, sb {};
  if (::stat(a.c_str(), &sa) != 0 || ::stat(b.c_str(), &sb) != 0) return false;
  return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

}  // namespace trailhound
