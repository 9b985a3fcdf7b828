// Points of named series read from a tab-separated table with a header line
// (say "sampler<TAB>nfe<TAB>fd", then one row per point), the input of the
// line charts of line_chart.h. Parsing only: no drawing, no statistics.
#pragma once
#include <string>
#include <vector>

namespace apps {

// Which header columns hold the series name, x and y; other columns are ignored.
struct SeriesColumns {
  std::string series = "series", x = "x", y = "y";
};

struct SeriesPoint {
  std::string series;
  double x, y;
};

// The rows of `text`, in file order. The first line names the columns (each
// name once; the three of `columns` must be there); every further line has
// as many tab-separated fields as the header, a non-empty series name and
// finite numbers for x and y. Empty lines are skipped and a trailing '\r'
// is dropped. Throws apps::Error as "SOURCE:LINE: what is wrong" (SOURCE is
// what `source` calls the text), or "SOURCE: ..." for a missing header or
// no rows.
std::vector<SeriesPoint> parse_series_tsv(const std::string& text, const std::string& source,
                                          const SeriesColumns& columns = {});
// The same from a file; `path` names it in errors.
std::vector<SeriesPoint> read_series_tsv(const std::string& path, const SeriesColumns& columns = {});

}  // namespace apps
