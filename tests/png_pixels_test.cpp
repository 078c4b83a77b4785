// png_pixels decodes the PNGs a test builds here with its own small encoder (zlib compress,
// each row filtered by the encoder below): the expected samples and variances are the pixels
// written, never the decoder's output.
#include "png_pixels.hpp"

#include <zlib.h>

#include <catch2/catch.hpp>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

using codeguru::test::decode_png;
using codeguru::test::grayscale_variance;
using codeguru::test::PngPixels;
using codeguru::test::read_png;

namespace {

using Bytes = std::vector<std::uint8_t>;

void put_u32(Bytes& out, std::uint32_t value) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back((value >> shift) & 0xff);
}

void put_chunk(Bytes& out, const std::string& type, const Bytes& data) {
    put_u32(out, static_cast<std::uint32_t>(data.size()));
    Bytes type_and_data(type.begin(), type.end());
    type_and_data.insert(type_and_data.end(), data.begin(), data.end());
    out.insert(out.end(), type_and_data.begin(), type_and_data.end());
    put_u32(out, static_cast<std::uint32_t>(
                     crc32(0L, type_and_data.data(), static_cast<uInt>(type_and_data.size()))));
}

int paeth_predictor(int a, int b, int c) {
    const int p = a + b - c;
    const int pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
    return pa <= pb && pa <= pc ? a : (pb <= pc ? b : c);
}

// Filters one row as the PNG spec defines the encoder side: filtered = raw - predictor.
Bytes filter_row(int type, const Bytes& row, const Bytes& prior, unsigned bpp) {
    Bytes out{static_cast<std::uint8_t>(type)};
    for (std::size_t x = 0; x < row.size(); ++x) {
        const int a = x >= bpp ? row[x - bpp] : 0;
        const int b = prior.empty() ? 0 : prior[x];
        const int c = !prior.empty() && x >= bpp ? prior[x - bpp] : 0;
        const int predictor = type == 0   ? 0
                              : type == 1 ? a
                              : type == 2 ? b
                              : type == 3 ? (a + b) / 2
                                          : paeth_predictor(a, b, c);
        out.push_back(static_cast<std::uint8_t>(row[x] - predictor));
    }
    return out;
}

struct PngSpec {
    std::uint32_t width;
    std::uint32_t height;
    std::uint8_t bit_depth = 8;
    std::uint8_t color_type = 2;  // RGB
    std::uint8_t interlace = 0;
};

