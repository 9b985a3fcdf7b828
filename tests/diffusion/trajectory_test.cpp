// Trajectory export for pictures: runs the samplers on the mixture oracle and
// writes every step's points as CSV (columns: sampler, t, i, x, y). The
// pictures themselves are drawn by the apps layer (libpng), not here. Set
// DIFFUSE_TRAJECTORY_DIR to keep the files; otherwise they go to a temporary
// folder and the test only checks them.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "diffusion/ddim.h"
#include "diffusion/ddpm.h"
#include "diffusion/oracle.h"
#include "tensor/ops.h"
#include "tensor/random.h"

using namespace diffusion;
namespace t = tensor;
namespace fs = std::filesystem;

namespace {

// N trajectories of 2-D points: one row per point per recorded step.
class CsvTrajectory {
 public:
  CsvTrajectory(const fs::path& path, std::string sampler) : out_(path), sampler_(std::move(sampler)) {
    out_ << "sampler,t,i,x,y\n";
  }
  void record(int64_t step, const t::Tensor& x) {
    const std::vector<double> v = x.to_vector<double>();
    for (int64_t i = 0; i < x.size(0); ++i) {
      out_ << sampler_ << ',' << step << ',' << i << ',' << v[2 * i] << ',' << v[2 * i + 1] << '\n';
      ++rows_;
    }
  }
  int64_t rows() const { return rows_; }

 private:
  std::ofstream out_;
  std::string sampler_;
  int64_t rows_ = 0;
};

fs::path output_dir() {
  const char* env = std::getenv("DIFFUSE_TRAJECTORY_DIR");
  fs::path dir = env != nullptr ? fs::path(env) : fs::temp_directory_path() / "diffuse_trajectories";
  fs::create_directories(dir);
  return dir;
}

}  // namespace

TEST(Trajectories, WritesCsvOfEveryStep) {
  const GaussianMixture gmm =
      make_gaussian_mixture({{-1.5, 0.0}, {1.5, 0.5}, {0.0, 1.8}}, {0.15, 0.1, 0.2}, {0.5, 0.3, 0.2});
  const Schedule sch = linear_schedule(1000);
  const EpsModel eps = gmm_eps_model(gmm, ddpm_kernel(sch));
  const auto tau = even_timesteps(1000, 50);
  const int64_t n = 200;
  const fs::path dir = output_dir();
  t::Generator gen(1);
  const t::Tensor x_T = t::randn({n, 2}, gen);

  struct Run {
    std::string name;
    std::function<t::Tensor(const StepCallback&)> sample;
  };
  const std::vector<Run> runs = {
      {"ddpm", [&](const StepCallback& cb) {
         return AncestralSampler{sch, tau, AncestralVariance::Beta}.sample(eps, x_T, 2, cb);
       }},
      {"ddpm-tilde", [&](const StepCallback& cb) {
         return AncestralSampler{sch, tau, AncestralVariance::BetaTilde}.sample(eps, x_T, 2, cb);
       }},
      {"ddim", [&](const StepCallback& cb) { return DdimSampler{sch, tau, 0.0}.sample(eps, x_T, 2, cb); }},
  };
  for (const Run& run : runs) {
    const fs::path path = dir / (run.name + "_trajectory.csv");
    t::Tensor last;
    {
      CsvTrajectory csv(path, run.name);
      csv.record(1000, x_T);
      const t::Tensor out = run.sample([&](int64_t s, const t::Tensor& x) {
        csv.record(s, x);
        last = x;
      });
      EXPECT_EQ(csv.rows(), n * (static_cast<int64_t>(tau.size()) + 1));
      // The callback's last snapshot is the sampler's output (step s = 0).
      EXPECT_EQ(last.to_vector<float>(), out.to_vector<float>());
    }
    std::ifstream in(path);
    std::string header;
    std::getline(in, header);
    EXPECT_EQ(header, "sampler,t,i,x,y");
  }
}
