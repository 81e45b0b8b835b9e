// Device profiles: loading (every key, the defaults, every refusal with its position),
// placeholders in commands, and which library scenarios a profile skips.
#include "sipwright/profile/profile.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <string>
#include <unistd.h>

namespace prof = sipwright::profile;
namespace sc = sipwright::scenario;
using sipwright::transport::endpoint;
using sipwright::transport::protocol;

namespace {

// A profile written to a file of its own in a fresh temp folder, removed at the end.
class temp_profile {
public:
  explicit temp_profile(std::string_view text, const std::string& name = "device.toml") {
    static int n = 0;
    dir_ = std::filesystem::temp_directory_path() /
           ("sipwright-profile-test-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
    std::filesystem::create_directories(dir_);
    path_ = dir_ / name;
    std::ofstream(path_, std::ios::binary) << text;
  }
  ~temp_profile() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  temp_profile(const temp_profile&) = delete;
  temp_profile& operator=(const temp_profile&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string str() const { return path_.string(); }

private:
  std::filesystem::path dir_, path_;
};

prof::profile load(std::string_view text, const std::string& name = "device.toml") {
  temp_profile f(text, name);
  return prof::load_profile(f.path());
}

// The message load_profile throws for `text`, without "FILE:" (or "FILE: ") in front.
std::string error_of(std::string_view text) {
  temp_profile f(text);
  try {
    prof::load_profile(f.path());
  } catch (const prof::profile_error& e) {
    const std::string what = e.what();
    const std::string file = f.str() + ":";
    if (what.compare(0, file.size(), file) != 0) return "wrong file name: " + what;
    // "LINE:COL: error: ...", or "error: ..." when there is no position
    return what.substr(what[file.size()] == ' ' ? file.size() + 1 : file.size());
  }
  return "no error";
}

// The examples of the README's "Device profiles" section, as written there.
constexpr std::string_view full_profile = R"(# sipwright device profile
name = "Lab PBX"                      # shown in reports (default: the file name without extension)

[device]
address = "192.0.2.10:5060"           # a device that runs already: HOST:PORT
# launch = "{sipwright} refdut --local 127.0.0.1:0 --transport {transport} --t1 {t1} --t2 {t2}"
                                      # or a command that starts it (exactly one of address/launch)
transport = "udp"                     # the default transport: "udp" or "tcp"
transports = ["udp", "tcp"]           # every transport the device takes (default: [transport])
parallel = 8                          # scenarios the device takes at once (default 1)
capabilities = ["100rel", "update"]   # what the device supports (default: none)

[harness]
local = "127.0.0.1:0"                 # where sipwright binds (port 0: a free port)

[timers]
t1 = 100                              # RFC 3261 T1 in ms (default 500)
t2 = 800                              # RFC 3261 T2 in ms (default 8 * t1)
timeout = 30                          # bound of one scenario, in s (default 120)
timing_tolerance = 0.5                # 0 to 10 (default 0.5)

[services]                            # status the device answers with = the user that makes it
200 = "1001"
380 = "alt"
486 = "busy"
503 = "down"

# how to make the device place a call (absent: device-caller scenarios are skipped)
[trigger]
command = "ssh pbx originate {user} {host}:{port} {transport}"
)";

constexpr std::string_view refdut_profile = R"(name = "sipwright refdut"

[device]
launch = "{sipwright} refdut --local 127.0.0.1:0 --transport {transport} --t1 {t1} --t2 {t2}"
transports = ["udp", "tcp"]

[timers]
t1 = 50

[services]
200 = "1001"
380 = "alt-service"
486 = "busy"
503 = "503"
)";

} // namespace

TEST_CASE("a full profile: every key is read", "[profile]") {
  temp_profile f(full_profile);
  const auto p = prof::load_profile(f.path());
  CHECK(p.name == "Lab PBX");
  CHECK(p.file == f.str());
  REQUIRE(p.address);
  CHECK(*p.address == endpoint{"192.0.2.10", 5060});
  CHECK(p.launch.empty());
  CHECK(p.transport == protocol::udp);
  CHECK(p.transports == std::vector{protocol::udp, protocol::tcp});
  CHECK(p.parallel == 8);
  CHECK(p.capabilities == std::vector<std::string>{"100rel", "update"});
  CHECK(p.local == endpoint{"127.0.0.1", 0});
  CHECK(p.t1_ms == 100);
  CHECK(p.t2_ms == 800);
  CHECK(p.t2() == 800);
  CHECK(p.timeout_s == 30);
  CHECK(p.timing_tolerance == 0.5);
  CHECK(p.services == std::map<std::string, std::string>{
                          {"200", "1001"}, {"380", "alt"}, {"486", "busy"}, {"503", "down"}});
  CHECK(p.trigger == "ssh pbx originate {user} {host}:{port} {transport}");
}

