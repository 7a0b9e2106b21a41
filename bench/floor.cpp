// The floor: what reading the corpus costs with trailhound's own libraries and nothing else.
// Inflate (the backend trailhound was built with) plus one simdjson On-Demand pass over every
// event's top-level keys, on N threads over the files. trailhound scan is measured against it.
#include <simdjson.h>

#include <atomic>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "trailhound/decode.hpp"
#include "trailhound/discover.hpp"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: floor_bench JOBS PATH...\n");
    return 2;
  }
  const unsigned jobs = static_cast<unsigned>(std::stoul(argv[1]));
  std::vector<std::string> paths(argv + 2, argv + argc);
  const trailhound::Discovery d = trailhound::discover_inputs(paths, {});
  std::atomic<std::size_t> next{0};
  std::atomic<std::uint64_t> events{0}, keys{0}, bytes{0};
  auto work = [&] {
    simdjson::ondemand::parser parser;
    trailhound::ByteBuffer scratch, out;
    std::uint64_t n_events = 0, n_keys = 0, n_bytes = 0;
    for (;;) {
      const std::size_t i = next.fetch_add(1);
      if (i >= d.files.size()) break;
      const auto r = trailhound::read_input(d.files[i], {}, scratch, out);
      if (r.status != trailhound::DecodeStatus::Ok) continue;
      n_bytes += out.size();
      simdjson::ondemand::document doc;
      if (parser.iterate(out.data(), out.size(), out.size() + trailhound::kBufferPadding).get(doc)) continue;
      simdjson::ondemand::array records;
      if (doc["Records"].get_array().get(records)) continue;
      for (auto record : records) {
        simdjson::ondemand::object obj;
        if (record.get_object().get(obj)) break;
        ++n_events;
        for (auto field : obj) {
          std::string_view key;
          if (field.unescaped_key().get(key)) break;
          n_keys += key.size();
        }
      }
    }
    events += n_events;
    keys += n_keys;
    bytes += n_bytes;
  };
  std::vector<std::thread> threads;
  for (unsigned t = 0; t < jobs; ++t) threads.emplace_back(work);
  for (auto& t : threads) t.join();
  std::printf("files %zu events %llu bytes %llu keybytes %llu\n", d.files.size(),
              static_cast<unsigned long long>(events.load()),
              static_cast<unsigned long long>(bytes.load()),
              static_cast<unsigned long long>(keys.load()));
  return 0;
}
