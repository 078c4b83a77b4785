#include "png_pixels.hpp"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <string_view>

namespace codeguru::test {

namespace {

constexpr std::array<std::uint8_t, 8> kSignature{0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
constexpr std::uint8_t kColorRgb = 2;
constexpr std::uint8_t kColorRgba = 6;
// Bounds a corrupt header's claim before anything is allocated from it.
constexpr std::uint64_t kMaxPixels = 64ull * 1024 * 1024;

std::runtime_error png_error(const std::string& what) {
    return std::runtime_error("png: " + what);
}

std::uint32_t read_u32(std::span<const std::uint8_t> bytes, std::size_t at) {
    return (std::uint32_t{bytes[at]} << 24) | (std::uint32_t{bytes[at + 1]} << 16) |
           (std::uint32_t{bytes[at + 2]} << 8) | std::uint32_t{bytes[at + 3]};
}

struct Header {
    std::uint32_t width = 0;
    std::uint32_t height = 0;
    unsigned channels = 0;
};

Header parse_header(std::span<const std::uint8_t> data) {
    if (data.size() != 13) throw png_error("IHDR is " + std::to_string(data.size()) + " bytes");
    Header header{read_u32(data, 0), read_u32(data, 4), 0};
    const auto bit_depth = data[8];
    const auto color_type = data[9];
    if (header.width == 0 || header.height == 0) throw png_error("empty image");
    if (std::uint64_t{header.width} * header.height > kMaxPixels)
        throw png_error("image too large");
    if (bit_depth != 8) throw png_error("unsupported bit depth " + std::to_string(bit_depth));
    if (color_type == kColorRgb) {
        header.channels = 3;
    } else if (color_type == kColorRgba) {
        header.channels = 4;
    } else {
        throw png_error("unsupported color type " + std::to_string(color_type) +
                        " (only RGB and RGBA)");
    }
    if (data[10] != 0 || data[11] != 0) throw png_error("unknown compression or filter method");
    if (data[12] != 0) throw png_error("interlaced images are not supported");
    return header;
}

std::vector<std::uint8_t> inflate_all(const std::vector<std::uint8_t>& compressed,
                                      std::size_t expected) {
    std::vector<std::uint8_t> out(expected);
    z_stream stream{};
    if (inflateInit(&stream) != Z_OK) throw png_error("inflateInit failed");
    stream.next_in = const_cast<Bytef*>(compressed.data());
    stream.avail_in = static_cast<uInt>(compressed.size());
    stream.next_out = out.data();
    stream.avail_out = static_cast<uInt>(out.size());
    const int rc = inflate(&stream, Z_FINISH);
    const auto produced = stream.total_out;
    inflateEnd(&stream);
    // Z_BUF_ERROR with a full buffer means more data than the header allows.
    if (rc != Z_STREAM_END) throw png_error("image data is corrupt or does not match its size");
    if (produced != expected) throw png_error("image data is shorter than its size");
    return out;
}

std::uint8_t paeth(int left, int up, int up_left) {
    const int estimate = left + up - up_left;
    const int to_left = std::abs(estimate - left);
    const int to_up = std::abs(estimate - up);
    const int to_up_left = std::abs(estimate - up_left);
    if (to_left <= to_up && to_left <= to_up_left) return static_cast<std::uint8_t>(left);
    if (to_up <= to_up_left) return static_cast<std::uint8_t>(up);
    return static_cast<std::uint8_t>(up_left);
}

// Undoes each row's filter in place of a copy: raw is (1 filter byte + stride) per row.
std::vector<std::uint8_t> unfilter(const std::vector<std::uint8_t>& raw, const Header& header) {
    const std::size_t stride = std::size_t{header.width} * header.channels;
    const std::size_t bpp = header.channels;
    std::vector<std::uint8_t> out(stride * header.height);
    for (std::size_t y = 0; y < header.height; ++y) {
        const std::uint8_t filter = raw[y * (stride + 1)];
        const std::uint8_t* in = &raw[y * (stride + 1) + 1];
        std::uint8_t* row = &out[y * stride];
        const std::uint8_t* prior = y > 0 ? &out[(y - 1) * stride] : nullptr;
        for (std::size_t x = 0; x < stride; ++x) {
            const int left = x >= bpp ? row[x - bpp] : 0;
            const int up = prior != nullptr ? prior[x] : 0;
            const int up_left = prior != nullptr && x >= bpp ? prior[x - bpp] : 0;
            int predictor = 0;
            switch (filter) {
                case 0:
                    predictor = 0;
                    break;
                case 1:
                    predictor = left;
                    break;
                case 2:
                    predictor = up;
                    break;
                case 3:
                    predictor = (left + up) / 2;
                    break;
                case 4:
                    predictor = paeth(left, up, up_left);
                    break;
                default:
                    throw png_error("unknown filter type " + std::to_string(filter) + " in row " +
                                    std::to_string(y));
            }
            row[x] = static_cast<std::uint8_t>(in[x] + predictor);
        }
    }
    return out;
}

}  // namespace

PngPixels decode_png(std::span<const std::uint8_t> png) {
    if (png.size() < kSignature.size() ||
        !std::equal(kSignature.begin(), kSignature.end(), png.begin()))
        throw png_error("not a PNG file (bad signature)");
    std::size_t at = kSignature.size();
    Header header;
    bool have_header = false;
    bool have_end = false;
    std::vector<std::uint8_t> compressed;
    while (!have_end) {
        if (png.size() - at < 12) throw png_error("truncated chunk");
        const std::uint32_t length = read_u32(png, at);
        if (length > png.size() - at - 12) throw png_error("truncated chunk");
        const auto type_and_data = png.subspan(at + 4, 4 + std::size_t{length});
        const std::string_view type(reinterpret_cast<const char*>(type_and_data.data()), 4);
        const auto data = type_and_data.subspan(4);
        const auto crc = crc32(0L, type_and_data.data(), static_cast<uInt>(type_and_data.size()));
        if (crc != read_u32(png, at + 8 + length))
            throw png_error("CRC mismatch in chunk " + std::string(type));
        at += 12 + std::size_t{length};
        if (!have_header && type != "IHDR") throw png_error("first chunk is not IHDR");
        if (type == "IHDR") {
            if (have_header) throw png_error("second IHDR");
            header = parse_header(data);
            have_header = true;
        } else if (type == "IDAT") {
            compressed.insert(compressed.end(), data.begin(), data.end());
        } else if (type == "IEND") {
            have_end = true;
        } else if (type == "PLTE") {
            throw png_error("palette images are not supported");
        }
        // Ancillary chunks (sRGB, pHYs, tEXt, ...) do not change the samples.
    }
    if (compressed.empty()) throw png_error("no IDAT chunk");
    const std::size_t stride = std::size_t{header.width} * header.channels;
    const auto raw = inflate_all(compressed, (stride + 1) * header.height);
    return PngPixels{header.width, header.height, header.channels, unfilter(raw, header)};
}

PngPixels read_png(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw png_error("cannot open " + file.string());
    const std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                          std::istreambuf_iterator<char>());
    return decode_png(bytes);
}

double grayscale_variance(const PngPixels& pixels) {
    const std::size_t count = std::size_t{pixels.width} * pixels.height;
    if (count == 0 || pixels.samples.size() != count * pixels.channels) return 0.0;
    // Welford's update: one pass, no cancellation on large images.
    double mean = 0.0;
    double squared_distance = 0.0;
    for (std::size_t i = 0; i < count; ++i) {
        const std::uint8_t* pixel = &pixels.samples[i * pixels.channels];
        const double luma = 0.299 * pixel[0] + 0.587 * pixel[1] + 0.114 * pixel[2];
        const double delta = luma - mean;
        mean += delta / static_cast<double>(i + 1);
        squared_distance += delta * (luma - mean);
    }
    return squared_distance / static_cast<double>(count);
}

}  // namespace codeguru::test
