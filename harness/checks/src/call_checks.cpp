#include "sipwright/checks/call_checks.hpp"

#include "observer.hpp"

namespace sipwright::checks {

struct call_checks::impl {
  std::vector<std::unique_ptr<detail::observer>> observers;
  checks::verdicts out;
};

call_checks::call_checks(checks::timing t, judged who) : impl_(std::make_unique<impl>()) {
  impl_->observers.push_back(detail::make_message_rules());
  impl_->observers.push_back(detail::make_ack_rules(t));
  if (who == judged::scenario) return;
  impl_->observers.push_back(detail::make_alt_service_rules());
  impl_->observers.push_back(detail::make_register_rules());
  impl_->observers.push_back(detail::make_subscribe_rules(t));
  impl_->observers.push_back(detail::make_retransmission_rules(t));
}

call_checks::~call_checks() = default;
call_checks::call_checks(call_checks&&) noexcept = default;
call_checks& call_checks::operator=(call_checks&&) noexcept = default;

void call_checks::on_message(const observed& m) {
  for (auto& o : impl_->observers) o->on_message(m, impl_->out);
}

void call_checks::on_credentials(std::size_t trace_index, const std::string& problem,
                                 const std::string& note) {
  if (problem.empty())
    impl_->out.pass(rule_id::auth_credentials, {trace_index}, note);
  else
    impl_->out.violated(rule_id::auth_credentials, "credentials that answer the challenge", problem,
                        {trace_index});
}

void call_checks::on_end(std::chrono::steady_clock::time_point at) {
  for (auto& o : impl_->observers) o->on_end(at, impl_->out);
}

const checks::verdicts& call_checks::result() const {
  return impl_->out;
}

} // namespace sipwright::checks
