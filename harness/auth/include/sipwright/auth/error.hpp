#pragma once
// Errors of the auth module: bad input from a device is a value, never an exception.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace sipwright::auth {

enum class error_code : std::uint8_t {
  syntax,            // a header value does not follow the grammar (RFC 3261 25.1, RFC 7616 3.3/3.4)
  not_digest,        // a scheme other than Digest (RFC 3261 22: Basic is forbidden)
  missing_parameter, // a parameter the scheme requires is absent (RFC 7616 3.3, 3.4)
  unsupported_algorithm, // an algorithm this module does not implement (RFC 8760 2.4)
  unsupported_qop,       // qop offered, but neither "auth" nor "auth-int" (RFC 7616 3.3)
  sess_without_qop,      // a -sess algorithm needs qop and cnonce (RFC 3261 22.4 item 8)
  realm_mismatch,        // the credentials are restricted to another realm (RFC 3261 22.1)
};

std::string_view to_string(error_code c);

struct error {
  error_code code = error_code::syntax;
  std::string text;       // what was expected and what was seen, with the RFC section
  std::size_t offset = 0; // parse errors: in the header value (message overloads: the message)
};

// A value or an error (std::expected is C++23).
template <class T>
class result {
public:
  // Implicit on purpose: `return value;` and `return error{...};` both make a result.
  // cppcheck-suppress noExplicitConstructor
  result(T value) : v_(std::move(value)) {}
  // cppcheck-suppress noExplicitConstructor
  result(error e) : v_(std::move(e)) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  const T& value() const& { return std::get<0>(v_); }
  T& value() & { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  const error& err() const { return std::get<1>(v_); }

private:
  std::variant<T, error> v_;
};

} // namespace sipwright::auth
