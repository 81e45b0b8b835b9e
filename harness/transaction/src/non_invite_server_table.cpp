// The non-INVITE server transaction: RFC 3261 17.2.2, figure 8.
#include "tables.hpp"

#include "table_dsl.hpp"

namespace sipwright::transaction::detail {
namespace {
using namespace dsl;

//                  request received: pass it to the TU
//                              |
//                              v
//   request again:       +-----------+
//   absorb             +-|  trying   |---------------------+
//                      +>|           |  200-699 from TU:   |
//                        +-----------+  send, start J      |
//               1xx from TU: send  |                       |
//                              v                           |
//   request again: resend+-----------+                     |
//   1xx; 1xx from TU:  +-| proceeding|  transport error:   |
//   send               +>|           |  tell TU -----------|--------------+
//                        +-----------+                     |              |
//           200-699 from TU: send, |                       |              |
//           start J            v                           |              |
//   request again:       +-----------+<--------------------+              |
//   resend final       +-| completed |  transport error: tell TU ---------+
//                      +>|           |                                    |
//                        +-----------+                                    |
//                              | J fires                                  |
//                              v                                          |
//                        +-----------+<-----------------------------------+
//                        | terminated|
//                        +-----------+
constexpr row rows[] = {
    {idle, recv_request, any, trying, {pass_to_tu}},
    // 17.2.2: in trying, request retransmissions are discarded.
    {trying, recv_request, any, trying, {}},
    {trying, tu_1xx, any, proceeding, {send_response}},
    {trying, tu_2xx, any, completed, {send_response, start(j)}},
    {trying, tu_300_699, any, completed, {send_response, start(j)}},
    // 17.2.2: in proceeding, request retransmissions get the last provisional response.
    {proceeding, recv_request, any, proceeding, {retransmit_response}},
    {proceeding, tu_1xx, any, proceeding, {send_response}},
    {proceeding, tu_2xx, any, completed, {send_response, start(j)}},
    {proceeding, tu_300_699, any, completed, {send_response, start(j)}},
    {proceeding, transport_error, any, terminated, {inform_transport_error}},
    // 17.2.2: in completed, request retransmissions get the final response; J ends it.
    {completed, recv_request, any, completed, {retransmit_response}},
    {completed, timer_j, any, terminated, {}},
    {completed, transport_error, any, terminated, {inform_transport_error}},
};
} // namespace

std::span<const row> non_invite_server_table() {
  return rows;
}

} // namespace sipwright::transaction::detail
