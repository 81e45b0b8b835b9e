#include "atomic_file.hpp"

#include <fmt/format.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <string>
#include <unistd.h>

namespace sipwright::reports::detail {

void write_atomically(const std::filesystem::path& file, std::string_view data,
                      std::string_view what) {
  const auto fail = [&](const std::string& why) {
    throw std::runtime_error(fmt::format("cannot write {} {}: {}", what, file.string(), why));
  };
  if (file.filename().empty()) fail("not a file name");
  std::error_code ec;
  if (std::filesystem::is_directory(file, ec)) fail("it is a directory");
  auto dir = file.parent_path();
  if (dir.empty()) dir = ".";

  static std::atomic<unsigned> counter{0};
  std::filesystem::path tmp;
  int fd = -1;
  for (int attempt = 0; fd < 0; ++attempt) {
    tmp = dir / fmt::format(".{}.tmp-{}-{}", file.filename().string(), ::getpid(), counter++);
    fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && (errno != EEXIST || attempt > 100)) fail(std::strerror(errno));
  }
  const auto abandon = [&](const char* step) {
    const std::string why = fmt::format("{}: {}", step, std::strerror(errno));
    if (fd >= 0) ::close(fd);
    ::unlink(tmp.c_str());
    fail(why);
  };
  for (std::size_t done = 0; done < data.size();) {
    const auto n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      abandon("write");
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) abandon("fsync");
  const int closed = ::close(fd);
  fd = -1;
  if (closed != 0) abandon("close");
  if (::rename(tmp.c_str(), file.c_str()) != 0) abandon("rename");
  // Make the rename itself durable (best effort).
  if (const int d = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); d >= 0) {
    ::fsync(d);
    ::close(d);
  }
}

} // namespace sipwright::reports::detail
