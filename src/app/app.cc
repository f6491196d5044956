#include "app/app.h"

#include <variant>

#include "app/compare_commands.h"
#include "app/inspect_command.h"
#include "app/output_commands.h"
#include "app/scan_command.h"
#include "app/version.h"
#include "inputs/cli.h"

namespace treeprint {

int run_app(int argc, const char* const* argv, AppContext& ctx) {
  const Command command = parse_command_line(argc, argv);
  if (const auto* scan = std::get_if<ScanOptions>(&command)) {
    return run_scan(*scan, ctx);
  }
  if (const auto* inspect = std::get_if<InspectOptions>(&command)) return run_inspect(*inspect, ctx);
  if (const auto* diff = std::get_if<DiffOptions>(&command)) return run_diff(*diff, ctx);
  if (const auto* verify = std::get_if<VerifyOptions>(&command)) return run_verify(*verify, ctx);
  if (const auto* merge = std::get_if<MergeOptions>(&command)) return run_merge(*merge, ctx);
  if (const auto* exp = std::get_if<ExportOptions>(&command)) return run_export(*exp, ctx);
  if (std::holds_alternative<VersionCommand>(command)) {
    std::fprintf(ctx.out, "treeprint %s\n", k_version);
    return k_exit_ok;
  }
  if (const auto* help = std::get_if<HelpCommand>(&command)) {
    std::fputs(help->text.c_str(), ctx.out);
    return k_exit_ok;
  }
  std::fprintf(ctx.err, "treeprint: error: %s\n", std::get<UsageError>(command).message.c_str());
  return k_exit_fatal;
}

}  // namespace treeprint
