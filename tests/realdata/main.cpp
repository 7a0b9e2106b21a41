// Catch2 entry point of the real-data tests: exits 77 (ctest's SKIP_RETURN_CODE) when
// ../shared/realdata is absent, so a missing data set reports skipped, never passed.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>

int main(int argc, char** argv) {
  if (!std::filesystem::is_directory(TH_REALDATA "/iplists")) {
    std::fprintf(stderr, "realdata: %s/iplists is absent; skipped\n", TH_REALDATA);
    return 77;
  }
  return Catch::Session().run(argc, argv);
}
