// MaxMind DB files through libmaxminddb: opened once (memory-mapped), kind told from the
// metadata, looked up by every worker.
#include "trailhound/geoip.hpp"

#include <arpa/inet.h>
#include <maxminddb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <cstring>

#include <fmt/format.h>

namespace trailhound::intel {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

/// The kind a `database_type` names: GeoIP2/GeoLite2/DB-IP spell it in the type's name.
std::optional<GeoKind> kind_of(std::string_view database_type) {
  const std::string t = lower(database_type);
  if (t.find("anonymous") != std::string::npos) return GeoKind::AnonymousIp;
  if (t.find("city") != std::string::npos) return GeoKind::City;
  if (t.find("country") != std::string::npos) return GeoKind::Country;
  if (t.find("asn") != std::string::npos || t.find("isp") != std::string::npos) return GeoKind::Asn;
  return std::nullopt;
}

/// The value at a path of map keys, when it exists with the wanted type.
bool get(MMDB_entry_s& entry, MMDB_entry_data_s& data, const char* const* path) {
  if (MMDB_aget_value(&entry, &data, path) != MMDB_SUCCESS) return false;
  return data.has_data;
}

std::string get_string(MMDB_entry_s& entry, std::initializer_list<const char*> keys) {
  std::vector<const char*> path(keys);
  path.push_back(nullptr);
  MMDB_entry_data_s data;
  if (!get(entry, data, path.data()) || data.type != MMDB_DATA_TYPE_UTF8_STRING) return {};
  return std::string(data.utf8_string, data.data_size);
}

std::optional<double> get_double(MMDB_entry_s& entry, std::initializer_list<const char*> keys) {
  std::vector<const char*> path(keys);
  path.push_back(nullptr);
  MMDB_entry_data_s data;
  if (!get(entry, data, path.data())) return std::nullopt;
  if (data.type == MMDB_DATA_TYPE_DOUBLE) return data.double_value;
  if (data.type == MMDB_DATA_TYPE_FLOAT) return data.float_value;
  return std::nullopt;
}

std::uint32_t get_uint(MMDB_entry_s& entry, const char* key) {
  const char* path[] = {key, nullptr};
  MMDB_entry_data_s data;
  if (!get(entry, data, path)) return 0;
  switch (data.type) {
    case MMDB_DATA_TYPE_UINT16: return data.uint16;
    case MMDB_DATA_TYPE_UINT32: return data.uint32;
    case MMDB_DATA_TYPE_UINT64: return static_cast<std::uint32_t>(data.uint64);
    case MMDB_DATA_TYPE_INT32: return data.int32 > 0 ? static_cast<std::uint32_t>(data.int32) : 0;
    default: return 0;
  }
}

bool get_bool(MMDB_entry_s& entry, const char* key) {
  const char* path[] = {key, nullptr};
  MMDB_entry_data_s data;
  return get(entry, data, path) && data.type == MMDB_DATA_TYPE_BOOLEAN && data.boolean;
}

}  // namespace

std::string_view to_string(GeoKind kind) {
  switch (kind) {
    case GeoKind::Country: return "country";
    case GeoKind::City: return "city";
    case GeoKind::Asn: return "asn";
    case GeoKind::AnonymousIp: return "anonymous-ip";
  }
  return "country";
}

std::string GeoInfo::anonymiser_kinds() const {
  std::string s;
  auto add = [&](bool on, std::string_view name) {
    if (!on) return;
    if (!s.empty()) s += ", ";
    s += name;
  };
  add(anonymous_vpn, "vpn");
  add(hosting_provider, "hosting");
  add(public_proxy, "public proxy");
  add(residential_proxy, "residential proxy");
  add(tor_exit_node, "tor");
  if (s.empty() && anonymous) s = "anonymous";
  return s;
}

std::string GeoInfo::brief() const {
  std::string s;
  auto add = [&](const std::string& part) {
    if (part.empty()) return;
    if (!s.empty()) s += ", ";
    s += part;
  };
  add(country);
  add(city);
  if (asn != 0) add(as_org.empty() ? fmt::format("AS{}", asn) : fmt::format("AS{} {}", asn, as_org));
  add(anonymiser_kinds());
  return s;
}

struct GeoDb::Impl {
  struct File {
    MMDB_s mmdb{};
    GeoFileInfo info;
  };
  // Each file is opened in place and never moves: MMDB_s holds pointers into itself's map.
  std::vector<std::unique_ptr<File>> files;
  std::vector<GeoFileInfo> infos;
  ~Impl() {
    for (auto& f : files) MMDB_close(&f->mmdb);
  }
};

GeoDb::GeoDb() : impl_(std::make_unique<Impl>()) {}
GeoDb::~GeoDb() = default;
GeoDb::GeoDb(GeoDb&&) noexcept = default;
GeoDb& GeoDb::operator=(GeoDb&&) noexcept = default;