TEST_CASE("the reference device example: a launch command, defaults elsewhere", "[profile]") {
  const auto p = load(refdut_profile);
  CHECK(p.name == "sipwright refdut");
  CHECK_FALSE(p.address);
  CHECK(p.launch ==
        "{sipwright} refdut --local 127.0.0.1:0 --transport {transport} --t1 {t1} --t2 {t2}");
  CHECK(p.transport == protocol::udp);
  CHECK(p.transports == std::vector{protocol::udp, protocol::tcp});
  CHECK(p.t1_ms == 50);
  CHECK(p.t2() == 400);
  CHECK(p.services.at("380") == "alt-service");
  CHECK(p.trigger.empty());
}

TEST_CASE("a minimal profile: the defaults", "[profile]") {
  const auto p = load("[device]\naddress = \"127.0.0.1:5060\"\n", "my-pbx.toml");
  CHECK(p.name == "my-pbx");
  REQUIRE(p.address);
  CHECK(*p.address == endpoint{"127.0.0.1", 5060});
  CHECK(p.transport == protocol::udp);
  CHECK(p.transports == std::vector{protocol::udp});
  CHECK(p.parallel == 1);
  CHECK(p.capabilities.empty());
  CHECK(p.local == endpoint{"127.0.0.1", 0});
  CHECK(p.t1_ms == 500);
  CHECK_FALSE(p.t2_ms);
  CHECK(p.t2() == 4000);
  CHECK(p.timeout_s == 120);
  CHECK(p.timing_tolerance == 0.5);
  CHECK(p.services.empty());
  CHECK(p.trigger.empty());
}

TEST_CASE("profile defaults that follow other keys", "[profile]") {
  SECTION("T2 is 8 * T1 when only T1 is given") {
    const auto p = load("[device]\naddress = \"127.0.0.1:5060\"\n[timers]\nt1 = 100\n");
    CHECK_FALSE(p.t2_ms);
    CHECK(p.t2() == 800);
  }
  SECTION("an IPv6 device: sipwright binds [::1]:0") {
    const auto p = load("[device]\naddress = \"[::1]:5062\"\n");
    CHECK(*p.address == endpoint{"::1", 5062});
    CHECK(p.local == endpoint{"::1", 0});
  }
  SECTION("the default transport is the first of transports") {
    const auto p = load("[device]\naddress = \"127.0.0.1:5060\"\ntransports = [\"tcp\"]\n");
    CHECK(p.transport == protocol::tcp);
    CHECK(p.transports == std::vector{protocol::tcp});
  }
  SECTION("transports default to the transport; case does not matter") {
    const auto p = load("[device]\naddress = \"127.0.0.1:5060\"\ntransport = \"TCP\"\n");
    CHECK(p.transport == protocol::tcp);
    CHECK(p.transports == std::vector{protocol::tcp});
  }
  SECTION("a launched device, local without a port, an integer tolerance, a float timeout") {
    const auto p = load("[device]\n"
                        "launch = \"{sipwright} refdut --transport {transport} --t1 {t1} --t2 "
                        "{t2} --local 127.0.0.1:0 --log ${HOME}/x\"\n"
                        "[harness]\nlocal = \"127.0.0.2\"\n"
                        "[timers]\ntiming_tolerance = 1\ntimeout = 2.5\n");
    CHECK_FALSE(p.address);
    CHECK(p.launch == "{sipwright} refdut --transport {transport} --t1 {t1} --t2 {t2} --local "
                      "127.0.0.1:0 --log ${HOME}/x");
    CHECK(p.local == endpoint{"127.0.0.2", 0});
    CHECK(p.timing_tolerance == 1);
    CHECK(p.timeout_s == 2.5);
  }
  SECTION("the trigger takes the launch placeholders too") {
    const auto p = load("[device]\naddress = \"127.0.0.1:5060\"\n[trigger]\ncommand = "
                        "\"{sipwright} refdut --call {host}:{port} --user {user} --transport "
                        "{transport} --t1 {t1} --t2 {t2}\"\n");
    CHECK(prof::placeholders(p.trigger) ==
          std::vector<std::string>{"sipwright", "host", "port", "user", "transport", "t1", "t2"});
  }
  SECTION("inline tables, dotted keys and quoted status codes are TOML too") {
    const auto p = load("device = { address = \"127.0.0.1:5060\" }\n"
                        "timers.t1 = 200\n"
                        "services.\"486\" = \"busy\"\n");
    CHECK(p.t1_ms == 200);
    CHECK(p.services.at("486") == "busy");
  }
}

