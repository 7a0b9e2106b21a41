// Running a few pieces of work side by side: the first on the calling thread, each other on a
// thread of its own.
#pragma once

#include <cstddef>
#include <exception>
#include <system_error>
#include <thread>
#include <vector>

namespace trailhound {

/// Calls `fn(i)` for each i in [0, count): i = 0 on this thread, each other on a thread of its
/// own; a piece whose thread cannot start runs here. Returns when all are done, rethrowing the
/// first exception of the lowest piece that threw.
template <typename Fn>
void run_side_by_side(std::size_t count, Fn fn) {
  std::vector<std::exception_ptr> errors(count);
  const auto guarded = [&](std::size_t i) {
    try {
      fn(i);
    } catch (...) {
      errors[i] = std::current_exception();
    }
  };
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < count; ++i) {
    try {
      threads.emplace_back(guarded, i);
    } catch (const std::system_error&) {
      guarded(i);
    }
  }
  if (count > 0) guarded(0);
  for (auto& t : threads) t.join();
  for (const auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
}

}  // namespace trailhound
