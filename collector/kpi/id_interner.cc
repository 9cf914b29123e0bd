#include "collector/kpi/id_interner.h"

#include <algorithm>
#include <bit>

namespace telemetry::collector::kpi {

uint32_t IdInterner::Intern(std::string_view s, uint64_t hash) {
  if ((spans_.size() + 1) * 2 > slots_.size()) Grow(slots_.size() * 2);
  const size_t mask = slots_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    Slot& slot = slots_[i];
    if (slot.id == kNone) {
      slot = {hash, arena_.size(), static_cast<uint32_t>(s.size()),
              static_cast<uint32_t>(spans_.size())};
      arena_.append(s);
      spans_.push_back({slot.offset, slot.length});
      return slot.id;
    }
    if (Matches(slot, s, hash)) return slot.id;
  }
}

uint32_t IdInterner::Find(std::string_view s) const {
  if (slots_.empty()) return kNone;
  const uint64_t hash = Hash(s);
  const size_t mask = slots_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    const Slot& slot = slots_[i];
    if (slot.id == kNone) return kNone;
    if (Matches(slot, s, hash)) return slot.id;
  }
}

void IdInterner::Reserve(size_t ids, size_t bytes) {
  const size_t total = spans_.size() + ids;
  const size_t slots = std::bit_ceil(std::max<size_t>(1024, total * 2 + 2));
  if (slots > slots_.size()) Grow(slots);
  spans_.reserve(total);
  arena_.reserve(arena_.size() + bytes);
}

// Places every id again in `slots` slots (a power of two; the load stays under a half).
void IdInterner::Grow(size_t slots) {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(std::max<size_t>(1024, slots), Slot{});
  const size_t mask = slots_.size() - 1;
  for (const Slot& slot : old) {
    if (slot.id == kNone) continue;
    size_t i = slot.hash & mask;
    while (slots_[i].id != kNone) i = (i + 1) & mask;
    slots_[i] = slot;
  }
}

}  // namespace telemetry::collector::kpi
