#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace codeguru::report {

// Inline SVG charts for the HTML report: no script, no external reference, sized by a
// viewBox (they scale to the page). Each series or measure has a dash pattern or a fill
// pattern as well as a colour, so that the charts read in grayscale. Labels are raw text:
// the charts clean and escape them. role="img" with an aria-label of `title`; the report
// puts the numbers in a table under each chart as well.

// One line of a line chart: a value per x point.
struct LineSeries {
    std::string label;
    std::vector<double> values;
};

// A line per series over the points of `x_labels`; every `label_every`th x label (counting
// from the last) is written under the axis. The y axis starts at 0.
std::string line_chart_svg(std::string_view title, const std::vector<LineSeries>& series,
                           const std::vector<std::string>& x_labels, std::size_t label_every);

// A group of horizontal bars: one bar per measure.
struct BarGroup {
    std::string label;
    std::vector<double> values;
};

// Bars per group, a legend of `measures` (two at most get distinct patterns, the first
// solid, the second hatched), the value written after each bar with `unit` ("d").
std::string bar_chart_svg(std::string_view title, const std::vector<BarGroup>& groups,
                          const std::vector<std::string>& measures, std::string_view unit);

}  // namespace codeguru::report
