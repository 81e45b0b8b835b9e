// parse_bench: parse throughput of sipwright's parser against libosip2 (osipparser2) and
// sofia-sip, in one process, on exactly the same bytes. See README.md in this folder.
//
// Each parser gets the same time budget per message set, split into rounds whose parser order
// rotates, so slow drifts of the CPU clock hit all three alike. A message one peer cannot parse
// is dropped for all three (and reported), so every figure covers the same input.
#include "sipwright/parser/parser.hpp"

#include <osipparser2/osip_message.h>
#include <osipparser2/osip_parser.h>
#include <osipparser2/osip_port.h>
#include <sofia-sip/msg.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_protos.h>

#include <algorithm>
#include <chrono>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#ifndef SIPWRIGHT_BENCH_MESSAGES_DIR
#define SIPWRIGHT_BENCH_MESSAGES_DIR "suite/messages"
#endif
#ifndef SIPWRIGHT_BENCH_CORPUS_DIR
#define SIPWRIGHT_BENCH_CORPUS_DIR "../shared/corpus"
#endif

namespace {

namespace fs = std::filesystem;
using bench_clock = std::chrono::steady_clock;

// Keeps the parse results observable so the compiler cannot drop the work.
volatile std::uint64_t sink = 0;

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "parse_bench: %s\n", what.c_str());
  std::exit(1);
}

// ---------------------------------------------------------------------------------------------
// Messages

struct sample {
  std::string name; // file name
  std::string set;  // the message set it belongs to ("typical", "rfc4475", or a folder name)
  std::string bytes;
};

// The messages a running harness parses (suite/messages).
constexpr std::string_view typical_files[] = {"invite.sip", "200-ok.sip", "ack.sip",
                                              "380-alternative-service.sip"};
// RFC 4475 3.1.1: the well-formed torture messages a parser must accept.
constexpr std::string_view rfc4475_valid[] = {
    "wsinv",  "intmeth", "esc01",      "escnull", "esc02",    "lwsdisp", "longreq",
    "dblreq", "semiuri", "transports", "mpart01", "unreason", "noreason"};

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) die("cannot read " + p.string());
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// --messages PATH: a file, or every regular file of a folder (sorted by name).
void load_path(const fs::path& p, std::vector<sample>& out) {
  std::error_code ec;
  if (fs::is_directory(p, ec)) {
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(p))
      if (e.is_regular_file() && e.path().filename().string().front() != '.')
        files.push_back(e.path());
    std::sort(files.begin(), files.end());
    if (files.empty()) die("no files in " + p.string());
    std::string set =
        p.filename().empty() ? p.parent_path().filename().string() : p.filename().string();
    for (const auto& f : files) out.push_back({f.filename().string(), set, read_file(f)});
  } else if (fs::is_regular_file(p, ec)) {
    out.push_back({p.filename().string(), p.parent_path().filename().string(), read_file(p)});
  } else {
    die("no such file or folder: " + p.string());
  }
}

