//===- ModelFileFuzzer.cpp - libFuzzer targets of the checkpoint readers --===//
//
// One libFuzzer target per reader of the model files users bring (issue
// #20), built from this file with SPIKE_FUZZ_MODEL naming the reader:
//   1  core::GgufFile: the header, then every tensor read and dequantized
//   2  core::SafetensorsFile: the header, then every tensor read as f32
//   3  a tokenizer.json (core::loadTokenizer), then text encoded, decoded
//   4  a tokenizer.model, the same
// Every input must give an error or a value, never a crash, a leak, a hang
// or undefined behaviour (ASan and UBSan are on).
//
//===----------------------------------------------------------------------===//

#include "spike/core/ModelIO/Gguf.h"
#include "spike/core/ModelIO/Safetensors.h"
#include "spike/core/Text/Tokenizer.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>
#include <unistd.h>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  // The readers take a path: one scratch file per process.
  // loadTokenizer dispatches on the extension.
  static const char *const kExtension[] = {"", ".gguf", ".safetensors", ".json",
                                           ".model"};
  static const std::string path = "/tmp/spike-fuzz-model-" +
                                  std::to_string(getpid()) +
                                  kExtension[SPIKE_FUZZ_MODEL];
  FILE *f = std::fopen(path.c_str(), "wb");
  if (!f)
    return 0;
  std::fwrite(data, 1, size, f);
  std::fclose(f);
#if SPIKE_FUZZ_MODEL == 1
  if (auto file = spike::core::GgufFile::open(path))
    for (const auto &[name, t] : file->tensors())
      (void)file->readF32(name);
#elif SPIKE_FUZZ_MODEL == 2
  if (auto file = spike::core::SafetensorsFile::open(path))
    for (const auto &[name, info] : file->tensors())
      (void)file->readF32(name);
#else
  if (auto tok = spike::core::loadTokenizer(path)) {
    // Text with every class the pre-tokenizers tell apart, and the input
    // itself read as text (any bytes).
    for (const std::string &text :
         {std::string("Hello, World! I'VE 1234 \r\n  <|im_start|> \xf0\x9f\xa6"
                      "\x99 na\xc3\xafve"),
          std::string(reinterpret_cast<const char *>(data),
                      std::min<size_t>(size, 256))}) {
      if (!(*tok)->encodable(text))
        continue;
      (void)(*tok)->decode((*tok)->encode(text));
    }
  }
#endif
  return 0;
}
