// The path-compressed radix tree behind every IP list and AWS range lookup.
#include <algorithm>
#include <bit>
#include <climits>
#include <cstdint>
#include <vector>

#include "trailhound/huge_pages.hpp"
#include "trailhound/intel.hpp"

namespace trailhound::intel {
namespace {

__extension__ typedef unsigned __int128 U128;

// Bit helpers per key width, keys being left-aligned integers (bit 0 = most significant).
struct Key32 {
  using Type = std::uint32_t;
  static constexpr int kBits = 32;
  static Type mask(int length) { return static_cast<Type>(~std::uint64_t(0) << (32 - length)); }
  static unsigned bit(Type key, int pos) { return (key >> (31 - pos)) & 1u; }
  static int common(Type a, Type b) { return a == b ? 32 : std::countl_zero(a ^ b); }
  static Type from(const IpAddr& a) { return a.v4_value(); }
  static IpAddr to(Type k) { return IpAddr::from_v4(k); }
};

struct Key128 {
  using Type = U128;
  static constexpr int kBits = 128;
  static Type mask(int length) { return length == 0 ? 0 : ~U128(0) << (128 - length); }
  static unsigned bit(Type key, int pos) { return unsigned(key >> (127 - pos)) & 1u; }
  static int common(Type a, Type b) {
    Type x = a ^ b;
    auto hi = static_cast<std::uint64_t>(x >> 64);
    if (hi) return std::countl_zero(hi);
    auto lo = static_cast<std::uint64_t>(x);
    return lo ? 64 + std::countl_zero(lo) : 128;
  }
  static Type from(const IpAddr& a) { return (U128(a.hi) << 64) | a.lo; }
  static IpAddr to(Type k) {
    return IpAddr::from_v6(static_cast<std::uint64_t>(k >> 64), static_cast<std::uint64_t>(k));
  }
};

// One family's tree. Index 0 is the null child, so a node's children are plain integers and the
// whole tree is one allocation that moves without fix-ups.
template <class K>
class Trie {
 public:
  using Key = typename K::Type;
  struct Node {
    Key key;
    std::uint32_t child[2];
    std::uint32_t value;
    std::uint8_t length;
    std::uint8_t stored;  // an inserted prefix, not only a branch point
  };

  Trie() { nodes_.push_back(Node{}); }

  std::uint32_t& insert(Key key, int length, bool* created) {
    key &= K::mask(length);
    if (!slots_.empty()) {
      slots_.clear();
      chains_.clear();
    }
    if (root_ == 0) {
      root_ = add_node(key, length, true);
      path_.assign(1, root_);
      return finish(root_, created, true);
    }
    // Every node whose prefix covers the new one lies on the walk from the root, and those on
    // the last insert's path are a run from its start: resume from the deepest of them. Lists
    // are inserted in address order, so that is usually a node or two above the last leaf,
    // and the walk from the root (most of the cost of loading a long list) is skipped. The
    // nodes made and links changed are the same as from the root.
    std::size_t depth = path_.size();
    while (depth > 0) {
      const Node& n = nodes_[path_[depth - 1]];
      if (n.length <= length && ((key ^ n.key) & K::mask(n.length)) == 0) break;
      --depth;
    }
    std::uint32_t parent = 0;
    unsigned side = 0;
    std::uint32_t idx = root_;
    if (depth == 0) {
      path_.assign(1, root_);
    } else {
      path_.resize(depth);
      idx = path_[depth - 1];
      if (depth > 1) {
        parent = path_[depth - 2];
        side = K::bit(key, nodes_[parent].length);
      }
    }
    for (;;) {
      const Node n = nodes_[idx];
      int limit = std::min<int>(length, n.length);
      int c = std::min(K::common(key, n.key), limit);
      if (c == n.length && c == length) {
        bool fresh = !nodes_[idx].stored;
        if (fresh) {
          nodes_[idx].stored = 1;
          ++size_;
        }
        return finish(idx, created, fresh);
      }
      if (c == n.length) {  // n is an ancestor: descend
        unsigned b = K::bit(key, n.length);
        if (n.child[b] == 0) {
          std::uint32_t leaf = add_node(key, length, true);
          nodes_[idx].child[b] = leaf;
          path_.push_back(leaf);
          return finish(leaf, created, true);
        }
        parent = idx;
        side = b;
        idx = n.child[b];
        path_.push_back(idx);
        continue;
      }
      std::uint32_t fresh;
      if (c == length) {  // the new prefix sits above n
        fresh = add_node(key, length, true);
        nodes_[fresh].child[K::bit(n.key, length)] = idx;
        path_.back() = fresh;
      } else {  // they diverge at bit c: a branch node takes both
        std::uint32_t glue = add_node(key & K::mask(c), c, false);
        fresh = add_node(key, length, true);
        unsigned b = K::bit(key, c);
        nodes_[glue].child[b] = fresh;
        nodes_[glue].child[b ^ 1u] = idx;
        link(parent, side, glue);
        path_.back() = glue;
        path_.push_back(fresh);
        return finish(fresh, created, true);
      }
      link(parent, side, fresh);
      return finish(fresh, created, true);
    }
  }

