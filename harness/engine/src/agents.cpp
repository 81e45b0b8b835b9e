#include "agents.hpp"

#include <algorithm>
#include <numeric>

namespace sipwright::engine {

scenario::scenario agent_scenario(const scenario::scenario& sc, const scenario::agent& a) {
  scenario::scenario out;
  out.name = sc.name + " (" + a.name + ")";
  out.file = sc.file;
  out.role = a.role;
  out.steps = a.steps;
  out.variables = a.variables;
  return out;
}

scenario_result merge_agents(scenario_result base, std::vector<agent_result> agents) {
  // Every entry of every agent's trace, by time (an agent's own order kept on ties).
  struct ref {
    std::size_t agent, index;
  };
  std::vector<ref> order;
  for (std::size_t a = 0; a < agents.size(); ++a)
    for (std::size_t i = 0; i < agents[a].result.trace.size(); ++i) order.push_back({a, i});
  std::stable_sort(order.begin(), order.end(), [&](const ref& x, const ref& y) {
    return agents[x.agent].result.trace.entries()[x.index].at <
           agents[y.agent].result.trace.entries()[y.index].at;
  });
  std::vector<std::vector<std::size_t>> renumber(agents.size());
  for (std::size_t a = 0; a < agents.size(); ++a) renumber[a].resize(agents[a].result.trace.size());
  for (std::size_t n = 0; n < order.size(); ++n) {
    const auto& [a, i] = order[n];
    renumber[a][i] = n;
    base.trace.add(agents[a].result.trace.entries()[i]);
  }
  int number = 0;
  for (std::size_t a = 0; a < agents.size(); ++a) {
    auto& r = agents[a].result;
    const auto& name = agents[a].name;
    auto fix = [&](std::vector<checks::verdict>& vs) {
      for (auto& v : vs)
        for (auto& e : v.evidence) e = e < renumber[a].size() ? renumber[a][e] : e;
    };
    for (auto& c : r.calls) {
      c.call_number = ++number;
      c.agent = name;
      fix(c.verdicts);
      fix(c.scenario_warnings);
      base.calls.push_back(std::move(c));
    }
    for (auto& l : r.log) base.log.push_back(name + ": " + l);
    if (a == 0) base.local = r.local;
    base.elapsed = std::max(base.elapsed, r.elapsed);
    if (r.interrupted) base.interrupted = r.interrupted;
  }
  return base;
}

} // namespace sipwright::engine