TEST_CASE("bad profiles are refused with FILE:LINE:COL and what is wrong", "[profile][errors]") {
  const std::string dev = "[device]\naddress = \"127.0.0.1:5060\"\n"; // two lines
  struct row {
    const char* what;
    std::string toml;
    std::string error;
  };
  const row rows[] = {
      // TOML syntax
      {"syntax error", "[device\naddress = \"127.0.0.1:5060\"\n",
       "1:8: error: TOML syntax error while parsing table header: expected ']', saw '\\n'"},
      {"duplicate key", dev + "address = \"127.0.0.1:5061\"\n",
       "3:11: error: TOML syntax error while parsing key-value pair: cannot redefine existing "
       "string 'address'"},
      // unknown tables and keys
      {"misspelt key", "[device]\ntranport = \"udp\"\naddress = \"127.0.0.1:5060\"\n",
       "2:1: error: unknown key 'tranport' in [device] (did you mean 'transport'?)"},
      {"transposed letters", dev + "paralel = 2\n",
       "3:1: error: unknown key 'paralel' in [device] (did you mean 'parallel'?)"},
      {"unknown key, nothing near", dev + "colour = \"red\"\n",
       "3:1: error: unknown key 'colour' in [device] (expected address, launch, transport, "
       "transports, parallel or capabilities)"},
      {"misspelt table", dev + "[timer]\nt1 = 100\n",
       "3:2: error: unknown table [timer] (did you mean [timers]?)"},
      {"unknown table", dev + "[media]\nport = 6000\n",
       "3:2: error: unknown table [media] (expected [device], [harness], [timers], [services], "
       "[trigger], [auth], [agents] or [tls])"},
      {"unknown top-level key", "nmae = \"x\"\n" + dev,
       "1:1: error: unknown key 'nmae' at the top level (did you mean 'name'?)"},
      {"a device key at the top level", "transport = \"udp\"\n" + dev,
       "1:1: error: unknown key 'transport' at the top level (it belongs in [device])"},
      {"capabilities after [trigger]",
       dev + "[trigger]\ncommand = \"x\"\ncapabilities = [\"update\"]\n",
       "5:1: error: unknown key 'capabilities' in [trigger] (it belongs in [device]; a key "
       "belongs to the [table] header above it)"},
      {"name after a table", dev + "name = \"x\"\n",
       "3:1: error: unknown key 'name' in [device] (it belongs at the top level, before the "
       "first [table] header)"},
      {"a status code outside [services]", dev + "486 = \"busy\"\n",
       "3:1: error: unknown key '486' in [device] (status codes belong in [services])"},
      {"a sub-table of a known table", dev + "[device.extra]\nx = 1\n",
       "3:9: error: unknown key 'extra' in [device] (expected address, launch, transport, "
       "transports, parallel or capabilities)"},
      {"the first problem in file order wins", dev + "[timers]\nt3 = 1\n[harness]\nlcal = \"\"\n",
       "4:1: error: unknown key 't3' in [timers] (did you mean 't1'?)"},
      // types
      {"name not a string", "name = 5\n" + dev,
       "1:8: error: name must be a string, not an integer"},
      {"empty name", "name = \" \"\n" + dev, "1:8: error: name must not be empty"},
      {"device not a table", "device = \"127.0.0.1:5060\"\n",
       "1:10: error: device must be a table ([device]), not a string"},
      {"device as an array of tables", "[[device]]\naddress = \"127.0.0.1:5060\"\n",
       "1:1: error: device must be a table ([device]), not an array"},
      {"parallel a string", dev + "parallel = \"8\"\n",
       "3:12: error: [device] parallel must be an integer, not a string"},
      {"t1 a float", dev + "[timers]\nt1 = 100.5\n",
       "4:6: error: [timers] t1 must be an integer, not a floating-point number"},
      {"timeout a string", dev + "[timers]\ntimeout = \"30s\"\n",
       "4:11: error: [timers] timeout must be a number, not a string"},
      {"transports a string", dev + "transports = \"udp\"\n",
       "3:14: error: [device] transports must be an array of strings (e.g. [\"udp\", \"tcp\"]), "
       "not a string"},
      {"transports holding a number", dev + "transports = [\"udp\", 5]\n",
       "3:22: error: [device] transports must hold strings, not an integer"},
      {"user not a string", dev + "[services]\n486 = 1001\n",
       "4:7: error: [services] 486 must be a string (the user, e.g. \"busy\"), not an integer"},
      {"trigger a string", dev + "trigger = \"ssh pbx\"\n",
       "3:1: error: unknown key 'trigger' in [device] (expected address, launch, transport, "
       "transports, parallel or capabilities)"},
      {"trigger a top-level string", "trigger = \"ssh pbx\"\n" + dev,
       "1:11: error: trigger must be a table ([trigger]), not a string"},
      // [device] values
      {"no [device]", "name = \"x\"\n",
       "error: the profile has no [device] table: give [device] address (a device that runs "
       "already) or launch (a command that starts it)"},
      {"neither address nor launch", "[device]\nparallel = 2\n",
       "1:1: error: [device] needs address (a device that runs already) or launch (a command "
       "that starts it)"},
      {"both address and launch", dev + "launch = \"refdut\"\n",
       "3:1: error: [device] has both address and launch: give exactly one (address for a "
       "device that runs already, launch for a command that starts it)"},
      {"address with a host name", "[device]\naddress = \"pbx.example.com:5060\"\n",
       "2:11: error: [device] address must be HOST:PORT with a numeric IPv4 host or an [IPv6] "
       "host and a port 1 to 65535 (e.g. \"192.0.2.10:5060\", \"[2001:db8::1]:5060\"), not "
       "\"pbx.example.com:5060\""},
      {"address without a port", "[device]\naddress = \"192.0.2.10\"\n",
       "2:11: error: [device] address must be HOST:PORT with a numeric IPv4 host or an [IPv6] "
       "host and a port 1 to 65535 (e.g. \"192.0.2.10:5060\", \"[2001:db8::1]:5060\"), not "
       "\"192.0.2.10\""},
      {"address with port 0", "[device]\naddress = \"192.0.2.10:0\"\n",
       "2:11: error: [device] address must be HOST:PORT with a numeric IPv4 host or an [IPv6] "
       "host and a port 1 to 65535 (e.g. \"192.0.2.10:5060\", \"[2001:db8::1]:5060\"), not "
       "\"192.0.2.10:0\""},
      {"address with port 65536", "[device]\naddress = \"192.0.2.10:65536\"\n",
       "2:11: error: [device] address must be HOST:PORT with a numeric IPv4 host or an [IPv6] "
       "host and a port 1 to 65535 (e.g. \"192.0.2.10:5060\", \"[2001:db8::1]:5060\"), not "
       "\"192.0.2.10:65536\""},
      {"empty launch", "[device]\nlaunch = \" \"\n",
       "2:10: error: [device] launch must not be empty"},
      {"misspelt placeholder in launch", "[device]\nlaunch = \"refdut --t1 {t_1}\"\n",
       "2:10: error: unknown placeholder {t_1} in [device] launch (did you mean {t1}? it takes "
       "{sipwright}, {transport}, {t1} or {t2})"},
      {"trigger placeholder in launch", "[device]\nlaunch = \"refdut --local {host}:{port}\"\n",
       "2:10: error: unknown placeholder {host} in [device] launch (it takes {sipwright}, "
       "{transport}, {t1} or {t2})"},
      {"bad transport", dev + "transport = \"sctp\"\n",
       "3:13: error: [device] transport must be \"udp\", \"tcp\" or \"tls\", not \"sctp\""},
      {"bad transports entry", dev + "transports = [\"udp\", \"dtls\"]\n",
       "3:22: error: [device] transports must hold \"udp\", \"tcp\" or \"tls\", not \"dtls\""},
      {"transports without the TLS transport",
       dev + "transport = \"tls\"\ntransports = [\"tcp\"]\n",
       "4:14: error: [device] transports must include the default transport \"tls\""},
      {"transport twice", dev + "transports = [\"udp\", \"UDP\"]\n",
       "3:22: error: [device] transports lists \"UDP\" twice"},
      {"empty transports", dev + "transports = []\n",
       "3:14: error: [device] transports must not be empty"},
      {"transports without the transport", dev + "transport = \"udp\"\ntransports = [\"tcp\"]\n",
       "4:14: error: [device] transports must include the default transport \"udp\""},
      {"parallel 0", dev + "parallel = 0\n",
       "3:12: error: [device] parallel must be between 1 and 10000, not 0"},
      {"capability with a space", dev + "capabilities = [\"early media\"]\n",
       "3:17: error: [device] capabilities must be single words, as scenarios name them, not "
       "\"early media\""},
      {"empty capability", dev + "capabilities = [\"\"]\n",
       "3:17: error: [device] capabilities must be single words, as scenarios name them, not "
       "\"\""},
      // [harness]
      {"bad local", dev + "[harness]\nlocal = \"any:5060\"\n",
       "4:9: error: [harness] local must be HOST:PORT with a numeric IPv4 host or an [IPv6] "
       "host (port 0: a free port), not \"any:5060\""},
      // [timers]
      {"t1 0", dev + "[timers]\nt1 = 0\n",
       "4:6: error: [timers] t1 must be between 1 and 86400000 ms, not 0"},
      {"t1 above a day", dev + "[timers]\nt1 = 86400001\n",
       "4:6: error: [timers] t1 must be between 1 and 86400000 ms, not 86400001"},
      {"t2 below t1", dev + "[timers]\nt1 = 500\nt2 = 400\n",
       "5:6: error: [timers] t2 must be at least t1 (500 ms), not 400"},
      {"t2 below the default t1", dev + "[timers]\nt2 = 100\n",
       "4:6: error: [timers] t2 must be at least t1 (500 ms), not 100"},
      {"timeout 0", dev + "[timers]\ntimeout = 0\n",
       "4:11: error: [timers] timeout must be more than 0 and at most 86400 s, not 0"},
      {"timeout nan", dev + "[timers]\ntimeout = nan\n",
       "4:11: error: [timers] timeout must be more than 0 and at most 86400 s, not nan"},
      {"tolerance above 10", dev + "[timers]\ntiming_tolerance = 10.5\n",
       "4:20: error: [timers] timing_tolerance must be between 0 and 10, not 10.5"},
      {"negative tolerance", dev + "[timers]\ntiming_tolerance = -1\n",
       "4:20: error: [timers] timing_tolerance must be between 0 and 10, not -1"},
      // [services]
      {"service key not a status code", dev + "[services]\n48 = \"busy\"\n",
       "4:1: error: [services] key '48' must be a status code 100 to 699, the status the user "
       "makes the device answer with"},
      {"service key 700", dev + "[services]\n700 = \"x\"\n",
       "4:1: error: [services] key '700' must be a status code 100 to 699, the status the user "
       "makes the device answer with"},
      {"service key a word", dev + "[services]\nbusy = \"486\"\n",
       "4:1: error: [services] key 'busy' must be a status code 100 to 699, the status the user "
       "makes the device answer with"},
      {"empty user", dev + "[services]\n486 = \"\"\n",
       "4:7: error: [services] 486 must not be empty"},
      {"user with a space", dev + "[services]\n486 = \"the busy one\"\n",
       "4:7: error: [services] 486 must be the user part of a SIP URI (RFC 3261 25.1: letters, "
       "digits, -_.!~*'()&=+$,;?/ and %HH escapes), not \"the busy one\""},
      {"user with a bad escape", dev + "[services]\n486 = \"bu%4\"\n",
       "4:7: error: [services] 486 must be the user part of a SIP URI (RFC 3261 25.1: letters, "
       "digits, -_.!~*'()&=+$,;?/ and %HH escapes), not \"bu%4\""},
      // [trigger]
      {"trigger without command", dev + "[trigger]\n",
       "3:1: error: [trigger] needs command (the command that makes the device call)"},
      {"empty trigger command", dev + "[trigger]\ncommand = \"\"\n",
       "4:11: error: [trigger] command must not be empty"},
      {"misspelt placeholder in trigger", dev + "[trigger]\ncommand = \"originate {usr}\"\n",
       "4:11: error: unknown placeholder {usr} in [trigger] command (did you mean {user}? it "
       "takes {host}, {port}, {user}, {transport}, {sipwright}, {t1} or {t2})"},
      {"unknown placeholder in trigger", dev + "[trigger]\ncommand = \"originate {dut}\"\n",
       "4:11: error: unknown placeholder {dut} in [trigger] command (it takes {host}, {port}, "
       "{user}, {transport}, {sipwright}, {t1} or {t2})"},
  };
  for (const auto& r : rows) {
    INFO(r.what << ":\n" << r.toml);
    CHECK(error_of(r.toml) == r.error);
  }
}