std::vector<sample> load_default(std::string& note) {
  std::vector<sample> out;
  const fs::path messages = SIPWRIGHT_BENCH_MESSAGES_DIR;
  for (auto f : typical_files) out.push_back({std::string(f), "typical", read_file(messages / f)});
  const fs::path corpus = fs::path(SIPWRIGHT_BENCH_CORPUS_DIR) / "rfc4475";
  std::error_code ec;
  if (fs::is_directory(corpus, ec)) {
    for (auto f : rfc4475_valid)
      out.push_back({std::string(f), "rfc4475", read_file(corpus / (std::string(f) + ".dat"))});
  } else {
    note = "RFC 4475 corpus not found at " + corpus.string() + ": typical messages only";
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The three parsers. parse() handles one whole datagram and returns a small number derived
// from the result (fed to the sink); probe() says why a message is rejected, if it is.

struct sipwright_runner {
  static constexpr const char* name = "sipwright";
  sipwright::parser::parser p{}; // datagram mode, validate = true, strict = true

  std::optional<std::string> probe(std::string_view bytes) {
    auto r = p.put(bytes);
    if (r.status == sipwright::parser::status::done) {
      p.release();
      return std::nullopt;
    }
    const auto& e = p.error();
    std::ostringstream why;
    why << (r.status == sipwright::parser::status::error ? "error " : "incomplete ") << e.code
        << " at " << e.line << ":" << e.column << ": " << e.text;
    p.reset();
    return why.str();
  }

  std::uint64_t parse(std::string_view bytes) {
    auto r = p.put(bytes);
    if (r.status != sipwright::parser::status::done)
      die("sipwright failed on a message it accepted before: " + std::string(p.error().code));
    // The parser owns the message (valid until the next put()) and reuses its storage.
    const auto& m = p.get();
    return m.fields().size() + m.body().size() + m.diagnostics().size();
  }
};

// libosip2 logs why it rejects a message (to stdout by default): keep it for the exclusion note.
std::string osip_log;
void capture_osip_trace(const char*, int, osip_trace_level_t, const char* format, va_list ap) {
  char line[256];
  std::vsnprintf(line, sizeof line, format, ap);
  std::string_view text(line);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  if (!osip_log.empty()) osip_log += "; ";
  osip_log += text;
}

struct osip_runner {
  static constexpr const char* name = "libosip2";

  std::optional<std::string> probe(std::string_view bytes) {
    osip_message_t* m = nullptr;
    if (osip_message_init(&m) != 0) die("osip_message_init failed");
    osip_log.clear();
    int rc = osip_message_parse(m, bytes.data(), bytes.size());
    osip_message_free(m);
    if (rc != 0)
      return "osip_message_parse returned " + std::to_string(rc) +
             (osip_log.empty() ? std::string() : " (" + osip_log + ")");
    return std::nullopt;
  }

  std::uint64_t parse(std::string_view bytes) {
    osip_message_t* m = nullptr;
    if (osip_message_init(&m) != 0) die("osip_message_init failed");
    if (osip_message_parse(m, bytes.data(), bytes.size()) != 0)
      die("libosip2 failed on a message it accepted before");
    std::uint64_t n = static_cast<std::uint64_t>(osip_list_size(&m->vias)) +
                      static_cast<std::uint64_t>(osip_list_size(&m->headers)) +
                      static_cast<std::uint64_t>(osip_list_size(&m->bodies));
    osip_message_free(m);
    return n;
  }
};

struct sofia_runner {
  static constexpr const char* name = "sofia-sip";

  static bool good(msg_t* msg) {
    if (!msg || msg_has_error(msg)) return false;
    sip_t* sip = sip_object(msg);
    return sip && !sip->sip_error && (sip->sip_request || sip->sip_status);
  }

  std::optional<std::string> probe(std::string_view bytes) {
    msg_t* msg =
        msg_make(sip_default_mclass(), 0, bytes.data(), static_cast<ssize_t>(bytes.size()));
    std::optional<std::string> why;
    if (!msg)
      why = "msg_make returned NULL";
    else if (msg_has_error(msg))
      why = "msg_make flagged MSG_FLG_ERROR";
    else if (!sip_object(msg))
      why = "no sip_t object";
    else if (sip_object(msg)->sip_error)
      why = "erroneous headers (sip_error is set)";
    else if (!good(msg))
      why = "no request or status line";
    if (msg) msg_destroy(msg);
    return why;
  }

  std::uint64_t parse(std::string_view bytes) {
    msg_t* msg =
        msg_make(sip_default_mclass(), 0, bytes.data(), static_cast<ssize_t>(bytes.size()));
    if (!good(msg)) die("sofia-sip failed on a message it accepted before");
    sip_t* sip = sip_object(msg);
    std::uint64_t n = (sip->sip_payload ? sip->sip_payload->pl_len : 0) + (sip->sip_via != nullptr);
    msg_destroy(msg);
    return n;
  }
};

// ---------------------------------------------------------------------------------------------
// Measurement

struct tally {
  std::uint64_t passes = 0; // passes over the whole set
  double seconds = 0;
};

// Parses the set over and over until `budget` seconds are used, or exactly `passes` times.
template <class Runner>
void run(Runner& runner, const std::vector<const sample*>& set, double budget,
         std::optional<std::uint64_t> passes, tally& t) {
  std::uint64_t acc = 0, n = 0;
  auto start = bench_clock::now();
  auto deadline = start + std::chrono::duration_cast<bench_clock::duration>(
                              std::chrono::duration<double>(budget));
  for (;;) {
    if (passes ? n == *passes : bench_clock::now() >= deadline) break;
    for (const sample* s : set) acc += runner.parse(s->bytes);
    ++n;
  }
  t.seconds += std::chrono::duration<double>(bench_clock::now() - start).count();
  t.passes += n;
  sink = sink + acc;
}

struct config {
  double seconds = 1.0;
  int rounds = 10;
  std::optional<std::uint64_t> iterations; // unset: time budget
  std::string only;                        // "", "sipwright", "osip", "sofia"
  std::string set;                         // "", or the name of one set to run alone
  std::vector<std::string> paths;
};

bool enabled(const config& c, std::string_view key) {
  return c.only.empty() || c.only == key;
}

struct set_result {
  std::optional<double> sipwright, osip, sofia; // messages per second
};

set_result measure(const config& cfg, const std::string& label,
                   const std::vector<const sample*>& set, sipwright_runner& sw, osip_runner& os,
                   sofia_runner& so) {
  std::size_t bytes = 0;
  for (const sample* s : set) bytes += s->bytes.size();
  std::printf("\nset %s: %zu messages, %zu bytes\n", label.c_str(), set.size(), bytes);
  std::fflush(stdout);

  tally t_sw, t_os, t_so;
  const bool use_time = !cfg.iterations;
  const int rounds = use_time ? cfg.rounds : 1;
  const double slice = cfg.seconds / rounds;
  if (use_time) { // warm-up: caches, branch predictors, allocator pools; not counted
    tally ignore;
    if (enabled(cfg, "sipwright")) run(sw, set, slice / 4, std::nullopt, ignore);
    if (enabled(cfg, "osip")) run(os, set, slice / 4, std::nullopt, ignore);
    if (enabled(cfg, "sofia")) run(so, set, slice / 4, std::nullopt, ignore);
  }
  for (int round = 0; round < rounds; ++round) {
    for (int k = 0; k < 3; ++k) { // rotate who goes first
      switch ((round + k) % 3) {
      case 0:
        if (enabled(cfg, "sipwright")) run(sw, set, slice, cfg.iterations, t_sw);
        break;
      case 1:
        if (enabled(cfg, "osip")) run(os, set, slice, cfg.iterations, t_os);
        break;
      default:
        if (enabled(cfg, "sofia")) run(so, set, slice, cfg.iterations, t_so);
        break;
      }
    }
  }

  set_result out;
  auto report = [&](const char* name, const tally& t, std::optional<double>& rate) {
    if (t.passes == 0 || t.seconds <= 0) {
      if (t.seconds > 0) std::printf("  %-10s (no pass)\n", name);
      return;
    }
    double msgs = static_cast<double>(t.passes * set.size()) / t.seconds;
    double mb = static_cast<double>(t.passes * bytes) / t.seconds / 1e6;
    std::printf("  %-10s %12.0f msgs/s %9.1f MB/s %8.3f us/msg  (%llu passes in %.3f s)\n", name,
                msgs, mb, 1e6 / msgs, static_cast<unsigned long long>(t.passes), t.seconds);
    rate = msgs;
  };
  report(sipwright_runner::name, t_sw, out.sipwright);
  report(osip_runner::name, t_os, out.osip);
  report(sofia_runner::name, t_so, out.sofia);
  if (out.sipwright && out.sofia)
    std::printf("  %s: sipwright vs sofia-sip %.2f x\n", label.c_str(),
                *out.sipwright / *out.sofia);
  if (out.sipwright && out.osip)
    std::printf("  %s: sipwright vs libosip2 %.2f x\n", label.c_str(), *out.sipwright / *out.osip);
  std::fflush(stdout);
  return out;
}

void usage(std::FILE* to) {
  std::fprintf(to,
               "usage: parse_bench [options]\n"
               "  --seconds S       time budget per parser and message set (default 1)\n"
               "  --rounds R        rounds the budget is split into, parser order rotated "
               "(default 10)\n"
               "  --iterations N    parse each set exactly N times per parser instead of timing\n"
               "                    (deterministic work, e.g. under valgrind --tool=callgrind)\n"
               "  --only P          run one parser: sipwright, osip or sofia\n"
               "  --set NAME        run one message set only (e.g. typical, all)\n"
               "  --messages PATH   a message file or a folder of them (repeatable; replaces\n"
               "                    the default set: %s\n"
               "                    and the valid RFC 4475 messages in %s/rfc4475)\n",
               SIPWRIGHT_BENCH_MESSAGES_DIR, SIPWRIGHT_BENCH_CORPUS_DIR);
}

config parse_args(int argc, char** argv) {
  config c;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) die("missing value after " + a);
      return argv[++i];
    };
    try {
      if (a == "--seconds")
        c.seconds = std::stod(value());
      else if (a == "--rounds")
        c.rounds = std::stoi(value());
      else if (a == "--iterations")
        c.iterations = std::stoull(value());
      else if (a == "--only")
        c.only = value();
      else if (a == "--set")
        c.set = value();
      else if (a == "--messages")
        c.paths.push_back(value());
      else if (a == "--help" || a == "-h") {
        usage(stdout);
        std::exit(0);
      } else {
        usage(stderr);
        std::exit(2);
      }
    } catch (const std::logic_error&) {
      die("bad value for " + a);
    }
  }
  if (!(c.seconds > 0) || c.rounds < 1) die("--seconds and --rounds must be positive");
  if (!c.only.empty() && c.only != "sipwright" && c.only != "osip" && c.only != "sofia")
    die("--only takes sipwright, osip or sofia");
  return c;
}

} // namespace

