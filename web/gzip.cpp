#include "web/gzip.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <optional>
#include <stdexcept>

#ifdef NDES_HAVE_GZIP
#include <zlib.h>
#endif

#include "base/text.h"

namespace ndes {
namespace {

// The q of one coding's parameters ("q=0.5"); 1 when absent or unreadable.
double quality(std::string_view params) {
  while (!params.empty()) {
    const auto semi = params.find(';');
    const std::string_view param = trim_view(params.substr(0, semi));
    params = semi == std::string_view::npos ? std::string_view() : params.substr(semi + 1);
    if (param.size() > 2 && (param[0] == 'q' || param[0] == 'Q') && param[1] == '=') {
      const std::string value(param.substr(2));
      char* end = nullptr;
      const double q = std::strtod(value.c_str(), &end);
      return end != value.c_str() ? q : 1.0;
    }
  }
  return 1.0;
}

}  // namespace

bool accepts_gzip(std::string_view accept_encoding) {
  std::optional<double> gzip;  // as named; it beats "*"
  std::optional<double> any;
  while (!accept_encoding.empty()) {
    const auto comma = accept_encoding.find(',');
    const std::string_view item = accept_encoding.substr(0, comma);
    accept_encoding =
        comma == std::string_view::npos ? std::string_view() : accept_encoding.substr(comma + 1);
    const auto semi = item.find(';');
    const std::string_view coding = trim_view(item.substr(0, semi));
    const double q = semi == std::string_view::npos ? 1.0 : quality(item.substr(semi + 1));
    if (iequals(coding, "gzip") || iequals(coding, "x-gzip")) {
      gzip = q;
    } else if (coding == "*") {
      any = q;
    }
  }
  if (gzip) {
    return *gzip > 0;
  }
  return any && *any > 0;
}

#ifdef NDES_HAVE_GZIP

namespace {

// Level 1: the certificate text is regular enough that faster levels lose little
// (about a tenth), and a change to 50,000 certificates is compressed in well under
// a second.
constexpr int kLevel = Z_BEST_SPEED;

class Deflater {
 public:
  Deflater() {
    // Negative window bits: raw deflate, no zlib or gzip wrapper of its own.
    if (deflateInit2(&z_, kLevel, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
      throw std::runtime_error("deflateInit2 failed");
    }
  }
  ~Deflater() { deflateEnd(&z_); }
  Deflater(const Deflater&) = delete;
  Deflater& operator=(const Deflater&) = delete;

  void add(std::string_view text, int flush) {
    constexpr std::size_t kChunk = 1 << 16;
    std::size_t offset = 0;
    do {
      // avail_in is 32-bit: feed at most 1 GiB at a time.
      const std::size_t n = std::min<std::size_t>(text.size() - offset, std::size_t{1} << 30);
      z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data() + offset));
      z_.avail_in = static_cast<uInt>(n);
      offset += n;
      const int mode = offset == text.size() ? flush : Z_NO_FLUSH;
      do {
        const std::size_t have = out_.size();
        out_.resize(have + kChunk);
        z_.next_out = reinterpret_cast<Bytef*>(out_.data() + have);
        z_.avail_out = static_cast<uInt>(kChunk);
        deflate(&z_, mode);  // cannot fail with a valid stream and room to write
        out_.resize(have + kChunk - z_.avail_out);
      } while (z_.avail_out == 0);
    } while (offset < text.size());
  }
  std::string take() {
    out_.shrink_to_fit();
    return std::move(out_);
  }

 private:
  z_stream z_{};
  std::string out_;
};

}  // namespace

DeflatedPiece deflate_piece(std::span<const SharedText> texts) {
  Deflater deflater;
  DeflatedPiece piece;
  piece.crc = static_cast<std::uint32_t>(crc32(0L, Z_NULL, 0));
  for (const auto& text : texts) {
    if (!text || text->empty()) {
      continue;
    }
    deflater.add(*text, Z_NO_FLUSH);
    // crc32_z takes a size_t length: no 4 GiB limit.
    piece.crc = static_cast<std::uint32_t>(
        crc32_z(piece.crc, reinterpret_cast<const Bytef*>(text->data()), text->size()));
    piece.size += text->size();
  }
  deflater.add({}, Z_SYNC_FLUSH);  // to a byte boundary, no final block
  piece.bytes = std::make_shared<const std::string>(deflater.take());
  return piece;
}

std::vector<SharedText> gzip_member(std::span<const DeflatedPiece> pieces) {
  // RFC 1952: magic, deflate, no flags, no mtime, no extra flags, OS unknown.
  static const auto kHeader = std::make_shared<const std::string>(
      std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff", 10));
  std::vector<SharedText> out;
  out.reserve(pieces.size() + 2);
  out.push_back(kHeader);
  std::uint32_t crc = static_cast<std::uint32_t>(crc32(0L, Z_NULL, 0));
  std::uint64_t size = 0;
  for (const auto& piece : pieces) {
    out.push_back(piece.bytes);
    crc =
        static_cast<std::uint32_t>(crc32_combine(crc, piece.crc, static_cast<z_off_t>(piece.size)));
    size += piece.size;
  }
  // An empty final block (fixed Huffman, end of block), then CRC-32 and length mod
  // 2^32, little-endian.
  std::string end("\x03\x00", 2);
  for (const std::uint64_t v : {std::uint64_t{crc}, size & 0xffffffffU}) {
    for (int i = 0; i < 4; ++i) {
      end.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
    }
  }
  out.push_back(std::make_shared<const std::string>(std::move(end)));
  return out;
}

std::vector<SharedText> GzipAnswers::compress(std::span<const SharedText> stable,
                                              std::string rest) {
  DeflatedPiece pieces[2];
  {
    const std::lock_guard lock(mutex_);
    const bool same =
        have_stable_ && stable_.size() == stable.size() &&
        std::equal(stable.begin(), stable.end(), stable_.begin(),
                   [](const SharedText& now, const std::weak_ptr<const std::string>& then) {
                     return then.lock() == now;  // expired: null, never equal to a text
                   });
    if (!same) {
      stable_piece_ = deflate_piece(stable);
      stable_.assign(stable.begin(), stable.end());
      have_stable_ = true;
    }
    pieces[0] = stable_piece_;
  }
  const SharedText rest_text = std::make_shared<const std::string>(std::move(rest));
  pieces[1] = deflate_piece(std::span(&rest_text, 1));
  return gzip_member(pieces);
}

#endif

}  // namespace ndes
