#include "sipwright/cli/run.hpp"

#include "sipwright/cli/lint.hpp"
#include "sipwright/cli/version.hpp"
#include "sipwright/engine/run.hpp"
#include "sipwright/reports/junit.hpp"
#include "sipwright/reports/pcap.hpp"
#include "sipwright/reports/run_result.hpp"
#include "sipwright/scenario/library.hpp"
#include "sipwright/scenario/loader.hpp"

#include "json_text.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <optional>
#include <ostream>
#include <unistd.h>

namespace sipwright::cli {
namespace {

std::string indented(std::string_view bytes, std::string_view prefix) {
  std::string out;
  std::size_t start = 0;
  while (start < bytes.size()) {
    auto end = bytes.find('\n', start);
    auto line = bytes.substr(start, end == std::string_view::npos ? end : end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out += prefix;
    // Control bytes from a device would garble the terminal.
    for (char c : line) out += (static_cast<unsigned char>(c) < 0x20 && c != '\t') ? '?' : c;
    out += '\n';
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return out;
}

void print_trace(const engine::scenario_result& r, std::ostream& out) {
  if (r.trace.size() == 0) return;
  const auto t0 = r.trace.entries().front().at;
  for (const auto& e : r.trace.entries()) {
    const double t = std::chrono::duration<double>(e.at - t0).count();
    fmt::print(out, "    {:8.3f} {} {} {} {}{}\n", t,
               e.dir == transport::direction::out ? "-->" : "<--", transport::to_string(e.proto),
               e.remote.str(), e.note.empty() ? "" : "(" + e.note + ") ",
               e.parse_error.empty() ? "" : "[does not parse: " + e.parse_error + "]");
    out << indented(e.bytes, "      | ");
  }
}

reports::run_properties run_properties(const run_cli_options& opts, const engine::run_options& ro) {
  reports::run_properties p;
  p.version = version;
  p.device =
      ro.dut ? ro.dut->str()
             : std::string("the caller at ") + (opts.local.empty() ? "127.0.0.1:5060" : opts.local);
  p.transport = std::string(transport::to_string(ro.proto));
  p.t1 = ro.t1;
  p.t2 = ro.t2;
  p.strict = ro.strict;
  p.start = std::chrono::system_clock::now();
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) == 0) p.host = host;
  return p;
}

// --junit, --pcap and --out (by default sipwright-results/): every report of the run, each written
// atomically. False (and a line on err) when one cannot be written.
bool write_reports(const run_cli_options& opts, const reports::run_result& run, std::ostream& out,
                   std::ostream& err) {
  std::string junit = opts.junit, pcap = opts.pcap, dir = opts.out_dir;
  if (junit.empty() && pcap.empty() && dir.empty()) dir = "sipwright-results";
  try {
    if (!dir.empty()) {
      std::filesystem::create_directories(dir);
      if (junit.empty()) junit = (std::filesystem::path(dir) / "junit.xml").string();
      if (pcap.empty()) pcap = (std::filesystem::path(dir) / "run.pcap").string();
    }
    if (!junit.empty()) reports::write_junit(run, junit);
    if (!pcap.empty()) reports::write_pcap(run, pcap);
  } catch (const std::exception& e) {
    err << "sipwright: error: cannot write the reports: " << e.what() << '\n';
    return false;
  }
  out << "reports:";
  if (!junit.empty()) out << ' ' << junit;
  if (!pcap.empty()) out << ' ' << pcap;
  out << '\n';
  return true;
}

} // namespace

int run_scenarios(const run_cli_options& opts, std::ostream& out, std::ostream& err) {
  engine::run_options ro;
  auto proto = transport::protocol_from(opts.transport);
  if (!proto) {
    err << "sipwright: error: --transport must be udp or tcp, not '" << opts.transport << "'\n";
    return exit_usage;
  }
  ro.proto = *proto;
  if (!opts.dut.empty()) {
    ro.dut = transport::parse_endpoint(opts.dut, 5060);
    if (!ro.dut || ro.dut->port == 0) {
      err << "sipwright: error: --dut must be HOST:PORT with a numeric address (e.g. "
             "127.0.0.1:5060 or [::1]:5060), not '"
          << opts.dut << "'\n";
      return exit_usage;
    }
  }
  if (!opts.local.empty()) {
    ro.local = transport::parse_endpoint(opts.local, 5060);
    if (!ro.local) {
      err << "sipwright: error: --local must be IP:PORT (port 0: any free port), not '"
          << opts.local << "'\n";
      return exit_usage;
    }
  }
  const int t2_ms = opts.t2_ms ? opts.t2_ms : 8 * opts.t1_ms;
  if (opts.t1_ms < 1 || t2_ms < opts.t1_ms) {
    err << "sipwright: error: --t1 must be at least 1 ms and --t2 at least --t1\n";
    return exit_usage;
  }
  if (opts.timeout_s <= 0 || opts.calls < 1) {
    err << "sipwright: error: --timeout must be positive and -m at least 1\n";
    return exit_usage;
  }
  ro.service = opts.service;
  ro.t1 = std::chrono::milliseconds(opts.t1_ms);
  ro.t2 = std::chrono::milliseconds(t2_ms);
  ro.timeout = std::chrono::milliseconds(static_cast<long long>(opts.timeout_s * 1000));
  ro.calls = opts.calls;
  ro.seed = opts.seed;
  ro.strict = opts.strict;
  if (opts.timing_tolerance < 0 || opts.timing_tolerance > 10) {
    err << "sipwright: error: --timing-tolerance must be between 0 and 10\n";
    return exit_usage;
  }
  ro.timing_tolerance = opts.timing_tolerance;
  ro.on_listening = [&out](transport::protocol p, const transport::endpoint& e) {
    out << "listening on " << transport::to_string(p) << ' ' << e.str() << std::endl;
  };

  ro.trigger = opts.trigger;

  // Every file is loaded before anything is sent. An argument that is no file but the id of a
  // bundled scenario runs that one.
  std::vector<scenario::scenario> scenarios;
  std::optional<std::vector<scenario::scenario>> library; // loaded once, at the first id
  for (const auto& f : opts.files) {
    try {
      std::error_code ec;
      if (!std::filesystem::exists(f, ec) && f.find('/') != std::string::npos &&
          f.find(".xml") == std::string::npos) {
        if (!library) library = scenario::load_library(scenario::library_dir());
        auto sc = std::find_if(library->begin(), library->end(),
                               [&](const scenario::scenario& x) { return x.meta->id == f; });
        if (sc == library->end()) {
          err << "sipwright: error: " << f << ": no such file, and no bundled scenario has this "
              << "id (see 'sipwright list')\n";
          return exit_usage;
        }
        scenarios.push_back(*sc);
        continue;
      }
      scenarios.push_back(scenario::load_file(f));
    } catch (const scenario::load_error& e) {
      err << e.what() << '\n';
      return exit_usage;
    }
  }
  for (const auto& sc : scenarios)
    if (sc.role == scenario::role::caller && !ro.dut) {
      err << "sipwright: error: " << sc.file
          << " starts by sending (sipwright is the caller): give the device's address with "
             "--dut HOST:PORT\n";
      return exit_usage;
    }

  reports::run_result run;
  run.properties = run_properties(opts, ro);
  int passed = 0, failed = 0;
  for (const auto& sc : scenarios) {
    auto callback = ro.on_listening;
    ro.on_listening = sc.role == scenario::role::callee ? callback : nullptr;
    // A library scenario says which user makes the device answer as it needs (--service wins).
    ro.service = opts.service_given || !sc.meta || sc.meta->service.empty() ? opts.service
                                                                            : sc.meta->service;
    engine::scenario_result r;
    try {
      r = engine::run_scenario(sc, ro);
    } catch (const engine::setup_error& e) {
      err << "sipwright: error: " << e.what() << '\n';
      return exit_usage;
    }
    ro.on_listening = callback;
    const bool ok = r.passed();
    ok ? ++passed : ++failed;
    int calls_ok = 0;
    for (const auto& c : r.calls) calls_ok += c.passed;
    if (!ok || !opts.quiet)
      fmt::print(out, "{}  {}  ({}, {})  {}/{} call{} passed  {:.3f} s\n", ok ? "PASS" : "FAIL",
                 std::filesystem::path(sc.file).filename().string(),
                 sc.name.empty() ? "unnamed" : sc.name,
                 sc.role == scenario::role::caller ? "caller" : "callee", calls_ok, r.calls.size(),
                 r.calls.size() == 1 ? "" : "s", std::chrono::duration<double>(r.elapsed).count());
    for (const auto& c : r.calls) {
      if (!c.failure.empty()) {
        fmt::print(out, "      call {}: {}\n", c.call_number, c.failure);
        if (!c.failure_message.empty()) out << indented(c.failure_message, "      | ");
      }
      if (opts.verbose || !c.failure.empty())
        for (const auto& l : c.log) fmt::print(out, "      call {}: {}\n", c.call_number, l);
      for (const auto& v : c.scenario_warnings)
        fmt::print(out, "      call {}: scenario warning: {}\n", c.call_number,
                   checks::describe(v));
      // The rules: violations always, passes and N/A with --verbose.
      for (const auto& v : c.verdicts) {
        const bool bad = v.outcome == checks::outcome::fail || v.outcome == checks::outcome::warn;
        if (bad || opts.verbose)
          fmt::print(out, "      call {}: {}\n", c.call_number, checks::describe(v));
      }
    }
    if (opts.verbose) print_trace(r, out);
    const int signal = r.interrupted;
    run.scenarios.push_back(std::move(r));
    if (signal) {
      run.interrupted = true;
      run.interrupted_scenario = sc.file;
      fmt::print(out, "interrupted by signal {} during {}: the scenarios after it were not run\n",
                 signal, std::filesystem::path(sc.file).filename().string());
      break;
    }
  }
  fmt::print(out, "{} passed, {} failed, {} skipped\n", passed, failed, 0);
  if (!write_reports(opts, run, out, err)) return exit_usage;
  return failed ? exit_invalid : exit_ok;
}

} // namespace sipwright::cli

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
