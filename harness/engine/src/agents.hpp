#pragma once
// A scenario with several agents plays each agent as a scenario of its own; their results
// become one: the calls of every agent (numbered on, each naming its agent) and one trace of
// every message in time order, the verdicts' evidence renumbered to match. Asio-free.
#include "sipwright/engine/run.hpp"

#include <string>
#include <utility>
#include <vector>

namespace sipwright::engine {

struct agent_result {
  std::string name;
  scenario_result result;
};

// `base` holds the scenario's id, file, name and role; the agents' results are merged into it.
scenario_result merge_agents(scenario_result base, std::vector<agent_result> agents);

// The one scenario an agent plays: its steps, under the scenario's file and name.
scenario::scenario agent_scenario(const scenario::scenario& sc, const scenario::agent& a);

} // namespace sipwright::engine
