// Catch2 entry point of the MaxMind DB tests: exits 77 (ctest's SKIP_RETURN_CODE) when
// ../shared/geoip is absent, so missing data reports skipped, never passed.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>

int main(int argc, char** argv) {
  if (!std::filesystem::is_directory(TH_GEOIP "/maxmind-test-data")) {
    std::fprintf(stderr, "geoip: %s/maxmind-test-data is absent; skipped\n", TH_GEOIP);
    return 77;
  }
  return Catch::Session().run(argc, argv);
}
