//===- Canvas.h - An RGB raster for the PNG plots ---------------*- C++ -*-===//
//
// Private to the plot library: a white RGB canvas with rectangles, lines
// and text in a built-in 5x7 bitmap font (lower case drawn as upper case),
// encoded as an 8-bit RGB PNG (zlib-deflated scanlines).
//
//===----------------------------------------------------------------------===//

#ifndef SPIKE_CORE_PLOT_CANVAS_H
#define SPIKE_CORE_PLOT_CANVAS_H

#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

namespace spike::core::plot {

/// 5x7 glyphs, one string of 7 rows x 5 columns per character.
const std::map<char, const char *> &font();

/// Pixels clipped to the canvas; colours are 0xRRGGBB.
struct Canvas {
  int w, h;
  std::vector<uint8_t> rgb;
  Canvas(int w, int h) : w(w), h(h), rgb(size_t(w) * h * 3, 255) {}
  void set(int x, int y, uint32_t c) {
    if (x < 0 || y < 0 || x >= w || y >= h)
      return;
    uint8_t *p = &rgb[(size_t(y) * w + x) * 3];
    p[0] = uint8_t(c >> 16), p[1] = uint8_t(c >> 8), p[2] = uint8_t(c);
  }
  void rect(int x0, int y0, int x1, int y1, uint32_t c) {
    for (int y = y0; y <= y1; ++y)
      for (int x = x0; x <= x1; ++x)
        set(x, y, c);
  }
  void line(int x0, int y0, int x1, int y1, uint32_t c, int thick = 1) {
    int dx = std::abs(x1 - x0), dy = -std::abs(y1 - y0);
    int sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1, err = dx + dy;
    while (true) {
      rect(x0 - thick / 2, y0 - thick / 2, x0 + (thick - 1) / 2,
           y0 + (thick - 1) / 2, c);
      if (x0 == x1 && y0 == y1)
        break;
      int e2 = 2 * err;
      if (e2 >= dy)
        err += dy, x0 += sx;
      if (e2 <= dx)
        err += dx, y0 += sy;
    }
  }
  /// Text at (x, y) top-left, `scale` pixels per font dot.
  void text(int x, int y, const std::string &s, uint32_t c, int scale = 2) {
    for (char ch : s) {
      char u = char(std::toupper(static_cast<unsigned char>(ch)));
      auto g = font().find(u);
      if (g != font().end())
        for (int r = 0; r < 7; ++r)
          for (int col = 0; col < 5; ++col)
            if (g->second[r * 5 + col] == '#')
              rect(x + col * scale, y + r * scale, x + col * scale + scale - 1,
                   y + r * scale + scale - 1, c);
      x += 6 * scale;
    }
  }
  static int textWidth(const std::string &s, int scale = 2) {
    return int(s.size()) * 6 * scale;
  }
};

/// A number for a label: printf's %g with `digits` significant digits.
std::string formatNumber(double v, int digits = 6);

/// The PNG file's bytes (empty only on allocation failure).
std::string encodePng(const Canvas &c);

} // namespace spike::core::plot

#endif // SPIKE_CORE_PLOT_CANVAS_H
