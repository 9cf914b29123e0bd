#include "collector/ingest/json_input.h"

#include <string>
#include <utility>
#include <vector>

#include "collector/ingest/limits.h"
#include "collector/ingest/reasons.h"

namespace telemetry::collector {
namespace {

using nlohmann::json;

// Builds the document while parsing and stops at the first broken limit, so a hostile body
// costs at most the limits, never the tree it would have become: nesting is refused when the
// 65th level opens, a duplicated key when it appears (the stored body must say what was
// parsed: a second copy of a key could hide an id from the redaction), and the number of values
// is capped.
class BoundedDomBuilder {
 public:
  bool null() { return Add(nullptr); }
  bool boolean(bool value) { return Add(value); }
  bool number_integer(json::number_integer_t value) { return Add(value); }
  bool number_unsigned(json::number_unsigned_t value) { return Add(value); }
  bool number_float(json::number_float_t value, const json::string_t&) { return Add(value); }
  bool string(json::string_t& value) { return Add(std::move(value)); }
  bool binary(json::binary_t&) { return Fail("the body is not JSON"); }
  bool start_object(size_t) { return Open(json::object()); }
  bool start_array(size_t) { return Open(json::array()); }
  bool end_object() { return Close(); }
  bool end_array() { return Close(); }
  bool key(json::string_t& key) {
    if (key.size() > kMaxJsonKeyBytes) {
      return Fail("an object key is longer than " + std::to_string(kMaxJsonKeyBytes) + " bytes");
    }
    json& object = *stack_.back();
    // The key is not quoted: the detail is stored, and a key may be anything.
    if (object.contains(key)) return Fail("an object key appears twice in one object");
    member_ = &object[std::move(key)];
    return true;
  }
  bool parse_error(size_t, const std::string&, const nlohmann::detail::exception&) {
    return Fail("the body is not JSON");
  }

  const Status& error() const { return error_; }
  json& root() { return root_; }

 private:
  bool Fail(std::string detail) {
    if (error_.ok()) error_ = Refuse(Reason::kInvalidJson, detail);
    return false;
  }
  template <typename Value>
  json* Place(Value&& value) {
    if (stack_.empty()) {
      root_ = std::forward<Value>(value);
      return &root_;
    }
    json& parent = *stack_.back();
    if (parent.is_array()) {
      parent.emplace_back(std::forward<Value>(value));
      return &parent.back();
    }
    *member_ = std::forward<Value>(value);
    return member_;
  }
  bool Count() {
    if (++values_ <= kMaxJsonValues) return true;
    error_ = Refuse(Reason::kOverLimit,
                    "more than " + std::to_string(kMaxJsonValues) + " JSON values in one ping");
    return false;
  }
  template <typename Value>
  bool Add(Value&& value) {
    if (!Count()) return false;
    Place(std::forward<Value>(value));
    return true;
  }
  bool Open(json empty) {
    if (stack_.size() >= static_cast<size_t>(kMaxJsonDepth)) {
      return Fail("nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    }
    if (!Count()) return false;
    stack_.push_back(Place(std::move(empty)));
    return true;
  }
  bool Close() {
    stack_.pop_back();
    return true;
  }

  json root_;
  std::vector<json*> stack_;  // Open containers; a parent does not grow while a child is open.
  json* member_ = nullptr;    // The member the next object value goes to.
  size_t values_ = 0;
  Status error_;
};

}  // namespace

Result<nlohmann::json> ParseJsonPing(std::string_view text) {
  BoundedDomBuilder builder;
  const bool parsed = json::sax_parse(text, &builder, json::input_format_t::json,
                                      /*strict=*/true, /*ignore_comments=*/false);
  if (!builder.error().ok()) return builder.error();
  if (!parsed) return Refuse(Reason::kInvalidJson, "the body is not JSON");
  if (!builder.root().is_object()) {
    return Refuse(Reason::kInvalidJson, "the body is not a JSON object");
  }
  return std::move(builder.root());
}

}  // namespace telemetry::collector
