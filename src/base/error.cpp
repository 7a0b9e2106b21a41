// The error type's text.
#include "trailhound/error.hpp"

#include <cstring>

namespace trailhound {

std::string Error::what() const {
  std::string s;
  if (!path.empty()) {
    s += path;
    s += ": ";
  }
  s += message;
  if (errno_value != 0) {
    s += ": ";
    s += std::strerror(errno_value);
  }
  return s;
}

}  // namespace trailhound
