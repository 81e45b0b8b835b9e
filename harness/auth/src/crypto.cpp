// The OpenSSL parts: the three hash functions and the CSPRNG.
#include "sipwright/auth/client.hpp"
#include "sipwright/auth/digest.hpp"
#include "sipwright/auth/server.hpp"

#include "hex.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <climits>
#include <stdexcept>

namespace sipwright::auth {

namespace {

using detail::to_hex;

const EVP_MD* md_of(digest_algorithm a) {
  switch (a) {
  case digest_algorithm::md5:
  case digest_algorithm::md5_sess:
    return EVP_md5();
  case digest_algorithm::sha256:
  case digest_algorithm::sha256_sess:
    return EVP_sha256();
  case digest_algorithm::sha512_256:
  case digest_algorithm::sha512_256_sess:
    return EVP_sha512_256(); // FIPS 180-4 SHA-512/256
  case digest_algorithm::unknown:
    break;
  }
  return nullptr;
}

} // namespace

// RFC 7616 3.4.1-3.4.3: every H() is the lowercase hex of the algorithm's hash.
std::string hash_hex(digest_algorithm a, std::string_view data) {
  const EVP_MD* md = md_of(a);
  if (md == nullptr) return {};
  std::array<unsigned char, EVP_MAX_MD_SIZE> buf{};
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), buf.data(), &len, md, nullptr) != 1) return {};
  return to_hex(std::span<const unsigned char>(buf.data(), len));
}

void random_bytes(std::span<unsigned char> out) {
  while (!out.empty()) {
    const std::size_t n = std::min<std::size_t>(out.size(), INT_MAX);
    if (RAND_bytes(out.data(), static_cast<int>(n)) != 1)
      throw std::runtime_error("the OpenSSL random generator (RAND_bytes) failed");
    out = out.subspan(n);
  }
}

// RFC 7616 3.4: the cnonce is an opaque quoted string; 128 random bits in hex avoid any quoting.
std::string random_cnonce() {
  std::array<unsigned char, 16> b{};
  random_bytes(b);
  return to_hex(b);
}

std::string digest_server::random_hex(std::size_t bytes) {
  std::vector<unsigned char> b(bytes);
  rng_(b);
  return to_hex(b);
}

} // namespace sipwright::auth
