#include "sipwright/cli/run.hpp"

#include "sipwright/cli/lint.hpp"
#include "sipwright/cli/version.hpp"
#include "sipwright/engine/interrupt.hpp"
#include "sipwright/engine/run.hpp"
#include "sipwright/profile/profile.hpp"
#include "sipwright/reports/html.hpp"
#include "sipwright/reports/junit.hpp"
#include "sipwright/reports/pcap.hpp"
#include "sipwright/reports/run_result.hpp"
#include "sipwright/scenario/library.hpp"
#include "sipwright/scenario/loader.hpp"

#include "console.hpp"
#include "device_launch.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <set>
#include <thread>
#include <unistd.h>

namespace sipwright::cli {
namespace {

namespace fs = std::filesystem;

// A usage or setup problem: printed as "sipwright: error: WHAT", exit status 2.
struct usage_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// One scenario of the run and how it plays: its [service] user, or why it does not apply.
struct planned {
  scenario::scenario sc;
  std::string service;
  std::string skip;
};

// Everything the run needs, from the command line over the profile over the defaults.
struct run_plan {
  engine::run_options ro;
  std::optional<profile::profile> prof;
  std::string launch; // the device's launch command, when the profile starts it
  std::string device; // as the reports name it
  std::size_t jobs = 1;
  std::vector<planned> scenarios;
};

std::string self_path() {
  std::error_code ec;
  auto p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("sipwright") : p.string();
}

std::string transport_name(transport::protocol p) {
  return std::string(transport::lower_name(p));
}

// The profile's [tls], then the command line's --tls-* over it (a certificate and its key go
// together: one given on the command line replaces the profile's pair).
transport::tls_options tls_for(const run_cli_options& opts, const profile::profile* p) {
  transport::tls_options t = p ? p->tls : transport::tls_options{};
  if (opts.tls_cert || opts.tls_key) {
    if (!opts.tls_cert || !opts.tls_key)
      throw usage_error("--tls-cert and --tls-key go together (a certificate and its key)");
    t.certificate = *opts.tls_cert;
    t.private_key = *opts.tls_key;
  }
  if (opts.tls_ca) t.ca = *opts.tls_ca;
  if (opts.tls_server_name) {
    // "[::1]" is the IP address ::1, not a DNS name (transport::tls_server_name).
    auto name = transport::tls_server_name(*opts.tls_server_name);
    if (!name)
      throw usage_error("--tls-server-name must be a DNS name or an IP address, not \"" +
                        *opts.tls_server_name + "\"");
    t.server_name = *name;
  }
  if (opts.tls_insecure) t.verify = false;
  if (opts.tls_verify_client) t.require_client_certificate = true;
  return t;
}

// --jobs and the profile's parallel: scenarios played at once. A fixed local port can only be
// bound by one scenario at a time.
std::size_t jobs_for(const run_cli_options& opts, const run_plan& plan) {
  int jobs = opts.jobs ? *opts.jobs : plan.prof ? plan.prof->parallel : 1;
  const bool callee = std::any_of(plan.scenarios.begin(), plan.scenarios.end(), [](const auto& p) {
    return p.skip.empty() && p.sc.role == scenario::role::callee;
  });
  // A callee without --local listens at 127.0.0.1:5060 (5061 over TLS).
  if ((plan.ro.local && plan.ro.local->port != 0) || (!plan.ro.local && callee)) jobs = 1;
  return static_cast<std::size_t>(std::max(1, jobs));
}

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// What [authentication] answers with (RFC 3261 22): the profile's [auth], else
// SIPWRIGHT_AUTH_USER, SIPWRIGHT_AUTH_PASSWORD (and SIPWRIGHT_AUTH_REALM). Never from the
// command line, whose history keeps it.
engine::credentials credentials_of(const profile::profile::auth_spec& a, const std::string& table) {
  engine::credentials c;
  c.user = a.user;
  c.realm = a.realm;
  c.password = a.password;
  if (!a.password_env.empty()) {
    c.password = env(a.password_env.c_str());
    if (c.password.empty())
      throw usage_error("the profile's " + table + " password_env names " + a.password_env +
                        ", which is not set (or empty) in the environment");
  }
  return c;
}

std::optional<engine::credentials> credentials_for(const profile::profile* p) {
  engine::credentials c;
  if (p && p->auth) return credentials_of(*p->auth, "[auth]");
  c.user = env("SIPWRIGHT_AUTH_USER");
  if (c.user.empty()) return std::nullopt;
  c.password = env("SIPWRIGHT_AUTH_PASSWORD");
  c.realm = env("SIPWRIGHT_AUTH_REALM");
  return c;
}

void apply_options(const run_cli_options& opts, run_plan& plan) {
  auto& ro = plan.ro;
  const profile::profile* p = plan.prof ? &*plan.prof : nullptr;
  if (opts.transport) {
    auto proto = transport::protocol_from(*opts.transport);
    if (!proto)
      throw usage_error("--transport must be udp, tcp or tls, not '" + *opts.transport + "'");
    ro.proto = *proto;
  } else if (p) {
    ro.proto = p->transport;
  }

  if (!opts.dut.empty()) {
    ro.dut = transport::parse_endpoint(opts.dut, transport::default_port(ro.proto));
    if (!ro.dut || ro.dut->port == 0)
      throw usage_error("--dut must be HOST:PORT with a numeric address (e.g. 127.0.0.1:5060 "
                        "or [::1]:5060), not '" +
                        opts.dut + "'");
  } else if (p && p->address) {
    ro.dut = p->address;
  }
  if (!opts.local.empty()) {
    ro.local = transport::parse_endpoint(opts.local, transport::default_port(ro.proto));
    if (!ro.local)
      throw usage_error("--local must be IP:PORT (port 0: any free port), not '" + opts.local +
                        "'");
  } else if (p) {
    ro.local = p->local;
  }

  const int t1 = opts.t1_ms ? *opts.t1_ms : p ? p->t1_ms : 500;
  // An explicit --t1 scales T2 with it unless --t2 is given too.
  const int t2 = opts.t2_ms ? *opts.t2_ms : !opts.t1_ms && p ? p->t2() : 8 * t1;
  if (t1 < 1 || t2 < t1) throw usage_error("--t1 must be at least 1 ms and --t2 at least --t1");
  ro.t1 = std::chrono::milliseconds(t1);
  ro.t2 = std::chrono::milliseconds(t2);
  const double timeout = opts.timeout_s ? *opts.timeout_s : p ? p->timeout_s : 120;
  if (timeout <= 0 || opts.calls < 1)
    throw usage_error("--timeout must be positive and -m at least 1");
  ro.timeout = std::chrono::milliseconds(static_cast<long long>(timeout * 1000));
  const double tolerance = opts.timing_tolerance ? *opts.timing_tolerance
                           : p                   ? p->timing_tolerance
                                                 : 0.5;
  if (tolerance < 0 || tolerance > 10)
    throw usage_error("--timing-tolerance must be between 0 and 10");
  ro.timing_tolerance = tolerance;
  ro.calls = opts.calls;
  ro.seed = opts.seed;
  ro.strict = opts.strict;

  ro.credentials = credentials_for(p);
  if (p)
    for (const auto& [name, spec] : p->agents) {
      engine::agent_options a;
      a.local = spec.local;
      if (spec.auth) a.credentials = credentials_of(*spec.auth, "[agents." + name + "]");
      ro.agents.emplace(name, std::move(a));
    }
  ro.tls = tls_for(opts, p);

  // The profile's commands may use {sipwright}, {t1}, {t2} and {transport}; the engine fills in
  // the trigger's {host}, {port} and {user}.
  const std::map<std::string, std::string> fields{{"sipwright", self_path()},
                                                  {"t1", std::to_string(t1)},
                                                  {"t2", std::to_string(t2)},
                                                  {"transport", transport_name(ro.proto)}};
  ro.trigger = profile::expand(opts.trigger ? *opts.trigger : p ? p->trigger : "", fields);
  if (p && opts.dut.empty() && !p->launch.empty()) plan.launch = profile::expand(p->launch, fields);
  plan.device = p ? p->name : ro.dut ? ro.dut->str() : std::string();
}

// Every file is loaded before anything is sent. An argument that is no file but the id of a
// bundled scenario runs that one; no argument with a profile runs the whole library.
std::vector<scenario::scenario> load_scenarios(const run_cli_options& opts) {
  std::vector<scenario::scenario> out;
  std::optional<std::vector<scenario::scenario>> library; // loaded once, at the first id
  if (opts.files.empty()) return scenario::load_library(scenario::library_dir());
  for (const auto& f : opts.files) {
    std::error_code ec;
    if (!fs::exists(f, ec) && f.find('/') != std::string::npos &&
        f.find(".xml") == std::string::npos) {
      if (!library) library = scenario::load_library(scenario::library_dir());
      auto sc = std::find_if(library->begin(), library->end(),
                             [&](const scenario::scenario& x) { return x.meta->id == f; });
      if (sc == library->end())
        throw usage_error(f + ": no such file, and no bundled scenario has this id (see "
                              "'sipwright list')");
      out.push_back(*sc);
      continue;
    }
    out.push_back(scenario::load_file(f));
  }
  return out;
}

void plan_scenarios(const run_cli_options& opts, run_plan& plan) {
  const auto& ro = plan.ro;
  // What the command line gives counts as the profile's when deciding what applies: --trigger
  // makes the device call, --service names the user for whatever status a scenario needs.
  std::optional<profile::profile> device = plan.prof;
  if (device && opts.trigger) device->trigger = *opts.trigger;
  for (auto& sc : load_scenarios(opts)) {
    planned p{std::move(sc), {}, {}};
    const auto* meta = p.sc.meta ? &*p.sc.meta : nullptr;
    if (device && meta) {
      if (opts.service) device->services[meta->service] = *opts.service;
      if (auto why = profile::skip_reason(*device, *meta, ro.proto))
        p.skip = "not applicable: " + *why;
    } else if (meta && !meta->transports.empty() &&
               std::find(meta->transports.begin(), meta->transports.end(),
                         transport_name(ro.proto)) == meta->transports.end()) {
      p.skip = "not applicable: the scenario is not for " + transport_name(ro.proto);
    }
    // [service]: --service, else the profile's user for the status the scenario needs, else
    // the scenario's own (the reference device answers as its user part says).
    if (opts.service)
      p.service = *opts.service;
    else if (meta && plan.prof && !profile::service_user(*plan.prof, *meta).empty())
      p.service = profile::service_user(*plan.prof, *meta);
    else if (meta && !meta->service.empty())
      p.service = meta->service;
    else
      p.service = "service";
    if (p.skip.empty() && p.sc.role == scenario::role::caller && !ro.dut && plan.launch.empty())
      throw usage_error(p.sc.file + " starts by sending (sipwright is the caller): give the "
                                    "device's address with --dut HOST:PORT or --profile");
    plan.scenarios.push_back(std::move(p));
  }
}

reports::run_properties run_properties(const run_plan& plan) {
  reports::run_properties p;
  p.version = version;
  p.device = !plan.device.empty()
                 ? plan.device
                 : std::string("the caller at ") +
                       (plan.ro.local ? plan.ro.local->str()
                                      : "127.0.0.1:" +
                                            std::to_string(transport::default_port(plan.ro.proto)));
  p.transport = std::string(transport::to_string(plan.ro.proto));
  p.t1 = plan.ro.t1;
  p.t2 = plan.ro.t2;
  p.strict = plan.ro.strict;
  p.start = std::chrono::system_clock::now();
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) == 0) p.host = host;
  return p;
}

