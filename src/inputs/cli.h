#pragma once
// The command line, parsed with CLI11 into a validated command.

#include <string>
#include <variant>

#include "inputs/scan_options.h"

namespace treeprint {

struct VersionCommand {};
/// `treeprint action`: run as a CI step, settings from the environment (what a run without arguments does on CI).
struct ActionCommand {};
struct HelpCommand {
  std::string text;
};
/// A usage error: the message names the flag or value and what to do.
struct UsageError {
  std::string message;
};

using Command = std::variant<ScanOptions, InspectOptions, DiffOptions, VerifyOptions, RestoreOptions, MergeOptions,
                             ExportOptions, ChangedOptions, ActionCommand, VersionCommand, HelpCommand, UsageError>;

Command parse_command_line(int argc, const char* const* argv);

}  // namespace treeprint
