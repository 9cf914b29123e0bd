#include "collector/privacy/id_hasher.h"

#include <fcntl.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace telemetry::collector {

// The key lives in an HMAC context initialised once; Hash() duplicates it per call, which
// costs far less than initialising a context with the key again.
struct IdHasher::Key {
  EVP_MAC* mac = nullptr;
  EVP_MAC_CTX* ctx = nullptr;
  unsigned char seal_key[32] = {};  // AES-256-GCM key for rejected bodies (HKDF of the secret).
  ~Key() {
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(mac);
    OPENSSL_cleanse(seal_key, sizeof(seal_key));
  }
};

namespace {

constexpr std::string_view kSealMagic = "TCS1";
constexpr size_t kNonceBytes = 12;
constexpr size_t kTagBytes = 16;

// HKDF-SHA256(secret, info) into `out`; false if OpenSSL fails.
bool DeriveSealKey(const std::string& secret, unsigned char (&out)[32]) {
  EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
  EVP_KDF_CTX* ctx = kdf != nullptr ? EVP_KDF_CTX_new(kdf) : nullptr;
  char digest[] = "SHA256";
  char info[] = "telemetry-collector rejected bodies v1";
  char salt[] = "telemetry-collector";
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<char*>(secret.data()),
                                        secret.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, salt, sizeof(salt) - 1),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info, sizeof(info) - 1),
      OSSL_PARAM_construct_end()};
  const bool ok = ctx != nullptr && EVP_KDF_derive(ctx, out, sizeof(out), params) == 1;
  EVP_KDF_CTX_free(ctx);
  EVP_KDF_free(kdf);
  return ok;
}

// AES-256-GCM of `in` into `out` (same length); `tag` written (encrypt) or checked (decrypt).
bool Gcm(bool encrypt, const unsigned char* key, const unsigned char* nonce, std::string_view in,
         unsigned char* out, unsigned char* tag) {
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  int length = 0;
  const auto* aad = reinterpret_cast<const unsigned char*>(kSealMagic.data());
  const auto* data = reinterpret_cast<const unsigned char*>(in.data());
  bool ok =
      ctx != nullptr && in.size() <= INT32_MAX &&
      EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), nullptr, key, nonce, encrypt ? 1 : 0) == 1 &&
      EVP_CipherUpdate(ctx, nullptr, &length, aad, static_cast<int>(kSealMagic.size())) == 1 &&
      EVP_CipherUpdate(ctx, out, &length, data, static_cast<int>(in.size())) == 1;
  if (ok && !encrypt) {
    ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, kTagBytes, tag) == 1;
  }
  ok = ok && EVP_CipherFinal_ex(ctx, out + length, &length) == 1;
  if (ok && encrypt) ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, kTagBytes, tag) == 1;
  EVP_CIPHER_CTX_free(ctx);
  return ok;
}

}  // namespace

IdHasher::IdHasher(std::unique_ptr<Key> key) : key_(std::move(key)) {}
IdHasher::IdHasher(IdHasher&&) noexcept = default;
IdHasher& IdHasher::operator=(IdHasher&&) noexcept = default;
IdHasher::~IdHasher() = default;

namespace {

// The file's bytes, with plain system calls: a directory, a FIFO that fails or an I/O error is
// a Status naming the file and the cause, never an exception.
Result<std::string> ReadKeyFile(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return Status::IoError("cannot read the HMAC key file " + path + ": " + strerror(errno));
  }
  struct stat info = {};
  if (fstat(fd, &info) == 0 && S_ISDIR(info.st_mode)) {
    close(fd);
    return Status::IoError("cannot read the HMAC key file " + path + ": it is a directory");
  }
  std::string secret;
  // Sized once, so that no copy of the key is left behind in freed memory by a reallocation.
  if (S_ISREG(info.st_mode)) secret.reserve(static_cast<size_t>(info.st_size) + 1);
  char buffer[4096];
  while (true) {
    const ssize_t n = read(fd, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int error = n < 0 ? errno : 0;
      OPENSSL_cleanse(buffer, sizeof(buffer));
      close(fd);
      if (error == 0) return secret;
      OPENSSL_cleanse(secret.data(), secret.size());
      return Status::IoError("cannot read the HMAC key file " + path + ": " + strerror(error));
    }
    secret.append(buffer, static_cast<size_t>(n));
  }
}

}  // namespace

