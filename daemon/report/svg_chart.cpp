#include "report/svg_chart.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "report/html_escape.hpp"

namespace codeguru::report {
namespace {

// A line's stroke colour, stroke-dasharray ("none": solid) and width.
struct LineStyle {
    const char* colour;
    const char* dasharray;
    double width;
};

// Dark to light, and each with its own dashes: tells the series apart in grayscale.
constexpr LineStyle kLineStyles[] = {
    {"#67000d", "none", 3.0},     {"#cb181d", "9 3", 2.5},   {"#d9822b", "3 3", 2.5},
    {"#2171b5", "12 3 3 3", 2.0}, {"#636363", "1.5 3", 2.0}, {"#000000", "6 6", 1.5},
};

constexpr double kWidth = 720;
constexpr std::size_t kLabelLimit = 40;

std::string number(double value) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f", value);
    std::string s = text;
    if (s.size() > 2 && s.ends_with(".0")) s.resize(s.size() - 2);
    return s;
}

// The smallest 1, 2 or 5 × 10^k at least max / 4, times 4: a top for four gridlines.
double nice_top(double max) {
    if (max <= 0) return 4;
    const double raw = max / 4;
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    for (const double step : {1.0, 2.0, 5.0, 10.0}) {
        if (step * magnitude >= raw) return 4 * step * magnitude;
    }
    return 40 * magnitude;
}

std::string open_svg(std::string_view title, double height) {
    return "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" viewBox=\"0 0 " +
           number(kWidth) + " " + number(height) + "\" aria-label=\"" + html(title) + "\"><title>" +
           html(title) + "</title>";
}

const LineStyle& line_style(std::size_t index) {
    return kLineStyles[index % std::size(kLineStyles)];
}

}  // namespace

std::string line_chart_svg(std::string_view title, const std::vector<LineSeries>& series,
                           const std::vector<std::string>& x_labels, std::size_t label_every) {
    constexpr double kLeft = 44, kRight = 12, kTop = 10, kPlotHeight = 200, kHeight = 270;
    const double plot_width = kWidth - kLeft - kRight;
    double max = 0;
    for (const auto& s : series) {
        for (const double v : s.values) max = std::max(max, v);
    }
    const double top = nice_top(max);
    const std::size_t points = x_labels.size();
    const auto x_of = [&](std::size_t i) {
        return kLeft + (points > 1
                            ? plot_width * static_cast<double>(i) / static_cast<double>(points - 1)
                            : plot_width / 2);
    };
    const auto y_of = [&](double v) { return kTop + kPlotHeight * (1 - v / top); };

    std::string svg = open_svg(title, kHeight);
    svg += "<g class=\"grid\" font-size=\"11\" fill=\"#333\">";
    for (int i = 0; i <= 4; ++i) {
        const double v = top * i / 4, y = y_of(v);
        svg += "<line x1=\"" + number(kLeft) + "\" x2=\"" + number(kWidth - kRight) + "\" y1=\"" +
               number(y) + "\" y2=\"" + number(y) + "\" stroke=\"#bbb\" stroke-width=\"0.5\"/>";
        svg += "<text x=\"" + number(kLeft - 6) + "\" y=\"" + number(y + 4) +
               "\" text-anchor=\"end\">" + number(v) + "</text>";
    }
    for (std::size_t i = 0; i < points; ++i) {
        if (label_every == 0 || (points - 1 - i) % label_every != 0) continue;
        // The last label ends at its point, inside the chart.
        const char* anchor = i + 1 == points && points > 1 ? "end" : "middle";
        svg += "<text x=\"" + number(x_of(i)) + "\" y=\"" + number(kTop + kPlotHeight + 16) +
               "\" text-anchor=\"" + anchor + "\">" + html(x_labels[i], kLabelLimit) + "</text>";
    }
    svg += "</g>";
    for (std::size_t s = 0; s < series.size(); ++s) {
        const LineStyle& style = line_style(s);
        svg += "<polyline fill=\"none\" stroke=\"" + std::string(style.colour) +
               "\" stroke-width=\"" + number(style.width) + "\" stroke-dasharray=\"" +
               style.dasharray + "\" points=\"";
        for (std::size_t i = 0; i < series[s].values.size() && i < points; ++i) {
            if (i > 0) svg += ' ';
            svg += number(x_of(i)) + "," + number(y_of(series[s].values[i]));
        }
        svg += "\"/>";
    }
    // The legend: a sample of each line and its label, in one row under the axis labels.
    const double legend_y = kTop + kPlotHeight + 46;
    double x = kLeft;
    svg += "<g font-size=\"12\" fill=\"#000\">";
    for (std::size_t s = 0; s < series.size(); ++s) {
        const LineStyle& style = line_style(s);
        svg += "<line x1=\"" + number(x) + "\" x2=\"" + number(x + 28) + "\" y1=\"" +
               number(legend_y - 4) + "\" y2=\"" + number(legend_y - 4) + "\" stroke=\"" +
               style.colour + "\" stroke-width=\"" + number(style.width) +
               "\" stroke-dasharray=\"" + style.dasharray + "\"/>";
        svg += "<text x=\"" + number(x + 34) + "\" y=\"" + number(legend_y) + "\">" +
               html(series[s].label, kLabelLimit) + "</text>";
        x += 110;
    }
    svg += "</g></svg>";
    return svg;
}

