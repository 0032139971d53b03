//===- Safetensors.cpp - safetensors reader and writer --------------------===//

#include "spike/core/ModelIO/Safetensors.h"
#include "spike/core/Support/FileIO.h"
#include "spike/core/Support/Half.h"
#include "spike/core/Support/JsonReader.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <set>
#include <tuple>

namespace spike::core {

namespace {
struct DTypeRow {
  DType dtype;
  const char *name;
  size_t size;
};
constexpr DTypeRow kDTypes[] = {
    {DType::F32, "F32", 4},  {DType::F16, "F16", 2}, {DType::BF16, "BF16", 2},
    {DType::F64, "F64", 8},  {DType::I64, "I64", 8}, {DType::I32, "I32", 4},
    {DType::I16, "I16", 2},  {DType::I8, "I8", 1},   {DType::U8, "U8", 1},
    {DType::Bool, "BOOL", 1}};

/// The path with symbolic links and dot segments resolved, or as given
/// where it does not resolve (opening it then says why).
std::string canonicalPath(const std::string &path) {
  std::error_code ec;
  auto p = std::filesystem::weakly_canonical(path, ec);
  return ec ? path : p.string();
}

/// Where `name`, named by the file `from`, lies: as given when absolute,
/// else beside `from`.
std::string resolveBeside(const std::string &from, const std::string &name) {
  size_t slash = from.find_last_of('/');
  return name.front() == '/' || slash == std::string::npos
             ? name
             : from.substr(0, slash + 1) + name;
}

/// Refuses a path that exists but is no regular file: a base that names a
/// device or FIFO would block its reader. A missing path passes, so that
/// opening it says why.
Status checkRegularFile(const std::string &path) {
  std::error_code ec;
  if (std::filesystem::exists(path, ec) &&
      !std::filesystem::is_regular_file(path, ec))
    return Status::error("not a regular file");
  return Status::ok();
}

template <typename T> T loadLE(const uint8_t *p) {
  T v;
  std::memcpy(&v, p, sizeof(T)); // the supported hosts are little-endian
  return v;
}
} // namespace

const char *dtypeName(DType dtype) {
  for (const auto &row : kDTypes)
    if (row.dtype == dtype)
      return row.name;
  return "?";
}

bool parseDType(const std::string &name, DType &out) {
  for (const auto &row : kDTypes)
    if (name == row.name) {
      out = row.dtype;
      return true;
    }
  return false;
}

size_t dtypeSize(DType dtype) {
  for (const auto &row : kDTypes)
    if (row.dtype == dtype)
      return row.size;
  return 0;
}

int64_t TensorInfo::numElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

Result<SafetensorsFile> SafetensorsFile::open(const std::string &path) {
  auto opened = openOne(path);
  if (!opened)
    return opened;
  SafetensorsFile file = opened.take();
  std::set<std::string> seen;
  seen.insert(canonicalPath(path));
  std::string at = path; // the file whose base is read next
  std::map<std::string, std::string> meta = file.metadata_;
  while (meta.count(kBaseFileKey)) {
    const std::string &name = meta[kBaseFileKey];
    auto fail = [&](const std::string &what) {
      return Status::error(at + ": base weight file '" + name + "' (" +
                           kBaseFileKey + "): " + what);
    };
    if (name.empty())
      return fail("empty path");
    std::string basePath = resolveBeside(at, name);
    if (auto st = checkRegularFile(basePath); !st)
      return fail(st.message());
    if (!seen.insert(canonicalPath(basePath)).second)
      return fail("the chain of base files loops");
    if (int(seen.size()) > kMaxOverlayDepth)
      return fail("more than " + std::to_string(kMaxOverlayDepth) +
                  " files in the chain of base files");
    bool index = basePath.size() > 11 &&
                 basePath.compare(basePath.size() - 11, 11, ".index.json") == 0;
    auto base = index ? openIndex(basePath) : openOne(basePath);
    if (!base)
      return fail(base.message());
    if (auto st = file.merge(*base, basePath); !st)
      return st;
    meta = base->metadata_;
    at = basePath;
  }
  return file;
}

std::vector<std::string> SafetensorsFile::files() const {
  std::vector<std::string> out;
  for (const Source &s : sources_)
    out.push_back(s.path);
  return out;
}

Status SafetensorsFile::merge(const SafetensorsFile &base,
                              const std::string &baseName) {
  uint32_t offset = uint32_t(sources_.size());
  for (const auto &[name, info] : base.infos_) {
    auto it = infos_.find(name);
    if (it == infos_.end()) {
      TensorInfo moved = info;
      moved.source += offset;
      infos_.emplace(name, std::move(moved));
    } else if (it->second.shape != info.shape) {
      auto dims = [](const std::vector<int64_t> &shape) {
        std::string out = "[";
        for (size_t i = 0; i < shape.size(); ++i)
          out += (i ? ", " : "") + std::to_string(shape[i]);
        return out + "]";
      };
      return Status::error(sources_[it->second.source].path + ": tensor '" +
                           name + "' has shape " + dims(it->second.shape) +
                           ", but its base " + baseName + " has " +
                           dims(info.shape));
    }
  }
  sources_.insert(sources_.end(), base.sources_.begin(), base.sources_.end());
  return Status::ok();
}

Result<SafetensorsFile> SafetensorsFile::openIndex(const std::string &path) {
  auto text = readFileText(path);
  if (!text)
    return text.status();
  auto parsed = parseJson(*text, path);
  if (!parsed)
    return parsed.status();
  const nlohmann::json &doc = *parsed;
  if (!doc.is_object() || !doc.contains("weight_map") ||
      !doc["weight_map"].is_object())
    return Status::error(path + ": missing object 'weight_map'");
  SafetensorsFile out;
  out.path_ = path;
  std::map<std::string, std::string> shardOf;
  for (auto it = doc["weight_map"].begin(); it != doc["weight_map"].end();
       ++it) {
    if (!it.value().is_string() || it.value().get<std::string>().empty())
      return Status::error(path + ": weight_map['" + it.key() +
                           "'] is not a file name");
    shardOf[it.key()] = it.value().get<std::string>();
  }
  if (shardOf.empty())
    return Status::error(path + ": weight_map is empty");
  std::map<std::string, SafetensorsFile> shards; // by real path
  for (const auto &[name, shard] : shardOf) {
    std::string shardPath = resolveBeside(path, shard);
    std::string key = canonicalPath(shardPath);
    if (!shards.count(key)) {
      if (auto st = checkRegularFile(shardPath); !st)
        return Status::error(path + ": shard " + shard + ": " + st.message());
      auto file = openOne(shardPath);
      if (!file)
        return file.status();
      for (const auto &[tensor, info] : file->infos_)
        if (out.infos_.count(tensor))
          return Status::error(path + ": tensor '" + tensor +
                               "' is in two shards (" + file->path() + ")");
      if (auto st = out.merge(*file, file->path()); !st)
        return st;
      shards.emplace(key, file.take());
    }
    if (!shards.at(key).contains(name))
      return Status::error(path + ": tensor '" + name +
                           "' is not in its shard " + shard);
  }
  return out;
}

Result<SafetensorsFile> SafetensorsFile::openOne(const std::string &path) {
  auto mapped = MappedFile::open(path);
  if (!mapped)
    return mapped.status();
  SafetensorsFile file;
  file.path_ = path;
  file.sources_.push_back(Source{path, mapped.take(), 0});
  const MappedFile &buf = *file.sources_[0].bytes;
  auto fail = [&](const std::string &what) {
    return Status::error(path + ": " + what);
  };
  if (buf.size() < 8)
    return fail("truncated: no 8-byte header length");
  uint64_t headerLen = loadLE<uint64_t>(buf.data());
  if (headerLen > buf.size() - 8)
    return fail("truncated: header length " + std::to_string(headerLen) +
                " exceeds file size " + std::to_string(buf.size()));
  file.sources_[0].dataStart = 8 + headerLen;
  uint64_t dataSize = buf.size() - file.sources_[0].dataStart;

  auto parsed =
      parseJson(std::string_view(reinterpret_cast<const char *>(buf.data()) + 8,
                                 size_t(headerLen)),
                path + ": header");
  if (!parsed)
    return parsed.status();
  nlohmann::json header = parsed.take();
  if (!header.is_object())
    return fail("corrupt header: not a JSON object");

  for (auto it = header.begin(); it != header.end(); ++it) {
    const std::string &name = it.key();
    const auto &entry = it.value();
    if (name == "__metadata__") {
      if (!entry.is_object())
        return fail("__metadata__ is not an object");
      for (auto m = entry.begin(); m != entry.end(); ++m) {
        if (!m.value().is_string())
          return fail("__metadata__ value '" + m.key() + "' is not a string");
        file.metadata_[m.key()] = m.value().get<std::string>();
      }
      continue;
    }
    auto bad = [&](const std::string &what) {
      return fail("tensor '" + name + "': " + what);
    };
    if (!entry.is_object() || !entry.contains("dtype") ||
        !entry.contains("shape") || !entry.contains("data_offsets"))
      return bad("entry needs dtype, shape and data_offsets");
    TensorInfo info;
    if (!entry["dtype"].is_string() ||
        !parseDType(entry["dtype"].get<std::string>(), info.dtype))
      return bad("unknown dtype " + entry["dtype"].dump());
    if (!entry["shape"].is_array())
      return bad("shape is not an array");
    uint64_t elems = 1;
    for (const auto &d : entry["shape"]) {
      if (!d.is_number_integer() || d.get<int64_t>() < 0)
        return bad("shape has a negative or non-integer dimension");
      uint64_t dim = d.get<uint64_t>();
      if (dim != 0 && elems > std::numeric_limits<uint64_t>::max() / dim)
        return bad("shape overflows");
      elems *= dim;
      info.shape.push_back(int64_t(dim));
    }
    const auto &off = entry["data_offsets"];
    if (!off.is_array() || off.size() != 2 || !off[0].is_number_unsigned() ||
        !off[1].is_number_unsigned())
      return bad("data_offsets must be two non-negative integers");
    info.begin = off[0].get<uint64_t>();
    info.end = off[1].get<uint64_t>();
    if (info.begin > info.end || info.end > dataSize)
      return bad("data_offsets [" + std::to_string(info.begin) + ", " +
                 std::to_string(info.end) + ") outside the data section of " +
                 std::to_string(dataSize) + " bytes (truncated file?)");
    if (elems > std::numeric_limits<uint64_t>::max() / 8 ||
        info.end - info.begin != elems * dtypeSize(info.dtype))
      return bad("byte size " + std::to_string(info.end - info.begin) +
                 " does not match shape and dtype");
    file.infos_[name] = std::move(info);
  }
  // The data section is the tensors' bytes end to end: no range overlaps
  // another (two tensors would share bytes) and none is missing (the
  // format's rule; HF safetensors refuses both).
  std::vector<std::pair<const TensorInfo *, const std::string *>> order;
  for (const auto &[name, info] : file.infos_)
    order.emplace_back(&info, &name);
  std::sort(order.begin(), order.end(), [](const auto &a, const auto &b) {
    return std::tie(a.first->begin, a.first->end, *a.second) <
           std::tie(b.first->begin, b.first->end, *b.second);
  });
  auto range = [](uint64_t a, uint64_t b) {
    return "[" + std::to_string(a) + ", " + std::to_string(b) + ")";
  };
  // Overlaps first: they are what makes a file read wrong values.
  uint64_t covered = 0;
  const std::string *last = nullptr; // holds the byte before `covered`
  for (const auto &[info, name] : order) {
    if (info->begin < covered)
      return fail("tensors '" + *last + "' and '" + *name +
                  "' overlap: both hold bytes " +
                  range(info->begin, std::min(info->end, covered)) +
                  " of the data section");
    if (info->end > covered || !last)
      last = name;
    covered = std::max(covered, info->end);
  }
  covered = 0;
  for (const auto &[info, name] : order) {
    if (info->begin > covered)
      return fail("bytes " + range(covered, info->begin) +
                  " of the data section belong to no tensor (before '" + *name +
                  "')");
    covered = std::max(covered, info->end);
  }
  if (covered != dataSize)
    return fail("bytes " + range(covered, dataSize) +
                " at the end of the data section belong to no tensor");
  return file;
}

const TensorInfo *SafetensorsFile::find(const std::string &name) const {
  auto it = infos_.find(name);
  return it == infos_.end() ? nullptr : &it->second;
}

const uint8_t *SafetensorsFile::data(const TensorInfo &info) const {
  const Source &s = sources_[info.source];
  return s.bytes->data() + s.dataStart + info.begin;
}

void SafetensorsFile::release(const TensorInfo &info) const {
  const Source &s = sources_[info.source];
  s.bytes->release(s.dataStart + info.begin, info.end - info.begin);
}

void SafetensorsFile::readF32Range(const TensorInfo &info, size_t first,
                                   size_t count, float *out) const {
  size_t sz = dtypeSize(info.dtype);
  const uint8_t *p = data(info) + first * sz;
  for (size_t i = 0; i < count; ++i, p += sz) {
    switch (info.dtype) {
    case DType::F32:
      out[i] = loadLE<float>(p);
      break;
    case DType::F16:
      out[i] = halfToFloat(loadLE<uint16_t>(p));
      break;
    case DType::BF16:
      out[i] = bf16ToFloat(loadLE<uint16_t>(p));
      break;
    case DType::F64:
      out[i] = float(loadLE<double>(p));
      break;
    case DType::I64:
      out[i] = float(loadLE<int64_t>(p));
      break;
    case DType::I32:
      out[i] = float(loadLE<int32_t>(p));
      break;
    case DType::I16:
      out[i] = float(loadLE<int16_t>(p));
      break;
    case DType::I8:
      out[i] = float(loadLE<int8_t>(p));
      break;
    case DType::U8:
    case DType::Bool:
      out[i] = float(*p);
      break;
    }
  }
}

Result<std::vector<float>>
SafetensorsFile::readF32(const std::string &name) const {
  const TensorInfo *info = find(name);
  if (!info)
    return Status::error(path_ + ": missing tensor '" + name + "'");
  std::vector<float> out(size_t(info->numElements()));
  readF32Range(*info, 0, out.size(), out.data());
  release(*info);
  return out;
}

Result<std::vector<int64_t>>
SafetensorsFile::readInt64(const std::string &name) const {
  const TensorInfo *info = find(name);
  if (!info)
    return Status::error(path_ + ": missing tensor '" + name + "'");
  size_t n = size_t(info->numElements());
  std::vector<int64_t> out(n);
  const uint8_t *p = data(*info);
  size_t sz = dtypeSize(info->dtype);
  for (size_t i = 0; i < n; ++i, p += sz) {
    switch (info->dtype) {
    case DType::I64:
      out[i] = loadLE<int64_t>(p);
      break;
    case DType::I32:
      out[i] = loadLE<int32_t>(p);
      break;
    case DType::I16:
      out[i] = loadLE<int16_t>(p);
      break;
    case DType::I8:
      out[i] = loadLE<int8_t>(p);
      break;
    default:
      return Status::error(path_ + ": \"" + name +
                           "\" is not a signed integer tensor");
    }
  }
  release(*info);
  return out;
}

void SafetensorsWriter::setMetadata(const std::string &key,
                                    const std::string &value) {
  metadata_[key] = value;
}

Status SafetensorsWriter::checkNew(const std::string &name,
                                   const std::vector<int64_t> &shape) const {
  if (name.empty() || name == "__metadata__")
    return Status::error("invalid tensor name '" + name + "'");
  if (entries_.count(name))
    return Status::error("duplicate tensor '" + name + "'");
  for (int64_t d : shape)
    if (d < 0)
      return Status::error("tensor '" + name + "': negative dimension");
  return Status::ok();
}

static uint64_t byteSize(DType dtype, const std::vector<int64_t> &shape) {
  uint64_t elems = 1;
  for (int64_t d : shape)
    elems *= uint64_t(d);
  return elems * dtypeSize(dtype);
}

Status SafetensorsWriter::add(const std::string &name, DType dtype,
                              std::vector<int64_t> shape, const void *bytes,
                              size_t numBytes) {
  if (auto st = checkNew(name, shape); !st)
    return st;
  if (byteSize(dtype, shape) != numBytes)
    return Status::error("tensor '" + name +
                         "': byte size does not match shape and dtype");
  Entry e{dtype, std::move(shape), {}, nullptr, numBytes};
  const auto *b = static_cast<const uint8_t *>(bytes);
  e.bytes.assign(b, b + numBytes);
  entries_.emplace(name, std::move(e));
  return Status::ok();
}

Status SafetensorsWriter::addF32(const std::string &name,
                                 std::vector<int64_t> shape,
                                 const std::vector<float> &values) {
  return add(name, DType::F32, std::move(shape), values.data(),
             values.size() * sizeof(float));
}

Status SafetensorsWriter::addDeferred(const std::string &name, DType dtype,
                                      std::vector<int64_t> shape,
                                      Producer produce) {
  if (auto st = checkNew(name, shape); !st)
    return st;
  uint64_t numBytes = byteSize(dtype, shape);
  entries_.emplace(
      name, Entry{dtype, std::move(shape), {}, std::move(produce), numBytes});
  return Status::ok();
}

Status SafetensorsWriter::addDeferredF32(const std::string &name,
                                         std::vector<int64_t> shape,
                                         F32Producer produce) {
  return addDeferred(
      name, DType::F32, std::move(shape),
      [produce = std::move(produce)]() -> Result<std::vector<uint8_t>> {
        auto values = produce();
        if (!values)
          return values.status();
        const auto *b = reinterpret_cast<const uint8_t *>(values->data());
        return std::vector<uint8_t>(b, b + values->size() * sizeof(float));
      });
}

Status SafetensorsWriter::addDeferredBF16(const std::string &name,
                                          std::vector<int64_t> shape,
                                          F32Producer produce) {
  return addDeferred(
      name, DType::BF16, std::move(shape),
      [produce = std::move(produce)]() -> Result<std::vector<uint8_t>> {
        auto values = produce();
        if (!values)
          return values.status();
        std::vector<uint8_t> bytes(values->size() * 2);
        for (size_t i = 0; i < values->size(); ++i) {
          uint16_t h = floatToBf16((*values)[i]);
          bytes[2 * i] = uint8_t(h & 0xff); // little-endian
          bytes[2 * i + 1] = uint8_t(h >> 8);
        }
        return bytes;
      });
}

std::string SafetensorsWriter::header() const {
  // Entries are laid out in name order (std::map), so output is
  // deterministic for the same content.
  nlohmann::json header = nlohmann::json::object();
  if (!metadata_.empty())
    header["__metadata__"] = metadata_;
  uint64_t offset = 0;
  for (const auto &[name, e] : entries_) {
    header[name] = {{"dtype", dtypeName(e.dtype)},
                    {"shape", e.shape},
                    {"data_offsets", {offset, offset + e.numBytes}}};
    offset += e.numBytes;
  }
  std::string text = header.dump();
  while ((8 + text.size()) % 8 != 0) // align the data section to 8 bytes
    text.push_back(' ');
  uint64_t len = text.size();
  std::string out(8, '\0');
  std::memcpy(out.data(), &len, 8);
  return out + text;
}

Status SafetensorsWriter::writeTo(const OutputSet::ByteSink &put) const {
  std::string head = header();
  if (auto st = put(head.data(), head.size()); !st)
    return st;
  for (const auto &[name, e] : entries_) {
    if (!e.produce) {
      if (auto st = put(e.bytes.data(), e.bytes.size()); !st)
        return st;
      continue;
    }
    auto bytes = e.produce();
    if (!bytes)
      return bytes.status();
    if (bytes->size() != e.numBytes)
      return Status::error("tensor '" + name + "': produced " +
                           std::to_string(bytes->size()) + " bytes, its " +
                           dtypeName(e.dtype) + " shape needs " +
                           std::to_string(e.numBytes));
    if (auto st = put(bytes->data(), bytes->size()); !st)
      return st;
  }
  return Status::ok();
}

Status SafetensorsWriter::write(OutputSet &outputs,
                                const std::string &path) const {
  return outputs.stream(
      path, [this](const OutputSet::ByteSink &put) { return writeTo(put); });
}

Status SafetensorsWriter::write(const std::string &path) const {
  OutputSet outputs;
  if (auto st = write(outputs, path); !st)
    return st;
  return outputs.commit();
}

} // namespace spike::core
