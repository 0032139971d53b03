//===- LinePlot.cpp - Line charts as PNG images ---------------------------===//

#include "spike/core/Plot/LinePlot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include <zlib.h>

namespace spike::core {

namespace {

/// 5x7 glyphs, one string of 7 rows x 5 columns per character.
const std::map<char, const char *> &font() {
  static const std::map<char, const char *> glyphs = {
      {'0', ".###.#...##..###.#.###..##...#.###."},
      {'1', "..#...##....#....#....#....#...###."},
      {'2', ".###.#...#....#...#...#...#...#####"},
      {'3', "#####...#...#......#....##...#.###."},
      {'4', "...#...##..#.#.#..#.#####...#....#."},
      {'5', "######....####.....#....##...#.###."},
      {'6', "..##..#...#....####.#...##...#.###."},
      {'7', "#####....#...#...#...#....#....#..."},
      {'8', ".###.#...##...#.###.#...##...#.###."},
      {'9', ".###.#...##...#.####....#...#..##.."},
      {'A', ".###.#...##...#######...##...##...#"},
      {'B', "####.#...##...#####.#...##...#####."},
      {'C', ".###.#...##....#....#....#...#.###."},
      {'D', "###..#..#.#...##...##...##..#.###.."},
      {'E', "######....#....####.#....#....#####"},
      {'F', "######....#....####.#....#....#...."},
      {'G', ".###.#...##....#.####...##...#.####"},
      {'H', "#...##...##...#######...##...##...#"},
      {'I', ".###...#....#....#....#....#...###."},
      {'J', "..###...#....#....#....#.#..#..##.."},
      {'K', "#...##..#.#.#..##...#.#..#..#.#...#"},
      {'L', "#....#....#....#....#....#....#####"},
      {'M', "#...###.###.#.##...##...##...##...#"},
      {'N', "#...##...###..##.#.##..###...##...#"},
      {'O', ".###.#...##...##...##...##...#.###."},
      {'P', "####.#...##...#####.#....#....#...."},
      {'Q', ".###.#...##...##...##.#.##..#..##.#"},
      {'R', "####.#...##...#####.#.#..#..#.#...#"},
      {'S', ".####.....#.....###.....#....#####."},
      {'T', "#####..#....#....#....#....#....#.."},
      {'U', "#...##...##...##...##...##...#.###."},
      {'V', "#...##...##...##...##...#.#.#...#.."},
      {'W', "#...##...##...##.#.##.#.##.#.#.#.#."},
      {'X', "#...##...#.#.#...#...#.#.#...##...#"},
      {'Y', "#...##...##...#.#.#...#....#....#.."},
      {'Z', "#####....#...#...#...#...#....#####"},
      {'.', "..............................##..."},
      {',', "......................##....#...#.."},
      {'-', "...............###................."},
      {'+', ".......#....#..#####..#....#......."},
      {'=', "..........#####.....#####.........."},
      {'(', "...#...#...#....#....#.....#.....#."},
      {')', ".#.....#.....#....#....#...#...#..."},
      {'/', ".........#...#...#...#...#........."},
      {':', ".......##...##.........##...##....."},
      {'^', "..#...#.#.#...#...................."},
  };
  return glyphs;
}

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

void put32(std::string &out, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8)
    out.push_back(char(v >> s));
}

void chunk(std::string &png, const char *type, const std::string &data) {
  put32(png, uint32_t(data.size()));
  std::string body = std::string(type, 4) + data;
  png += body;
  put32(png, uint32_t(::crc32(0, reinterpret_cast<const Bytef *>(body.data()),
                              uInt(body.size()))));
}

std::string encodePng(const Canvas &c) {
  // Scanlines with filter byte 0, deflated: plots are mostly flat colour,
  // so this is about 100 times smaller than stored blocks.
  std::string raw;
  for (int y = 0; y < c.h; ++y) {
    raw.push_back('\0');
    raw.append(reinterpret_cast<const char *>(&c.rgb[size_t(y) * c.w * 3]),
               size_t(c.w) * 3);
  }
  uLongf size = compressBound(uLong(raw.size()));
  std::string z(size, '\0');
  if (compress2(reinterpret_cast<Bytef *>(z.data()), &size,
                reinterpret_cast<const Bytef *>(raw.data()), uLong(raw.size()),
                Z_BEST_COMPRESSION) != Z_OK)
    return {}; // only on allocation failure
  z.resize(size);
  std::string png = "\x89PNG\r\n\x1a\n";
  std::string ihdr;
  put32(ihdr, uint32_t(c.w));
  put32(ihdr, uint32_t(c.h));
  ihdr += std::string("\x08\x02\x00\x00\x00", 5); // 8-bit RGB
  chunk(png, "IHDR", ihdr);
  chunk(png, "IDAT", z);
  chunk(png, "IEND", "");
  return png;
}

std::string formatTick(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

} // namespace

std::string renderPng(const LinePlot &plot) {
  Canvas c(plot.width, plot.height);
  const uint32_t ink = 0x222222, grid = 0xdddddd;
  int left = 110, right = plot.width - 30, top = 50, bottom = plot.height - 70;
  auto ty = [&](double y) { return plot.logY ? std::log10(y) : y; };
  double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
  for (const auto &s : plot.series)
    for (auto [x, y] : s.points) {
      if (!std::isfinite(x) || !std::isfinite(y) || (plot.logY && y <= 0))
        continue;
      x0 = std::min(x0, x), x1 = std::max(x1, x);
      y0 = std::min(y0, ty(y)), y1 = std::max(y1, ty(y));
    }
  if (!(x0 <= x1))
    x0 = 0, x1 = 1, y0 = 0, y1 = 1;
  if (x1 == x0)
    x1 = x0 + 1;
  if (plot.logY)
    y0 = std::floor(y0), y1 = std::ceil(y1);
  if (y1 == y0)
    y1 = y0 + 1;
  auto px = [&](double x) {
    return left + int(std::lround((x - x0) / (x1 - x0) * (right - left)));
  };
  auto py = [&](double y) {
    return bottom - int(std::lround((ty(y) - y0) / (y1 - y0) * (bottom - top)));
  };

  // Grid and ticks: decades on a log axis, 5 steps otherwise.
  std::vector<double> yTicks;
  if (plot.logY) {
    int decades = int(y1 - y0);
    int stride = std::max(1, decades / 8);
    for (int e = int(y0); e <= int(y1); e += stride)
      yTicks.push_back(std::pow(10.0, e));
  } else {
    for (int i = 0; i <= 5; ++i)
      yTicks.push_back(y0 + (y1 - y0) * i / 5);
  }
  for (double t : yTicks) {
    int y = py(t);
    c.line(left, y, right, y, grid);
    std::string label =
        plot.logY ? "1E" + formatTick(std::log10(t)) : formatTick(t);
    c.text(left - 10 - Canvas::textWidth(label), y - 7, label, ink);
  }
  // At most ~10 ticks on whole numbers (x is a block index, a time step).
  double xStep = std::max(1.0, std::ceil((x1 - x0) / 10));
  for (double t = x0; t <= x1 + 1e-9; t += xStep) {
    int x = px(t);
    c.line(x, top, x, bottom, grid);
    std::string label = formatTick(std::round(t * 100) / 100);
    c.text(x - Canvas::textWidth(label) / 2, bottom + 10, label, ink);
  }
  c.line(left, top, left, bottom, ink, 2);
  c.line(left, bottom, right, bottom, ink, 2);

  for (const auto &s : plot.series) {
    bool have = false;
    int lx = 0, ly = 0;
    for (auto [x, y] : s.points) {
      if (!std::isfinite(x) || !std::isfinite(y) || (plot.logY && y <= 0)) {
        have = false;
        continue;
      }
      int X = px(x), Y = py(y);
      if (have)
        c.line(lx, ly, X, Y, s.rgb, 2);
      c.rect(X - 3, Y - 3, X + 3, Y + 3, s.rgb);
      have = true, lx = X, ly = Y;
    }
  }

  c.text((plot.width - Canvas::textWidth(plot.title)) / 2, 15, plot.title, ink);
  c.text((left + right - Canvas::textWidth(plot.xLabel)) / 2, plot.height - 30,
         plot.xLabel, ink);
  c.text(8, top - 30, plot.yLabel, ink);
  // Legend in the top-left corner (the curves here rise to the right).
  int ly = top + 10;
  for (const auto &s : plot.series) {
    int lx = left + 20;
    c.rect(lx, ly + 3, lx + 20, ly + 9, s.rgb);
    c.text(lx + 28, ly, s.label, ink);
    ly += 22;
  }
  return encodePng(c);
}

} // namespace spike::core