// Where the reports go: --junit, --html, --pcap, and --out (by default sipwright-results/ when
// none of them is given) for those not named.
struct report_files {
  std::string dir, junit, html, pcap;
};

report_files report_files_for(const run_cli_options& opts) {
  report_files f{opts.out_dir, opts.junit, opts.html, opts.pcap};
  if (f.junit.empty() && f.html.empty() && f.pcap.empty() && f.dir.empty())
    f.dir = "sipwright-results";
  if (!f.dir.empty()) {
    const fs::path d(f.dir);
    if (f.junit.empty()) f.junit = (d / "junit.xml").string();
    if (f.html.empty()) f.html = (d / "report.html").string();
    if (f.pcap.empty()) f.pcap = (d / "run.pcap").string();
  }
  return f;
}

// Every report of the run, each written atomically. False (and a line on err) when one cannot be
// written.
bool write_reports(const report_files& f, const reports::run_result& run, console& con,
                   std::ostream& err) {
  try {
    if (!f.dir.empty()) fs::create_directories(f.dir);
    if (!f.junit.empty()) reports::write_junit(run, f.junit);
    if (!f.html.empty()) reports::write_html(run, f.html);
    if (!f.pcap.empty()) reports::write_pcap(run, f.pcap);
  } catch (const std::exception& e) {
    err << "sipwright: error: cannot write the reports: " << e.what() << '\n';
    return false;
  }
  std::string line = "reports:";
  for (const auto* file : {&f.junit, &f.html, &f.pcap})
    if (!file->empty()) line += ' ' + *file;
  con.line(line);
  return true;
}

