// Where an address is: country, city, ASN and anonymiser flags from MaxMind DB files.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "trailhound/error.hpp"
#include "trailhound/intel.hpp"

namespace trailhound::intel {

/// What a MaxMind DB file holds, told from its metadata's `database_type`.
enum class GeoKind { Country, City, Asn, AnonymousIp };

[[nodiscard]] std::string_view to_string(GeoKind kind);

/// What the loaded databases say about one address. Empty strings and zero mean "not known".
struct GeoInfo {
  std::string country;       ///< ISO 3166-1 alpha-2 code
  std::string country_name;  ///< English name
  std::string city;          ///< English name
  std::optional<double> latitude, longitude;
  std::uint32_t asn = 0;
  std::string as_org;
  /// Anonymous-IP flags; meaningful only when `anonymity_known`.
  bool anonymity_known = false;
  bool anonymous = false, anonymous_vpn = false, hosting_provider = false, public_proxy = false,
       residential_proxy = false, tor_exit_node = false;

  /// True when any database had a record for the address.
  [[nodiscard]] bool found() const {
    return !country.empty() || !city.empty() || asn != 0 || anonymous || anonymous_vpn ||
           hosting_provider || public_proxy || residential_proxy || tor_exit_node;
  }
  /// True when an Anonymous-IP database flags the address (VPN, hosting, proxy, Tor).
  [[nodiscard]] bool anonymiser() const {
    return anonymous || anonymous_vpn || hosting_provider || public_proxy || residential_proxy ||
           tor_exit_node;
  }
  /// The anonymiser kinds that are set, e.g. "vpn, tor": for reasons and text output.
  [[nodiscard]] std::string anonymiser_kinds() const;
  /// The short text form: `US, Boston, AS16625 Akamai, vpn` (empty when nothing is known).
  [[nodiscard]] std::string brief() const;
};

/// One loaded database file, as `ip lists` shows it.
struct GeoFileInfo {
  std::string path;
  GeoKind kind = GeoKind::Country;
  std::string database_type;  ///< as the file's metadata says
  std::uint64_t build_epoch = 0;
  std::uint32_t node_count = 0;
  int ip_version = 6;
};

/// MaxMind DB files (GeoLite2, GeoIP2, DB-IP, ip-location-db), memory-mapped once and shared
/// by every worker: lookups only read.
class GeoDb {
 public:
  GeoDb();
  ~GeoDb();
  GeoDb(const GeoDb&) = delete;
  GeoDb& operator=(const GeoDb&) = delete;
  GeoDb(GeoDb&&) noexcept;
  GeoDb& operator=(GeoDb&&) noexcept;

  /// Opens `path` and tells its kind from the metadata. A missing, corrupt or unknown-type
  /// file is a Config error naming the file and libmaxminddb's reason.
  [[nodiscard]] Status add(const std::string& path);
  [[nodiscard]] bool empty() const;
  [[nodiscard]] const std::vector<GeoFileInfo>& files() const;
  /// Looks the address up in every file; a file whose record cannot be read adds nothing.
  [[nodiscard]] GeoInfo lookup(const IpAddr& addr) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// One worker's cache of lookups, so a scan pays once per distinct address.
class GeoCache {
 public:
  explicit GeoCache(const GeoDb& db) : db_(db) {}
  [[nodiscard]] const GeoInfo& lookup(const IpAddr& addr);
  [[nodiscard]] std::size_t size() const { return cache_.size(); }

 private:
  struct Hash {
    std::size_t operator()(const IpAddr& a) const {
      return std::hash<std::uint64_t>{}(a.hi * 0x9E3779B97F4A7C15ULL ^ a.lo ^ (a.v4 ? 1 : 0));
    }
  };
  const GeoDb& db_;
  std::unordered_map<IpAddr, GeoInfo, Hash> cache_;
};

}  // namespace trailhound::intel
