#include "app/terminal_progress.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <locale>
#include <sstream>

namespace leakwatch::app {
namespace {

constexpr auto kRedraw = std::chrono::milliseconds(500);
constexpr const char* kClearLine = "\r\033[K";

// "7 s", "1:05", "1:02:03".
std::string elapsed_text(std::chrono::steady_clock::duration d) {
  long s = static_cast<long>(std::chrono::duration_cast<std::chrono::seconds>(d).count());
  char buf[32];
  if (s < 60) {
    std::snprintf(buf, sizeof buf, "%ld s", s);
  } else if (s < 3600) {
    std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
  }
  return buf;
}

// A line longer than the terminal wraps, and "\r" then rewrites only its
// last row: cut it to the width.
size_t terminal_width() {
  struct winsize w {};
  if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &w) == 0 && w.ws_col > 0) return w.ws_col;
  return 80;
}

}  // namespace

bool TerminalProgress::stderr_is_terminal() { return ::isatty(STDERR_FILENO) == 1; }

TerminalProgress::TerminalProgress(std::string text, bool on) : on_(on), text_(std::move(text)) {
  if (!on_) return;
  std::lock_guard lock(mu_);
  draw_locked();
  ticker_ = std::thread([this] { tick(); });
}

TerminalProgress::~TerminalProgress() {
  if (!on_) return;
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_one();
  ticker_.join();
  std::cerr << kClearLine << std::flush;
}

void TerminalProgress::set(std::string text, bool now) {
  if (!on_) return;
  std::lock_guard lock(mu_);
  text_ = std::move(text);
  if (now) draw_locked();
}

void TerminalProgress::print(std::string_view line) {
  std::lock_guard lock(mu_);
  if (on_) std::cerr << kClearLine;
  std::cerr << line << "\n";
  if (on_) draw_locked();
}

void TerminalProgress::draw_locked() {
  std::string line = text_ + ", " + elapsed_text(std::chrono::steady_clock::now() - start_);
  size_t width = terminal_width();
  if (line.size() >= width) line.resize(width - 1);
  std::cerr << kClearLine << line << std::flush;
}

void TerminalProgress::tick() {
  std::unique_lock lock(mu_);
  while (!wake_.wait_for(lock, kRedraw, [this] { return stop_; })) draw_locked();
}

std::string with_thousands(long long n) {
  // The standard library groups digits for a locale; this one is the C
  // locale with a comma every three digits, whatever the user's locale says.
  struct Comma : std::numpunct<char> {
    char do_thousands_sep() const override { return ','; }
    std::string do_grouping() const override { return "\3"; }
  };
  std::ostringstream s;
  s.imbue(std::locale(std::locale::classic(), new Comma));  // the locale owns the facet
  s << n;
  return s.str();
}

}  // namespace leakwatch::app
