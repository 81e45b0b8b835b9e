// The non-INVITE client transaction: RFC 3261 17.1.2, figure 6.
#include "tables.hpp"

#include "table_dsl.hpp"

namespace sipwright::transaction::detail {
namespace {
using namespace dsl;

//                  TU's request: send it; start E (unreliable only) and F
//                              |
//                              v
//   E fires: resend,     +-----------+  F fires, or transport error: tell TU
//   E doubles up to T2 +-|  trying   |-----------------------------------------+
//                      +>|           |---------------+                         |
//                        +-----------+  200-699:     |                         |
//                  1xx: to TU  |        to TU,       |                         |
//                              v        start K      |                         |
//   E fires: resend,     +-----------+               |                         |
//   E = T2; 1xx: to TU +-| proceeding|  F fires, or transport error: tell TU  |
//                      +>|           |---------------|-------------------------+
//                        +-----------+               |                         |
//                200-699: to TU|                     |                         |
//                start K       v                     |                         |
//                        +-----------+<--------------+                         |
//   200-699: absorb    +-| completed |                                         |
//                      +>|           |                                         |
//                        +-----------+                                         |
//                              | K fires                                       |
//                              v                                               |
//                        +-----------+<----------------------------------------+
//                        | terminated|
//                        +-----------+
constexpr row rows[] = {
    // 17.1.2.2: E runs only on unreliable transports; F always.
    {idle, tu_request, unreliable, trying, {send_request, start(e), start(f)}},
    {idle, tu_request, reliable, trying, {send_request, start(f)}},
    // 17.1.2.2: E doubles, capped at T2.
    {trying, timer_e, any, trying, {retransmit_request, restart_doubled(e)}},
    {trying, timer_f, any, terminated, {inform_timeout}},
    {trying, transport_error, any, terminated, {inform_transport_error}},
    {trying, recv_1xx, any, proceeding, {pass_to_tu}},
    {trying, recv_2xx, any, completed, {pass_to_tu, cancel(e), cancel(f), start(k)}},
    {trying, recv_300_699, any, completed, {pass_to_tu, cancel(e), cancel(f), start(k)}},
    // 17.1.2.2: in proceeding E is reset to T2 each time it fires.
    {proceeding, timer_e, any, proceeding, {retransmit_request, restart_at_t2(e)}},
    {proceeding, timer_f, any, terminated, {inform_timeout}},
    {proceeding, transport_error, any, terminated, {inform_transport_error}},
    {proceeding, recv_1xx, any, proceeding, {pass_to_tu}},
    {proceeding, recv_2xx, any, completed, {pass_to_tu, cancel(e), cancel(f), start(k)}},
    {proceeding, recv_300_699, any, completed, {pass_to_tu, cancel(e), cancel(f), start(k)}},
    // 17.1.2.2: completed absorbs response retransmissions until K.
    {completed, timer_k, any, terminated, {}},
};
} // namespace

std::span<const row> non_invite_client_table() {
  return rows;
}

} // namespace sipwright::transaction::detail
