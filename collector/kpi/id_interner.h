// Interns strings (HMACed account and device ids) to dense ids 0, 1, 2, ... for one KPI run:
//
//   IdInterner users;
//   uint32_t id = users.Intern(uid);     // The same id for the same bytes, a new one otherwise.
//   std::string_view back = users.Name(id);
//
// Open addressing with linear probing over slots that hold the hash, the id and where the bytes
// are in one arena: a lookup reads one slot and, on a hash match, the bytes; no node chasing,
// no allocation per lookup. The hash is a fast word-at-a-time mix, not a keyed one: the ids it
// sees are HMACs the sender cannot choose (a crafted collision would only slow lookups down,
// never confuse two ids). Not thread-safe; Name's views live until the next Intern.
#ifndef COLLECTOR_KPI_ID_INTERNER_H_
#define COLLECTOR_KPI_ID_INTERNER_H_

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace telemetry::collector::kpi {

class IdInterner {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  static uint64_t Hash(std::string_view s) {
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ (s.size() * 0xff51afd7ed558ccdULL);
    size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) h = Mix(h ^ Load(s.data() + i, 8));
    if (i < s.size()) h = Mix(h ^ Load(s.data() + i, s.size() - i));
    return h ^ (h >> 29);
  }
  uint32_t Intern(std::string_view s) { return Intern(s, Hash(s)); }
  uint32_t Intern(std::string_view s, uint64_t hash);
  uint32_t Find(std::string_view s) const;  // kNone when absent.
  // A hint that `s` is interned soon: its slot is fetched into the cache meanwhile.
  void Prefetch(std::string_view s) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[Hash(s) & (slots_.size() - 1)]);
  }
  std::string_view Name(uint32_t id) const {
    return std::string_view(arena_).substr(spans_[id].offset, spans_[id].length);
  }
  size_t size() const { return spans_.size(); }
  // Makes room for `ids` more ids of `bytes` bytes in all, so none of them grows the tables.
  void Reserve(size_t ids, size_t bytes);

 private:
  struct Span {
    uint64_t offset;
    uint32_t length;
  };
  struct Slot {
    uint64_t hash = 0;
    uint64_t offset = 0;
    uint32_t length = 0;
    uint32_t id = kNone;
  };
  static uint64_t Load(const char* p, size_t n) {
    uint64_t w = 0;
    std::memcpy(&w, p, n);
    return w;
  }
  static uint64_t Mix(uint64_t x) {
    x *= 0xbf58476d1ce4e5b9ULL;
    return x ^ (x >> 31);
  }
  bool Matches(const Slot& slot, std::string_view s, uint64_t hash) const {
    // An empty view may have no data pointer, which memcmp must not be given.
    return slot.hash == hash && slot.length == s.size() &&
           (s.empty() || std::memcmp(arena_.data() + slot.offset, s.data(), s.size()) == 0);
  }
  void Grow(size_t slots);

  std::vector<Slot> slots_;
  std::string arena_;
  std::vector<Span> spans_;
};

}  // namespace telemetry::collector::kpi

#endif  // COLLECTOR_KPI_ID_INTERNER_H_
