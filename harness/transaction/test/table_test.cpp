// Every row of every transition table is taken once (RFC 3261 figures 5-8, RFC 6026 7).
#include "drive.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <set>
#include <string>
#include <utility>

using namespace sipwright::transaction;
using namespace sipwright::transaction::test;

namespace {

// A way into each state of each figure, as inputs after start().
std::vector<input> path_to(kind k, state s) {
  using enum input;
  switch (k) {
  case kind::invite_client:
    if (s == state::proceeding) return {recv_1xx};
    if (s == state::accepted) return {recv_2xx};
    if (s == state::completed) return {recv_300_699};
    return {};
  case kind::non_invite_client:
    if (s == state::proceeding) return {recv_1xx};
    if (s == state::completed) return {recv_2xx};
    return {};
  case kind::invite_server:
    if (s == state::accepted) return {tu_2xx};
    if (s == state::completed) return {tu_300_699};
    if (s == state::confirmed) return {tu_300_699, recv_ack};
    return {};
  case kind::non_invite_server:
    if (s == state::proceeding) return {tu_1xx};
    if (s == state::completed) return {tu_2xx};
    return {};
  }
  return {};
}

bool guard_allows(guard g, bool reliable) {
  return g == guard::none || (g == guard::reliable) == reliable;
}

} // namespace

TEST_CASE("every transition of every table is taken and lands in its next state",
          "[transaction][table][rfc3261][rfc6026]") {
  for (kind k : {kind::invite_client, kind::non_invite_client, kind::invite_server,
                 kind::non_invite_server}) {
    auto rows = table(k);
    std::set<std::size_t> taken;
    for (bool reliable : {false, true}) {
      for (std::size_t n = 0; n < rows.size(); ++n) {
        const row& r = rows[n];
        if (!guard_allows(r.guard, reliable)) continue;
        INFO(to_string(k) << " row " << n << ": " << to_string(r.from) << " + " << to_string(r.on)
                          << (reliable ? " (reliable)" : " (unreliable)"));
        // The bare machine, no clock: zero-length timers must not fire on the way.
        machine m(k, fast(reliable));
        if (r.from != state::idle) {
          m.start(0ms);
          for (input in : path_to(k, r.from)) m.handle(in, 0ms);
        }
        REQUIRE(m.current() == r.from);
        if (is_timer(r.on) && !m.running(timer_of(r.on))) {
          // Only the retransmission timers are absent, and only on reliable transports.
          CHECK(reliable);
          CHECK((r.on == input::timer_a || r.on == input::timer_e || r.on == input::timer_g));
          continue;
        }
        auto before = m.history().size();
        auto acts = r.from == state::idle ? m.start(1ms) : m.handle(r.on, 1ms);
        CHECK(m.current() == r.to);
        REQUIRE(m.history().size() == before + 1);
        CHECK(m.history().back().on == r.on);
        CHECK(m.history().back().at == 1ms);
        bool ends = !acts.empty() && acts.back().kind == action_kind::terminated;
        CHECK(ends == (r.to == state::terminated));
        taken.insert(n);
      }
    }
    INFO(to_string(k));
    CHECK(taken.size() == rows.size());
  }
}

TEST_CASE("each table has at most one row per state, input and transport", "[transaction][table]") {
  for (kind k : {kind::invite_client, kind::non_invite_client, kind::invite_server,
                 kind::non_invite_server}) {
    for (bool reliable : {false, true}) {
      std::set<std::pair<state, input>> seen;
      for (const row& r : table(k)) {
        if (!guard_allows(r.guard, reliable)) continue;
        INFO(to_string(k) << ": " << to_string(r.from) << " + " << to_string(r.on));
        CHECK(seen.insert({r.from, r.on}).second);
      }
    }
  }
}

TEST_CASE("tables use the RFC state names of their figure", "[transaction][table][rfc3261]") {
  auto states_of = [](kind k) {
    std::set<std::string> out;
    for (const row& r : table(k)) {
      out.insert(std::string(to_string(r.from)));
      out.insert(std::string(to_string(r.to)));
    }
    return out;
  };
  using set = std::set<std::string>;
  CHECK(states_of(kind::invite_client) ==
        set{"idle", "calling", "proceeding", "accepted", "completed", "terminated"});
  CHECK(states_of(kind::non_invite_client) ==
        set{"idle", "trying", "proceeding", "completed", "terminated"});
  CHECK(states_of(kind::invite_server) ==
        set{"idle", "proceeding", "accepted", "completed", "confirmed", "terminated"});
  CHECK(states_of(kind::non_invite_server) ==
        set{"idle", "trying", "proceeding", "completed", "terminated"});
}

TEST_CASE("a stale timer (cancelled or never armed) is ignored", "[transaction][table]") {
  drive d(kind::invite_client, fast());
  d.start();
  d.at(10ms, input::recv_1xx); // cancels A and B
  CHECK(d.at(20ms, input::timer_a).empty());
  CHECK(d.at(30ms, input::timer_b).empty());
  CHECK(d.at(40ms, input::timer_d).empty());
  CHECK(d.current() == state::proceeding);
}
