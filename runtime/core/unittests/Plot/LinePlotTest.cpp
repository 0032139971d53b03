//===- LinePlotTest.cpp - The PNG writers make valid images ---------------===//
//
// Decodes what renderPng writes (chunk CRCs, the zlib stream of stored
// blocks and its Adler-32, the scanlines) and checks that the curves, and
// a mesh plot's cells and routes, are drawn in their colours.
//
//===----------------------------------------------------------------------===//

#include "spike/core/Plot/LinePlot.h"
#include "spike/core/Plot/MeshPlot.h"

#include <gtest/gtest.h>

#include <cstring>

#include <zlib.h>

using namespace spike::core;

namespace {

uint32_t be32(const std::string &s, size_t at) {
  return uint32_t(uint8_t(s[at])) << 24 | uint32_t(uint8_t(s[at + 1])) << 16 |
         uint32_t(uint8_t(s[at + 2])) << 8 | uint32_t(uint8_t(s[at + 3]));
}

uint32_t crc32(const std::string &s) {
  uint32_t crc = ~0u;
  for (unsigned char c : s) {
    crc ^= c;
    for (int k = 0; k < 8; ++k)
      crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

struct Image {
  uint32_t width = 0, height = 0;
  std::string pixels; ///< RGB rows, filter bytes removed
};

/// Decodes an 8-bit RGB PNG (zlib-deflated IDAT, filter none).
Image decode(const std::string &png) {
  Image img;
  EXPECT_EQ(png.compare(0, 8, "\x89PNG\r\n\x1a\n"), 0);
  std::string idat;
  for (size_t at = 8; at + 12 <= png.size();) {
    uint32_t len = be32(png, at);
    std::string type = png.substr(at + 4, 4);
    std::string body = png.substr(at + 4, 4 + len);
    EXPECT_EQ(be32(png, at + 8 + len), crc32(body)) << type << " CRC";
    if (type == "IHDR") {
      img.width = be32(png, at + 8);
      img.height = be32(png, at + 12);
      EXPECT_EQ(png[at + 16], 8); // bit depth
      EXPECT_EQ(png[at + 17], 2); // RGB
    }
    if (type == "IDAT")
      idat += png.substr(at + 8, len);
    at += 12 + len;
  }
  std::string raw(size_t(img.height) * (1 + 3 * img.width), '\0');
  uLongf size = uLongf(raw.size());
  EXPECT_EQ(uncompress(reinterpret_cast<Bytef *>(raw.data()), &size,
                       reinterpret_cast<const Bytef *>(idat.data()),
                       uLong(idat.size())),
            Z_OK);
  raw.resize(size);
  EXPECT_EQ(raw.size(), size_t(img.height) * (1 + 3 * img.width));
  for (uint32_t y = 0; y < img.height; ++y) {
    EXPECT_EQ(raw[y * (1 + 3 * img.width)], 0); // filter: none
    img.pixels += raw.substr(y * (1 + 3 * img.width) + 1, 3 * img.width);
  }
  return img;
}

size_t countColour(const Image &img, uint32_t rgb) {
  size_t n = 0;
  for (size_t i = 0; i + 2 < img.pixels.size(); i += 3)
    n += uint8_t(img.pixels[i]) == (rgb >> 16 & 0xff) &&
         uint8_t(img.pixels[i + 1]) == (rgb >> 8 & 0xff) &&
         uint8_t(img.pixels[i + 2]) == (rgb & 0xff);
  return n;
}

TEST(LinePlot, WritesAValidPngWithTheCurves) {
  LinePlot plot;
  plot.title = "Layer-wise MSE";
  plot.xLabel = "block";
  plot.yLabel = "MSE (log)";
  plot.logY = true;
  plot.series = {{"before", {{0, 0.02}, {1, 0.2}, {2, 1.5}}, 0xd62728},
                 {"after", {{0, 0.015}, {1, 0.1}, {2, 0.0}}, 0x2ca02c}};
  Image img = decode(renderPng(plot));
  EXPECT_EQ(img.width, 900u);
  EXPECT_EQ(img.height, 540u);
  // Both curves are drawn (the non-positive point is skipped on a log axis).
  EXPECT_GT(countColour(img, 0xd62728), 500u);
  EXPECT_GT(countColour(img, 0x2ca02c), 200u);
}

TEST(LinePlot, EmptyPlotIsStillAnImage) {
  LinePlot plot;
  plot.width = 64;
  plot.height = 48;
  Image img = decode(renderPng(plot));
  EXPECT_EQ(img.width, 64u);
  EXPECT_EQ(img.height, 48u);
}

TEST(LinePlot, LegendBelowAddsARowPerSeries) {
  LinePlot plot;
  plot.legendBelow = true;
  plot.series = {{"a", {{0, 1}, {1, 2}}, 0x1f77b4, false},
                 {"b", {{0, 2}}, 0xff7f0e}};
  Image img = decode(renderPng(plot));
  EXPECT_EQ(img.height, 540u + 2 * 22 + 10);
  EXPECT_GT(countColour(img, 0x1f77b4), 100u);
  // A one-point series is a marker even without markers: 7 x 7 pixels.
  EXPECT_GE(countColour(img, 0xff7f0e), 49u);
}

TEST(MeshPlot, DrawsCellsRoutesAndIdleCores) {
  MeshPlot plot;
  plot.title = "mesh";
  plot.valueLabel = "uJ";
  plot.columns = 8;
  plot.rows = 4;
  plot.chipColumns = 4;
  plot.cells = {{0, 0, 2.0}, {5, 3, 1.0}};
  plot.routes = {{0, 0, 5, 3, 10.0}};
  Image img = decode(renderPng(plot));
  EXPECT_EQ(img.width, 640u); // at least 640 wide
  // The busiest core is dark red, an idle one grey, the route blue.
  EXPECT_GT(countColour(img, 0x800000), 100u);
  EXPECT_GT(countColour(img, 0xe8e8e8), 1000u);
  EXPECT_GT(countColour(img, 0x1f5fbf), 50u);
}

} // namespace
