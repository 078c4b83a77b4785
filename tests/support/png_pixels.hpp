#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

namespace codeguru::test {

// The pixels of a decoded PNG: rows top to bottom, `channels` bytes per pixel (3 = RGB, 4 = RGBA),
// no padding between rows.
struct PngPixels {
    std::uint32_t width = 0;
    std::uint32_t height = 0;
    unsigned channels = 0;
    std::vector<std::uint8_t> samples;
};

// Decodes an 8-bit RGB or RGBA, non-interlaced PNG (what Chromium's --screenshot writes): IHDR, the
// IDAT chunks concatenated and inflated, the five row filters undone; every chunk's CRC is checked.
// Throws std::runtime_error naming the problem for anything else (palette, grayscale, 16-bit,
// interlaced, corrupt or truncated data).
PngPixels decode_png(std::span<const std::uint8_t> png);
PngPixels read_png(const std::filesystem::path& file);

// The population variance of the pixels' luma (0.299 R + 0.587 G + 0.114 B, on 0..255), alpha
// ignored: ~0 for a blank page, large when text and coloured blocks are drawn.
double grayscale_variance(const PngPixels& pixels);

}  // namespace codeguru::test
