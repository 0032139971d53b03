//===- Gguf.cpp - GGUF v3 reader and writer -------------------------------===//

#include "spike/core/ModelIO/Gguf.h"
#include "spike/core/Support/FileIO.h"
#include "spike/core/Support/Half.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>

namespace spike::core {

namespace {

constexpr uint32_t kMagic = 0x46554747; // "GGUF"

struct TypeInfo {
  uint32_t type;
  const char *name;
  int64_t blockElems;
  int64_t blockBytes;
};
constexpr TypeInfo kTypes[] = {{0, "F32", 1, 4},       {1, "F16", 1, 2},
                               {2, "Q4_0", 32, 18},    {3, "Q4_1", 32, 20},
                               {8, "Q8_0", 32, 34},    {12, "Q4_K", 256, 144},
                               {14, "Q6_K", 256, 210}, {30, "BF16", 1, 2}};

const TypeInfo *typeInfo(uint32_t type) {
  for (const auto &t : kTypes)
    if (t.type == type)
      return &t;
  return nullptr;
}

/// Bounds-checked little-endian reader over a file.
class Reader {
public:
  Reader(std::ifstream &in, uint64_t size) : in_(in), size_(size) {}
  uint64_t pos() const { return pos_; }
  bool failed() const { return !error_.empty(); }
  const std::string &error() const { return error_; }

