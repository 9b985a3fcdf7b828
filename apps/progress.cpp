// The progress line of progress.h. "\r" returns to the line's start and
// "\033[K" clears what a longer previous line left behind.
#include "apps/progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cmath>
#include <iostream>

namespace apps {

Progress::Progress(int64_t total, int64_t first, const std::string& label)
    : Progress(total, first, label, isatty(STDERR_FILENO) != 0) {}

Progress::Progress(int64_t total, int64_t first, const std::string& label, bool enabled)
    : total_(total), first_(first), label_(label), enabled_(enabled) {
  start_ = last_draw_ = std::chrono::steady_clock::now();
}

void Progress::print_lines(std::ostream& lines, int64_t every) {
  lines_ = every > 0 ? &lines : nullptr;
  lines_every_ = every;
}

void Progress::print_tenths(std::ostream& lines, double after_seconds) {
  tenths_ = &lines;
  tenths_after_ = after_seconds;
  last_tenth_ = total_ > 0 ? first_ * 10 / total_ : 0;
}

void Progress::print_tenths_unless_drawn() {
  if (!enabled_) print_tenths(std::cerr, 2.0);
}

void Progress::update(int64_t step, double loss) {
  if (std::isfinite(loss)) {
    // A moving average over roughly the last 100 steps (a plain mean until then).
    ++loss_count_;
    const double weight = std::max(1.0 / loss_count_, 0.01);
    avg_loss_ += weight * (loss - avg_loss_);
  }
  if (lines_ != nullptr && (step % lines_every_ == 0 || step == total_)) *lines_ << report(step) << std::endl;
  if (tenths_ != nullptr && total_ > 0 && step * 10 / total_ > last_tenth_) {
    last_tenth_ = step * 10 / total_;
    if (tenths_after_ <= 0 || std::chrono::steady_clock::now() - start_ >= std::chrono::duration<double>(tenths_after_))
      *tenths_ << report(step) << std::endl;
  }
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (step < total_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  draw(step);
}

std::string Progress::report(int64_t step) const {
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double rate = elapsed > 0 ? (step - first_) / elapsed : 0;
  std::string line = fmt::format("{} {}/{}  {:.1f} it/s", label_, step, total_, rate);
  if (rate > 0) line += "  ETA " + format_duration((total_ - step) / rate);
  if (loss_count_ > 0) line += fmt::format("  loss {:.4f}", avg_loss_);
  return line;
}

void Progress::draw(int64_t step) {
  std::fputs(fmt::format("\r{}\033[K", report(step)).c_str(), stderr);
  std::fflush(stderr);
  shown_ = true;
}

void Progress::finish() {
  if (!shown_) return;
  std::fputs("\n", stderr);
  shown_ = false;
}

std::string format_duration(double seconds) {
  const int64_t s = static_cast<int64_t>(std::llround(std::max(seconds, 0.0)));
  if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
  return fmt::format("{}:{:02}", s / 60, s % 60);
}

}  // namespace apps
