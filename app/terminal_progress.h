// A progress line for the long commands (customers import, extract, match,
// and `run`'s stages), on stderr, only when stderr is a terminal: one line
// rewritten in place with the time elapsed, redrawn twice a second so that a
// long SQL statement still shows life, and cleared when the object dies, so
// the command's summary line is what stays on screen. Piped, under cron or
// systemd, it draws nothing at all and the summary line is the whole output.
// The text is counts only: never an identifier.
//
// Thread-safe: a ticker thread redraws while the caller updates the text.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace leakwatch::app {

class TerminalProgress {
 public:
  // Draws `text` at once when `on` (by default: stderr is a terminal).
  explicit TerminalProgress(std::string text, bool on = stderr_is_terminal());
  ~TerminalProgress();  // stops the ticker and clears the line
  TerminalProgress(const TerminalProgress&) = delete;
  TerminalProgress& operator=(const TerminalProgress&) = delete;

  static bool stderr_is_terminal();
  bool on() const { return on_; }

  // New text, drawn at the next tick, or at once when `now` (a new phase:
  // counts change too often to draw each one).
  void set(std::string text, bool now = false);
  // A line of its own on stderr (a warning, a rejected row), written above
  // the progress line, which is drawn again under it.
  void print(std::string_view line);

 private:
  void draw_locked();
  void tick();

  const bool on_;
  const std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::string text_;
  std::thread ticker_;
};

// "1,234,567": counts on a progress line are read at a glance.
std::string with_thousands(long long n);

}  // namespace leakwatch::app
