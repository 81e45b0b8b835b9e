#pragma once
// The four transition tables (internal; reached through transaction::table(kind)).
#include "sipwright/transaction/machine.hpp"

#include <span>

namespace sipwright::transaction::detail {

std::span<const row> invite_client_table();
std::span<const row> non_invite_client_table();
std::span<const row> invite_server_table();
std::span<const row> non_invite_server_table();

} // namespace sipwright::transaction::detail
