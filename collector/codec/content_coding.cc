#include "collector/codec/content_coding.h"

#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <memory>

#include "collector/ingest/reasons.h"
#include "telemetry/base/zstd.h"

namespace telemetry::collector {
namespace {

constexpr size_t kChunk = 64 * 1024;

// The largest zstd window a frame may ask for: 2^23 = 8 MiB, the ingestion cap.
constexpr int kZstdWindowLogMax = 23;

Status TooLarge(size_t max_output) {
  return Refuse(Reason::kDecompressedTooLarge,
                "the body decompresses to more than " + std::to_string(max_output) + " bytes");
}

Result<std::string> DecodeGzip(std::string_view body, size_t max_output) {
  z_stream stream{};
  if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK) {
    return Status::Internal("zlib could not start inflating");
  }
  struct Closer {
    z_stream* s;
    ~Closer() { inflateEnd(s); }
  } closer{&stream};
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(body.data()));
  stream.avail_in = static_cast<uInt>(body.size());
  std::string out;
  auto chunk = std::make_unique<char[]>(kChunk);
  bool ended = false;
  while (true) {
    stream.next_out = reinterpret_cast<Bytef*>(chunk.get());
    stream.avail_out = kChunk;
    const int rc = inflate(&stream, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
      return Refuse(Reason::kCorruptBody,
                    std::string("gzip: ") + (stream.msg != nullptr ? stream.msg : "bad data"));
    }
    const size_t produced = kChunk - stream.avail_out;
    if (!AppendCapped(&out, chunk.get(), produced, max_output)) return TooLarge(max_output);
    if (rc == Z_STREAM_END) {
      ended = true;
      if (stream.avail_in == 0) break;
      // Another gzip member follows.
      if (inflateReset(&stream) != Z_OK) return Status::Internal("zlib could not reset");
      ended = false;
      continue;
    }
    if (rc == Z_BUF_ERROR && produced == 0) break;  // No progress: input exhausted.
  }
  if (!ended) return Refuse(Reason::kCorruptBody, "gzip: the stream is truncated");
  return out;
}

Result<std::string> DecodeZstd(std::string_view body, size_t max_output) {
  Result<std::string> out = ZstdDecompress(body, max_output, kZstdWindowLogMax);
  if (out.ok()) return out;
  if (out.status().code() == Status::Code::kResourceExhausted) return TooLarge(max_output);
  return Refuse(Reason::kCorruptBody, out.status().message());
}

}  // namespace

std::optional<ContentCoding> ParseContentCoding(std::string_view header) {
  std::string value;
  for (char c : header) {
    if (c != ' ' && c != '\t')
      value += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (value.empty() || value == "identity") return ContentCoding::kIdentity;
  if (value == "gzip" || value == "x-gzip") return ContentCoding::kGzip;
  if (value == "zstd") return ContentCoding::kZstd;
  return std::nullopt;
}

std::string_view ContentCodingName(ContentCoding coding) {
  switch (coding) {
    case ContentCoding::kIdentity:
      return "identity";
    case ContentCoding::kGzip:
      return "gzip";
    case ContentCoding::kZstd:
      return "zstd";
  }
  return "identity";
}

Result<std::string> Decode(ContentCoding coding, std::string_view body, size_t max_output) {
  switch (coding) {
    case ContentCoding::kGzip:
      return DecodeGzip(body, max_output);
    case ContentCoding::kZstd:
      return DecodeZstd(body, max_output);
    case ContentCoding::kIdentity:
      break;
  }
  if (body.size() > max_output) return TooLarge(max_output);
  return std::string(body);
}

Result<std::string> Encode(ContentCoding coding, std::string_view data) {
  if (coding == ContentCoding::kZstd) return ZstdCompress(data);
  if (coding == ContentCoding::kGzip) {
    z_stream stream{};
    if (deflateInit2(&stream, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
      return Status::Internal("zlib could not start deflating");
    }
    std::string out(deflateBound(&stream, static_cast<uLong>(data.size())), '\0');
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    stream.avail_in = static_cast<uInt>(data.size());
    stream.next_out = reinterpret_cast<Bytef*>(out.data());
    stream.avail_out = static_cast<uInt>(out.size());
    const int rc = deflate(&stream, Z_FINISH);
    out.resize(stream.total_out);
    deflateEnd(&stream);
    if (rc != Z_STREAM_END) return Status::Internal("zlib could not deflate");
    return out;
  }
  return std::string(data);
}

}  // namespace telemetry::collector
