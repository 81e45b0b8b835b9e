// `sipwright list`: the bundled scenario library, as text or JSON.
#include "sipwright/cli/lint.hpp"
#include "sipwright/cli/run.hpp"
#include "sipwright/scenario/library.hpp"
#include "sipwright/scenario/loader.hpp"

#include "json_text.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <ostream>

namespace sipwright::cli {
namespace {

std::string json_list(const std::vector<std::string>& v) {
  std::string out = "[";
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + json_string(v[i]);
  return out + "]";
}

std::string joined(const std::vector<std::string>& v, std::string_view sep) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? std::string(sep) : "") + v[i];
  return out;
}

} // namespace

int run_list(bool json, std::ostream& out, std::ostream& err) {
  std::vector<scenario::scenario> lib;
  try {
    lib = scenario::load_library(scenario::library_dir());
  } catch (const scenario::load_error& e) {
    err << e.what() << '\n';
    return exit_usage;
  }
  if (json) {
    out << "[\n";
    for (std::size_t i = 0; i < lib.size(); ++i) {
      const auto& m = *lib[i].meta;
      fmt::print(
          out,
          "  {{\"id\": {}, \"title\": {}, \"device\": \"{}\", \"sections\": {}, "
          "\"test_purposes\": {}, \"capabilities\": {}, \"transports\": {}, \"file\": {}}}{}\n",
          json_string(m.id), json_string(m.title),
          m.device == scenario::role::callee ? "callee" : "caller", json_list(m.sections),
          json_list(m.test_purposes), json_list(m.capabilities), json_list(m.transports),
          json_string(lib[i].file), i + 1 < lib.size() ? "," : "");
    }
    out << "]\n";
    return exit_ok;
  }
  for (const auto& sc : lib) {
    const auto& m = *sc.meta;
    fmt::print(out, "{:<40} device {:<6} {}\n", m.id,
               m.device == scenario::role::callee ? "callee" : "caller", m.title);
    fmt::print(out, "{:<40} {}{}\n", "", joined(m.sections, "; "),
               m.test_purposes.empty() ? "" : "  [" + joined(m.test_purposes, " ") + "]");
  }
  fmt::print(out, "{} scenarios in {}\n", lib.size(), scenario::library_dir().string());
  return exit_ok;
}

} // namespace sipwright::cli