TEST_CASE("a profile_error keeps file, position and text apart", "[profile][errors]") {
  temp_profile f("[device]\nparallel = 0\naddress = \"127.0.0.1:5060\"\n");
  try {
    prof::load_profile(f.path());
    FAIL("no error");
  } catch (const prof::profile_error& e) {
    CHECK(e.file() == f.str());
    CHECK(e.line() == 2);
    CHECK(e.column() == 12);
    CHECK(e.text() == "[device] parallel must be between 1 and 10000, not 0");
  }
}

TEST_CASE("an unreadable profile is an error without a position", "[profile][errors]") {
  temp_profile f("");
  const auto missing = f.path().parent_path() / "missing.toml";
  CHECK_THROWS_WITH(prof::load_profile(missing),
                    missing.string() +
                        ": error: cannot read the device profile: No such file or directory");
  const auto dir = f.path().parent_path();
  CHECK_THROWS_WITH(prof::load_profile(dir),
                    dir.string() + ": error: cannot read the device profile: Is a directory");
  CHECK_THROWS_AS(prof::load_profile(missing), std::runtime_error);
}

TEST_CASE("an empty file has no [device]", "[profile][errors]") {
  temp_profile f("");
  CHECK_THROWS_WITH(prof::load_profile(f.path()),
                    f.str() + ": error: the profile has no [device] table: give [device] "
                              "address (a device that runs already) or launch (a command that "
                              "starts it)");
}

