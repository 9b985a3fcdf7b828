// DIR/loss.csv of `diffuse train`: "step,loss" rows appended as training
// goes, each flushed, so a log reader (or a crash) sees every finished step;
// and the cut back to a checkpoint's step that makes a resumed run's file
// equal an uninterrupted run's. The picture of the curve is io/figures.h.
#pragma once
#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

namespace apps {

class LossLog {
 public:
  // Starts path afresh with its header line.
  explicit LossLog(const std::string& path);
  // Continues path at checkpoint step `step`: keeps the rows of steps
  // 1..step, cuts whatever follows (rows a killed run wrote after its last
  // checkpoint, a torn last line), and returns the kept losses in `kept`.
  // Throws apps::Error naming the file when rows 1..step are not all there.
  LossLog(const std::string& path, int64_t step, std::vector<double>& kept);

  void append(int64_t step, double loss);

 private:
  std::string path_;
  std::ofstream out_;
};

}  // namespace apps
