// What a loaded profile means for a run: placeholders in its commands, and which library
// scenarios apply to the device.
#include "sipwright/profile/profile.hpp"

#include "sipwright/sip/charclass.hpp"

#include <algorithm>

namespace sipwright::profile {

namespace {

std::string describe(const std::string& file, int line, int column, const std::string& what) {
  if (line <= 0) return file + ": error: " + what;
  return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": error: " + what;
}

bool name_start(char c) {
  return sip::chars::is_alpha(c) || c == '_';
}
bool name_char(char c) {
  return sip::chars::is_alnum(c) || c == '_';
}

// The placeholder at `at` (a '{'): its name, or nothing. "${name}" is the shell's.
std::optional<std::string_view> placeholder_at(std::string_view s, std::size_t at) {
  if (s[at] != '{' || (at > 0 && s[at - 1] == '$')) return std::nullopt;
  std::size_t end = at + 1;
  if (end >= s.size() || !name_start(s[end])) return std::nullopt;
  while (end < s.size() && name_char(s[end])) ++end;
  if (end >= s.size() || s[end] != '}') return std::nullopt;
  return s.substr(at + 1, end - at - 1);
}

std::string_view name_of(transport::protocol p) {
  return transport::lower_name(p);
}

} // namespace

profile_error::profile_error(std::string file, int line, int column, const std::string& what)
    : std::runtime_error(describe(file, line, column, what)), file_(std::move(file)), line_(line),
      column_(column), text_(what) {}

bool profile::supports(transport::protocol p) const {
  return std::find(transports.begin(), transports.end(), p) != transports.end();
}

std::vector<std::string> placeholders(std::string_view command) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < command.size(); ++i)
    if (auto name = placeholder_at(command, i)) {
      out.emplace_back(*name);
      i += name->size() + 1;
    }
  return out;
}

std::string expand(std::string_view command, const std::map<std::string, std::string>& fields) {
  std::string out;
  out.reserve(command.size());
  for (std::size_t i = 0; i < command.size(); ++i) {
    if (auto name = placeholder_at(command, i)) {
      auto f = fields.find(std::string(*name));
      if (f != fields.end()) {
        out += f->second;
        i += name->size() + 1;
        continue;
      }
    }
    out += command[i];
  }
  return out;
}

std::optional<std::string> skip_reason(const profile& p, const scenario::metadata& m,
                                       transport::protocol transport) {
  for (const auto& c : m.capabilities)
    if (std::find(p.capabilities.begin(), p.capabilities.end(), c) == p.capabilities.end())
      return "the device profile does not list capability '" + c + "'";
  const std::string_view t = name_of(transport);
  if (!m.transports.empty() &&
      std::none_of(m.transports.begin(), m.transports.end(),
                   [&](const std::string& x) { return sip::chars::iequals(x, t); })) {
    std::string list;
    for (const auto& x : m.transports) list += (list.empty() ? "" : ", ") + x;
    return "the scenario is not for " + std::string(t) + " (its transports: " + list + ")";
  }
  if (!p.supports(transport))
    return "the device profile's transports do not include " + std::string(t);
  // [services] maps the status the device answers with; only a device-callee scenario needs one
  // (a device-caller scenario's answer comes from sipwright, whatever user the device calls).
  if (m.device == scenario::role::callee && !m.service.empty() && !p.services.contains(m.service))
    return "the profile's [services] names no user for " + m.service;
  if (m.device == scenario::role::caller && p.trigger.empty())
    return std::string("no [trigger] command: the device cannot be made to call");
  return std::nullopt;
}

std::string service_user(const profile& p, const scenario::metadata& m) {
  auto s = p.services.find(m.service);
  return s != p.services.end() ? s->second : m.service;
}

} // namespace sipwright::profile