TEST_CASE("placeholders: {name} in commands, not ${name} or other braces", "[profile]") {
  CHECK(prof::placeholders("{sipwright} refdut --t1 {t1} --t2 {t2}") ==
        std::vector<std::string>{"sipwright", "t1", "t2"});
  CHECK(prof::placeholders("echo ${HOME} {} {1} {a b} {a-b} { x } {x_1}") ==
        std::vector<std::string>{"x_1"});
  CHECK(prof::placeholders("{{t1}} {t1") == std::vector<std::string>{"t1"});
  CHECK(prof::placeholders("").empty());
}

TEST_CASE("expand fills known placeholders and leaves everything else", "[profile]") {
  const std::map<std::string, std::string> fields = {
      {"host", "127.0.0.1"}, {"port", "5070"}, {"transport", "udp"}, {"user", "busy"}};
  CHECK(prof::expand("ssh pbx originate {user} {host}:{port} {transport}", fields) ==
        "ssh pbx originate busy 127.0.0.1:5070 udp");
  CHECK(prof::expand("{port}{port}", fields) == "50705070");
  SECTION("unknown placeholders, shell braces and ${name} stay as written") {
    CHECK(prof::expand("{unknown} ${host} {} { host } awk '{print $1}'", fields) ==
          "{unknown} ${host} {} { host } awk '{print $1}'");
  }
  SECTION("a value is not expanded again") {
    CHECK(prof::expand("{user}", {{"user", "{host}"}, {"host", "x"}}) == "{host}");
  }
  SECTION("no fields, no change") {
    CHECK(prof::expand("refdut --t1 {t1}", {}) == "refdut --t1 {t1}");
  }
}

