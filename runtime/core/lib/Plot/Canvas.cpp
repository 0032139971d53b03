//===- Canvas.cpp - An RGB raster for the PNG plots -----------------------===//

#include "Canvas.h"

#include <cstdio>

#include <zlib.h>

namespace spike::core::plot {

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

namespace {

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

} // namespace

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

std::string formatNumber(double v, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*g", digits, v);
  return buf;
}

} // namespace spike::core::plot