Status GeoDb::add(const std::string& path) {
  auto file = std::make_unique<Impl::File>();
  const int status = MMDB_open(path.c_str(), MMDB_MODE_MMAP, &file->mmdb);
  if (status != MMDB_SUCCESS) {
    const int err = status == MMDB_IO_ERROR ? errno : 0;
    return Error{ErrorKind::Config,
                 fmt::format("cannot open as a MaxMind DB file: {}", MMDB_strerror(status)),
                 "--geoip " + path, err};
  }
  const char* type = file->mmdb.metadata.database_type;
  const std::string_view type_text = type ? std::string_view(type) : std::string_view{};
  const auto kind = kind_of(type_text);
  if (!kind) {
    // The message is made before the close: the type's text lives in the file's metadata.
    std::string message = fmt::format("database type '{}' is none of City, Country, ASN or "
                                      "Anonymous-IP",
                                      type_text);
    MMDB_close(&file->mmdb);
    return Error::config(std::move(message), "--geoip " + path);
  }
  // A corrupt search tree is found on the first lookup; refuse it now, not mid-scan.
  int gai = 0, mmdb_error = MMDB_SUCCESS;
  (void)MMDB_lookup_string(&file->mmdb, "1.1.1.1", &gai, &mmdb_error);
  if (mmdb_error == MMDB_SUCCESS) (void)MMDB_lookup_string(&file->mmdb, "2001:db8::1", &gai, &mmdb_error);
  if (mmdb_error != MMDB_SUCCESS && mmdb_error != MMDB_IPV6_LOOKUP_IN_IPV4_DATABASE_ERROR) {
    MMDB_close(&file->mmdb);
    return Error::config(fmt::format("corrupt MaxMind DB file: {}", MMDB_strerror(mmdb_error)),
                         "--geoip " + path);
  }
  MMDB_entry_data_list_s* meta = nullptr;
  const int meta_status = MMDB_get_metadata_as_entry_data_list(&file->mmdb, &meta);
  MMDB_free_entry_data_list(meta);
  if (meta_status != MMDB_SUCCESS) {
    MMDB_close(&file->mmdb);
    return Error::config(fmt::format("corrupt MaxMind DB metadata: {}", MMDB_strerror(meta_status)),
                         "--geoip " + path);
  }
  file->info.path = path;
  file->info.kind = *kind;
  file->info.database_type = std::string(type_text);
  file->info.build_epoch = file->mmdb.metadata.build_epoch;
  file->info.node_count = file->mmdb.metadata.node_count;
  file->info.ip_version = file->mmdb.metadata.ip_version;
  impl_->infos.push_back(file->info);
  impl_->files.push_back(std::move(file));
  return {};
}

bool GeoDb::empty() const { return impl_->files.empty(); }

const std::vector<GeoFileInfo>& GeoDb::files() const { return impl_->infos; }

GeoInfo GeoDb::lookup(const IpAddr& addr) const {
  GeoInfo info;
  sockaddr_storage storage{};
  if (addr.v4) {
    auto* in = reinterpret_cast<sockaddr_in*>(&storage);
    in->sin_family = AF_INET;
    in->sin_addr.s_addr = htonl(addr.v4_value());
  } else {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&storage);
    in6->sin6_family = AF_INET6;
    for (int i = 0; i < 8; ++i) {
      in6->sin6_addr.s6_addr[i] = static_cast<std::uint8_t>(addr.hi >> (56 - 8 * i));
      in6->sin6_addr.s6_addr[8 + i] = static_cast<std::uint8_t>(addr.lo >> (56 - 8 * i));
    }
  }
  for (const auto& file : impl_->files) {
    int error = MMDB_SUCCESS;
    MMDB_lookup_result_s r =
        MMDB_lookup_sockaddr(&file->mmdb, reinterpret_cast<const sockaddr*>(&storage), &error);
    if (error != MMDB_SUCCESS || !r.found_entry) continue;
    MMDB_entry_s& e = r.entry;
    switch (file->info.kind) {
      case GeoKind::City:
        if (info.city.empty()) info.city = get_string(e, {"city", "names", "en"});
        if (!info.latitude) info.latitude = get_double(e, {"location", "latitude"});
        if (!info.longitude) info.longitude = get_double(e, {"location", "longitude"});
        [[fallthrough]];
      case GeoKind::Country:
        if (info.country.empty()) {
          info.country = get_string(e, {"country", "iso_code"});
          info.country_name = get_string(e, {"country", "names", "en"});
        }
        if (info.country.empty()) {  // some databases give only the registered country
          info.country = get_string(e, {"registered_country", "iso_code"});
          info.country_name = get_string(e, {"registered_country", "names", "en"});
        }
        break;
      case GeoKind::Asn:
        if (info.asn == 0) {
          info.asn = get_uint(e, "autonomous_system_number");
          info.as_org = get_string(e, {"autonomous_system_organization"});
        }
        break;
      case GeoKind::AnonymousIp:
        info.anonymity_known = true;
        info.anonymous = info.anonymous || get_bool(e, "is_anonymous");
        info.anonymous_vpn = info.anonymous_vpn || get_bool(e, "is_anonymous_vpn");
        info.hosting_provider = info.hosting_provider || get_bool(e, "is_hosting_provider");
        info.public_proxy = info.public_proxy || get_bool(e, "is_public_proxy");
        info.residential_proxy = info.residential_proxy || get_bool(e, "is_residential_proxy");
        info.tor_exit_node = info.tor_exit_node || get_bool(e, "is_tor_exit_node");
        break;
    }
  }
  // An Anonymous-IP database with no record for the address says it is not an anonymiser.
  if (!info.anonymity_known) {
    info.anonymity_known = std::any_of(impl_->files.begin(), impl_->files.end(), [](const auto& f) {
      return f->info.kind == GeoKind::AnonymousIp;
    });
  }
  return info;
}

const GeoInfo& GeoCache::lookup(const IpAddr& addr) {
  auto it = cache_.find(addr);
  if (it == cache_.end()) it = cache_.emplace(addr, db_.lookup(addr)).first;
  return it->second;
}

}  // namespace trailhound::intel
