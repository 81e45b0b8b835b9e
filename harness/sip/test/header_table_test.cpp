// The header table: names, compact forms (RFC 3261 7.3.3) and sections.
#include "sipwright/sip/header_table.hpp"

#include <catch2/catch.hpp>

using namespace sipwright::sip;

TEST_CASE("header names are found case-insensitively (RFC 3261 7.3.1)", "[header_table]") {
  CHECK(lookup_header("Via") == header_id::via);
  CHECK(lookup_header("vIA") == header_id::via);
  CHECK(lookup_header("CALL-ID") == header_id::call_id);
  CHECK(lookup_header("WWW-Authenticate") == header_id::www_authenticate);
  CHECK(lookup_header("X-Custom") == header_id::unknown);
  CHECK(lookup_header("") == header_id::unknown);
  CHECK(lookup_header("C%6Fntact") == header_id::unknown);
}

TEST_CASE("compact forms map to their headers (RFC 3261 7.3.3)", "[header_table]") {
  const std::pair<const char*, header_id> rows[] = {
      {"i", header_id::call_id},
      {"m", header_id::contact},
      {"e", header_id::content_encoding},
      {"l", header_id::content_length},
      {"c", header_id::content_type},
      {"f", header_id::from},
      {"s", header_id::subject},
      {"k", header_id::supported},
      {"t", header_id::to},
      {"v", header_id::via},
      {"o", header_id::event},
      {"r", header_id::refer_to},
      {"u", header_id::allow_events},
      {"x", header_id::session_expires},
      {"L", header_id::content_length},
      {"z", header_id::unknown},
      {"1", header_id::unknown},
  };
  for (auto [name, id] : rows) {
    INFO(name);
    CHECK(lookup_header(name) == id);
  }
}

TEST_CASE("every known header round-trips through its row", "[header_table]") {
  for (int i = 1; i <= static_cast<int>(header_id::www_authenticate); ++i) {
    auto id = static_cast<header_id>(i);
    const auto& row = info(id);
    INFO(row.name);
    CHECK(row.id == id);
    CHECK(lookup_header(row.name) == id);
    CHECK_FALSE(row.section.empty());
    if (row.compact) CHECK(lookup_header(std::string_view(&row.compact, 1)) == id);
  }
  CHECK(info(header_id::via).kind == header_kind::list);
  CHECK(info(header_id::cseq).kind == header_kind::single);
  CHECK(info(header_id::cseq).section == "RFC 3261 20.16");
  CHECK(info(header_id::unknown).name == "(extension)");
}
