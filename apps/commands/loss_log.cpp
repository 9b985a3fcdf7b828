// loss.csv written row by row, and cut back on resume (see loss_log.h).
#include "apps/commands/loss_log.h"

#include <fmt/format.h>

#include <filesystem>
#include <sstream>

#include "apps/error.h"
#include "nn/test_pause.h"

namespace apps {
namespace {

constexpr const char* kHeader = "step,loss\n";

// The losses of rows 1..up_to and the byte just past row up_to's newline.
// A row only counts when its newline was written, so a torn line is never kept.
std::vector<double> read_rows(const std::string& path, int64_t up_to, size_t& end) {
  std::ifstream in(path, std::ios::binary);
  APPS_CHECK(in.good(), "{}: cannot read it (the checkpoint is at step {})", path, up_to);
  std::stringstream text;
  text << in.rdbuf();
  const std::string csv = text.str();
  APPS_CHECK(csv.rfind(kHeader, 0) == 0, "{}: does not start with the header 'step,loss'", path);
  std::vector<double> losses;
  end = std::char_traits<char>::length(kHeader);
  while (static_cast<int64_t>(losses.size()) < up_to) {
    const size_t newline = csv.find('\n', end);
    if (newline == std::string::npos) break;
    const std::string row = csv.substr(end, newline - end);
    const int64_t expected = static_cast<int64_t>(losses.size()) + 1;
    size_t comma = row.find(','), used = 0;
    double loss = 0;
    bool ok = comma != std::string::npos && row.substr(0, comma) == std::to_string(expected);
    try {
      if (ok) loss = std::stod(row.substr(comma + 1), &used);
    } catch (const std::exception&) {
      ok = false;
    }
    APPS_CHECK(ok && used == row.size() - comma - 1, "{}: line {} is '{}', expected the row of step {}", path,
               expected + 1, row, expected);
    losses.push_back(loss);
    end = newline + 1;
  }
  APPS_CHECK(static_cast<int64_t>(losses.size()) == up_to, "{}: has {} losses, the checkpoint is at step {}", path,
             losses.size(), up_to);
  return losses;
}

}  // namespace

LossLog::LossLog(const std::string& path) : path_(path), out_(path, std::ios::binary | std::ios::trunc) {
  out_ << kHeader << std::flush;
  APPS_CHECK(out_.good(), "{}: cannot write it", path_);
}

LossLog::LossLog(const std::string& path, int64_t step, std::vector<double>& kept) : path_(path) {
  size_t end = 0;
  kept = read_rows(path, step, end);
  std::filesystem::resize_file(path, end);
  out_.open(path, std::ios::binary | std::ios::app);
  APPS_CHECK(out_.good(), "{}: cannot append to it", path_);
}

void LossLog::append(int64_t step, double loss) {
  const std::string row = fmt::format("{},{}\n", step, loss);
  // A crash test may stop the run with half a row written (Note [Crash test pauses]).
  const size_t first = nn::test_pause_requested("loss.csv") ? row.size() / 2 : row.size();
  out_.write(row.data(), first).flush();
  nn::test_pause("loss.csv");
  out_.write(row.data() + first, row.size() - first).flush();
  APPS_CHECK(out_.good(), "{}: write failed at step {}", path_, step);
}

}  // namespace apps
