#include "app/app.h"

#include <openssl/crypto.h>

#include <variant>

#include "app/action_command.h"
#include "app/changed_command.h"
#include "app/compare_commands.h"
#include "app/inspect_command.h"
#include "app/output_commands.h"
#include "app/restore_command.h"
#include "app/scan_command.h"
#include "app/version.h"
#include "inputs/cli.h"

namespace treeprint {

int run_app(int argc, const char* const* argv, AppContext& ctx) {
  // A CI step runs the image without arguments: the settings are in the environment.
  if (argc <= 1 && runs_as_action(ctx.env)) return run_action(ctx.env, ctx);
  const Command command = parse_command_line(argc, argv);
  if (std::holds_alternative<ActionCommand>(command)) return run_action(ctx.env, ctx);
  if (const auto* scan = std::get_if<ScanOptions>(&command)) {
    return run_scan(*scan, ctx);
  }
  if (const auto* inspect = std::get_if<InspectOptions>(&command)) return run_inspect(*inspect, ctx);
  if (const auto* diff = std::get_if<DiffOptions>(&command)) return run_diff(*diff, ctx);
  if (const auto* verify = std::get_if<VerifyOptions>(&command)) return run_verify(*verify, ctx);
  if (const auto* restore = std::get_if<RestoreOptions>(&command)) return run_restore(*restore, ctx);
  if (const auto* changed = std::get_if<ChangedOptions>(&command)) return run_changed(*changed, ctx);
  if (const auto* merge = std::get_if<MergeOptions>(&command)) return run_merge(*merge, ctx);
  if (const auto* exp = std::get_if<ExportOptions>(&command)) return run_export(*exp, ctx);
  if (std::holds_alternative<VersionCommand>(command)) {
    // The second line names the TLS library linked in, for whoever checks a binary against security advisories.
    std::fprintf(ctx.out, "treeprint %s\n%s\n", k_version, OpenSSL_version(OPENSSL_VERSION));
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
