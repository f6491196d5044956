#include "app/ci_environment.h"

namespace treeprint {

namespace {

std::string in_dir(const std::string& dir, const char* name) {
  if (dir.empty()) return name;
  return dir.back() == '/' ? dir + name : dir + "/" + name;
}

}  // namespace

RunnerEnvironment ci_runner_environment(const EnvLookup& env) {
  RunnerEnvironment r = runner_environment(env);
  if (r.on_actions) return r;  // GitHub, Gitea, Forgejo: the runner reads GITHUB_OUTPUT and the workflow commands
  const CiSystem system = detect_ci_system(env);
  const char* workspace_variable = nullptr;
  switch (system) {
    case CiSystem::gitlab: workspace_variable = "CI_PROJECT_DIR"; break;
    case CiSystem::woodpecker: workspace_variable = "CI_WORKSPACE"; break;
    case CiSystem::drone: workspace_variable = "DRONE_WORKSPACE"; break;
    default: return r;
  }
  const std::string dir = env(workspace_variable).value_or("");
  r.log_sections = system == CiSystem::gitlab;
  if (r.output_file.empty()) {
    r.env_file = in_dir(dir, k_env_file_name);
    r.env_dotenv = system == CiSystem::gitlab;
  }
  if (r.summary_file.empty()) r.markdown_file = in_dir(dir, k_markdown_file_name);
  return r;
}

}  // namespace treeprint