engine::scenario_result skipped_result(const planned& p, std::string why) {
  engine::scenario_result r;
  r.id = p.sc.meta ? p.sc.meta->id : std::string();
  r.file = p.sc.file;
  r.name = p.sc.name;
  r.role = p.sc.role;
  r.skipped = std::move(why);
  return r;
}

// Plays the planned scenarios, `plan.jobs` at once, and prints each one's block in the order
// given as soon as it and those before it are done. A setup error (e.g. an address in use) stops
// further scenarios; so does a signal.
struct play_outcome {
  std::vector<engine::scenario_result> results;
  std::string setup_error;
  int signal = 0;
};

constexpr std::string_view not_played = "not played: the run was interrupted by signal ";

play_outcome play(const run_plan& plan, console& con) {
  const auto& list = plan.scenarios;
  const std::size_t n = list.size();
  play_outcome outcome;
  outcome.results.resize(n);
  std::vector<char> done(n, 0);
  std::set<std::string> running;
  std::mutex m;
  std::condition_variable cv;
  std::size_t next = 0, finished = 0, changes = 0;

  engine::interrupt_watch watch;
  auto worker = [&] {
    for (;;) {
      std::unique_lock lock(m);
      if (next >= n) return;
      const std::size_t i = next++;
      const planned& p = list[i];
      engine::scenario_result r;
      if (!p.skip.empty()) {
        r = skipped_result(p, p.skip);
      } else if (watch.signal() || !outcome.setup_error.empty()) {
        r = skipped_result(p, watch.signal() ? fmt::format("{}{}", not_played, watch.signal())
                                             : "not played: " + outcome.setup_error);
      } else {
        const std::string label =
            p.sc.meta ? p.sc.meta->id : fs::path(p.sc.file).filename().string();
        running.insert(label);
        ++changes;
        cv.notify_all();
        lock.unlock();
        engine::run_options ro = plan.ro;
        ro.service = p.service;
        ro.interrupted = watch.flag();
        // Where to send the device's call, when nothing makes it call on its own.
        if (p.sc.role == scenario::role::callee && ro.trigger.empty())
          ro.on_listening = [&con](transport::protocol proto, const transport::endpoint& e) {
            con.line(fmt::format("listening on {} {}", transport::to_string(proto), e.str()));
          };
        try {
          r = engine::run_scenario(p.sc, ro);
        } catch (const std::exception& e) {
          r = skipped_result(p, {});
          engine::call_result c;
          c.call_number = 1;
          c.failure = fmt::format("{}: setup error: {}", p.sc.file, e.what());
          r.calls.push_back(std::move(c));
          lock.lock();
          if (outcome.setup_error.empty()) outcome.setup_error = e.what();
          lock.unlock();
        }
        lock.lock();
        running.erase(label);
      }
      if (r.interrupted && !outcome.signal) outcome.signal = r.interrupted;
      outcome.results[i] = std::move(r);
      done[i] = 1;
      ++finished;
      ++changes;
      cv.notify_all();
    }
  };

  std::vector<std::thread> workers;
  for (std::size_t k = 0; k < std::min(plan.jobs, n); ++k) workers.emplace_back(worker);
  // This thread prints: each scenario's block in the order given once it and those before it
  // are done, and the progress line whenever a scenario starts or ends.
  std::size_t printed = 0, seen = 0;
  std::unique_lock lock(m);
  while (printed < n) {
    cv.wait(lock, [&] { return changes != seen; });
    seen = changes;
    for (; printed < n && done[printed]; ++printed) {
      const auto& r = outcome.results[printed]; // no longer written by any worker
      lock.unlock();
      con.scenario(r);
      lock.lock();
    }
    if (printed < n && !running.empty())
      con.progress(finished, n, fmt::format("running {}", fmt::join(running, ", ")));
  }
  lock.unlock();
  for (auto& w : workers) w.join();
  if (!outcome.signal) outcome.signal = watch.signal();
  // A signal between two scenarios interrupted none that played: the first one it kept from
  // playing is the interrupted one (an error in the reports), the others are skipped.
  const bool flagged = std::any_of(outcome.results.begin(), outcome.results.end(),
                                   [](const auto& r) { return r.interrupted != 0; });
  if (outcome.signal && !flagged)
    for (auto& r : outcome.results)
      if (r.skipped.starts_with(not_played)) {
        r.skipped.clear();
        r.interrupted = outcome.signal;
        break;
      }
  return outcome;
}

} // namespace

