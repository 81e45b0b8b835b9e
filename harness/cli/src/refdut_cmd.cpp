#include "sipwright/cli/refdut_cmd.hpp"

#include <CLI/CLI.hpp>

namespace sipwright::cli {

CLI::App* add_refdut_command(CLI::App& app, refdut::refdut_options& o) {
  auto* cmd = app.add_subcommand(
      "refdut",
      "The reference device: a conformant SIP user agent to test against. As callee (default)\n"
      "it answers INVITEs at --local: 100, 180, then the answer the Request-URI user chooses\n"
      "(380 or alt-*: 380 with an ims-3gpp body; 486 or busy: 486; 503: 503) or --answer.\n"
      "As caller (--call) it places one call, ACKs, hangs up and exits 0 when the call\n"
      "completed; it answers one 401/407 challenge with Digest credentials taken from the\n"
      "environment variables SIPWRIGHT_REFDUT_AUTH_USER and SIPWRIGHT_REFDUT_AUTH_PASSWORD\n"
      "(never an option: no password in shell history). --fault injects a known defect\n"
      "(see --list-faults).");
  cmd->add_option("--local", o.local, "Local IP:PORT (port 0: any free port; default 127.0.0.1:0)");
  cmd->add_option("--call", o.call, "Caller mode: HOST:PORT to call");
  cmd->add_option("--transport", o.transport, "udp, tcp or tls")->capture_default_str();
  cmd->add_option("--tls-cert", o.tls_cert,
                  "TLS: the device's certificate (PEM), with --tls-key (default: a throwaway "
                  "self-signed one)")
      ->type_name("FILE");
  cmd->add_option("--tls-key", o.tls_key, "TLS: the private key (PEM) of --tls-cert")
      ->type_name("FILE");
  cmd->add_option("--tls-ca", o.tls_ca,
                  "TLS: the CA certificates (PEM) a server's certificate must chain to "
                  "(default: the system's store)")
      ->type_name("FILE");
  cmd->add_flag("--tls-insecure", o.tls_insecure,
                "TLS: accept any server certificate, self-signed or for another name (labs)");
  cmd->add_option("--answer", o.answer, "Callee: final answer, 200, 380, 486 or 503")
      ->capture_default_str();
  cmd->add_option("--user", o.user, "Caller: user part of the Request-URI")->capture_default_str();
  cmd->add_option("--t1", o.t1_ms, "RFC 3261 T1 in ms")->capture_default_str();
  cmd->add_option("--t2", o.t2_ms, "RFC 3261 T2 in ms")->capture_default_str();
  cmd->add_option("--fault", o.faults, "Inject a defect (repeatable; see --list-faults)")
      ->type_name("NAME");
  cmd->add_option("--calls", o.calls, "Callee: exit after this many calls (0: until a signal)")
      ->capture_default_str();
  cmd->add_option("--timeout", o.timeout_s,
                  "Bound of the run in seconds (0: none as callee, 60 as caller)");
  cmd->add_option("--hangup-after", o.hangup_after_ms, "Caller: BYE this many ms after the 2xx")
      ->capture_default_str();
  cmd->add_option("--ring", o.ring_ms, "Callee: ms between 180 Ringing and the final answer")
      ->capture_default_str();
  cmd->add_flag("--late-offer", o.late_offer,
                "Caller: INVITE without SDP; the answer goes in the ACK");
  cmd->add_option("--route", o.route, "Caller: a preloaded Route URI for the INVITE")
      ->type_name("URI");
  cmd->add_flag("--list-faults", o.list_faults,
                "Print the fault switches (name, description, rule it trips) and exit");
  return cmd;
}

} // namespace sipwright::cli
