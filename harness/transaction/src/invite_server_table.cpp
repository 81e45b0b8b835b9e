// The INVITE server transaction: RFC 3261 17.2.1, figure 7, with RFC 6026 7.1's accepted state.
#include "tables.hpp"

#include "table_dsl.hpp"

namespace sipwright::transaction::detail {
namespace {
using namespace dsl;

//                  INVITE received: pass it to the TU
//                              |
//                              v
//   INVITE again: resend +-----------+  transport error: tell TU
//   last 1xx; 1xx from +-| proceeding|-----------------------------------------+
//   TU: send it        +>|           |--------------------+                    |
//                        +-----------+  2xx from TU:      |                    |
//        300-699 from TU: send |        send, start L     v                    |
//        start G (unreliable), |                    +-----------+ 2xx from TU: |
//        start H               |                    |  accepted | send; INVITE:|
//                              v                    |           | absorb; ACK: |
//   INVITE again, or     +-----------+              +-----------+ to TU        |
//   G fires: resend,   +-| completed |  H fires, or       | L fires           |
//   G doubles up to T2 +>|           |  transport error:  |                   |
//                        +-----------+  tell TU ----------|-------------------+|
//                     ACK: start I |                      |                   ||
//                              v                          |                   ||
//   ACK again: absorb    +-----------+                    |                   ||
//                      +-| confirmed |                    |                   ||
//                      +>|           |                    |                   ||
//                        +-----------+                    |                   ||
//                              | I fires                  v                   vv
//                              +------------------->+-----------+<-------------+
//                                                   | terminated|
//                                                   +-----------+
constexpr row rows[] = {
    {idle, recv_request, any, proceeding, {pass_to_tu}},
    // 17.2.1: a retransmitted INVITE gets the most recent provisional response again.
    {proceeding, recv_request, any, proceeding, {retransmit_response}},
    {proceeding, tu_1xx, any, proceeding, {send_response}},
    // RFC 6026 7.1: a 2xx moves to accepted; timer L keeps the transaction to absorb INVITEs.
    {proceeding, tu_2xx, any, accepted, {send_response, start(l)}},
    // 17.2.1: G runs only on unreliable transports; H always.
    {proceeding, tu_300_699, unreliable, completed, {send_response, start(g), start(h)}},
    {proceeding, tu_300_699, reliable, completed, {send_response, start(h)}},
    {proceeding, transport_error, any, terminated, {inform_transport_error}},
    // RFC 6026 7.1: the TU retransmits its 2xx through the transaction; INVITEs are absorbed;
    // ACKs for the 2xx go to the TU.
    {accepted, tu_2xx, any, accepted, {send_response}},
    {accepted, recv_ack, any, accepted, {pass_to_tu}},
    {accepted, transport_error, any, accepted, {inform_transport_error}},
    {accepted, timer_l, any, terminated, {}},
    // 17.2.1: retransmit the final response on INVITE retransmissions and at G (doubling to T2).
    {completed, recv_request, any, completed, {retransmit_response}},
    {completed, timer_g, any, completed, {retransmit_response, restart_doubled(g)}},
    {completed, timer_h, any, terminated, {inform_timeout}},
    {completed, transport_error, any, terminated, {inform_transport_error}},
    // 17.2.1: the ACK stops retransmissions; I absorbs ACK retransmissions.
    {completed, recv_ack, any, confirmed, {cancel(g), cancel(h), start(i)}},
    {confirmed, timer_i, any, terminated, {}},
};
} // namespace

std::span<const row> invite_server_table() {
  return rows;
}

} // namespace sipwright::transaction::detail
