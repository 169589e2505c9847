// HParams session-group queries (TensorBoard's hparams list_session_groups.py): one session
// per run with a SessionStartInfo; sessions grouped by group_name (or alone); metrics are the
// last value of each experiment metric in the run <session>/<group>, averaged over a group;
// groups filtered by status and colParams, sorted by name then by the colParams' orders,
// sliced by startIndex/sliceSize.
#pragma once

#include "plugins/hparams/hparams_experiment.hpp"

namespace tblog::view::hparams {

// ListSessionGroupsRequest (JSON) -> ListSessionGroupsResponse as JSON.
// std::invalid_argument (or a json error) on a malformed request.
json session_groups(const Store& store, const json& request);

}  // namespace tblog::view::hparams