int run_scenarios(const run_cli_options& opts, std::ostream& out, std::ostream& err) {
  const bool color = opts.color == "always" || (opts.color == "auto" && opts.terminal);
  console con(out, {opts.verbose, opts.quiet, color, opts.terminal && !opts.verbose});
  run_plan plan;
  try {
    if (!opts.profile.empty()) plan.prof = profile::load_profile(opts.profile);
    if (opts.files.empty() && !plan.prof)
      throw usage_error("give scenario files or library ids (see 'sipwright list'), or "
                        "--profile FILE to run the whole library");
    apply_options(opts, plan);
    plan_scenarios(opts, plan);
    plan.jobs = jobs_for(opts, plan);
  } catch (const usage_error& e) {
    err << "sipwright: error: " << e.what() << '\n';
    return exit_usage;
  } catch (const profile::profile_error& e) {
    err << e.what() << '\n';
    return exit_usage;
  } catch (const scenario::load_error& e) {
    err << e.what() << '\n';
    return exit_usage;
  }
  const report_files files = report_files_for(opts);

  // A device the profile starts: for the whole run, stopped by PID at the end.
  std::unique_ptr<launched_device> device;
  std::optional<fs::path> device_log;
  if (!plan.launch.empty()) {
    device_log = !files.dir.empty() ? fs::path(files.dir) / "device.log"
                                    : fs::temp_directory_path() /
                                          fmt::format("sipwright-device-{}.log", ::getpid());
    try {
      if (!files.dir.empty()) fs::create_directories(files.dir);
      device = std::make_unique<launched_device>(plan.launch, *device_log, plan.ro.proto,
                                                 std::chrono::seconds(10));
    } catch (const std::exception& e) {
      err << "sipwright: error: " << e.what() << '\n';
      return exit_usage;
    }
    plan.ro.dut = device->address();
    plan.device += " at " + plan.ro.dut->str();
    con.line(fmt::format("device: {} at {} {} (log: {})", plan.prof->name,
                         transport::to_string(plan.ro.proto), plan.ro.dut->str(),
                         device_log->string()));
  }

  reports::run_result run;
  run.properties = run_properties(plan);
  auto outcome = play(plan, con);
  if (device) device->stop();
  if (device_log && files.dir.empty()) fs::remove(*device_log);

  int passed = 0, failed = 0, skipped = 0;
  for (const auto& r : outcome.results)
    !r.skipped.empty() ? ++skipped : r.passed() ? ++passed : ++failed;
  con.summary(passed, failed, skipped);
  if (passed + failed == 0 && skipped > 0)
    con.line("warning: no scenario applied to the device: nothing was tested (see the SKIP "
             "lines)");
  if (outcome.signal) {
    run.interrupted = true;
    con.line(fmt::format("interrupted by signal {}: the scenarios not yet played were skipped",
                         outcome.signal));
  }
  run.scenarios = std::move(outcome.results);
  if (!outcome.setup_error.empty()) err << "sipwright: error: " << outcome.setup_error << '\n';
  if (!write_reports(files, run, con, err)) return exit_usage;
  if (!outcome.setup_error.empty()) return exit_usage;
  return failed || outcome.signal ? exit_invalid : exit_ok;
}

} // namespace sipwright::cli
