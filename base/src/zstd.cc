#include "telemetry/base/zstd.h"

#include <zstd.h>
#include <zstd_errors.h>

#include <algorithm>
#include <memory>

namespace telemetry {
namespace {

constexpr size_t kChunk = 64 * 1024;

struct DctxDeleter {
  void operator()(ZSTD_DCtx* ctx) const { ZSTD_freeDCtx(ctx); }
};
struct CctxDeleter {
  void operator()(ZSTD_CCtx* ctx) const { ZSTD_freeCCtx(ctx); }
};

Status TooLarge(size_t max_output) {
  return Status::ResourceExhausted("the zstd data decompresses to more than " +
                                   std::to_string(max_output) + " bytes");
}

}  // namespace

bool AppendCapped(std::string* out, const char* data, size_t n, size_t max_output) {
  if (out->size() + n > max_output) return false;
  if (out->size() + n > out->capacity()) {
    out->reserve(std::min(max_output, std::max(out->size() + n, 2 * out->capacity())));
  }
  out->append(data, n);
  return true;
}

Result<std::string> ZstdCompress(std::string_view bytes, int level) {
  // One context per thread, reused: creating one per call costs more than a small ping.
  thread_local std::unique_ptr<ZSTD_CCtx, CctxDeleter> cctx(ZSTD_createCCtx());
  if (cctx == nullptr) return Status::Internal("zstd could not create a context");
  std::string out(ZSTD_compressBound(bytes.size()), '\0');
  const size_t n =
      ZSTD_compressCCtx(cctx.get(), out.data(), out.size(), bytes.data(), bytes.size(), level);
  if (ZSTD_isError(n)) return Status::Internal(std::string("zstd: ") + ZSTD_getErrorName(n));
  out.resize(n);
  return out;
}

Result<std::string> ZstdDecompress(std::string_view bytes, size_t max_output, int window_log_max) {
  if (bytes.empty()) return Status::Corruption("zstd: empty input");
  thread_local std::unique_ptr<ZSTD_DCtx, DctxDeleter> dctx(ZSTD_createDCtx());
  if (dctx == nullptr) return Status::Internal("zstd could not create a context");
  ZSTD_DCtx_reset(dctx.get(), ZSTD_reset_session_and_parameters);
  ZSTD_DCtx_setParameter(dctx.get(), ZSTD_d_windowLogMax, window_log_max);
  ZSTD_inBuffer in{bytes.data(), bytes.size(), 0};
  std::string out;
  // Reused, and not zeroed: a ping is small, and clearing 64 KiB per call cost more than
  // decoding it.
  thread_local const std::unique_ptr<char[]> chunk(new char[kChunk]);
  size_t remaining = 1;  // What the decoder still expects of the current frame; 0 at its end.
  while (in.pos < in.size || remaining != 0) {
    ZSTD_outBuffer output{chunk.get(), kChunk, 0};
    remaining = ZSTD_decompressStream(dctx.get(), &output, &in);
    if (ZSTD_isError(remaining)) {
      if (ZSTD_getErrorCode(remaining) == ZSTD_error_frameParameter_windowTooLarge) {
        return TooLarge(max_output);
      }
      return Status::Corruption(std::string("zstd: ") + ZSTD_getErrorName(remaining));
    }
    if (!AppendCapped(&out, chunk.get(), output.pos, max_output)) return TooLarge(max_output);
    if (in.pos == in.size && output.pos == 0 && remaining != 0) {
      return Status::Corruption("zstd: the stream is truncated");
    }
  }
  return out;
}

}  // namespace telemetry
