// Parsegrind: in stream mode, every input split at every byte offset, and fed byte by byte,
// gives the same messages and errors as the whole input at once.
#include "sipwright/parser/parser.hpp"
#include "test_files.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using namespace sipwright;

namespace {

struct event {
  parser::status status;
  std::string bytes;      // the message, when one was framed
  std::string error_code; // when status is error
  std::uint32_t error_offset = 0;
  bool operator==(const event&) const = default;
};

// Feeds `input` in chunks cut at `cuts` (ascending offsets) and records every outcome.
std::vector<event> run(std::string_view input, const std::vector<std::size_t>& cuts) {
  parser::parser p(parser::options{.mode = parser::mode::stream});
  std::vector<event> events;
  std::size_t from = 0;
  auto feed = [&](std::string_view chunk) {
    while (!chunk.empty()) {
      auto r = p.put(chunk);
      chunk.remove_prefix(r.consumed);
      if (r.status == parser::status::need_more) {
        if (r.consumed == 0) return false;
        continue;
      }
      event e{r.status, {}, {}, 0};
      if (r.status == parser::status::error) {
        e.error_code = p.error().code;
        e.error_offset = p.error().offset;
      }
      if (p.has_message()) e.bytes = std::string(p.release().bytes());
      events.push_back(e);
      if (r.status == parser::status::error) return false;
    }
    return true;
  };
  bool alive = true;
  for (std::size_t cut : cuts) {
    if (alive) alive = feed(input.substr(from, cut - from));
    from = cut;
  }
  if (alive) alive = feed(input.substr(from));
  if (alive && p.finish().status == parser::status::error)
    events.push_back({parser::status::error, {}, std::string(p.error().code), p.error().offset});
  return events;
}

using test::slurp;

std::vector<std::pair<std::string, std::string>> inputs() {
  std::vector<std::pair<std::string, std::string>> out;
  const fs::path messages = fs::path(SIPWRIGHT_SOURCE_DIR) / "suite/messages";
  std::string all;
  for (const char* f : {"invite.sip", "200-ok.sip", "ack.sip", "380-alternative-service.sip"}) {
    auto bytes = slurp(messages / f);
    out.emplace_back(f, bytes);
    all += "\r\n\r\n" + bytes; // keep-alive CRLFs between messages (RFC 5626 3.5.1)
  }
  out.emplace_back("four messages with keep-alives", all);
  const fs::path corpus{SIPWRIGHT_CORPUS_DIR};
  if (fs::is_directory(corpus)) {
    for (const char* dir : {"rfc4475", "rfc5118"})
      for (const auto& e : fs::directory_iterator(corpus / dir))
        out.emplace_back(e.path().filename().string(), slurp(e.path()));
  } else {
    WARN("torture corpus not found at " << corpus.string()
                                        << "; grinding the example messages only");
  }
  return out;
}

} // namespace

TEST_CASE("stream parse gives the same result at every split offset", "[parsegrind][stream]") {
  for (const auto& [name, input] : inputs()) {
    INFO(name);
    auto whole = run(input, {});
    REQUIRE_FALSE(whole.empty());
    for (std::size_t cut = 1; cut < input.size(); ++cut) {
      INFO("split at " << cut);
      REQUIRE(run(input, {cut}) == whole);
    }
  }
}

TEST_CASE("stream parse byte by byte gives the same result as the whole", "[parsegrind][stream]") {
  for (const auto& [name, input] : inputs()) {
    INFO(name);
    std::vector<std::size_t> cuts;
    for (std::size_t i = 1; i < input.size(); ++i) cuts.push_back(i);
    REQUIRE(run(input, cuts) == run(input, {}));
  }
}

TEST_CASE("four framed messages come out of one stream in order", "[parsegrind][stream]") {
  auto all = inputs();
  auto events = run(all[4].second, {});
  REQUIRE(events.size() == 4);
  for (std::size_t i = 0; i < 4; ++i) {
    CHECK(events[i].status == parser::status::done);
    CHECK(events[i].bytes == all[i].second); // byte-exact
  }
}
