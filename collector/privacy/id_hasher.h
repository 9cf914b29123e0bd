// IdHasher: replaces account uids and device ids by their hex HMAC-SHA256 under a secret key,
// and seals the bodies of refused requests (which may carry raw ids) with AES-256-GCM under a
// key of their own, derived from the same secret with HKDF-SHA256 (info
// "telemetry-collector rejected bodies v1"). The derived key is not an HMAC of any id: no
// stored hash can ever equal it, and knowing it says nothing of the HMAC key.
//
// The key is read once from a file and kept only inside this object: no method returns or
// prints it, and every error message names the file and the problem, never its contents.
// Distinct ids stay distinct (up to HMAC collisions), so distinct counts are unchanged.
//
// Thread safety: an IdHasher is immutable after creation; Hash() may be called from any number
// of threads at once. Movable, not copyable (one owner of the key).
#ifndef TELEMETRY_COLLECTOR_PRIVACY_ID_HASHER_H_
#define TELEMETRY_COLLECTOR_PRIVACY_ID_HASHER_H_

#include <memory>
#include <string>
#include <string_view>

#include "telemetry/base/status.h"

namespace telemetry::collector {

class IdHasher {
 public:
  // Keys shorter than this are refused.
  static constexpr size_t kMinKeyBytes = 16;

  // Reads the key from `path`: the file's bytes, less one trailing line break. Fails when the
  // file cannot be read or the key is shorter than kMinKeyBytes.
  static Result<IdHasher> FromKeyFile(const std::string& path);
  // A fixed, publicly known key, for development servers only: HMACs made with it protect
  // nothing.
  static IdHasher InsecureDevelopmentKey();

  IdHasher(IdHasher&&) noexcept;
  IdHasher& operator=(IdHasher&&) noexcept;
  ~IdHasher();

  // Lower-case hex HMAC-SHA256(key, id): 64 characters.
  std::string Hash(std::string_view id) const;
  // Names the key without revealing it: 16 hex digits of the HMAC of a fixed text no id can be
  // ("telemetry-collector key fingerprint v1", with a NUL). Stores record it so that a
  // collector started with another key is refused.
  std::string Fingerprint() const;

  // `plain` encrypted and authenticated: "TCS1", a random 12-byte nonce, the ciphertext, the
  // 16-byte tag. Aborts only when OpenSSL fails to allocate.
  std::string Seal(std::string_view plain) const;
  // The plain text of Seal()'s output; an error when `sealed` is not sealed or was sealed under
  // another key or changed.
  Result<std::string> Open(std::string_view sealed) const;
  // True when `bytes` start like Seal()'s output.
  static bool IsSealed(std::string_view bytes);

  // The sample id of a hashed uid: its first 8 hex digits as a number, modulo 100. Returns -1
  // when `hmac_hex` does not start with 8 hex digits.
  static int SampleId(std::string_view hmac_hex);

 private:
  struct Key;
  explicit IdHasher(std::unique_ptr<Key> key);
  // Sets up the HMAC context and wipes `secret`; nullptr if OpenSSL fails.
  static std::unique_ptr<Key> MakeKey(std::string& secret);
  std::unique_ptr<Key> key_;
};

}  // namespace telemetry::collector

#endif  // TELEMETRY_COLLECTOR_PRIVACY_ID_HASHER_H_