namespace {

sc::metadata meta(sc::role device, std::string service = "",
                  std::vector<std::string> capabilities = {},
                  std::vector<std::string> transports = {}) {
  sc::metadata m;
  m.id = device == sc::role::callee ? "device-callee/x" : "device-caller/x";
  m.title = "x";
  m.device = device;
  m.service = std::move(service);
  m.capabilities = std::move(capabilities);
  m.transports = std::move(transports);
  return m;
}

prof::profile device_profile() {
  prof::profile p;
  p.address = endpoint{"127.0.0.1", 5060};
  p.transports = {protocol::udp, protocol::tcp};
  p.capabilities = {"100rel"};
  p.services = {{"200", "1001"}, {"486", "busy"}};
  p.trigger = "originate {user} {host}:{port}";
  return p;
}

} // namespace

TEST_CASE("skip_reason: scenarios that apply are played", "[profile][skip]") {
  const auto p = device_profile();
  CHECK_FALSE(prof::skip_reason(p, meta(sc::role::callee, "486"), protocol::udp));
  CHECK_FALSE(prof::skip_reason(p, meta(sc::role::callee), protocol::tcp));
  CHECK_FALSE(
      prof::skip_reason(p, meta(sc::role::callee, "200", {"100rel"}, {"UDP"}), protocol::udp));
  CHECK_FALSE(prof::skip_reason(p, meta(sc::role::caller, "200"), protocol::udp));
}

TEST_CASE("skip_reason: a capability the profile does not list", "[profile][skip]") {
  CHECK(prof::skip_reason(device_profile(), meta(sc::role::callee, "", {"100rel", "update"}),
                          protocol::udp) == "the device profile does not list capability 'update'");
  CHECK(prof::skip_reason(prof::profile{}, meta(sc::role::callee, "", {"100rel"}), protocol::udp) ==
        "the device profile does not list capability '100rel'");
}

TEST_CASE("skip_reason: the scenario's metadata excludes the transport", "[profile][skip]") {
  CHECK(prof::skip_reason(device_profile(), meta(sc::role::callee, "", {}, {"udp"}),
                          protocol::tcp) == "the scenario is not for tcp (its transports: udp)");
}