  const std::uint32_t* find(Key key, int length) const {
    key &= K::mask(length);
    std::uint32_t idx = root_;
    while (idx) {
      const Node& n = nodes_[idx];
      if (n.length > length || ((key ^ n.key) & K::mask(n.length)) != 0) return nullptr;
      if (n.length == length) return n.stored ? &n.value : nullptr;
      idx = n.child[K::bit(key, n.length)];
    }
    return nullptr;
  }

  // Collects matching nodes shortest first; returns how many.
  std::size_t match_all(Key key, std::uint32_t* out) const {
    std::size_t count = 0;
    std::uint32_t idx = root_;
    if (!slots_.empty()) {
      const Slot& slot = slots_[slot_of(key)];
      for (std::uint32_t i = 0; i < slot.count; ++i) {
        std::uint32_t c = chains_[slot.offset + i];
        if (nodes_[c].value) out[count++] = c;
      }
      idx = slot.start;
    }
    while (idx) {
      const Node& n = nodes_[idx];
      if (((key ^ n.key) & K::mask(n.length)) != 0) break;
      if (n.value) out[count++] = idx;
      if (n.length == K::kBits) break;
      idx = n.child[K::bit(key, n.length)];
    }
    return count;
  }

  std::size_t match_values(Key key, std::uint32_t* values, std::uint8_t* lengths) const {
    std::size_t count = 0;
    std::uint32_t idx = root_;
    if (!slots_.empty()) {
      const Slot& slot = slots_[slot_of(key)];
      for (std::uint32_t i = 0; i < slot.count; ++i) {
        const Node& c = nodes_[chains_[slot.offset + i]];
        if (c.value) {
          values[count] = c.value;
          lengths[count++] = c.length;
        }
      }
      idx = slot.start;
    }
    while (idx) {
      const Node& n = nodes_[idx];
      if (((key ^ n.key) & K::mask(n.length)) != 0) break;
      if (n.value) {
        values[count] = n.value;
        lengths[count++] = n.length;
      }
      if (n.length == K::kBits) break;
      idx = n.child[K::bit(key, n.length)];
    }
    return count;
  }

  std::uint32_t match_longest(Key key) const {
    std::uint32_t best = 0;
    std::uint32_t idx = root_;
    if (!slots_.empty()) {
      const Slot& slot = slots_[slot_of(key)];
      for (std::uint32_t i = 0; i < slot.count; ++i) {
        std::uint32_t c = chains_[slot.offset + i];
        if (nodes_[c].value) best = c;
      }
      idx = slot.start;
    }
    while (idx) {
      const Node& n = nodes_[idx];
      if (((key ^ n.key) & K::mask(n.length)) != 0) break;
      if (n.value) best = idx;
      if (n.length == K::kBits) break;
      idx = n.child[K::bit(key, n.length)];
    }
    return best;
  }

