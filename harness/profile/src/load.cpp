// Reading a device profile: toml++ parses, then every table, key and value is checked, and the
// first problem in file order becomes a profile_error at its FILE:LINE:COL. The only file that
// includes toml++ (it is heavy).
#include "sipwright/profile/profile.hpp"

#include "sipwright/sip/charclass.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <span>
#include <tuple>

namespace sipwright::profile {

namespace {

namespace chars = sip::chars;

// Values above a day are refused, as in scenarios (they are typos, and they would overflow).
constexpr std::int64_t max_ms = 86'400'000;
constexpr double max_timeout_s = 86'400;
constexpr std::size_t max_file_bytes = 1 << 20;

// The tables of a profile and their keys ([services] takes status codes instead).
struct table_spec {
  std::string_view name;
  std::vector<std::string_view> keys;
};
const std::vector<table_spec> tables = {
    {"device", {"address", "launch", "transport", "transports", "parallel", "capabilities"}},
    {"harness", {"local"}},
    {"timers", {"t1", "t2", "timeout", "timing_tolerance"}},
    {"services", {}},
    {"trigger", {"command"}},
    {"auth", {"user", "password", "password_env", "realm"}},
    {"agents", {}},
    {"tls", {"certificate", "key", "ca", "verify", "server_name", "verify_client"}},
};
// The keys of each [agents.NAME] table.
const std::vector<std::string_view> agent_keys = {"user", "password", "password_env", "realm",
                                                  "local"};
constexpr std::string_view top_keys[] = {"name"};

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = chars::to_lower(c);
  return out;
}

// Optimal string alignment distance (Levenshtein plus adjacent transpositions), ignoring case.
std::size_t distance(std::string_view a_in, std::string_view b_in) {
  const std::string a = lower(a_in), b = lower(b_in);
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i)
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

// The known name closest to `name`, when it is near enough to be a typo of it.
template <typename Range>
std::optional<std::string_view> closest(std::string_view name, const Range& known) {
  std::optional<std::string_view> best;
  std::size_t best_d = 3; // at most 2 edits
  for (std::string_view k : known) {
    const std::size_t d = distance(name, k);
    if (d < best_d && d < std::max<std::size_t>(k.size(), 2)) best = k, best_d = d;
  }
  return best;
}

// "a, b or c"
template <typename Range>
std::string one_of(const Range& names, std::string_view before = "", std::string_view after = "") {
  std::string out;
  const std::size_t n = std::size(names);
  std::size_t i = 0;
  for (std::string_view k : names) {
    if (i) out += i + 1 == n ? " or " : ", ";
    out += std::string(before) + std::string(k) + std::string(after);
    ++i;
  }
  return out;
}

std::string_view type_name(const toml::node& n) {
  switch (n.type()) {
  case toml::node_type::table:
    return "a table";
  case toml::node_type::array:
    return "an array";
  case toml::node_type::string:
    return "a string";
  case toml::node_type::integer:
    return "an integer";
  case toml::node_type::floating_point:
    return "a floating-point number";
  case toml::node_type::boolean:
    return "a boolean";
  case toml::node_type::date:
    return "a date";
  case toml::node_type::time:
    return "a time";
  case toml::node_type::date_time:
    return "a date-time";
  case toml::node_type::none:
    break;
  }
  return "nothing";
}

std::string in_quotes(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04X", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string number(double v) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

// A short rendering of a value for "not X".
std::string shown(const toml::node& n) {
  if (auto s = n.as_string()) return in_quotes(s->get());
  if (auto i = n.as_integer()) return std::to_string(i->get());
  if (auto f = n.as_floating_point()) return number(f->get());
  if (auto b = n.as_boolean()) return b->get() ? "true" : "false";
  return std::string(type_name(n));
}

// user = 1*( unreserved / escaped / user-unreserved ) (RFC 3261 25.1)
bool valid_user(std::string_view u) {
  if (u.empty()) return false;
  for (std::size_t i = 0; i < u.size(); ++i) {
    if (chars::is(u[i], chars::unreserved | chars::user_unreserved)) continue;
    if (u[i] == '%' && i + 2 < u.size() && chars::is_hex(u[i + 1]) && chars::is_hex(u[i + 2])) {
      i += 2;
      continue;
    }
    return false;
  }
  return true;
}

bool status_code(std::string_view k) {
  return k.size() == 3 && k[0] >= '1' && k[0] <= '6' && chars::is_digit(k[1]) &&
         chars::is_digit(k[2]);
}

class loader {
public:
  explicit loader(std::string file) : file_(std::move(file)) {}

  profile load(const toml::table& doc) {
    profile p;
    p.file = file_;
    p.name = std::filesystem::path(file_).stem().string();
    check_keys(doc);

    const toml::table* device = table_of(doc, "device");
    const toml::table* harness = table_of(doc, "harness");
    const toml::table* timers = table_of(doc, "timers");
    const toml::table* services = table_of(doc, "services");
    const toml::table* trigger = table_of(doc, "trigger");
    const toml::table* auth = table_of(doc, "auth");
    const toml::table* agents = table_of(doc, "agents");
    const toml::table* tls = table_of(doc, "tls");

    if (auto name = string_of(doc, "name", "")) {
      if (name->find_first_not_of(" \t") == std::string::npos)
        problem(*doc.get("name"), "name must not be empty");
      else
        p.name = *name;
    }
    if (device)
      load_device(*device, p);
    else
      problem(0, 0,
              "the profile has no [device] table: give [device] address (a device that "
              "runs already) or launch (a command that starts it)");
    if (p.address && p.address->v6()) p.local = {"::1", 0};
    if (harness) load_harness(*harness, p);
    if (timers) load_timers(*timers, p);
    if (services) load_services(*services, p);
    if (trigger) load_trigger(*trigger, p);
    if (auth) p.auth = load_auth(*auth, "[auth]");
    if (agents) load_agents(*agents, p);
    if (tls) load_tls(*tls, p);

    if (!problems_.empty()) {
      auto first = std::min_element(problems_.begin(), problems_.end(), [](auto& a, auto& b) {
        // Problems without a position come last.
        return std::tuple(a.line == 0, a.line, a.column) <
               std::tuple(b.line == 0, b.line, b.column);
      });
      throw profile_error(file_, first->line, first->column, first->text);
    }
    return p;
  }

private:
  struct problem_at {
    int line = 0, column = 0;
    std::string text;
  };

  void problem(int line, int column, std::string text) {
    problems_.push_back({line, column, std::move(text)});
  }
  void problem(const toml::source_region& r, std::string text) {
    problem(static_cast<int>(r.begin.line), static_cast<int>(r.begin.column), std::move(text));
  }
  void problem(const toml::node& n, std::string text) { problem(n.source(), std::move(text)); }

  // "[device] parallel", or "name" at the top level.
  static std::string label(std::string_view table, std::string_view key) {
    if (table.empty()) return std::string(key);
    return "[" + std::string(table) + "] " + std::string(key);
  }

  void wrong_type(const toml::node& n, std::string_view table, std::string_view key,
                  std::string_view expected) {
    problem(n, label(table, key) + " must be " + std::string(expected) + ", not " +
                   std::string(type_name(n)));
  }

  // Where a key that is unknown here belongs, when it is a known key of another place.
  static std::optional<std::string> home_of(std::string_view key, std::string_view here) {
    if (!here.empty() &&
        std::find(std::begin(top_keys), std::end(top_keys), key) != std::end(top_keys))
      return std::string("at the top level, before the first [table] header");
    for (const auto& t : tables)
      if (t.name != here && std::find(t.keys.begin(), t.keys.end(), key) != t.keys.end()) {
        std::string where = "in [" + std::string(t.name) + "]";
        if (!here.empty()) where += "; a key belongs to the [table] header above it";
        return where;
      }
    return std::nullopt;
  }

  void unknown_key(const toml::key& k, std::string_view table,
                   const std::vector<std::string_view>& known) {
    std::string text =
        "unknown key '" + std::string(k.str()) + "' " +
        (table.empty() ? std::string("at the top level") : "in [" + std::string(table) + "]");
    if (auto home = home_of(k.str(), table))
      text += " (it belongs " + *home + ")";
    else if (status_code(k.str()))
      text += " (status codes belong in [services])";
    else if (auto near = closest(k.str(), known))
      text += " (did you mean '" + std::string(*near) + "'?)";
    else
      text += " (expected " + one_of(known) + ")";
    problem(k.source(), std::move(text));
  }

  // Unknown tables and keys anywhere, and known tables that are not tables.
  void check_keys(const toml::table& doc) {
    std::vector<std::string_view> table_names;
    for (const auto& t : tables) table_names.push_back(t.name);
    for (const auto& [k, v] : doc) {
      if (std::find(std::begin(top_keys), std::end(top_keys), k.str()) != std::end(top_keys))
        continue;
      const std::string_view name = k.str();
      auto spec = std::find_if(tables.begin(), tables.end(),
                               [name](const table_spec& t) { return t.name == name; });
      if (spec == tables.end()) {
        if (v.is_table()) {
          std::string text = "unknown table [" + std::string(k.str()) + "]";
          if (auto near = closest(k.str(), table_names))
            text += " (did you mean [" + std::string(*near) + "]?)";
          else
            text += " (expected " + one_of(table_names, "[", "]") + ")";
          problem(k.source(), std::move(text));
        } else {
          unknown_key(k, "", {std::begin(top_keys), std::end(top_keys)});
        }
        continue;
      }
      if (!v.is_table()) {
        problem(v, std::string(k.str()) + " must be a table ([" + std::string(k.str()) +
                       "]), not " + std::string(type_name(v)));
        continue;
      }
      if (spec->name == "services") continue; // its keys are checked by load_services
      if (spec->name == "agents") continue;   // and these by load_agents
      for (const auto& [key, value] : *v.as_table())
        if (std::find(spec->keys.begin(), spec->keys.end(), key.str()) == spec->keys.end())
          unknown_key(key, spec->name, spec->keys);
    }
  }

  // The key itself (for its position), or nullptr.
  static const toml::key* key_of(const toml::table& t, std::string_view name) {
    for (const auto& [k, v] : t)
      if (k.str() == name) return &k;
    return nullptr;
  }

  static bool before(const toml::source_region& a, const toml::source_region& b) {
    return std::tuple(a.begin.line, a.begin.column) < std::tuple(b.begin.line, b.begin.column);
  }

  static const toml::table* table_of(const toml::table& doc, std::string_view name) {
    const toml::node* n = doc.get(name);
    return n ? n->as_table() : nullptr;
  }

  std::optional<std::string> string_of(const toml::table& t, std::string_view key,
                                       std::string_view table) {
    const toml::node* n = t.get(key);
    if (!n) return std::nullopt;
    if (auto s = n->as_string()) return s->get();
    wrong_type(*n, table, key, "a string");
    return std::nullopt;
  }

  // A non-empty string (a command).
  std::optional<std::string> command_of(const toml::table& t, std::string_view key,
                                        std::string_view table,
                                        std::span<const std::string_view> fields) {
    auto s = string_of(t, key, table);
    if (!s) return std::nullopt;
    const toml::node& n = *t.get(key);
    if (s->find_first_not_of(" \t\r\n") == std::string::npos) {
      problem(n, label(table, key) + " must not be empty");
      return std::nullopt;
    }
    // A {name} that is not filled in would reach the command as it is: most likely a typo.
    for (const auto& name : placeholders(*s)) {
      if (std::find(fields.begin(), fields.end(), name) != fields.end()) continue;
      std::string text = "unknown placeholder {" + name + "} in " + label(table, key) + " (";
      if (auto near = closest(name, fields)) text += "did you mean {" + std::string(*near) + "}? ";
      text += "it takes " + one_of(fields, "{", "}") + ")";
      problem(n, std::move(text));
      return std::nullopt;
    }
    return s;
  }

  std::optional<std::int64_t> integer_of(const toml::table& t, std::string_view key,
                                         std::string_view table) {
    const toml::node* n = t.get(key);
    if (!n) return std::nullopt;
    if (auto i = n->as_integer()) return i->get();
    wrong_type(*n, table, key, "an integer");
    return std::nullopt;
  }

  std::optional<bool> bool_of(const toml::table& t, std::string_view key, std::string_view table) {
    const toml::node* n = t.get(key);
    if (!n) return std::nullopt;
    if (auto b = n->as_boolean()) return b->get();
    wrong_type(*n, table, key, "true or false");
    return std::nullopt;
  }

  // An integer or floating-point number.
  std::optional<double> number_of(const toml::table& t, std::string_view key,
                                  std::string_view table) {
    const toml::node* n = t.get(key);
    if (!n) return std::nullopt;
    if (auto i = n->as_integer()) return static_cast<double>(i->get());
    if (auto f = n->as_floating_point()) return f->get();
    wrong_type(*n, table, key, "a number");
    return std::nullopt;
  }

  // An array of strings: each string with the node it came from.
  std::optional<std::vector<std::pair<std::string, const toml::node*>>>
  strings_of(const toml::table& t, std::string_view key, std::string_view table) {
    const toml::node* n = t.get(key);
    if (!n) return std::nullopt;
    const toml::array* a = n->as_array();
    if (!a) {
      wrong_type(*n, table, key, "an array of strings (e.g. [\"udp\", \"tcp\"])");
      return std::nullopt;
    }
    std::vector<std::pair<std::string, const toml::node*>> out;
    bool ok = true;
    for (const toml::node& e : *a) {
      if (auto s = e.as_string())
        out.emplace_back(s->get(), &e);
      else
        ok = false,
        problem(e, label(table, key) + " must hold strings, not " + std::string(type_name(e)));
    }
    if (!ok) return std::nullopt;
    return out;
  }

  void load_device(const toml::table& t, profile& p) {
    const auto address = string_of(t, "address", "device");
    const auto launch = command_of(t, "launch", "device", launch_placeholders);
    if (address) {
      auto e = transport::parse_endpoint(*address, 0);
      if (!e || e->port == 0)
        problem(*t.get("address"),
                "[device] address must be HOST:PORT with a numeric IPv4 host or an [IPv6] "
                "host and a port 1 to 65535 (e.g. \"192.0.2.10:5060\", \"[2001:db8::1]:5060\"), "
                "not " +
                    in_quotes(*address));
      else
        p.address = *e;
    }
    if (launch) p.launch = *launch;
    const toml::key* a = key_of(t, "address");
    const toml::key* l = key_of(t, "launch");
    if (a && l) {
      const toml::key* later = before(a->source(), l->source()) ? l : a;
      problem(later->source(), "[device] has both address and launch: give exactly one (address "
                               "for a device that runs already, launch for a command that "
                               "starts it)");
    } else if (!a && !l) {
      problem(t.source(), "[device] needs address (a device that runs already) or launch (a "
                          "command that starts it)");
    }

    std::optional<transport::protocol> proto;
    if (auto s = string_of(t, "transport", "device")) {
      proto = transport::protocol_from(*s);
      if (proto)
        p.transport = *proto;
      else
        problem(*t.get("transport"),
                "[device] transport must be \"udp\", \"tcp\" or \"tls\", not " + in_quotes(*s));
    }
    if (auto list = strings_of(t, "transports", "device")) {
      const toml::node& n = *t.get("transports");
      std::vector<transport::protocol> protos;
      bool ok = true;
      for (const auto& [s, node] : *list) {
        auto x = transport::protocol_from(s);
        if (!x) {
          problem(*node,
                  "[device] transports must hold \"udp\", \"tcp\" or \"tls\", not " + in_quotes(s));
          ok = false;
        } else if (std::find(protos.begin(), protos.end(), *x) != protos.end()) {
          problem(*node, "[device] transports lists " + in_quotes(s) + " twice");
          ok = false;
        } else {
          protos.push_back(*x);
        }
      }
      if (ok && protos.empty()) {
        problem(n, "[device] transports must not be empty");
      } else if (ok) {
        p.transports = protos;
        if (proto && std::find(protos.begin(), protos.end(), *proto) == protos.end())
          problem(n, "[device] transports must include the default transport " +
                         in_quotes(transport::lower_name(*proto)));
      }
    }
    // The default transport: as given, else the first the device supports, else UDP.
    if (!t.get("transports"))
      p.transports = {p.transport};
    else if (!proto && !p.transports.empty())
      p.transport = p.transports.front();

    if (auto n = integer_of(t, "parallel", "device")) {
      if (*n < 1 || *n > 10000)
        problem(*t.get("parallel"),
                "[device] parallel must be between 1 and 10000, not " + std::to_string(*n));
      else
        p.parallel = static_cast<int>(*n);
    }
    if (auto list = strings_of(t, "capabilities", "device")) {
      for (const auto& [s, node] : *list) {
        const bool blank = s.empty() || std::any_of(s.begin(), s.end(), [](char c) {
                             return static_cast<unsigned char>(c) <= ' ' || c == 0x7f;
                           });
        if (blank)
          problem(*node, "[device] capabilities must be single words, as scenarios name them, "
                         "not " +
                             in_quotes(s));
        else
          p.capabilities.push_back(s);
      }
    }
  }

  void load_harness(const toml::table& t, profile& p) {
    if (auto s = string_of(t, "local", "harness")) {
      auto e = transport::parse_endpoint(*s, 0);
      if (!e)
        problem(*t.get("local"), "[harness] local must be HOST:PORT with a numeric IPv4 host or "
                                 "an [IPv6] host (port 0: a free port), not " +
                                     in_quotes(*s));
      else
        p.local = *e;
    }
  }

  void load_timers(const toml::table& t, profile& p) {
    bool t1_ok = true;
    if (auto n = integer_of(t, "t1", "timers")) {
      if (*n < 1 || *n > max_ms) {
        problem(*t.get("t1"), "[timers] t1 must be between 1 and " + std::to_string(max_ms) +
                                  " ms, not " + std::to_string(*n));
        t1_ok = false;
      } else {
        p.t1_ms = static_cast<int>(*n);
      }
    } else {
      t1_ok = !t.get("t1");
    }
    if (auto n = integer_of(t, "t2", "timers")) {
      if (*n > max_ms)
        problem(*t.get("t2"), "[timers] t2 must be at most " + std::to_string(max_ms) +
                                  " ms, not " + std::to_string(*n));
      else if (t1_ok && *n < p.t1_ms) // RFC 3261 17.1.1.2: T2 caps the doubled T1
        problem(*t.get("t2"), "[timers] t2 must be at least t1 (" + std::to_string(p.t1_ms) +
                                  " ms), not " + std::to_string(*n));
      else if (*n >= 1)
        p.t2_ms = static_cast<int>(*n);
      else
        problem(*t.get("t2"), "[timers] t2 must be at least 1 ms, not " + std::to_string(*n));
    }
    if (auto x = number_of(t, "timeout", "timers")) {
      if (!(*x > 0 && *x <= max_timeout_s))
        problem(*t.get("timeout"), "[timers] timeout must be more than 0 and at most " +
                                       number(max_timeout_s) + " s, not " +
                                       shown(*t.get("timeout")));
      else
        p.timeout_s = *x;
    }
    if (auto x = number_of(t, "timing_tolerance", "timers")) {
      if (!(*x >= 0 && *x <= 10))
        problem(*t.get("timing_tolerance"), "[timers] timing_tolerance must be between 0 and 10, "
                                            "not " +
                                                shown(*t.get("timing_tolerance")));
      else
        p.timing_tolerance = *x;
    }
  }

  void load_services(const toml::table& t, profile& p) {
    for (const auto& [k, v] : t) {
      const std::string code(k.str());
      if (!status_code(code)) {
        if (auto home = home_of(code, "services"))
          problem(k.source(),
                  "unknown key '" + code + "' in [services] (it belongs " + *home + ")");
        else
          problem(k.source(), "[services] key '" + code +
                                  "' must be a status code 100 to 699, the status the user "
                                  "makes the device answer with");
        continue;
      }
      auto user = v.as_string();
      if (!user) {
        wrong_type(v, "services", code, "a string (the user, e.g. \"busy\")");
        continue;
      }
      if (user->get().empty())
        problem(v, "[services] " + code + " must not be empty");
      else if (!valid_user(user->get()))
        problem(v, "[services] " + code +
                       " must be the user part of a SIP URI (RFC 3261 25.1: letters, digits, "
                       "-_.!~*'()&=+$,;?/ and %HH escapes), not " +
                       in_quotes(user->get()));
      else
        p.services.emplace(code, user->get());
    }
  }

  // [auth]: the credentials sipwright answers challenges with (RFC 3261 22). The password is
  // better kept out of the file: password_env names the environment variable that holds it.
  std::optional<profile::auth_spec> load_auth(const toml::table& t, const std::string& table) {
    profile::auth_spec a;
    const auto name = table.substr(1, table.size() - 2);
    if (auto u = string_of(t, "user", name)) a.user = *u;
    if (auto pw = string_of(t, "password", name)) a.password = *pw;
    if (auto env = string_of(t, "password_env", name)) a.password_env = *env;
    if (auto r = string_of(t, "realm", name)) a.realm = *r;
    if (a.user.empty())
      problem(t.source(), table + " needs user (the user name to authenticate as)");
    else if (t.get("password") && t.get("password_env"))
      problem(*t.get("password_env"),
              table + " has both password and password_env: give one (password_env keeps the "
                      "password out of the file)");
    else if (!t.get("password") && !t.get("password_env"))
      problem(t.source(), table + " needs password_env (the environment variable that holds the "
                                  "password) or password");
    else
      return a;
    return std::nullopt;
  }

  // [agents.NAME]: one table per agent of the scenarios with several.
  void load_agents(const toml::table& t, profile& p) {
    for (const auto& [k, v] : t) {
      const std::string name(k.str());
      const std::string table = "[agents." + name + "]";
      if (!v.is_table()) {
        problem(v, "agents." + name + " must be a table (" + table + "), not " +
                       std::string(type_name(v)));
        continue;
      }
      const auto& a = *v.as_table();
      for (const auto& [key, value] : a)
        if (std::find(agent_keys.begin(), agent_keys.end(), key.str()) == agent_keys.end())
          unknown_key(key, "agents." + name, agent_keys);
      profile::agent_spec spec;
      if (a.get("user") || a.get("password") || a.get("password_env") || a.get("realm"))
        spec.auth = load_auth(a, table);
      if (auto s = string_of(a, "local", "agents." + name)) {
        if (auto e = transport::parse_endpoint(*s, 0))
          spec.local = *e;
        else
          problem(*a.get("local"), table +
                                       " local must be HOST:PORT with a numeric IPv4 host "
                                       "or an [IPv6] host (port 0: a free port), not " +
                                       in_quotes(*s));
      }
      p.agents.emplace(name, std::move(spec));
    }
  }

  // [tls]: sipwright's certificate and key, the CA store it checks the device against, and
  // whether it checks (RFC 5922 7.3; verify = false is the lab's insecure mode). Relative paths
  // are taken from the profile's folder.
  void load_tls(const toml::table& t, profile& p) {
    const auto base = std::filesystem::path(file_).parent_path();
    auto path_of = [&](std::string_view key) -> std::string {
      auto s = string_of(t, key, "tls");
      if (!s) return {};
      if (s->empty()) {
        problem(*t.get(key), label("tls", key) + " must not be empty");
        return {};
      }
      const std::filesystem::path f(*s);
      return (f.is_absolute() || base.empty() ? f : base / f).string();
    };
    p.tls.certificate = path_of("certificate");
    p.tls.private_key = path_of("key");
    p.tls.ca = path_of("ca");
    if (auto v = bool_of(t, "verify", "tls")) p.tls.verify = *v;
    if (auto v = bool_of(t, "verify_client", "tls")) p.tls.require_client_certificate = *v;
    if (auto n = string_of(t, "server_name", "tls")) {
      // "[::1]" is the IP address ::1, not a DNS name (transport::tls_server_name).
      if (auto name = transport::tls_server_name(*n))
        p.tls.server_name = *name;
      else
        problem(*t.get("server_name"), "[tls] server_name must be a DNS name or an IP address, "
                                       "not " +
                                           in_quotes(*n));
    }
    if (t.get("certificate") && !t.get("key"))
      problem(*t.get("certificate"), "[tls] certificate needs key (its private key) beside it");
    else if (t.get("key") && !t.get("certificate"))
      problem(*t.get("key"), "[tls] key needs certificate (the certificate it belongs to)");
  }

  void load_trigger(const toml::table& t, profile& p) {
    if (auto c = command_of(t, "command", "trigger", trigger_placeholders))
      p.trigger = *c;
    else if (!t.get("command"))
      problem(t.source(), "[trigger] needs command (the command that makes the device call)");
  }

  std::string file_;
  std::vector<problem_at> problems_;
};

// The whole file (at most max_file_bytes), or a profile_error without a position.
std::string read_file(const std::string& file) {
  auto fail = [&](const std::string& why) {
    throw profile_error(file, 0, 0, "cannot read the device profile: " + why);
  };
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(file.c_str(), "rb"), &std::fclose);
  if (!f) fail(std::strerror(errno));
  std::string data;
  char buf[8192];
  while (true) {
    const std::size_t n = std::fread(buf, 1, sizeof buf, f.get());
    data.append(buf, n);
    if (data.size() > max_file_bytes) fail("it is larger than 1 MiB");
    if (n < sizeof buf) break;
  }
  if (std::ferror(f.get())) fail(std::strerror(errno));
  return data;
}

// "TOML syntax error while parsing table header: expected ']', saw '\n'"
std::string syntax_error(std::string_view description) {
  constexpr std::string_view prefix = "Error while parsing ";
  if (description.starts_with(prefix))
    return "TOML syntax error while parsing " + std::string(description.substr(prefix.size()));
  return "TOML syntax error: " + std::string(description);
}

} // namespace

profile load_profile(const std::filesystem::path& path) {
  const std::string file = path.string();
  const std::string text = read_file(file);
  toml::table doc;
  try {
    doc = toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    const auto& at = e.source().begin;
    throw profile_error(file, static_cast<int>(at.line), static_cast<int>(at.column),
                        syntax_error(e.description()));
  }
  return loader(file).load(doc);
}

} // namespace sipwright::profile
