// Every element and attribute of the vocabulary lands in the model as the engine expects it.
#include "support.hpp"

#include <catch2/catch.hpp>

using namespace scenario_test;
using sc::action;
using sc::step;

namespace {

const std::string full = R"(<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="full">
  <Global variables="g1, g2"/>
  <User variables="u"/>
  <Reference variables="r"/>
  <recv request="INVITE" timeout="2s" ontimeout="end" rrs="true" response_txn="t1"
        optional="global" crlf="true" rtd="x" counter="c" display="d" hide="true">
    <!-- comments are allowed anywhere -->
    <action>
      <ereg regexp="^From:.*" search_in="hdr" header="From:" case_indep="true"
            occurrence="2" start_line="true" check_it_inverse="true" assign_to="all, user"/>
      <ereg regexp="a" search_in="var" variable="user" check_it="true" assign_to="m"/>
      <ereg regexp="v=0" search_in="body"/>
      <assign assign_to="n" value="-1.5"/>
      <assign assign_to="n2" variable="n"/>
      <add assign_to="n" value="2"/>
      <subtract assign_to="n" value="1"/>
      <multiply assign_to="n" value="3"/>
      <divide assign_to="n" value="4"/>
      <test assign_to="big" variable="n" compare="greater_than_equal" value="10"/>
      <test assign_to="same" variable="n" compare="not_equal" variable2="n2"/>
      <strcmp assign_to="s" variable="user" value="alice"/>
      <strcmp assign_to="s2" variable="user" variable2="g1"/>
      <log message="user [$user]"/>
      <warning message="odd"/>
      <exec command="echo hi"/>
      <exec int_cmd="stop_gracefully"/>
    </action>
  </recv>
  <send retrans="500" lost="10" start_txn="t2" next="end" test="big" chance="0.25"><!-- c -->
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      Content-Length: [len]
    ]]>
  </send>
  <recv request="ACK|BYE" regexp_match="true" auth="true" lost="5"/>
  <send ack_txn="t2"><![CDATA[ACK sip:a@b SIP/2.0]]></send>
  <recv response="180" optional="true"/>
  <pause variable="n" next="end" test="g2"/>
  <pause milliseconds="1500ms"/>
  <timewait milliseconds="1m"/>
  <nop test="u" next="end"><action><assign assign_to="z" value="0"/></action></nop>
  <label id="end"/>
  <ResponseTimeRepartition value="10, 20"/>
  <CallLengthRepartition value="10"/>
</scenario>
)";

} // namespace

