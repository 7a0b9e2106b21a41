// Catch2 entry point shared by the unit and real-data test executables.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
