// A one-line progress report for long loops, redrawn in place on stderr:
//   step 1200/4000  41.3 it/s  ETA 1:08  loss 0.4127
// Shown only when stderr is a terminal (isatty). For logs (nohup, > file)
// the same text can also go to a stream as a plain line every N steps,
// flushed (print_lines), or at each tenth of the run (print_tenths: for
// commands whose stdout holds their result). The numbers are never used for
// anything else.
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
  // Also write the report as a plain line to `lines` when the run passes a
  // tenth of `total` (ten lines in all), from `after_seconds` into the run
  // on (earlier tenths are skipped). The stream must outlive this object.
  void print_tenths(std::ostream& lines, double after_seconds = 0);
  // print_tenths(std::cerr, 2) when the redrawn line is off (stderr is not
  // a terminal: nohup, 2> log), so a log shows a long sample, nll or
  // estimate-gamma as it goes, and a short one adds nothing.
  void print_tenths_unless_drawn();

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
  std::ostream* tenths_ = nullptr;
  int64_t last_tenth_ = 0;
  double tenths_after_ = 0;
  double avg_loss_ = 0;
  int64_t loss_count_ = 0;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

// Formats seconds as "m:ss" or "h:mm:ss".
std::string format_duration(double seconds);

}  // namespace apps
