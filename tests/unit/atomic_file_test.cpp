// Tests for src/base/atomic_file.cpp: a target replaced whole on commit, left as it was otherwise.
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include <catch2/catch.hpp>

#include "trailhound/atomic_file.hpp"

using namespace trailhound;

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

/// A fresh folder under $TMPDIR (or /tmp), removed with its content at the end.
struct ScratchDir {
  std::string path;
  ScratchDir() {
    const char* t = std::getenv("TMPDIR");
    std::string tmpl = std::string(t && *t ? t : "/tmp") + "/th-atomic-XXXXXX";
    path = ::mkdtemp(tmpl.data());
  }
  ~ScratchDir() { (void)std::system(("rm -rf '" + path + "'").c_str()); }
};

}  // namespace

TEST_CASE("a committed file replaces the target whole") {
  ScratchDir dir;
  const std::string target = dir.path + "/out.txt";
  std::ofstream(target) << "previous";
  REQUIRE(write_file_atomically(target, "-o out.txt", "new content").ok());
  CHECK(slurp(target) == "new content");
}

TEST_CASE("a discarded file leaves the previous target and no temporary file") {
  ScratchDir dir;
  const std::string target = dir.path + "/out.txt";
  std::ofstream(target) << "previous";
  {
    AtomicFile file;
    REQUIRE(file.open(target, "-o out.txt").ok());
    REQUIRE(::write(file.fd(), "partial", 7) == 7);
    CHECK(slurp(target) == "previous");  // nothing reaches the target before commit
  }  // destroyed without commit: as after a failed write
  CHECK(slurp(target) == "previous");
  CHECK(std::system(("test -z \"$(ls -A '" + dir.path + "' | grep -v '^out.txt$')\"").c_str()) == 0);
}

TEST_CASE("a target in a missing folder is a write error naming the flag") {
  const auto s = write_file_atomically("/nonexistent-dir/x/out.txt", "--baseline-out out.txt", "x");
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().kind == ErrorKind::Write);
  CHECK(s.error().path == "--baseline-out out.txt");
  CHECK(s.error().errno_value == ENOENT);
}

TEST_CASE("same_file sees one file under two names") {
  ScratchDir dir;
  const std::string a = dir.path + "/a", b = dir.path + "/b", c = dir.path + "/c";
  std::ofstream(a) << "x";
  std::ofstream(c) << "x";
  REQUIRE(::link(a.c_str(), b.c_str()) == 0);
  CHECK(same_file(a, b));
  CHECK_FALSE(same_file(a, c));
  CHECK_FALSE(same_file(a, dir.path + "/missing"));
}
