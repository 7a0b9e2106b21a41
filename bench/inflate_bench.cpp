// In-memory inflate speed of zlib, libdeflate and ISA-L on the same gzip files, one thread:
// the measurement behind trailhound's choice of inflate backend.
#include <isa-l/igzip_lib.h>
#include <libdeflate.h>
#include <zlib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

std::vector<std::string> read_files(int argc, char** argv) {
  std::vector<std::string> files;
  for (int i = 2; i < argc; ++i) {
    std::ifstream in(argv[i], std::ios::binary);
    files.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return files;
}

std::uint32_t isize(const std::string& gz) {
  std::uint32_t n = 0;
  std::memcpy(&n, gz.data() + gz.size() - 4, 4);
  return n;
}

std::size_t run_zlib(const std::string& gz, std::vector<unsigned char>& out) {
  z_stream zs{};
  inflateInit2(&zs, 16 + MAX_WBITS);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data()));
  zs.avail_in = static_cast<uInt>(gz.size());
  zs.next_out = out.data();
  zs.avail_out = static_cast<uInt>(out.size());
  inflate(&zs, Z_FINISH);
  const std::size_t n = zs.total_out;
  inflateEnd(&zs);
  return n;
}

std::size_t run_libdeflate(libdeflate_decompressor* d, const std::string& gz,
                           std::vector<unsigned char>& out) {
  std::size_t n = 0;
  libdeflate_gzip_decompress(d, gz.data(), gz.size(), out.data(), out.size(), &n);
  return n;
}

std::size_t run_isal(const std::string& gz, std::vector<unsigned char>& out) {
  inflate_state state;
  isal_inflate_init(&state);
  state.crc_flag = ISAL_GZIP;
  state.next_in = reinterpret_cast<uint8_t*>(const_cast<char*>(gz.data()));
  state.avail_in = static_cast<uint32_t>(gz.size());
  state.next_out = out.data();
  state.avail_out = static_cast<uint32_t>(out.size());
  isal_inflate(&state);
  return state.total_out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: inflate_bench REPEATS FILE.gz...\n");
    return 2;
  }
  const int repeats = std::max(1, std::atoi(argv[1]));
  const auto files = read_files(argc, argv);
  std::size_t max_out = 0, total_in = 0;
  for (const auto& f : files) {
    max_out = std::max<std::size_t>(max_out, isize(f));
    total_in += f.size();
  }
  std::vector<unsigned char> out(max_out + 64);
  libdeflate_decompressor* d = libdeflate_alloc_decompressor();
  struct Backend {
    const char* name;
    std::vector<double> rates;
    std::size_t bytes = 0;
  };
  Backend backends[] = {{"zlib", {}}, {"libdeflate", {}}, {"isa-l", {}}};
  for (int r = 0; r < repeats; ++r) {
    for (int b = 0; b < 3; ++b) {
      std::size_t total = 0;
      const auto t0 = Clock::now();
      for (const auto& f : files) {
        total += b == 0 ? run_zlib(f, out) : b == 1 ? run_libdeflate(d, f, out) : run_isal(f, out);
      }
      const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
      backends[b].rates.push_back(total / secs / 1e6);
      backends[b].bytes = total;
    }
  }
  libdeflate_free_decompressor(d);
  std::printf("| inflate backend (1 thread, in memory) | median MB/s (inflated) | vs zlib |\n|---|---|---|\n");
  std::vector<double> med(3);
  for (int b = 0; b < 3; ++b) {
    auto v = backends[b].rates;
    std::sort(v.begin(), v.end());
    med[b] = v[v.size() / 2];
  }
  for (int b = 0; b < 3; ++b) {
    std::printf("| %s | %.0f | %.2fx |\n", backends[b].name, med[b], med[b] / med[0]);
  }
  std::printf("\n%zu files, %zu compressed bytes, %zu inflated bytes, %d repeats\n", files.size(),
              total_in, backends[0].bytes, repeats);
  return backends[0].bytes == backends[1].bytes && backends[1].bytes == backends[2].bytes ? 0 : 1;
}