TEST_CASE("skip_reason: the device's transports exclude the transport", "[profile][skip]") {
  auto p = device_profile();
  p.transports = {protocol::udp};
  CHECK(prof::skip_reason(p, meta(sc::role::callee), protocol::tcp) ==
        "the device profile's transports do not include tcp");
}

TEST_CASE("skip_reason: no [services] user for the status a device-callee scenario needs",
          "[profile][skip]") {
  CHECK(prof::skip_reason(device_profile(), meta(sc::role::callee, "503"), protocol::udp) ==
        "the profile's [services] names no user for 503");
  // A device-caller scenario: sipwright gives the status; the metadata service is the user.
  CHECK_FALSE(prof::skip_reason(device_profile(), meta(sc::role::caller, "380"), protocol::udp));
}

TEST_CASE("skip_reason: a device-caller scenario without a [trigger]", "[profile][skip]") {
  auto p = device_profile();
  p.trigger.clear();
  CHECK(prof::skip_reason(p, meta(sc::role::caller, "200"), protocol::udp) ==
        "no [trigger] command: the device cannot be made to call");
  CHECK_FALSE(prof::skip_reason(p, meta(sc::role::callee, "200"), protocol::udp));
}

TEST_CASE("skip_reason: the first reason in the documented order", "[profile][skip]") {
  prof::profile p; // no capabilities, udp only, no services, no trigger
  p.transports = {protocol::udp};
  CHECK(prof::skip_reason(p, meta(sc::role::caller, "486", {"x"}, {"udp"}), protocol::tcp) ==
        "the device profile does not list capability 'x'");
  CHECK(prof::skip_reason(p, meta(sc::role::caller, "486", {}, {"udp"}), protocol::tcp) ==
        "the scenario is not for tcp (its transports: udp)");
  CHECK(prof::skip_reason(p, meta(sc::role::caller, "486"), protocol::tcp) ==
        "the device profile's transports do not include tcp");
  CHECK(prof::skip_reason(p, meta(sc::role::callee, "486"), protocol::udp) ==
        "the profile's [services] names no user for 486");
  CHECK(prof::skip_reason(p, meta(sc::role::caller, "486"), protocol::udp) ==
        "no [trigger] command: the device cannot be made to call");
}

TEST_CASE("service_user: the [services] user, else the metadata service", "[profile]") {
  const auto p = device_profile();
  CHECK(prof::service_user(p, meta(sc::role::callee, "486")) == "busy");
  CHECK(prof::service_user(p, meta(sc::role::caller, "380")) == "380");
  CHECK(prof::service_user(p, meta(sc::role::callee)) == "");
}

TEST_CASE("[auth]: the credentials, the password kept out of the file", "[profile]") {
  const auto p = load("[device]\naddress = \"127.0.0.1:5060\"\n[auth]\nuser = \"bob\"\n"
                      "password_env = \"PBX_PASSWORD\"\nrealm = \"lab\"\n");
  REQUIRE(p.auth);
  CHECK(p.auth->user == "bob");
  CHECK(p.auth->password_env == "PBX_PASSWORD");
  CHECK(p.auth->password.empty());
  CHECK(p.auth->realm == "lab");
  CHECK(!load("[device]\naddress = \"127.0.0.1:5060\"\n").auth);
  CHECK(error_of("[device]\naddress = \"127.0.0.1:5060\"\n[auth]\nuser = \"bob\"\n") ==
        "3:1: error: [auth] needs password_env (the environment variable that holds the "
        "password) or password");
  CHECK(error_of("[device]\naddress = \"127.0.0.1:5060\"\n[auth]\nuser = \"bob\"\npassword = "
                 "\"x\"\npassword_env = \"Y\"\n") ==
        "6:16: error: [auth] has both password and password_env: give one (password_env keeps "
        "the password out of the file)");
  CHECK(error_of("[device]\naddress = \"127.0.0.1:5060\"\n[auth]\npassword = \"x\"\n") ==
        "3:1: error: [auth] needs user (the user name to authenticate as)");
}

