#pragma once
// Errors of the dialog layer: bad input from the peer is a value, never an exception.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace sipwright::dialog {

enum class error_code : std::uint8_t {
  not_invite,          // only INVITE creates a dialog here (RFC 3261 12.1)
  not_dialog_creating, // 100 or a final non-2xx response creates no dialog (RFC 3261 12.1)
  no_call_id,          // missing or unparsable Call-ID (RFC 3261 8.1.1.4)
  call_id_mismatch,    // the response does not answer the request (RFC 3261 12.1.2)
  bad_from,            // missing or unparsable From (RFC 3261 8.1.1.3)
  no_from_tag,         // the request's From carries no tag (RFC 3261 8.1.1.3)
  bad_to,              // missing or unparsable To (RFC 3261 8.1.1.2)
  no_to_tag,           // the response's To carries no tag (RFC 3261 8.2.6.2, 12.1.1)
  no_contact,          // no Contact where the remote target comes from (RFC 3261 12.1.1, 12.1.2)
  bad_contact,         // Contact not one parsable SIP/SIPS URI (RFC 3261 8.1.1.8)
  bad_record_route,    // a Record-Route entry does not parse (RFC 3261 20.30)
  bad_cseq,            // missing or unparsable CSeq (RFC 3261 8.1.1.5)
};

std::string_view to_string(error_code c);

struct error {
  error_code code;
  std::string text; // what was expected and what was seen, with the RFC section
};

// A value or an error (std::expected is C++23).
template <class T>
class result {
public:
  result(T value) : v_(std::move(value)) {}
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

} // namespace sipwright::dialog
