// gzip answers for /metrics, as Prometheus asks for them (Accept-Encoding: gzip) and
// as Go exporters give them. The certificate series, the bulk of a scrape and the same
// from scrape to scrape, are compressed once and kept; only the rest is compressed per
// request. That works because deflate output that ends on a byte boundary
// (Z_SYNC_FLUSH, no final block) can be followed by more deflate output made apart,
// and the whole is still one valid gzip member (as pigz makes them): any client can
// read it.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ndes {

// Whether an Accept-Encoding header value takes gzip (a gzip, x-gzip or * coding
// whose q is not 0).
bool accepts_gzip(std::string_view accept_encoding);

#ifdef NDES_HAVE_GZIP

using SharedText = std::shared_ptr<const std::string>;

// Raw deflate of some text, ended on a byte boundary, with what the gzip trailer needs.
struct DeflatedPiece {
  SharedText bytes;
  std::uint32_t crc = 0;  // CRC-32 of the text
  std::uint64_t size = 0;
};
DeflatedPiece deflate_piece(std::span<const SharedText> texts);

// A gzip member made of pieces: its header, the pieces, the final block and trailer.
std::vector<SharedText> gzip_member(std::span<const DeflatedPiece> pieces);

class GzipAnswers {
 public:
  // The gzip form of `stable` followed by `rest`. `stable` is compressed only when it
  // is not the very same texts as last time (compared by identity; concurrent callers
  // wait for one compression rather than each making their own).
  std::vector<SharedText> compress(std::span<const SharedText> stable, std::string rest);

 private:
  std::mutex mutex_;
  std::vector<std::weak_ptr<const std::string>> stable_;  // weak: never keeps old text alive
  DeflatedPiece stable_piece_;
  bool have_stable_ = false;
};

#endif

}  // namespace ndes
