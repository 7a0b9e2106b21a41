// `timeline` and `summary`: their flags; the work is the app layer's.
#include "trailhound/cli.hpp"

namespace trailhound::cli {

void register_timeline_commands(CLI::App& app, int& exit_code) {
  auto timeline_opts = std::make_shared<app::InputRequest>();
  auto* timeline = app.add_subcommand(
      "timeline",
      "every matching event in time order, then a summary (events, first and last seen, "
      "distinct source IPs, regions, user agents, access keys, errors)");
  add_input_options(*timeline, *timeline_opts);
  timeline->callback([timeline_opts, &exit_code] { exit_code = app::run_timeline(*timeline_opts); });

  auto summary_opts = std::make_shared<app::InputRequest>();
  auto* summary = app.add_subcommand(
      "summary",
      "one row per principal: events, first and last seen, distinct IPs, access keys, user "
      "agents, regions, top actions, errors");
  add_input_options(*summary, *summary_opts);
  summary->callback([summary_opts, &exit_code] { exit_code = app::run_summary(*summary_opts); });
}

}  // namespace trailhound::cli
