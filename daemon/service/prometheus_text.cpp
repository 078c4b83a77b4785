#include "service/prometheus_text.hpp"

#include <charconv>

namespace codeguru::service {

void PrometheusText::family(std::string_view name, std::string_view type, std::string_view help) {
    out_ += "# HELP ";
    out_ += name;
    out_ += ' ';
    out_ += help;
    out_ += "\n# TYPE ";
    out_ += name;
    out_ += ' ';
    out_ += type;
    out_ += '\n';
}

void PrometheusText::sample(std::string_view name, Labels labels, const std::string& value) {
    out_ += name;
    if (labels.size() > 0) {
        out_ += '{';
        bool first = true;
        for (const auto& [label, label_value] : labels) {
            if (!first) out_ += ',';
            first = false;
            out_ += label;
            out_ += "=\"";
            out_ += escape_label_value(label_value);
            out_ += '"';
        }
        out_ += '}';
    }
    out_ += ' ';
    out_ += value;
    out_ += '\n';
}

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), buckets_(bounds_.size(), 0) {}

void Histogram::observe(double value) {
    for (std::size_t i = 0; i < bounds_.size(); ++i) {
        if (value <= bounds_[i]) ++buckets_[i];
    }
    sum_ += value;
    ++count_;
}

void Histogram::write(PrometheusText& out, std::string_view name, std::string_view help) const {
    const std::string base(name);
    out.family(base, "histogram", help);
    for (std::size_t i = 0; i < bounds_.size(); ++i) {
        out.sample(base + "_bucket", {{"le", prometheus_number(bounds_[i])}},
                   std::to_string(buckets_[i]));
    }
    out.sample(base + "_bucket", {{"le", "+Inf"}}, std::to_string(count_));
    out.sample(base + "_sum", prometheus_number(sum_));
    out.sample(base + "_count", std::to_string(count_));
}

std::string escape_label_value(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (const char c : value) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '"') {
            out += "\\\"";
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    return out;
}

std::string prometheus_number(double value) {
    // 1100 bytes hold the longest fixed form of a double (a subnormal).
    char buffer[1100];
    const auto [end, ec] =
        std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed);
    return std::string(buffer, end);
}

}  // namespace codeguru::service
