#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace codeguru::service {

// Writes the Prometheus text exposition format (version 0.0.4): each family's HELP and
// TYPE once, then its samples. Not thread-safe.
class PrometheusText {
  public:
    using Labels = std::initializer_list<std::pair<std::string_view, std::string_view>>;

    void family(std::string_view name, std::string_view type, std::string_view help);
    void sample(std::string_view name, Labels labels, const std::string& value);
    void sample(std::string_view name, const std::string& value) { sample(name, {}, value); }

    std::string take() { return std::move(out_); }

  private:
    std::string out_;
};

// Counts observations into buckets with fixed upper bounds (seconds), as a Prometheus
// histogram: cumulative buckets, +Inf, sum and count. Not thread-safe.
class Histogram {
  public:
    explicit Histogram(std::vector<double> bounds);

    void observe(double value);
    long count() const { return count_; }
    // The family `name` (type histogram) with its _bucket, _sum and _count samples.
    void write(PrometheusText& out, std::string_view name, std::string_view help) const;

  private:
    std::vector<double> bounds_;
    std::vector<long> buckets_;  // cumulative: observations <= bounds_[i]
    double sum_ = 0;
    long count_ = 0;
};

// `value` escaped for a Prometheus label value: backslash, double quote and newline.
std::string escape_label_value(std::string_view value);

// `value` with the shortest round-trip digits and never an exponent: 1800000000.5, 0.1, 3600.
std::string prometheus_number(double value);

}  // namespace codeguru::service
