// The INVITE client transaction: RFC 3261 17.1.1, figure 5, with RFC 6026 7.2's accepted state.
#include "tables.hpp"

#include "table_dsl.hpp"

namespace sipwright::transaction::detail {
namespace {
using namespace dsl;

//                  TU's INVITE: send it; start A (unreliable only) and B
//                              |
//                              v
//     A fires: resend,   +-----------+  B fires, or transport error: tell TU
//     A doubles  +-------|  calling  |------------------------------------------+
//                +------>|           |------------------+                       |
//                        +-----------+   2xx: to TU,    |                       |
//                  1xx: to TU  |         start M        |                       |
//                              v                        |                       |
//          1xx: to TU    +-----------+  2xx: to TU,     v                       |
//                +-------| proceeding|--start M--->+-----------+ 2xx: to TU     |
//                +------>|           |             |  accepted |<--------+      |
//                        +-----------+             |           |---------+      |
//          300-699: ACK, to TU |  (also from       +-----------+                |
//          start D             |   calling)             | M fires               |
//                              v                        |                       |
//     300-699: ACK again +-----------+                  |                       |
//                +-------| completed |  D fires,        |                       |
//                +------>|           |  transport error |                       |
//                        +-----------+  (tell TU)       |                       |
//                              |                        v                       |
//                              +------------------>+-----------+<---------------+
//                                                  | terminated|
//                                                  +-----------+
constexpr row rows[] = {
    // 17.1.1.2: A runs only on unreliable transports; B always.
    {idle, tu_request, unreliable, calling, {send_request, start(a), start(b)}},
    {idle, tu_request, reliable, calling, {send_request, start(b)}},
    // 17.1.1.2: retransmit at A, doubling each time.
    {calling, timer_a, any, calling, {retransmit_request, restart_doubled(a)}},
    {calling, timer_b, any, terminated, {inform_timeout}},
    {calling, transport_error, any, terminated, {inform_transport_error}},
    // 17.1.1.2: a provisional response stops retransmissions.
    {calling, recv_1xx, any, proceeding, {pass_to_tu, cancel(a), cancel(b)}},
    // RFC 6026 7.2: a 2xx moves to accepted, timer M absorbs retransmissions of it.
    {calling, recv_2xx, any, accepted, {pass_to_tu, cancel(a), cancel(b), start(m)}},
    // 17.1.1.2: a non-2xx final response is ACKed by the transaction.
    {calling, recv_300_699, any, completed, {send_ack, pass_to_tu, cancel(a), cancel(b), start(d)}},
    {proceeding, recv_1xx, any, proceeding, {pass_to_tu}},
    {proceeding, recv_2xx, any, accepted, {pass_to_tu, start(m)}},
    {proceeding, recv_300_699, any, completed, {send_ack, pass_to_tu, start(d)}},
    // 17.1.1.2: retransmissions of the final response are ACKed again, not passed up.
    {completed, recv_300_699, any, completed, {send_ack}},
    {completed, timer_d, any, terminated, {}},
    {completed, transport_error, any, terminated, {inform_transport_error}},
    // RFC 6026 7.2: every 2xx in accepted goes to the TU (which ACKs it, 13.2.2.4).
    {accepted, recv_2xx, any, accepted, {pass_to_tu}},
    {accepted, timer_m, any, terminated, {}},
};
} // namespace

std::span<const row> invite_client_table() {
  return rows;
}

} // namespace sipwright::transaction::detail