Result<IdHasher> IdHasher::FromKeyFile(const std::string& path) {
  Result<std::string> read = ReadKeyFile(path);
  if (!read.ok()) return read.status();
  std::string& secret = *read;
  if (!secret.empty() && secret.back() == '\n') secret.pop_back();
  if (!secret.empty() && secret.back() == '\r') secret.pop_back();
  if (secret.size() < kMinKeyBytes) {
    const size_t size = secret.size();
    OPENSSL_cleanse(secret.data(), secret.size());
    return Status::InvalidArgument("the HMAC key in " + path + " is too short (" +
                                   std::to_string(size) + " bytes; at least " +
                                   std::to_string(kMinKeyBytes) + " needed)");
  }
  std::unique_ptr<Key> key = MakeKey(secret);
  if (key == nullptr) return Status::Internal("OpenSSL could not set up HMAC-SHA256");
  return IdHasher(std::move(key));
}

IdHasher IdHasher::InsecureDevelopmentKey() {
  std::string secret = "telemetry-collector insecure development key";
  return IdHasher(MakeKey(secret));
}

std::string IdHasher::Hash(std::string_view id) const {
  unsigned char digest[EVP_MAX_MD_SIZE];
  size_t length = 0;
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_dup(key_->ctx);
  const bool ok =
      ctx != nullptr &&
      EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(id.data()), id.size()) == 1 &&
      EVP_MAC_final(ctx, digest, &length, sizeof(digest)) == 1;
  EVP_MAC_CTX_free(ctx);
  if (!ok) std::abort();  // Out of memory inside OpenSSL: nothing sensible to store.
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex(length * 2, '0');
  for (size_t i = 0; i < length; ++i) {
    hex[2 * i] = kHex[digest[i] >> 4];
    hex[2 * i + 1] = kHex[digest[i] & 0xf];
  }
  return hex;
}

std::string IdHasher::Fingerprint() const {
  static constexpr char kText[] = "telemetry-collector key fingerprint v1";
  return Hash(std::string_view(kText, sizeof(kText))).substr(0, 16);  // The NUL included.
}

bool IdHasher::IsSealed(std::string_view bytes) {
  return bytes.size() >= kSealMagic.size() + kNonceBytes + kTagBytes &&
         bytes.substr(0, kSealMagic.size()) == kSealMagic;
}

std::string IdHasher::Seal(std::string_view plain) const {
  std::string out(kSealMagic);
  out.resize(kSealMagic.size() + kNonceBytes + plain.size() + kTagBytes);
  auto* bytes = reinterpret_cast<unsigned char*>(out.data());
  unsigned char* nonce = bytes + kSealMagic.size();
  unsigned char* body = nonce + kNonceBytes;
  if (RAND_bytes(nonce, kNonceBytes) != 1 ||
      !Gcm(true, key_->seal_key, nonce, plain, body, body + plain.size())) {
    std::abort();  // Out of memory or no randomness inside OpenSSL: nothing safe to store.
  }
  return out;
}

Result<std::string> IdHasher::Open(std::string_view sealed) const {
  if (!IsSealed(sealed)) return Status::InvalidArgument("the bytes are not a sealed body");
  const auto* bytes = reinterpret_cast<const unsigned char*>(sealed.data());
  const unsigned char* nonce = bytes + kSealMagic.size();
  const size_t size = sealed.size() - kSealMagic.size() - kNonceBytes - kTagBytes;
  std::string plain(size, '\0');
  unsigned char tag[kTagBytes];
  std::copy(nonce + kNonceBytes + size, nonce + kNonceBytes + size + kTagBytes, tag);
  const std::string_view cipher = sealed.substr(kSealMagic.size() + kNonceBytes, size);
  if (!Gcm(false, key_->seal_key, nonce, cipher, reinterpret_cast<unsigned char*>(plain.data()),
           tag)) {
    return Status::InvalidArgument(
        "the sealed body does not open with this key (another key, or changed bytes)");
  }
  return plain;
}

int IdHasher::SampleId(std::string_view hmac_hex) {
  if (hmac_hex.size() < 8) return -1;
  uint64_t value = 0;
  for (size_t i = 0; i < 8; ++i) {
    const char c = hmac_hex[i];
    int digit = 0;
    if (c >= '0' && c <= '9') {
      digit = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      digit = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      digit = c - 'A' + 10;
    } else {
      return -1;
    }
    value = value * 16 + static_cast<uint64_t>(digit);
  }
  return static_cast<int>(value % 100);
}

std::unique_ptr<IdHasher::Key> IdHasher::MakeKey(std::string& secret) {
  auto key = std::make_unique<IdHasher::Key>();
  key->mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  if (key->mac != nullptr) key->ctx = EVP_MAC_CTX_new(key->mac);
  char digest_name[] = "SHA256";
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
      OSSL_PARAM_construct_end()};
  const bool ok = key->ctx != nullptr &&
                  EVP_MAC_init(key->ctx, reinterpret_cast<const unsigned char*>(secret.data()),
                               secret.size(), params) == 1 &&
                  DeriveSealKey(secret, key->seal_key);
  OPENSSL_cleanse(secret.data(), secret.size());
  if (!ok) return nullptr;
  return key;
}

}  // namespace telemetry::collector