  bool bytes(void *dst, uint64_t n) {
    if (failed())
      return false;
    if (n > size_ - pos_)
      return fail("truncated at byte " + std::to_string(pos_));
    in_.read(static_cast<char *>(dst), std::streamsize(n));
    if (!in_)
      return fail("read error at byte " + std::to_string(pos_));
    pos_ += n;
    return true;
  }
  template <typename T> T get() {
    T v{};
    bytes(&v, sizeof(T));
    return v;
  }
  std::string string() {
    uint64_t n = get<uint64_t>();
    if (failed())
      return {};
    if (n > size_ - pos_) {
      fail("string length " + std::to_string(n) + " at byte " +
           std::to_string(pos_) + " exceeds the file");
      return {};
    }
    std::string s(n, '\0');
    bytes(s.data(), n);
    return s;
  }
  bool fail(const std::string &what) {
    if (error_.empty())
      error_ = what;
    return false;
  }

private:
  std::ifstream &in_;
  uint64_t size_, pos_ = 0;
  std::string error_;
};

/// GGUF's name of a metadata value type (gguf.md, "gguf_metadata_value_type").
std::string valueTypeName(uint32_t type) {
  static const char *const kNames[] = {
      "UINT8", "INT8",   "UINT16", "INT16",  "UINT32", "INT32",  "FLOAT32",
      "BOOL",  "STRING", "ARRAY",  "UINT64", "INT64",  "FLOAT64"};
  return type < 13 ? kNames[type] : "type " + std::to_string(type);
}

bool isIntegerType(uint32_t type) {
  return type <= 5 || type == 10 || type == 11;
}

bool readScalar(Reader &r, uint32_t type, GgufValue &out) {
  switch (type) {
  case 0:
    out = uint64_t(r.get<uint8_t>());
    return true;
  case 1:
    out = int64_t(r.get<int8_t>());
    return true;
  case 2:
    out = uint64_t(r.get<uint16_t>());
    return true;
  case 3:
    out = int64_t(r.get<int16_t>());
    return true;
  case 4:
    out = uint64_t(r.get<uint32_t>());
    return true;
  case 5:
    out = int64_t(r.get<int32_t>());
    return true;
  case 6:
    out = double(r.get<float>());
    return true;
  case 7:
    out = bool(r.get<uint8_t>() != 0);
    return true;
  case 8:
    out = r.string();
    return true;
  case 10:
    out = r.get<uint64_t>();
    return true;
  case 11:
    out = r.get<int64_t>();
    return true;
  case 12:
    out = r.get<double>();
    return true;
  default:
    return r.fail("unknown metadata value type " + std::to_string(type));
  }
}

/// Reads a value of `type`; an array's element type goes to `elemType`.
bool readValue(Reader &r, uint32_t type, GgufValue &out, uint32_t &elemType) {
  if (type != 9)
    return readScalar(r, type, out);
  elemType = r.get<uint32_t>();
  uint64_t n = r.get<uint64_t>();
  if (r.failed())
    return false;
  if (elemType == 9)
    return r.fail("nested metadata arrays are not supported");
  std::vector<std::string> strings;
  std::vector<int64_t> ints;
  std::vector<double> floats;
  for (uint64_t i = 0; i < n && !r.failed(); ++i) {
    GgufValue v;
    if (!readScalar(r, elemType, v))
      return false;
    if (auto *s = std::get_if<std::string>(&v))
      strings.push_back(std::move(*s));
    else if (auto *u = std::get_if<uint64_t>(&v)) {
      if (*u > uint64_t(std::numeric_limits<int64_t>::max()))
        return r.fail("array element " + std::to_string(i) + " = " +
                      std::to_string(*u) + " exceeds the int64 range");
      ints.push_back(int64_t(*u));
    } else if (auto *i64 = std::get_if<int64_t>(&v))
      ints.push_back(*i64);
    else if (auto *d = std::get_if<double>(&v))
      floats.push_back(*d);
    else if (auto *b = std::get_if<bool>(&v))
      ints.push_back(*b);
  }
  if (elemType == 8)
    out = std::move(strings);
  else if (elemType == 6 || elemType == 12)
    out = std::move(floats);
  else
    out = std::move(ints);
  return !r.failed();
}

// ---- Dequantization (ggml block formats) --------------------------------

void dequantQ8_0(const uint8_t *b, float *y) {
  float d = halfToFloat(uint16_t(b[0] | (b[1] << 8)));
  for (int j = 0; j < 32; ++j)
    y[j] = d * float(int8_t(b[2 + j]));
}

void dequantQ4_0(const uint8_t *b, float *y) {
  float d = halfToFloat(uint16_t(b[0] | (b[1] << 8)));
  const uint8_t *qs = b + 2;
  for (int j = 0; j < 16; ++j) {
    y[j] = d * float(int(qs[j] & 0xf) - 8);
    y[j + 16] = d * float(int(qs[j] >> 4) - 8);
  }
}

void dequantQ4_1(const uint8_t *b, float *y) {
  float d = halfToFloat(uint16_t(b[0] | (b[1] << 8)));
  float m = halfToFloat(uint16_t(b[2] | (b[3] << 8)));
  const uint8_t *qs = b + 4;
  for (int j = 0; j < 16; ++j) {
    y[j] = d * float(qs[j] & 0xf) + m;
    y[j + 16] = d * float(qs[j] >> 4) + m;
  }
}

void scaleMinK4(int j, const uint8_t *q, uint8_t &sc, uint8_t &m) {
  if (j < 4) {
    sc = q[j] & 63;
    m = q[j + 4] & 63;
  } else {
    sc = uint8_t((q[j + 4] & 0xf) | ((q[j - 4] >> 6) << 4));
    m = uint8_t((q[j + 4] >> 4) | ((q[j] >> 6) << 4));
  }
}

void dequantQ4_K(const uint8_t *b, float *y) {
  float d = halfToFloat(uint16_t(b[0] | (b[1] << 8)));
  float dmin = halfToFloat(uint16_t(b[2] | (b[3] << 8)));
  const uint8_t *scales = b + 4, *q = b + 16;
  int is = 0;
  for (int j = 0; j < 256; j += 64) {
    uint8_t sc, m;
    scaleMinK4(is, scales, sc, m);
    float d1 = d * sc, m1 = dmin * m;
    scaleMinK4(is + 1, scales, sc, m);
    float d2 = d * sc, m2 = dmin * m;
    for (int l = 0; l < 32; ++l)
      *y++ = d1 * float(q[l] & 0xf) - m1;
    for (int l = 0; l < 32; ++l)
      *y++ = d2 * float(q[l] >> 4) - m2;
    q += 32;
    is += 2;
  }
}

void dequantQ6_K(const uint8_t *b, float *y) {
  const uint8_t *ql = b, *qh = b + 128;
  const int8_t *sc = reinterpret_cast<const int8_t *>(b + 192);
  float d = halfToFloat(uint16_t(b[208] | (b[209] << 8)));
  for (int n = 0; n < 256; n += 128) {
    for (int l = 0; l < 32; ++l) {
      int is = l / 16;
      int q1 = int((ql[l] & 0xf) | (((qh[l] >> 0) & 3) << 4)) - 32;
      int q2 = int((ql[l + 32] & 0xf) | (((qh[l] >> 2) & 3) << 4)) - 32;
      int q3 = int((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
      int q4 = int((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
      y[l] = d * float(sc[is]) * float(q1);
      y[l + 32] = d * float(sc[is + 2]) * float(q2);
      y[l + 64] = d * float(sc[is + 4]) * float(q3);
      y[l + 96] = d * float(sc[is + 6]) * float(q4);
    }
    y += 128;
    ql += 64;
    qh += 32;
    sc += 8;
  }
}

// ---- Quantization (writer) -------------------------------------------------

void quantQ8_0(const float *x, uint8_t *b) {
  float amax = 0;
  for (int j = 0; j < 32; ++j)
    amax = std::max(amax, std::fabs(x[j]));
  float d = amax / 127.f, id = d ? 1.f / d : 0.f;
  uint16_t dh = floatToHalf(d);
  b[0] = uint8_t(dh & 0xff);
  b[1] = uint8_t(dh >> 8);
  for (int j = 0; j < 32; ++j)
    b[2 + j] = uint8_t(int8_t(std::lround(x[j] * id)));
}

void quantQ4_1(const float *x, uint8_t *b) {
  float lo = x[0], hi = x[0];
  for (int j = 1; j < 32; ++j) {
    lo = std::min(lo, x[j]);
    hi = std::max(hi, x[j]);
  }
  float d = (hi - lo) / 15.f, id = d ? 1.f / d : 0.f;
  uint16_t dh = floatToHalf(d), mh = floatToHalf(lo);
  b[0] = uint8_t(dh & 0xff);
  b[1] = uint8_t(dh >> 8);
  b[2] = uint8_t(mh & 0xff);
  b[3] = uint8_t(mh >> 8);
  for (int j = 0; j < 16; ++j) {
    int q0 = std::min(15, int((x[j] - lo) * id + 0.5f));
    int q1 = std::min(15, int((x[j + 16] - lo) * id + 0.5f));
    b[4 + j] = uint8_t(q0 | (q1 << 4));
  }
}

void writeString(std::vector<uint8_t> &out, const std::string &s) {
  uint64_t n = s.size();
  out.insert(out.end(), reinterpret_cast<uint8_t *>(&n),
             reinterpret_cast<uint8_t *>(&n) + 8);
  out.insert(out.end(), s.begin(), s.end());
}

template <typename T> void writePod(std::vector<uint8_t> &out, T v) {
  out.insert(out.end(), reinterpret_cast<uint8_t *>(&v),
             reinterpret_cast<uint8_t *>(&v) + sizeof(T));
}

} // namespace

const char *ggmlTypeName(uint32_t type) {
  const TypeInfo *t = typeInfo(type);
  return t ? t->name : "unsupported";
}

int64_t GgufTensor::numElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

Result<GgufFile> GgufFile::open(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return Status::error(path + ": cannot open: " + std::strerror(errno));
  in.seekg(0, std::ios::end);
  uint64_t size = uint64_t(in.tellg());
  in.seekg(0);
  Reader r(in, size);
  auto fail = [&](const std::string &what) {
    return Status::error(path + ": " + what);
  };
  GgufFile file;
  file.path_ = path;
  file.fileSize_ = size;
  if (r.get<uint32_t>() != kMagic)
    return fail(r.failed() ? "truncated: no GGUF header"
                           : "not a GGUF file (bad magic)");
  file.version_ = r.get<uint32_t>();
  if (r.failed())
    return fail("truncated header");
  uint32_t swapped = __builtin_bswap32(file.version_);
  if ((file.version_ & 0xffff) == 0 && swapped >= 1 && swapped <= 3)
    return fail("big-endian GGUF (version " + std::to_string(swapped) +
                " stored byte-swapped); spikec reads little-endian GGUF only");
  if (file.version_ < 2 || file.version_ > 3)
    return fail("unsupported GGUF version " + std::to_string(file.version_) +
                " (supported: 2, 3)");
  uint64_t nTensors = r.get<uint64_t>(), nKv = r.get<uint64_t>();
  if (r.failed())
    return fail("truncated header");
  if (nTensors > size / 8 || nKv > size / 8)
    return fail("corrupt header: implausible tensor or key count");
  for (uint64_t i = 0; i < nKv; ++i) {
    std::string key = r.string();
    uint32_t type = r.get<uint32_t>();
    GgufValue value;
    uint32_t elemType = 0;
    if (r.failed() || !readValue(r, type, value, elemType))
      return fail("metadata entry " + std::to_string(i) +
                  (key.empty() ? "" : " ('" + key + "')") + ": " + r.error());
    if (file.kv_.count(key))
      return fail("metadata key '" + key + "' appears twice");
    file.kv_[key] = std::move(value);
    file.kvTypes_[key] =
        type == 9 ? "ARRAY of " + valueTypeName(elemType) : valueTypeName(type);
    if (key == "general.alignment" && !isIntegerType(type))
      return fail("metadata 'general.alignment' has type " +
                  valueTypeName(type) + "; expected an integer");
  }
  // The spec stores it as UINT32; any integer type is read as what it says.
  uint64_t alignment = 32;
  if (file.kv_.count("general.alignment")) {
    auto a = file.getInt("general.alignment");
    if (!a)
      return a.status();
    if (*a <= 0 || (*a & (*a - 1)))
      return fail("general.alignment = " + std::to_string(*a) +
                  " is not a power of two");
    alignment = uint64_t(*a);
  }

  for (uint64_t i = 0; i < nTensors; ++i) {
    std::string name = r.string();
    uint32_t nDims = r.get<uint32_t>();
    if (r.failed())
      return fail("tensor info " + std::to_string(i) + ": " + r.error());
    if (nDims == 0 || nDims > 4)
      return fail("tensor '" + name + "': " + std::to_string(nDims) +
                  " dimensions (supported: 1 to 4)");
    std::vector<int64_t> ne(nDims);
    for (auto &d : ne)
      d = int64_t(r.get<uint64_t>());
    GgufTensor t;
    t.type = r.get<uint32_t>();
    t.offset = r.get<uint64_t>();
    if (r.failed())
      return fail("tensor '" + name + "': " + r.error());
    const TypeInfo *info = typeInfo(t.type);
    if (!info)
      return fail("tensor '" + name + "': unsupported ggml type " +
                  std::to_string(t.type));
    int64_t elems = 1;
    for (int64_t d : ne) {
      if (d <= 0 || d > (int64_t(1) << 40))
        return fail("tensor '" + name + "': invalid dimension " +
                    std::to_string(d));
      if (d > (int64_t(1) << 40) / elems) // before the product can overflow
        return fail("tensor '" + name + "': too many elements");
      elems *= d;
    }
    if (ne[0] % info->blockElems != 0)
      return fail("tensor '" + name + "': row of " + std::to_string(ne[0]) +
                  " is not a multiple of the " + info->name + " block size");
    t.bytes = uint64_t(elems / info->blockElems * info->blockBytes);
    t.shape.assign(ne.rbegin(), ne.rend());
    if (file.tensors_.count(name))
      return fail("duplicate tensor '" + name + "'");
    file.tensors_[name] = std::move(t);
  }
  uint64_t pad = (alignment - r.pos() % alignment) % alignment;
  file.dataStart_ = r.pos() + pad;
  if (!file.tensors_.empty() && (pad > size || file.dataStart_ > size))
    return fail("general.alignment = " + std::to_string(alignment) +
                " puts the data section past the end of the file (" +
                std::to_string(size) + " bytes)");
  // Each tensor lies inside the data section, at an aligned offset, and
  // shares no byte with another (gguf.md: "offset ... must be a multiple
  // of ALIGNMENT").
  std::vector<std::pair<uint64_t, const std::string *>> order;
  for (const auto &[name, t] : file.tensors_) {
    if (t.offset % alignment != 0)
      return fail("tensor '" + name + "': offset " + std::to_string(t.offset) +
                  " is not a multiple of general.alignment (" +
                  std::to_string(alignment) + ")");
    if (t.offset > size || t.bytes > size - file.dataStart_ ||
        t.offset > size - file.dataStart_ - t.bytes)
      return fail("tensor '" + name + "': bytes [" + std::to_string(t.offset) +
                  ", +" + std::to_string(t.bytes) +
                  ") of the data section lie beyond the end of the file "
                  "(truncated?)");
    order.emplace_back(t.offset, &name);
  }
  std::sort(order.begin(), order.end());
  for (size_t i = 1; i < order.size(); ++i) {
    const GgufTensor &prev = file.tensors_.at(*order[i - 1].second);
    if (prev.offset + prev.bytes > order[i].first)
      return fail("tensors '" + *order[i - 1].second + "' and '" +
                  *order[i].second + "' overlap at data-section byte " +
                  std::to_string(order[i].first));
  }
  // Tensors are read through a memory map, paged in as they are read.
  auto bytes = MappedFile::open(path);
  if (!bytes)
    return bytes.status();
  file.bytes_ = bytes.take();
  return file;
}

const GgufTensor *GgufFile::findTensor(const std::string &name) const {
  auto it = tensors_.find(name);
  return it == tensors_.end() ? nullptr : &it->second;
}

Result<std::string> GgufFile::getString(const std::string &key) const {
  auto it = kv_.find(key);
  if (it == kv_.end())
    return Status::error(path_ + ": missing metadata '" + key + "'");
  if (auto *s = std::get_if<std::string>(&it->second))
    return *s;
  return Status::error(path_ + ": metadata '" + key + "' has type " +
                       kvTypes_.at(key) + "; expected a STRING");
}

Result<int64_t> GgufFile::getInt(const std::string &key) const {
  auto it = kv_.find(key);
  if (it == kv_.end())
    return Status::error(path_ + ": missing metadata '" + key + "'");
  if (auto *u = std::get_if<uint64_t>(&it->second)) {
    if (*u > uint64_t(std::numeric_limits<int64_t>::max()))
      return Status::error(path_ + ": metadata '" + key + "' = " +
                           std::to_string(*u) + " exceeds the int64 range");
    return int64_t(*u);
  }
  if (auto *i = std::get_if<int64_t>(&it->second))
    return *i;
  return Status::error(path_ + ": metadata '" + key + "' has type " +
                       kvTypes_.at(key) + "; expected an integer");
}

Result<bool> GgufFile::getBool(const std::string &key) const {
  auto it = kv_.find(key);
  if (it == kv_.end())
    return Status::error(path_ + ": missing metadata '" + key + "'");
  if (auto *b = std::get_if<bool>(&it->second))
    return *b;
  return Status::error(path_ + ": metadata '" + key + "' has type " +
                       kvTypes_.at(key) + "; expected BOOL");
}

Result<double> GgufFile::getFloat(const std::string &key) const {
  auto it = kv_.find(key);
  if (it == kv_.end())
    return Status::error(path_ + ": missing metadata '" + key + "'");
  if (auto *d = std::get_if<double>(&it->second))
    return *d;
  if (auto *u = std::get_if<uint64_t>(&it->second))
    return double(*u);
  if (auto *i = std::get_if<int64_t>(&it->second))
    return double(*i);
  return Status::error(path_ + ": metadata '" + key + "' has type " +
                       kvTypes_.at(key) + "; expected a number");
}

Result<std::vector<std::string>>
GgufFile::getStrings(const std::string &key) const {
  auto it = kv_.find(key);
  if (it == kv_.end())
    return Status::error(path_ + ": missing metadata '" + key + "'");
  if (auto *v = std::get_if<std::vector<std::string>>(&it->second))
    return *v;
  return Status::error(path_ + ": metadata '" + key + "' has type " +
                       kvTypes_.at(key) + "; expected an ARRAY of STRING");
}

Result<std::vector<int64_t>> GgufFile::getInts(const std::string &key) const {
  auto it = kv_.find(key);
  if (it == kv_.end())
    return Status::error(path_ + ": missing metadata '" + key + "'");
  if (auto *v = std::get_if<std::vector<int64_t>>(&it->second))
    return *v;
  return Status::error(path_ + ": metadata '" + key + "' has type " +
                       kvTypes_.at(key) + "; expected an ARRAY of integers");
}

Result<std::vector<float>> GgufFile::readF32(const std::string &name) const {
  const GgufTensor *t = findTensor(name);
  if (!t)
    return Status::error(path_ + ": missing tensor '" + name + "'");
  // open() checked the tensor against the file's size, which is the map's.
  // (As with every memory map, a file truncated while it is open makes the
  // read fault: spikec does not guard against that.)
  uint64_t begin = dataStart_ + t->offset;
  if (bytes_->size() < begin || bytes_->size() - begin < t->bytes)
    return Status::error(path_ + ": tensor '" + name +
                         "': lies beyond the end of the file");
  const TypeInfo *info = typeInfo(t->type);
  int64_t n = t->numElements();
  std::vector<float> out(n);
  const uint8_t *b = bytes_->data() + begin;
  int64_t blocks = n / info->blockElems;
  for (int64_t k = 0; k < blocks; ++k, b += info->blockBytes) {
    float *y = out.data() + k * info->blockElems;
    switch (GgmlType(t->type)) {
    case GgmlType::F32:
      std::memcpy(y, b, 4);
      break;
    case GgmlType::F16:
      *y = halfToFloat(uint16_t(b[0] | (b[1] << 8)));
      break;
    case GgmlType::BF16:
      *y = bf16ToFloat(uint16_t(b[0] | (b[1] << 8)));
      break;
    case GgmlType::Q8_0:
      dequantQ8_0(b, y);
      break;
    case GgmlType::Q4_0:
      dequantQ4_0(b, y);
      break;
    case GgmlType::Q4_1:
      dequantQ4_1(b, y);
      break;
    case GgmlType::Q4_K:
      dequantQ4_K(b, y);
      break;
    case GgmlType::Q6_K:
      dequantQ6_K(b, y);
      break;
    }
  }
  bytes_->release(begin, t->bytes);
  return out;
}

void GgufWriter::set(const std::string &key, GgufValue value) {
  kv_.emplace_back(key, std::move(value));
}

namespace {
/// The bytes of `n` values stored as `type` (one of the writer's types).
uint64_t storedBytes(int64_t n, GgmlType type) {
  switch (type) {
  case GgmlType::F32:
    return uint64_t(n) * 4;
  case GgmlType::F16:
    return uint64_t(n) * 2;
  case GgmlType::Q8_0:
    return uint64_t(n / 32) * 34;
  default:
    return uint64_t(n / 32) * 20;
  }
}

/// `values` stored as `type` (storedBytes of them).
std::vector<uint8_t> encode(const std::vector<float> &values, GgmlType type) {
  std::vector<uint8_t> bytes;
  int64_t n = int64_t(values.size());
  switch (type) {
  case GgmlType::F32:
    bytes.resize(n * 4);
    std::memcpy(bytes.data(), values.data(), n * 4);
    break;
  case GgmlType::F16:
    for (float v : values)
      writePod<uint16_t>(bytes, floatToHalf(v));
    break;
  default: {
    int64_t bb = type == GgmlType::Q8_0 ? 34 : 20;
    bytes.resize(n / 32 * bb);
    for (int64_t k = 0; k < n / 32; ++k)
      (type == GgmlType::Q8_0 ? quantQ8_0 : quantQ4_1)(values.data() + k * 32,
                                                       bytes.data() + k * bb);
  }
  }
  return bytes;
}
} // namespace

Result<GgufWriter::Entry> GgufWriter::entry(const std::string &name,
                                            std::vector<int64_t> shape,
                                            GgmlType type) const {
  if (shape.empty())
    return Status::error("tensor '" + name + "': no shape");
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  if (type != GgmlType::F32 && type != GgmlType::F16 &&
      type != GgmlType::Q8_0 && type != GgmlType::Q4_1)
    return Status::error("tensor '" + name +
                         "': the writer stores only F32, "
                         "F16, Q8_0 and Q4_1");
  if ((type == GgmlType::Q8_0 || type == GgmlType::Q4_1) &&
      shape.back() % 32 != 0)
    return Status::error("tensor '" + name +
                         "': quantized rows need a multiple of 32 columns");
  Entry e;
  e.type = uint32_t(type);
  e.shape = std::move(shape);
  e.count = n;
  e.numBytes = storedBytes(n, type);
  return e;
}

Status GgufWriter::add(const std::string &name, std::vector<int64_t> shape,
                       const std::vector<float> &values, GgmlType type) {
  auto e = entry(name, std::move(shape), type);
  if (!e)
    return e.status();
  if (int64_t(values.size()) != e->count)
    return Status::error("tensor '" + name + "': shape and values disagree");
  e->bytes = encode(values, type);
  tensors_.emplace_back(name, e.take());
  return Status::ok();
}

Status GgufWriter::addDeferred(const std::string &name,
                               std::vector<int64_t> shape, GgmlType type,
                               F32Producer produce) {
  auto e = entry(name, std::move(shape), type);
  if (!e)
    return e.status();
  e->produce = std::move(produce);
  tensors_.emplace_back(name, e.take());
  return Status::ok();
}

std::vector<uint8_t> GgufWriter::header() const {
  std::vector<uint8_t> out;
  writePod<uint32_t>(out, kMagic);
  writePod<uint32_t>(out, 3);
  writePod<uint64_t>(out, tensors_.size());
  writePod<uint64_t>(out, kv_.size());
  for (const auto &[key, value] : kv_) {
    writeString(out, key);
    std::visit(
        [&](const auto &v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, uint64_t>) {
            writePod<uint32_t>(out, 4); // stored as u32, as llama.cpp does
            writePod<uint32_t>(out, uint32_t(v));
          } else if constexpr (std::is_same_v<T, int64_t>) {
            writePod<uint32_t>(out, 5);
            writePod<int32_t>(out, int32_t(v));
          } else if constexpr (std::is_same_v<T, double>) {
            writePod<uint32_t>(out, 6);
            writePod<float>(out, float(v));
          } else if constexpr (std::is_same_v<T, bool>) {
            writePod<uint32_t>(out, 7);
            writePod<uint8_t>(out, v);
          } else if constexpr (std::is_same_v<T, std::string>) {
            writePod<uint32_t>(out, 8);
            writeString(out, v);
          } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
            writePod<uint32_t>(out, 9);
            writePod<uint32_t>(out, 8);
            writePod<uint64_t>(out, v.size());
            for (const auto &s : v)
              writeString(out, s);
          } else if constexpr (std::is_same_v<T, std::vector<int64_t>>) {
            writePod<uint32_t>(out, 9);
            writePod<uint32_t>(out, 5);
            writePod<uint64_t>(out, v.size());
            for (int64_t x : v)
              writePod<int32_t>(out, int32_t(x));
          } else {
            writePod<uint32_t>(out, 9);
            writePod<uint32_t>(out, 6);
            writePod<uint64_t>(out, v.size());
            for (double x : v)
              writePod<float>(out, float(x));
          }
        },
        value);
  }
  uint64_t offset = 0;
  for (const auto &[name, e] : tensors_) {
    writeString(out, name);
    writePod<uint32_t>(out, uint32_t(e.shape.size()));
    for (auto it = e.shape.rbegin(); it != e.shape.rend(); ++it)
      writePod<uint64_t>(out, uint64_t(*it));
    writePod<uint32_t>(out, e.type);
    writePod<uint64_t>(out, offset);
    offset += (e.numBytes + 31) / 32 * 32;
  }
  out.resize((out.size() + 31) / 32 * 32, 0);
  return out;
}

Status GgufWriter::writeTo(const OutputSet::ByteSink &put) const {
  std::vector<uint8_t> head = header();
  if (auto st = put(head.data(), head.size()); !st)
    return st;
  static const uint8_t zeros[32] = {};
  for (const auto &[name, e] : tensors_) {
    std::vector<uint8_t> made;
    if (e.produce) {
      auto values = e.produce();
      if (!values)
        return values.status();
      if (int64_t(values->size()) != e.count)
        return Status::error("tensor '" + name + "': produced " +
                             std::to_string(values->size()) +
                             " values, its shape needs " +
                             std::to_string(e.count));
      made = encode(*values, GgmlType(e.type));
    }
    const std::vector<uint8_t> &bytes = e.produce ? made : e.bytes;
    if (auto st = put(bytes.data(), bytes.size()); !st)
      return st;
    if (auto st = put(zeros, (32 - bytes.size() % 32) % 32); !st)
      return st;
  }
  return Status::ok();
}

Status GgufWriter::write(const std::string &path) const {
  OutputSet outputs;
  if (auto st = outputs.stream(
          path,
          [this](const OutputSet::ByteSink &put) { return writeTo(put); });
      !st)
    return st;
  return outputs.commit();
}

} // namespace spike::core