std::string bar_chart_svg(std::string_view title, const std::vector<BarGroup>& groups,
                          const std::vector<std::string>& measures, std::string_view unit) {
    constexpr double kLeft = 90, kRight = 70, kTop = 28, kBar = 12, kGap = 3, kGroupGap = 12;
    const std::size_t bars = std::max<std::size_t>(measures.size(), 1);
    const double group_height = static_cast<double>(bars) * (kBar + kGap) + kGroupGap;
    const double height = kTop + group_height * static_cast<double>(groups.size()) + 4;
    double max = 0;
    for (const auto& g : groups) {
        for (const double v : g.values) max = std::max(max, v);
    }
    const double scale = max > 0 ? (kWidth - kLeft - kRight) / max : 0;
    const auto fill_of = [](std::size_t m) {
        return m == 0 ? std::string("fill=\"#333\"")
                      : std::string("fill=\"url(#bar-hatch)\" stroke=\"#333\" stroke-width=\"1\"");
    };

    std::string svg = open_svg(title, height);
    svg +=
        "<defs><pattern id=\"bar-hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\""
        " patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#fff\"/>"
        "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#333\" stroke-width=\"2.5\"/>"
        "</pattern></defs>";
    svg += "<g font-size=\"12\" fill=\"#000\">";
    double x = kLeft;
    for (std::size_t m = 0; m < measures.size(); ++m) {
        svg += "<rect x=\"" + number(x) + "\" y=\"6\" width=\"24\" height=\"" + number(kBar) +
               "\" " + fill_of(m) + "/><text x=\"" + number(x + 30) + "\" y=\"16\">" +
               html(measures[m], kLabelLimit) + "</text>";
        x += 150;
    }
    for (std::size_t g = 0; g < groups.size(); ++g) {
        const double y0 = kTop + group_height * static_cast<double>(g);
        svg += "<text x=\"" + number(kLeft - 8) + "\" y=\"" +
               number(y0 + static_cast<double>(bars) * (kBar + kGap) / 2 + 4) +
               "\" text-anchor=\"end\">" + html(groups[g].label, kLabelLimit) + "</text>";
        for (std::size_t m = 0; m < groups[g].values.size() && m < bars; ++m) {
            const double y = y0 + static_cast<double>(m) * (kBar + kGap);
            const double w = std::max(groups[g].values[m] * scale, 1.0);
            svg += "<rect x=\"" + number(kLeft) + "\" y=\"" + number(y) + "\" width=\"" +
                   number(w) + "\" height=\"" + number(kBar) + "\" " + fill_of(m) + "/>";
            svg += "<text x=\"" + number(kLeft + w + 5) + "\" y=\"" + number(y + kBar - 2) + "\">" +
                   number(groups[g].values[m]) + html(unit, kLabelLimit) + "</text>";
        }
    }
    svg += "</g></svg>";
    return svg;
}

}  // namespace codeguru::report
