// 380 (Alternative Service) responses from the device (RFC 3261 21.3.5) and the
// application/3gpp-ims+xml bodies that describe the alternative service (3GPP TS 24.229 7.6).
#include "framing.hpp"
#include "ims_3gpp_xml.hpp"
#include "observer.hpp"

#include "sipwright/sip/charclass.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <vector>

namespace sipwright::checks::detail {
namespace {

using sip::header_id;

// TS 24.229 7.6: the MIME type of the IM CN subsystem XML body (case-insensitive, RFC 2045 5.1).
bool is_ims_3gpp(const sip::media_type& t) {
  return sip::chars::iequals(t.type, "application") &&
         sip::chars::iequals(t.subtype, "3gpp-ims+xml");
}

// TS 24.229 7.6: the values the specification defines for type and action.
constexpr std::string_view known_types[] = {"emergency", "restoration"};
constexpr std::string_view known_actions[] = {"emergency-registration", "initial-registration",
                                              "anonymous-emergencycall"};

template <std::size_t N>
bool one_of(const std::string_view (&set)[N], std::string_view v) {
  return std::find(std::begin(set), std::end(set), v) != std::end(set);
}

class alt_service_rules final : public observer {
public:
  void on_message(const observed& m, verdicts& out) override {
    // Only the device's responses: the harness may send broken 380s on purpose.
    if (m.dir != direction::received || !m.msg.is_response()) return;
    const auto type = m.msg.content_type();
    const bool ims = type && is_ims_3gpp(*type) && !m.msg.body().empty();
    if (m.msg.status_code() == 380) {
      framing(m, out);
      if (m.msg.body().empty()) {
        out.not_applicable(rule_id::alt_service_ims_xml, "no body");
        out.not_applicable(rule_id::alt_service_values, "no body");
        return;
      }
      if (!ims) {
        // Framing is all a 380 body of another type is judged on.
        const std::string what =
            type ? fmt::format("body type {}/{}", type->type, type->subtype)
                 : std::string(m.msg.find(header_id::content_type) ? "body type unreadable"
                                                                   : "body without a type");
        out.not_applicable(rule_id::alt_service_ims_xml, what + ": content not checked");
        out.not_applicable(rule_id::alt_service_values, what + ": content not checked");
        return;
      }
    } else if (!ims) {
      return;
    }
    // Any response carrying the body is checked, e.g. a 504 asking for restoration
    // (TS 24.229 7.6 describes the body, not the status code).
    content(m, out);
  }

private:
  // RFC 3261 21.3.5 (the body is optional), 7.4.1 and 20.15 (a body has a Content-Type), 18.3
  // and 20.14 (Content-Length equals the body's length).
  static void framing(const observed& m, verdicts& out) {
    const auto body = m.msg.body().size();
    if (body == 0) {
      out.pass(rule_id::alt_service_framing, {m.trace_index},
               "no body: no alternative service is described");
      return;
    }
    std::vector<std::string> wrong;
    if (!m.msg.find(header_id::content_type)) wrong.emplace_back("no Content-Type");
    if (!m.msg.find(header_id::content_length))
      wrong.emplace_back("no Content-Length");
    else if (auto mismatch = content_length_mismatch(m.msg))
      wrong.push_back(std::move(*mismatch));
    if (wrong.empty()) {
      out.pass(rule_id::alt_service_framing, {m.trace_index});
      return;
    }
    std::string observed;
    for (const auto& w : wrong) observed += (observed.empty() ? "" : "; ") + w;
    out.violated(rule_id::alt_service_framing,
                 "a Content-Type and a Content-Length equal to the body's length",
                 std::move(observed), {m.trace_index});
  }

  // TS 24.229 7.6: well-formed, valid against the schema; type and action values it defines.
  static void content(const observed& m, verdicts& out) {
    using v = ims_3gpp_result::verdict;
    const auto r = check_ims_3gpp(m.msg.body());
    switch (r.outcome) {
    case v::valid:
      out.pass(rule_id::alt_service_ims_xml, {m.trace_index});
      break;
    case v::malformed:
      out.violated(rule_id::alt_service_ims_xml, "well-formed XML", r.error, {m.trace_index});
      out.not_applicable(rule_id::alt_service_values, "the body is not well-formed XML");
      return;
    case v::invalid:
      out.violated(rule_id::alt_service_ims_xml, "an ims-3gpp document valid against TS 24.229 7.6",
                   r.error, {m.trace_index});
      out.not_applicable(rule_id::alt_service_values, "the body is not a valid ims-3gpp document");
      return;
    case v::unchecked:
    case v::schema_error:
      out.not_applicable(rule_id::alt_service_ims_xml, r.error + ": content not checked");
      out.not_applicable(rule_id::alt_service_values, r.error + ": content not checked");
      return;
    }
    if (!r.has_alternative_service) {
      out.not_applicable(rule_id::alt_service_values, "no alternative-service element");
      return;
    }
    bool ok = true;
    if (!one_of(known_types, r.type)) {
      ok = false;
      out.violated(rule_id::alt_service_values, "type emergency or restoration",
                   fmt::format("type '{}'", sip::shown(r.type, 60)), {m.trace_index});
    }
    for (const auto& a : r.actions) {
      if (one_of(known_actions, a)) continue;
      ok = false;
      out.violated(rule_id::alt_service_values,
                   "action emergency-registration, initial-registration or "
                   "anonymous-emergencycall",
                   fmt::format("action '{}'", sip::shown(a, 60)), {m.trace_index});
    }
    if (ok) out.pass(rule_id::alt_service_values, {m.trace_index});
  }
};

} // namespace

std::unique_ptr<observer> make_alt_service_rules() {
  return std::make_unique<alt_service_rules>();
}

} // namespace sipwright::checks::detail