int main(int argc, char** argv) {
  config cfg = parse_args(argc, argv);

  std::string note;
  std::vector<sample> samples;
  if (cfg.paths.empty())
    samples = load_default(note);
  else
    for (const auto& p : cfg.paths) load_path(p, samples);

  osip_trace_initialize_func(OSIP_WARNING, capture_osip_trace); // fatal, bug and error levels
  if (parser_init() != 0) die("osip parser_init failed");
  sipwright_runner sw;
  osip_runner os;
  sofia_runner so;

  std::printf("parse_bench: sipwright vs libosip2 (osipparser2) vs sofia-sip (msg_make), datagram "
              "mode\n");
  if (!note.empty()) std::printf("note: %s\n", note.c_str());

  // Every message must parse with sipwright; a peer's failure drops the message for all three.
  std::vector<const sample*> kept;
  for (const auto& s : samples) {
    if (auto why = sw.probe(s.bytes))
      die("sipwright rejects " + s.set + "/" + s.name + ": " + *why);
    auto osip_why = os.probe(s.bytes);
    auto sofia_why = so.probe(s.bytes);
    if (osip_why || sofia_why) {
      std::string why;
      if (osip_why) why += "libosip2: " + *osip_why;
      if (sofia_why) why += (why.empty() ? "" : "; ") + ("sofia-sip: " + *sofia_why);
      std::printf("excluded for all parsers: %s/%s (%zu bytes): %s\n", s.set.c_str(),
                  s.name.c_str(), s.bytes.size(), why.c_str());
      continue;
    }
    kept.push_back(&s);
  }
  if (kept.empty()) die("no message left to parse");

  // Sets: each folder (or "typical" / "rfc4475") alone when there is more than one, then all.
  std::vector<std::string> names;
  for (const sample* s : kept)
    if (std::find(names.begin(), names.end(), s->set) == names.end()) names.push_back(s->set);
  std::printf("messages: %zu kept of %zu;", kept.size(), samples.size());
  for (const auto& n : names) {
    auto count =
        std::count_if(kept.begin(), kept.end(), [&](const sample* s) { return s->set == n; });
    std::printf(" %s %td", n.c_str(), count);
  }
  if (cfg.iterations)
    std::printf("\nwork: %llu passes over each set per parser\n",
                static_cast<unsigned long long>(*cfg.iterations));
  else
    std::printf("\nbudget: %.2f s per parser and set, in %d rounds with rotating parser order\n",
                cfg.seconds, cfg.rounds);

  std::vector<std::pair<std::string, std::vector<const sample*>>> sets;
  if (names.size() > 1)
    for (const auto& n : names) {
      std::vector<const sample*> v;
      for (const sample* s : kept)
        if (s->set == n) v.push_back(s);
      sets.emplace_back(n, std::move(v));
    }
  sets.emplace_back(names.size() > 1 ? "all" : names.front(), kept);
  if (!cfg.set.empty()) {
    std::erase_if(sets, [&](const auto& s) { return s.first != cfg.set; });
    if (sets.empty()) die("no message set named " + cfg.set);
  }

  set_result last;
  for (const auto& [label, set] : sets) last = measure(cfg, label, set, sw, os, so);

  // The headline: the last set measured (all messages, unless --set chose one).
  if (last.sipwright && last.sofia)
    std::printf("parse speed vs sofia-sip: %.2f x\n", *last.sipwright / *last.sofia);
  if (last.sipwright && last.osip)
    std::printf("parse speed vs libosip2: %.2f x\n", *last.sipwright / *last.osip);
  return 0;
}