TEST_CASE("[agents.NAME]: each agent's credentials and address", "[profile]") {
  const auto p = load("[device]\naddress = \"127.0.0.1:5060\"\n"
                      "[agents.alice]\nuser = \"alice\"\npassword_env = \"ALICE_PASSWORD\"\n"
                      "[agents.bob]\nlocal = \"127.0.0.2:5070\"\n");
  REQUIRE(p.agents.size() == 2);
  REQUIRE(p.agents.at("alice").auth);
  CHECK(p.agents.at("alice").auth->user == "alice");
  CHECK(p.agents.at("alice").auth->password_env == "ALICE_PASSWORD");
  CHECK(!p.agents.at("alice").local);
  CHECK(!p.agents.at("bob").auth);
  REQUIRE(p.agents.at("bob").local);
  CHECK(p.agents.at("bob").local->str() == "127.0.0.2:5070");
  const std::string dev = "[device]\naddress = \"127.0.0.1:5060\"\n";
  CHECK(error_of(dev + "[agents.bob]\nuser = \"bob\"\n") ==
        "3:1: error: [agents.bob] needs password_env (the environment variable that holds the "
        "password) or password");
  CHECK(error_of(dev + "[agents.bob]\nlocale = \"127.0.0.1\"\n") ==
        "4:1: error: unknown key 'locale' in [agents.bob] (did you mean 'local'?)");
  CHECK(error_of(dev + "[agents.bob]\nlocal = \"somewhere\"\n") ==
        "4:9: error: [agents.bob] local must be HOST:PORT with a numeric IPv4 host or an [IPv6] "
        "host (port 0: a free port), not \"somewhere\"");
  CHECK(error_of(dev + "[agents]\nbob = 1\n") ==
        "4:7: error: agents.bob must be a table ([agents.bob]), not an integer");
}

TEST_CASE("[tls]: sipwright's certificate, the CA store, the lab's insecure mode",
          "[profile][tls]") {
  SECTION("defaults: no certificate of its own, the device's checked against the system store") {
    const auto p = load("[device]\naddress = \"127.0.0.1:5061\"\ntransport = \"tls\"\n");
    CHECK(p.transport == protocol::tls);
    CHECK(p.transports == std::vector{protocol::tls});
    CHECK(p.tls.certificate.empty());
    CHECK(p.tls.private_key.empty());
    CHECK(p.tls.ca.empty());
    CHECK(p.tls.verify);
    CHECK(p.tls.server_name.empty());
    CHECK_FALSE(p.tls.require_client_certificate);
  }
  SECTION("every key; relative paths from the profile's folder") {
    temp_profile f(
        "[device]\naddress = \"127.0.0.1:5061\"\ntransports = [\"udp\", \"TLS\"]\n"
        "[tls]\ncertificate = \"certs/sipwright.pem\"\nkey = \"/etc/lab/sipwright.key\"\n"
        "ca = \"lab-ca.pem\"\nverify = false\nserver_name = \"pbx.lab.example\"\n"
        "verify_client = true\n");
    const auto p = prof::load_profile(f.path());
    CHECK(p.transports == std::vector{protocol::udp, protocol::tls});
    const auto dir = f.path().parent_path();
    CHECK(p.tls.certificate == (dir / "certs/sipwright.pem").string());
    CHECK(p.tls.private_key == "/etc/lab/sipwright.key");
    CHECK(p.tls.ca == (dir / "lab-ca.pem").string());
    CHECK_FALSE(p.tls.verify);
    CHECK(p.tls.server_name == "pbx.lab.example");
    CHECK(p.tls.require_client_certificate);
  }
  const std::string dev = "[device]\naddress = \"127.0.0.1:5061\"\n[tls]\n";
  CHECK(error_of(dev + "verify = \"no\"\n") ==
        "4:10: error: [tls] verify must be true or false, not a string");
  CHECK(error_of(dev + "certificate = \"a.pem\"\n") ==
        "4:15: error: [tls] certificate needs key (its private key) beside it");
  CHECK(error_of(dev + "key = \"a.key\"\n") ==
        "4:7: error: [tls] key needs certificate (the certificate it belongs to)");
  CHECK(error_of(dev + "ca = \"\"\n") == "4:6: error: [tls] ca must not be empty");
  CHECK(error_of(dev + "server_name = \"a b\"\n") ==
        "4:15: error: [tls] server_name must be a DNS name or an IP address, not \"a b\"");
  // A bracketed IPv6 address is the address (checked as an IP address, RFC 5922 7.3), not a DNS
  // name.
  CHECK(load(dev + "server_name = \"[::1]\"\n").tls.server_name == "::1");
  CHECK(load(dev + "server_name = \"[2001:DB8::5]\"\n").tls.server_name == "2001:DB8::5");
  CHECK(error_of(dev + "server_name = \"[pbx.lab.example]\"\n") ==
        "4:15: error: [tls] server_name must be a DNS name or an IP address, not "
        "\"[pbx.lab.example]\"");
  CHECK(error_of(dev + "insecure = true\n") ==
        "4:1: error: unknown key 'insecure' in [tls] (expected certificate, key, ca, verify, "
        "server_name or verify_client)");
  CHECK(error_of(dev + "certifcate = \"a.pem\"\n") ==
        "4:1: error: unknown key 'certifcate' in [tls] (did you mean 'certificate'?)");
}
