//===- Hdf5Writer.cpp - A small HDF5 file writer --------------------------===//

#include "spike/core/ModelIO/Hdf5Writer.h"

#include <hdf5.h>

#include <cstdio>
#include <unistd.h>

namespace spike::core {

namespace {

/// HDF5 prints an error stack on failure by default; we report our own.
void silenceHdf5() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

/// Creation properties without modification times, so the same content
/// gives the same bytes.
hid_t untimed(hid_t kind) {
  hid_t p = H5Pcreate(kind);
  H5Pset_obj_track_times(p, 0);
  return p;
}

Status failed(const std::string &file, const std::string &what) {
  return Status::error(file + ": cannot write HDF5 " + what);
}

} // namespace

Result<std::unique_ptr<Hdf5Writer>>
Hdf5Writer::create(const std::string &path) {
  silenceHdf5();
  std::unique_ptr<Hdf5Writer> w(new Hdf5Writer());
  w->path_ = path;
  w->tmp_ = path + ".tmp." + std::to_string(::getpid());
  w->file_ =
      H5Fcreate(w->tmp_.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (w->file_ < 0)
    return Status::error(path + ": cannot create the HDF5 file");
  return w;
}

Hdf5Writer::~Hdf5Writer() {
  if (file_ >= 0) {
    H5Fclose(file_);
    std::remove(tmp_.c_str());
  }
}

Status Hdf5Writer::group(const std::string &path) {
  hid_t props = untimed(H5P_GROUP_CREATE);
  hid_t g = H5Gcreate2(file_, path.c_str(), H5P_DEFAULT, props, H5P_DEFAULT);
  H5Pclose(props);
  if (g < 0)
    return failed(path_, "group " + path);
  H5Gclose(g);
  return Status::ok();
}

Status Hdf5Writer::string(const std::string &path, const std::string &value) {
  hid_t type = H5Tcopy(H5T_C_S1);
  H5Tset_size(type, H5T_VARIABLE);
  H5Tset_cset(type, H5T_CSET_UTF8);
  hid_t space = H5Screate(H5S_SCALAR);
  hid_t props = untimed(H5P_DATASET_CREATE);
  hid_t d = H5Dcreate2(file_, path.c_str(), type, space, H5P_DEFAULT, props,
                       H5P_DEFAULT);
  H5Pclose(props);
  const char *data = value.c_str();
  bool ok =
      d >= 0 && H5Dwrite(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, &data) >= 0;
  if (d >= 0)
    H5Dclose(d);
  H5Sclose(space);
  H5Tclose(type);
  return ok ? Status::ok() : failed(path_, "string " + path);
}

Status
Hdf5Writer::stringPairs(const std::string &path,
                        const std::vector<std::array<std::string, 2>> &pairs) {
  std::vector<const char *> data;
  for (const auto &p : pairs) {
    data.push_back(p[0].c_str());
    data.push_back(p[1].c_str());
  }
  hid_t type = H5Tcopy(H5T_C_S1);
  H5Tset_size(type, H5T_VARIABLE);
  H5Tset_cset(type, H5T_CSET_UTF8);
  hsize_t dims[2] = {pairs.size(), 2};
  hid_t space = H5Screate_simple(2, dims, nullptr);
  hid_t props = untimed(H5P_DATASET_CREATE);
  hid_t d = H5Dcreate2(file_, path.c_str(), type, space, H5P_DEFAULT, props,
                       H5P_DEFAULT);
  H5Pclose(props);
  bool ok =
      d >= 0 && (pairs.empty() || H5Dwrite(d, type, H5S_ALL, H5S_ALL,
                                           H5P_DEFAULT, data.data()) >= 0);
  if (d >= 0)
    H5Dclose(d);
  H5Sclose(space);
  H5Tclose(type);
  return ok ? Status::ok() : failed(path_, "strings " + path);
}

namespace {
Status writeNumbers(int64_t file, const std::string &fileName,
                    const std::string &path, hid_t type, const void *data,
                    const std::vector<uint64_t> &dims) {
  std::vector<hsize_t> d(dims.begin(), dims.end());
  hid_t space = d.empty() ? H5Screate(H5S_SCALAR)
                          : H5Screate_simple(int(d.size()), d.data(), nullptr);
  hid_t props = untimed(H5P_DATASET_CREATE);
  hid_t set = H5Dcreate2(file, path.c_str(), type, space, H5P_DEFAULT, props,
                         H5P_DEFAULT);
  H5Pclose(props);
  bool ok =
      set >= 0 && H5Dwrite(set, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) >= 0;
  if (set >= 0)
    H5Dclose(set);
  H5Sclose(space);
  return ok ? Status::ok() : failed(fileName, "dataset " + path);
}
} // namespace

Status Hdf5Writer::floats(const std::string &path,
                          const std::vector<float> &data,
                          const std::vector<uint64_t> &dims) {
  return writeNumbers(file_, path_, path, H5T_NATIVE_FLOAT, data.data(), dims);
}

Status Hdf5Writer::ints(const std::string &path,
                        const std::vector<int64_t> &data,
                        const std::vector<uint64_t> &dims) {
  return writeNumbers(file_, path_, path, H5T_NATIVE_INT64, data.data(), dims);
}

Status Hdf5Writer::commit() {
  if (H5Fclose(file_) < 0) {
    file_ = -1;
    std::remove(tmp_.c_str());
    return failed(path_, "file");
  }
  file_ = -1;
  if (std::rename(tmp_.c_str(), path_.c_str()) != 0) {
    std::remove(tmp_.c_str());
    return Status::error(path_ + ": cannot move the HDF5 file into place");
  }
  return Status::ok();
}

} // namespace spike::core
