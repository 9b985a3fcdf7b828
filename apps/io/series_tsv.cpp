// The tab-separated series table of series_tsv.h: header, rows, and an error
// naming the file and line of the first thing wrong.
#include "apps/io/series_tsv.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "apps/error.h"

namespace apps {
namespace {

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> fields;
  size_t start = 0;
  while (true) {
    const size_t tab = line.find('\t', start);
    fields.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
    if (tab == std::string::npos) return fields;
    start = tab + 1;
  }
}

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) out += (out.empty() ? "'" : ", '") + name + "'";
  return out;
}

// The index of column `name` in the header; throws when it is not there.
size_t column_index(const std::vector<std::string>& header, const std::string& name, const std::string& source) {
  for (size_t i = 0; i < header.size(); ++i)
    if (header[i] == name) return i;
  throw Error(fmt::format("{}:1: the header has no column '{}' (its columns: {})", source, name, join(header)));
}

// A finite number filling the whole field (strtod also accepts "nan" and "inf": refused here).
double parse_number(const std::string& field, const std::string& column, const std::string& where) {
  char* end = nullptr;
  errno = 0;
  const double value = field.empty() ? 0.0 : std::strtod(field.c_str(), &end);
  const bool whole = !field.empty() && end == field.c_str() + field.size();
  APPS_CHECK(whole && errno != ERANGE && std::isfinite(value), "{}: column '{}' is '{}', not a finite number", where,
             column, field);
  return value;
}

}  // namespace

std::vector<SeriesPoint> parse_series_tsv(const std::string& text, const std::string& source,
                                          const SeriesColumns& columns) {
  std::istringstream in(text);
  std::string line;
  int64_t line_number = 0;
  auto next_line = [&]() {
    if (!std::getline(in, line)) return false;
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return true;
  };
  APPS_CHECK(next_line() && !line.empty(), "{}: no header line (expected column names such as '{}\\t{}\\t{}')", source,
             columns.series, columns.x, columns.y);
  const std::vector<std::string> header = split_tabs(line);
  for (size_t i = 0; i < header.size(); ++i)
    for (size_t j = 0; j < i; ++j)
      APPS_CHECK(header[i] != header[j], "{}:1: column '{}' appears twice in the header", source, header[i]);
  const size_t series_at = column_index(header, columns.series, source);
  const size_t x_at = column_index(header, columns.x, source);
  const size_t y_at = column_index(header, columns.y, source);

  std::vector<SeriesPoint> points;
  while (next_line()) {
    if (line.empty()) continue;
    const std::string where = fmt::format("{}:{}", source, line_number);
    const std::vector<std::string> fields = split_tabs(line);
    APPS_CHECK(fields.size() == header.size(), "{}: {} tab-separated fields, the header has {} ('{}')", where,
               fields.size(), header.size(), line);
    APPS_CHECK(!fields[series_at].empty(), "{}: column '{}' (the series name) is empty", where, columns.series);
    points.push_back({fields[series_at], parse_number(fields[x_at], columns.x, where),
                      parse_number(fields[y_at], columns.y, where)});
  }
  APPS_CHECK(!points.empty(), "{}: no rows after the header", source);
  return points;
}

std::vector<SeriesPoint> read_series_tsv(const std::string& path, const SeriesColumns& columns) {
  std::ifstream in(path, std::ios::binary);
  APPS_CHECK(in.good(), "{}: cannot read it", path);
  std::stringstream text;
  text << in.rdbuf();
  return parse_series_tsv(text.str(), path, columns);
}

}  // namespace apps