TEST_CASE("a scenario using the whole vocabulary loads into the model", "[scenario][model]") {
  const auto s = load(full);
  CHECK(s.name == "full");
  CHECK(s.role == sc::role::callee);
  REQUIRE(s.steps.size() == 10);

  const auto& invite = s.steps[0];
  CHECK(invite.what == step::kind::recv);
  CHECK(invite.pos.line == 7);
  CHECK(invite.pos.column == 3);
  CHECK(invite.request == "INVITE");
  CHECK(invite.timeout->count() == 2000);
  CHECK(invite.ontimeout_index == 9);
  CHECK(invite.rrs);
  CHECK(invite.response_txn == "t1");
  CHECK(invite.optional);
  CHECK(invite.optional_global);
  REQUIRE(invite.actions.size() == 17);
  const auto& a = invite.actions;
  CHECK(a[0].what == action::kind::ereg);
  CHECK(a[0].where == action::search_in::hdr);
  CHECK(a[0].case_indep);
  CHECK(a[0].occurrence == 2);
  CHECK(a[0].start_line);
  CHECK(a[0].check_it_inverse);
  CHECK(a[0].assign_to == std::vector<std::string>{"all", "user"});
  CHECK(a[0].pos.line == 11);
  CHECK(a[1].where == action::search_in::var);
  CHECK(a[1].variable == "user");
  CHECK(a[1].check_it);
  CHECK(a[2].where == action::search_in::body);
  CHECK(a[2].assign_to.empty());
  CHECK(a[3].what == action::kind::assign);
  CHECK(*a[3].value == -1.5);
  CHECK(a[4].variable == "n");
  CHECK_FALSE(a[4].value);
  CHECK(a[5].what == action::kind::add);
  CHECK(a[6].what == action::kind::subtract);
  CHECK(a[7].what == action::kind::multiply);
  CHECK(a[8].what == action::kind::divide);
  CHECK(*a[8].value == 4);
  CHECK(a[9].what == action::kind::test);
  CHECK(a[9].cmp == action::compare::greater_than_equal);
  CHECK(*a[9].value == 10);
  CHECK(a[10].cmp == action::compare::not_equal);
  CHECK(a[10].variable2 == "n2");
  CHECK(a[11].what == action::kind::strcmp);
  CHECK(a[11].value_text == "alice");
  CHECK(a[12].variable2 == "g1");
  CHECK(a[13].what == action::kind::log);
  CHECK(a[14].what == action::kind::warning);
  CHECK(a[15].command == "echo hi");
  CHECK(a[16].int_cmd == "stop_gracefully");

  const auto& ok = s.steps[1];
  CHECK(ok.retrans->count() == 500);
  CHECK(ok.lost == 10);
  CHECK(ok.start_txn == "t2");
  CHECK(ok.next_index == 9);
  CHECK(ok.test == "big");
  CHECK(*ok.chance == 0.25);
  CHECK(ok.msg.head.size() == 3);

  CHECK(s.steps[2].regexp_match);
  CHECK(s.steps[2].request == "ACK|BYE");
  CHECK(s.steps[2].auth);
  CHECK(s.steps[2].lost == 5);
  CHECK(s.steps[3].ack_txn == "t2");
  CHECK(s.steps[3].msg.head.size() == 1);
  CHECK(s.steps[4].response == 180);
  CHECK_FALSE(s.steps[4].optional_global);
  CHECK(s.steps[5].pause_variable == "n");
  CHECK_FALSE(s.steps[5].milliseconds);
  CHECK(s.steps[6].milliseconds->count() == 1500);
  CHECK(s.steps[7].timewait);
  CHECK(s.steps[7].milliseconds->count() == 60000);
  CHECK(s.steps[8].what == step::kind::nop);
  CHECK(s.steps[8].actions.size() == 1);
  CHECK(s.steps[9].what == step::kind::label);
  CHECK(s.steps[9].id == "end");
  CHECK(s.variables == std::vector<std::string>{"g1", "g2", "u", "r", "all", "user", "m", "n", "n2",
                                                "big", "same", "s", "s2", "z"});
}

TEST_CASE("file bytes are kept as written", "[scenario][model]") {
  // An ISO-8859-1 byte in a template is sent as that byte, as SIPp does.
  const auto s = load("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n"
                      "<scenario><send><![CDATA[MESSAGE sip:a@b SIP/2.0\n\ncaf\xe9\n]]></send>"
                      "</scenario>");
  CHECK(s.steps[0].msg.body.at(0).pieces.at(0).text == "caf\xe9");
  // A UTF-8 byte order mark is skipped.
  CHECK_NOTHROW(load("\xef\xbb\xbf" + wrap(ok_send)));
}

TEST_CASE("a test on a declared global variable is allowed", "[scenario][model]") {
  CHECK(error_of(wrap("<Global variables=\"flag\"/>\n" + std::string(ok_send) +
                      "<nop test=\"flag\"/>\n")) == "loaded");
}

TEST_CASE("the first message step decides the role", "[scenario][model]") {
  CHECK(load(wrap("<pause/>\n" + std::string(ok_send))).role == sc::role::caller);
  CHECK(
      load(wrap("<label id=\"x\"/>\n<recv request=\"OPTIONS\"/>\n" + std::string(ok_send))).role ==
      sc::role::callee);
}