  const Node& node(std::uint32_t idx) const { return nodes_[idx]; }
  std::size_t size() const { return size_; }
  std::size_t memory_bytes() const {
    return nodes_.capacity() * sizeof(Node) + slots_.capacity() * sizeof(Slot) +
           chains_.capacity() * sizeof(std::uint32_t);
  }
  void shrink_to_fit() { nodes_.shrink_to_fit(); }
  void reserve(std::size_t more) {
    if (more == 0) return;
    nodes_.reserve(nodes_.size() + 2 * more);
    prefer_huge_pages(nodes_.data(), nodes_.capacity() * sizeof(Node));
  }

  // The top kStrideBits of a big tree are dense and every walk repeats them, so a table indexed
  // by those bits remembers, per slot, the stored prefixes above the stride (all of which cover
  // the whole slot) and the node where the walk goes on.
  void build_slots() {
    slots_.clear();
    chains_.clear();
    if (K::kBits != 32 || size_ < kSlotsFrom) return;
    slots_.resize(std::size_t(1) << kStrideBits);
    last_chain_.clear();
    last_offset_ = UINT32_MAX;
    std::vector<std::uint32_t> chain;
    descend(root_, 0, slots_.size(), chain);
    chains_.shrink_to_fit();
  }

 private:
  std::uint32_t add_node(Key key, int length, bool stored) {
    Node n{};
    n.key = key;
    n.length = static_cast<std::uint8_t>(length);
    n.stored = stored ? 1 : 0;
    if (stored) ++size_;
    nodes_.push_back(n);
    return static_cast<std::uint32_t>(nodes_.size() - 1);
  }
  void link(std::uint32_t parent, unsigned side, std::uint32_t child) {
    if (parent == 0) {
      root_ = child;
    } else {
      nodes_[parent].child[side] = child;
    }
  }
  std::uint32_t& finish(std::uint32_t idx, bool* created, bool fresh) {
    if (created) *created = fresh;
    return nodes_[idx].value;
  }

  static constexpr int kStrideBits = 16;
  // Below this size the walk is short anyway and the table would be most of the memory.
  static constexpr std::size_t kSlotsFrom = 4096;
  struct Slot {
    std::uint32_t start = 0;   // node where the walk continues (0: nothing deeper)
    std::uint32_t offset = 0;  // first of this slot's covering prefixes in chains_
    std::uint32_t count = 0;
  };
  // Fills the slots [lo, hi), all of which reach node `idx` having passed the prefixes in
  // `chain`; one pass over the tree's top instead of one walk per slot.
  void descend(std::uint32_t idx, std::size_t lo, std::size_t hi,
               std::vector<std::uint32_t>& chain) {
    if (idx == 0) return fill(lo, hi, 0, chain);
    const Node n = nodes_[idx];
    if (n.length >= kStrideBits) return fill(lo, hi, idx, chain);  // the walk resumes here
    std::size_t width = std::size_t(1) << (kStrideBits - n.length);
    std::size_t first = slot_of(n.key);
    fill(lo, first, 0, chain);  // slots whose bits leave n's prefix: nothing deeper
    fill(first + width, hi, 0, chain);
    if (n.stored) chain.push_back(idx);
    descend(n.child[0], first, first + width / 2, chain);
    descend(n.child[1], first + width / 2, first + width, chain);
    if (n.stored) chain.pop_back();
  }

  void fill(std::size_t lo, std::size_t hi, std::uint32_t start,
            const std::vector<std::uint32_t>& chain) {
    if (lo >= hi) return;
    if (last_offset_ == UINT32_MAX || chain != last_chain_) {
      last_offset_ = static_cast<std::uint32_t>(chains_.size());
      chains_.insert(chains_.end(), chain.begin(), chain.end());
      last_chain_ = chain;
    }
    for (std::size_t s = lo; s < hi; ++s) {
      slots_[s] = Slot{start, last_offset_, static_cast<std::uint32_t>(chain.size())};
    }
  }

