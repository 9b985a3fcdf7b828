// The manners of cli_manners.h: suggestions by edit distance over the
// declared option names, refusals and warnings read off the parsed CLI11
// tree (count() says whether the user gave a flag), and --version's facts.
#include "apps/cli_manners.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <iostream>

#include "apps/error.h"
#include "nn/distributed.h"
#include "tensor/build_info.h"
#include "tensor/device.h"
#include "tensor/ops.h"

namespace apps {
namespace {

std::ostream* warnings = &std::cerr;

// The subcommand the user chose (nullptr for none).
const CLI::App* chosen(const CLI::App& app) {
  const auto parsed = app.get_subcommands();
  return parsed.empty() ? nullptr : parsed.front();
}

bool given(const CLI::App& cmd, const std::string& flag) {
  const CLI::Option* option = cmd.get_option_no_throw(flag);
  return option != nullptr && option->count() > 0;
}

std::string value(const CLI::App& cmd, const std::string& flag) { return cmd.get_option(flag)->as<std::string>(); }

void add_long_names(const CLI::App& cmd, std::vector<std::string>& names) {
  for (const CLI::Option* option : cmd.get_options())
    for (const std::string& name : option->get_lnames()) names.push_back("--" + name);
}

std::string cpu_supports() {
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return "AVX-512";
  if (__builtin_cpu_supports("avx2")) return "AVX2";
  if (__builtin_cpu_supports("avx")) return "AVX";
  return "SSE2";
#else
  return "";
#endif
}

}  // namespace

int edit_distance(const std::string& a, const std::string& b) {
  const size_t n = a.size(), m = b.size();
  std::vector<std::vector<int>> d(n + 1, std::vector<int>(m + 1));
  for (size_t i = 0; i <= n; ++i) d[i][0] = static_cast<int>(i);
  for (size_t j = 0; j <= m; ++j) d[0][j] = static_cast<int>(j);
  for (size_t i = 1; i <= n; ++i) {
    for (size_t j = 1; j <= m; ++j) {
      const int cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);  // a swap of neighbours
    }
  }
  return d[n][m];
}

std::string closest_name(const std::string& typed, const std::vector<std::string>& names) {
  std::string best;
  int best_distance = 3;  // only names within distance 2
  for (const std::string& name : names) {
    int distance = edit_distance(typed, name);
    // "--ste" for "--steps": a prefix counts as close however much is missing.
    if (typed.size() > 3 && name.starts_with(typed)) distance = std::min(distance, 1);
    if (distance < best_distance && distance < static_cast<int>(name.size()) - 2) {
      best = name;
      best_distance = distance;
    }
  }
  return best;
}

std::string suggest_flag(const CLI::App& app, int argc, char** argv) {
  std::vector<std::string> names;
  add_long_names(app, names);
  if (const CLI::App* cmd = chosen(app)) add_long_names(*cmd, names);
  for (int i = 1; i < argc; ++i) {
    std::string typed = argv[i];
    if (!typed.starts_with("--")) continue;
    typed = typed.substr(0, typed.find('='));
    if (std::find(names.begin(), names.end(), typed) != names.end()) continue;
    const std::string close = closest_name(typed, names);
    if (!close.empty()) return fmt::format(" (did you mean {}?)", close);
  }
  return "";
}

void add_manners(CLI::App& app) {
  // A subcommand hands the flags it does not know to `app`: --threads after the subcommand works too.
  for (CLI::App* cmd : app.get_subcommands([](CLI::App*) { return true; })) {
    cmd->fallthrough();
    // CLI11 would refuse "-1" for an unsigned seed with a message about conversion; say what a seed is.
    if (CLI::Option* seed = cmd->get_option_no_throw("--seed")) {
      seed->check(CLI::Validator(
          [](std::string& text) -> std::string {
            if (!text.empty() && text[0] == '-')
              return fmt::format("{} is not a seed (a whole number in [0, 2^64 - 1])", text);
            return "";
          },
          "UINT"));
    }
  }
}

