// `scan`, `investigate` and `rules`: the detections (registered once the detect stage lands).
#include "trailhound/cli.hpp"

namespace trailhound::cli {

void register_scan_commands(CLI::App& app, int& exit_code) {
  (void)app;
  (void)exit_code;
}

}  // namespace trailhound::cli
