// A one-line progress report for long loops, redrawn in place on stderr:
//   step 1200/4000  41.3 it/s  ETA 1:08  loss 0.4127
// Shown only when stderr is a terminal (isatty). For logs (nohup, > file)
// the same text can also go to a stream as a plain line every N steps,
// flushed (print_lines). The numbers are never used for anything else.
#pragma once
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <ostream>
#include <string>

namespace apps {

class Progress {
 public:
  // Counts steps first+1 .. total (first > 0 when resuming). `enabled`
  // defaults to whether stderr is a terminal.
  Progress(int64_t total, int64_t first = 0, const std::string& label = "step");
  Progress(int64_t total, int64_t first, const std::string& label, bool enabled);

  // Also write the report as a plain, flushed line to `lines` every `every`
  // steps and at the last step (every <= 0: never). The stream must outlive
  // this object.
  void print_lines(std::ostream& lines, int64_t every);

  // Reports that `step` is done; the loss shown is a running average of
  // the finite losses given (none: no loss column). Redraws at most about
  // ten times a second.
  void update(int64_t step, double loss = std::nan(""));
  // Ends the line (prints the final state and a newline) if anything was shown.
  void finish();

 private:
  void draw(int64_t step);
  std::string report(int64_t step) const;  // "step 1200/4000  41.3 it/s  ETA 1:08  loss 0.4127"

  int64_t total_, first_;
  std::string label_;
  bool enabled_;
  bool shown_ = false;
  std::ostream* lines_ = nullptr;
  int64_t lines_every_ = 0;
  double avg_loss_ = 0;
  int64_t loss_count_ = 0;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

// Formats seconds as "m:ss" or "h:mm:ss".
std::string format_duration(double seconds);

}  // namespace apps