  static std::size_t slot_of(Key key) {
    return static_cast<std::size_t>(key >> (K::kBits - kStrideBits));
  }

  std::vector<Node> nodes_;
  std::uint32_t root_ = 0;
  std::size_t size_ = 0;
  std::vector<Slot> slots_;
  std::vector<std::uint32_t> chains_;
  std::vector<std::uint32_t> last_chain_;  // build_slots scratch: shares equal chains
  std::uint32_t last_offset_ = UINT32_MAX;
  std::vector<std::uint32_t> path_;  // root-to-node path of the last insert
};

}  // namespace

struct PrefixTree::Impl {
  Trie<Key32> v4;
  Trie<Key128> v6;
};

PrefixTree::PrefixTree() : impl_(std::make_unique<Impl>()) {}
PrefixTree::~PrefixTree() = default;
PrefixTree::PrefixTree(PrefixTree&&) noexcept = default;
PrefixTree& PrefixTree::operator=(PrefixTree&&) noexcept = default;

std::uint32_t& PrefixTree::insert(const Prefix& prefix, bool* created) {
  if (prefix.addr.v4) return impl_->v4.insert(Key32::from(prefix.addr), prefix.length, created);
  return impl_->v6.insert(Key128::from(prefix.addr), prefix.length, created);
}

void PrefixTree::reserve(std::size_t v4, std::size_t v6) {
  impl_->v4.reserve(v4);
  impl_->v6.reserve(v6);
}

const std::uint32_t* PrefixTree::find(const Prefix& prefix) const {
  if (prefix.addr.v4) return impl_->v4.find(Key32::from(prefix.addr), prefix.length);
  return impl_->v6.find(Key128::from(prefix.addr), prefix.length);
}

std::size_t PrefixTree::match_all(const IpAddr& addr, Match* out) const {
  std::uint32_t idx[kMaxMatches];
  if (addr.v4) {
    std::size_t n = impl_->v4.match_all(Key32::from(addr), idx);
    for (std::size_t i = 0; i < n; ++i) {
      const auto& node = impl_->v4.node(idx[i]);
      out[i] = Match{Prefix{Key32::to(node.key), node.length}, node.value};
    }
    return n;
  }
  std::size_t n = impl_->v6.match_all(Key128::from(addr), idx);
  for (std::size_t i = 0; i < n; ++i) {
    const auto& node = impl_->v6.node(idx[i]);
    out[i] = Match{Prefix{Key128::to(node.key), node.length}, node.value};
  }
  return n;
}

std::size_t PrefixTree::match_values(const IpAddr& addr, std::uint32_t* values,
                                     std::uint8_t* lengths) const {
  if (addr.v4) return impl_->v4.match_values(Key32::from(addr), values, lengths);
  return impl_->v6.match_values(Key128::from(addr), values, lengths);
}

bool PrefixTree::match_longest(const IpAddr& addr, Match& out) const {
  if (addr.v4) {
    std::uint32_t idx = impl_->v4.match_longest(Key32::from(addr));
    if (!idx) return false;
    const auto& node = impl_->v4.node(idx);
    out = Match{Prefix{Key32::to(node.key), node.length}, node.value};
    return true;
  }
  std::uint32_t idx = impl_->v6.match_longest(Key128::from(addr));
  if (!idx) return false;
  const auto& node = impl_->v6.node(idx);
  out = Match{Prefix{Key128::to(node.key), node.length}, node.value};
  return true;
}

std::size_t PrefixTree::size() const { return impl_->v4.size() + impl_->v6.size(); }

std::size_t PrefixTree::memory_bytes() const {
  return sizeof(Impl) + impl_->v4.memory_bytes() + impl_->v6.memory_bytes();
}

void PrefixTree::shrink_to_fit() {
  impl_->v4.shrink_to_fit();
  impl_->v6.shrink_to_fit();
}

void PrefixTree::finalize() {
  impl_->v4.build_slots();
}

}  // namespace trailhound::intel