void check_flags(const CLI::App& app, int threads) {
  const int cores = tensor::build_facts().cpus;  // the pool's count, which decides how many work at once
  if (threads > 2 * cores) {
    warn(
        fmt::format("--threads {} is more than twice the {} cores of this machine (no more than {} of them work "
                    "at once; the rest only wait)",
                    threads, cores, cores));
  }
  const CLI::App* cmd = chosen(app);
  if (cmd == nullptr) return;
  const std::string name = cmd->get_name();
  if (name == "sample") {
    const std::string sampler = value(*cmd, "--sampler");
    APPS_CHECK(!given(*cmd, "--eta") || sampler == "ddim" || sampler.ends_with("-ddim"),
               "--eta {} applies to ddim and the *-ddim samplers, not to --sampler {}", value(*cmd, "--eta"), sampler);
    for (const char* flag : {"--snr", "--corrector-steps"})
      APPS_CHECK(!given(*cmd, flag) || sampler == "pc", "{} {} applies to --sampler pc, not to --sampler {}", flag,
                 value(*cmd, flag), sampler);
    APPS_CHECK(!given(*cmd, "--n") || !given(*cmd, "--x-T"),
               "--n {} with --x-T {}: the noise file's rows are the samples; give one of the two", value(*cmd, "--n"),
               value(*cmd, "--x-T"));
  }
  if (name == "nll") {
    APPS_CHECK(!given(*cmd, "--steps") || value(*cmd, "--method") != "ode",
               "--steps {} applies to --method elbo; the ODE (--method ode) chooses its own steps",
               value(*cmd, "--steps"));
  }
}

std::string version_text() {
  const tensor::BuildFacts f = tensor::build_facts();
  const std::string supports = cpu_supports();
  // Our own kernels' vector width is fixed when they are compiled; OpenBLAS
  // picks its kernels for the CPU at run time (its core).
  const std::string width = f.vector_bits > 0 ? fmt::format("{} bits ({})", f.vector_bits, f.vector_isa) : f.vector_isa;
  std::string text = fmt::format("diffuse {}\n", f.version);
  text += fmt::format("BLAS: {}\n", f.blas_config);
  text += fmt::format("BLAS core: {}\n", f.blas_core);
  text += fmt::format(
      "vector width: {} in our kernels, {} in the elementwise and GroupNorm kernels (chosen at run "
      "time; DIFFUSE_CPU_ISA=baseline|avx2|avx512 picks one){}\n",
      width, f.kernel_isa, supports.empty() ? "" : fmt::format("; this CPU has {}", supports));
  text += fmt::format("threads: {} (cores: {}{})\n", f.threads, f.cpus,
                      f.threads > f.cpus ? fmt::format("; no more than {} work at once", f.cpus) : "");
  text += fmt::format("CUDA: {}", !tensor::cuda_built()      ? "not built"
                                  : tensor::cuda_available() ? "built, a device is present"
                                                             : "built, no device found");
  text += fmt::format("\nMPI: {}", nn::built_with_mpi() ? "built (mpirun -np N diffuse train: docs/distributed.md)"
                                                        : "not built (one process)");
  return text;
}

void warn(const std::string& message) { *warnings << "warning: " << message << std::endl; }

WarningsTo::WarningsTo(std::ostream& stream) : previous_(warnings) { warnings = &stream; }
WarningsTo::~WarningsTo() { warnings = previous_; }

void check_writable(const std::string& path, const std::string& flag) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path file(path);
  const fs::path dir = file.parent_path().empty() ? fs::path(".") : file.parent_path();
  APPS_CHECK(fs::is_directory(dir, ec), "{} {}: the directory {} does not exist", flag, path, dir.string());
  APPS_CHECK(!fs::is_directory(file, ec), "{} {}: is a directory; give a file name", flag, path);
  APPS_CHECK(access(dir.c_str(), W_OK) == 0, "{} {}: cannot write in {}", flag, path, dir.string());
  APPS_CHECK(!fs::exists(file, ec) || access(file.c_str(), W_OK) == 0, "{} {}: the file is not writable", flag, path);
}

}  // namespace apps