// Rows of `samples` filtered with filters[y % filters.size()], the IDAT split in two chunks.
Bytes encode_png(const PngSpec& spec, const Bytes& samples, const std::vector<int>& filters) {
    const unsigned bpp = spec.color_type == 6 ? 4 : 3;
    const std::size_t stride = spec.width * bpp;
    Bytes raw;
    Bytes prior;
    for (std::uint32_t y = 0; y < spec.height; ++y) {
        const Bytes row(samples.begin() + y * stride, samples.begin() + (y + 1) * stride);
        const Bytes filtered = filter_row(filters[y % filters.size()], row, prior, bpp);
        raw.insert(raw.end(), filtered.begin(), filtered.end());
        prior = row;
    }
    uLongf size = compressBound(raw.size());
    Bytes compressed(size);
    REQUIRE(compress(compressed.data(), &size, raw.data(), raw.size()) == Z_OK);
    compressed.resize(size);

    Bytes png{0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    Bytes header;
    put_u32(header, spec.width);
    put_u32(header, spec.height);
    header.insert(header.end(), {spec.bit_depth, spec.color_type, 0, 0, spec.interlace});
    put_chunk(png, "IHDR", header);
    put_chunk(png, "sRGB", {0});
    const std::size_t half = compressed.size() / 2;
    put_chunk(png, "IDAT", Bytes(compressed.begin(), compressed.begin() + half));
    put_chunk(png, "IDAT", Bytes(compressed.begin() + half, compressed.end()));
    put_chunk(png, "IEND", {});
    return png;
}

// Pixels whose neighbours differ, so that every predictor contributes.
Bytes varied_samples(std::size_t count) {
    Bytes samples;
    for (std::size_t i = 0; i < count; ++i)
        samples.push_back(static_cast<std::uint8_t>((i * 37 + (i / 7) * 101 + 13) % 256));
    return samples;
}

std::string error_of(const Bytes& png) {
    try {
        decode_png(png);
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace

TEST_CASE("decodes RGB rows written with each of the five filter types", "[png]") {
    for (int filter = 0; filter <= 4; ++filter) {
        CAPTURE(filter);
        const PngSpec spec{7, 5};
        const Bytes samples = varied_samples(7 * 5 * 3);
        const PngPixels pixels = decode_png(encode_png(spec, samples, {filter}));
        CHECK(pixels.width == 7);
        CHECK(pixels.height == 5);
        CHECK(pixels.channels == 3);
        CHECK(pixels.samples == samples);
    }
}

TEST_CASE("decodes RGBA rows with the filter changing from row to row", "[png]") {
    const PngSpec spec{9, 10, 8, 6};
    const Bytes samples = varied_samples(9 * 10 * 4);
    const PngPixels pixels = decode_png(encode_png(spec, samples, {4, 0, 3, 1, 2}));
    CHECK(pixels.channels == 4);
    CHECK(pixels.samples == samples);
}

TEST_CASE("grayscale variance is that of the luma of the pixels written", "[png]") {
    SECTION("a uniform colour has none") {
        Bytes samples;
        for (int i = 0; i < 16; ++i) samples.insert(samples.end(), {200, 30, 90});
        CHECK(grayscale_variance(decode_png(encode_png({4, 4}, samples, {1}))) ==
              Approx(0.0).margin(1e-9));
    }
    SECTION("half black, half white gray pixels: 127.5 squared") {
        Bytes samples;
        for (int i = 0; i < 8; ++i) samples.insert(samples.end(), {0, 0, 0, 255, 255, 255});
        CHECK(grayscale_variance(decode_png(encode_png({4, 4}, samples, {2}))) ==
              Approx(127.5 * 127.5));
    }
    SECTION("pure red and pure blue: luma 76.245 and 29.07, mean square deviation 23.5875^2") {
        const Bytes samples{255, 0, 0, 0, 0, 255};
        CHECK(grayscale_variance(decode_png(encode_png({2, 1}, samples, {0}))) ==
              Approx(23.5875 * 23.5875));
    }
}

TEST_CASE("reads a PNG from a file", "[png]") {
    const auto file = std::filesystem::temp_directory_path() / "png_pixels_test.png";
    const Bytes samples = varied_samples(3 * 2 * 3);
    const Bytes png = encode_png({3, 2}, samples, {4});
    std::ofstream(file, std::ios::binary)
        .write(reinterpret_cast<const char*>(png.data()), static_cast<std::streamsize>(png.size()));
    const PngPixels pixels = read_png(file);
    std::filesystem::remove(file);
    CHECK(pixels.samples == samples);
}

TEST_CASE("refuses PNGs it does not decode, naming why", "[png]") {
    const Bytes gray_samples = varied_samples(4 * 4 * 3);
    CHECK_THAT(error_of(encode_png({4, 4, 16, 2}, gray_samples, {0})),
               Catch::Contains("bit depth 16"));
    CHECK_THAT(error_of(encode_png({4, 4, 8, 3}, gray_samples, {0})),
               Catch::Contains("color type 3"));
    CHECK_THAT(error_of(encode_png({4, 4, 8, 0}, gray_samples, {0})),
               Catch::Contains("color type 0"));
    CHECK_THAT(error_of(encode_png({4, 4, 8, 2, 1}, gray_samples, {0})),
               Catch::Contains("interlaced"));
    CHECK_THAT(error_of(Bytes{'G', 'I', 'F', '8', '9', 'a', 0, 0}), Catch::Contains("signature"));

    Bytes good = encode_png({4, 4}, gray_samples, {0});
    Bytes corrupt = good;
    corrupt[20] ^= 0x01;  // inside IHDR's width: its CRC no longer matches
    CHECK_THAT(error_of(corrupt), Catch::Contains("CRC"));
    CHECK_THAT(error_of(Bytes(good.begin(), good.begin() + 40)), Catch::Contains("truncated"));
    CHECK_THAT(error_of(encode_png({4, 4}, gray_samples, {5})), Catch::Contains("filter type 5"));
}
