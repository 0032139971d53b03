"""Tokenizer conformance against HF `tokenizers` (issue #20).

Trains small tokenizers of each kind spikec reads, with HF `tokenizers`
itself, on a corpus drawn from the battery below, saves each as
tokenizer.json, and compares `spike-run tokenize --texts` with HF's
encode (add_special_tokens=False) and decode (skip_special_tokens=False),
id for id and byte for byte, on every battery string:

  gpt2         ByteLevel with the GPT-2 regex
  llama3       Split(LLaMA-3 regex) + ByteLevel, ignore_merges
  qwen2        NFC normalizer + Split(Qwen2 regex) + ByteLevel (as Qwen2
               ships it)
  nfkc         NFKC normalizer + ByteLevel with the GPT-2 regex
  smollm       Digits(individual) + ByteLevel with the GPT-2 regex
  subword      ByteLevel (add_prefix_space) with continuing_subword_prefix,
               end_of_word_suffix and an unk token
  sentencepiece  LLaMA-2's: Prepend/Replace normalizer, BPE with byte
               fallback and fused unk, Replace/ByteFallback/Fuse/Strip
               decoder
  metaspace    Metaspace pre-tokenizer (prepend_scheme first) and decoder

each also with added tokens: chat markers (special), and non-special ones
with lstrip, rstrip, single_word and normalized, and a TemplateProcessing
post-processor ("<|im_start|> $A <|im_end|>"; "<s> $A" for the
SentencePiece kinds), compared as encode(add_special_tokens=True).

  hf_conformance.py SPIKE_RUN WORKDIR
Prints one line per kind and "N strings x K tokenizers: 0 differences".
"""
import json
import os
import subprocess
import sys

from tokenizers import (AddedToken, Regex, Tokenizer, decoders, models,
                        normalizers, pre_tokenizers, processors, trainers)

GPT2 = (r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+"
        r"|\s+(?!\S)|\s+")
LLAMA3 = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|"
          r"\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+")
QWEN2 = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}|"
         r" ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+")


def battery():
    """A few hundred strings: scripts, emoji, combining marks, digits,
    white-space runs, CRLF, contractions in any case, chat markers."""
    words = [
        "Hello world", "hello, world!", "The quick brown fox jumps over "
        "the lazy dog.", "naïve café résumé", "Straße und Größe",
        "Привет, мир", "Ελληνικά γράμματα", "שלום עולם", "مرحبا بالعالم",
        "नमस्ते दुनिया", "สวัสดีชาวโลก", "你好，世界", "日本語のテキスト",
        "한국어 문장", "ქართული", "Հայերեն", "ᚠᚢᚦᚨᚱᚲ", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
        "emoji 🦙🚀 and 👩‍💻 and 🇫🇷 flags", "❤️ ✨ ☕", "e\u0301 and "
        "a\u0308 and n\u0303", "Z\u0351\u0364a\u0350lgo", "ﬁ ligature",
        "tab\there", "nbsp\u00a0here", "ideographic\u3000space",
        "zero\u200bwidth", "line\u2028sep", "col1\tcol2\tcol3",
        # Normalization: composed and decomposed forms, singletons, marks
        # out of canonical order, Hangul jamo, compatibility characters.
        "caf\u00e9 cafe\u0301", "\u212b \u00c5 A\u030a", "\u2126hm",
        "\u1e9b\u0323 q\u0307\u0323", "e\u0302\u0323 e\u0323\u0302",
        "\u1100\u1161\u11a8 \uac01", "\u0f73 \u0f71\u0f72",
        "\uff46\uff55\uff4c\uff4c \uff21\uff22\uff23 \uff11\uff12",
        "\u2460\u2461 \u338f \ufb00\ufb03", "\u00bd\u2044 x\u2075",
    ]
    numbers = ["0", "7", "42", "123", "1234", "12345", "3.14159",
               "1,000,000", "2024-11-30", "٣٤٥ Arabic-Indic", "१२३ Devanagari",
               "Ⅻ roman", "½ ¾", "x²+y³", "0x1F", "v1.2.3", "+49 30 123",
               "10%", "$5.00", "€12,50"]
    contractions = ["I'VE SEEN IT, HE'S RIGHT", "don't won't can't",
                    "DON'T WON'T", "It's we're they've I'm you'll he'd",
                    "IT'S WE'RE THEY'VE I'M YOU'LL HE'D", "rock 'n' roll",
                    "'s 't 're", "O'Neil's", "ſtrange 'ſ long s"]
    spaces = ["a  b", "a   b", "a    b", "  leading", "trailing  ",
              "   ", " ", "", "\n", "\n\n", "a\nb", "a\n\nb", "a \n b",
              "first line\r\nsecond line", "crlf\r\n\r\nagain", "\r", "x\r",
              "  \n  indented", "\t\t tabs", "end\n"]
    chat = ["<|im_start|>user\nHi<|im_end|>",
            "<|im_start|>assistant\nHello!<|im_end|>\n",
            "Hello<|endoftext|>world", "<|endoftext|>", "a<|im_end|>b",
            "text [MASK] text", "text   [MASK]", "[MASK][MASK]",
            "<tool> call", "x<tool>y", "a <tool> b", "zz top", "fizzzz",
            "<|im_start|><|im_end|>", "<|im_start", "im_end|>"]
    code = ["def f(x):\n    return x + 1\n", "if (a && b) { return; }",
            "for i in range(10):\n\tprint(i)", "#include <cstdio>",
            "x = [1, 2, 3]  # list", "SELECT * FROM t;", "a->b::c",
            "path/to/file.txt", "https://example.com/a?b=c", "user@host"]
    out = words + numbers + contractions + spaces + chat + code
    # Combinations: each word group glued to numbers and spacing, so
    # boundaries between classes are exercised.
    for i, w in enumerate(words):
        out.append(w + " " + numbers[i % len(numbers)])
        out.append(spaces[i % len(spaces)] + w)
        out.append(w + contractions[i % len(contractions)])
        out.append(w.upper() + "\n" + w.lower())
    for i, n in enumerate(numbers):
        out.append("item" + n + "x")
        out.append(n + chat[i % len(chat)])
    for c in contractions:
        out.append(c.lower())
        out.append(" " + c + "  ")
    seen, unique = set(), []
    for s in out:
        if s not in seen:
            seen.add(s)
            unique.append(s)
    return unique


SPECIAL = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]


def added_tokens():
    return [AddedToken("[MASK]", lstrip=True, rstrip=False, normalized=False,
                       special=False),
            AddedToken("<tool>", single_word=True, normalized=False,
                       special=False),
            AddedToken("zz", normalized=True, special=False),
            AddedToken("!!", rstrip=True, normalized=False, special=False)]


def train(kind, corpus, with_added):
    bytes_ = ["<0x%02X>" % b for b in range(256)]
    subword = {}  # the trainer's prefix and suffix, for the subword kind
    if kind in ("sentencepiece", "metaspace"):
        tok = Tokenizer(models.BPE(unk_token="<unk>", byte_fallback=True,
                                   fuse_unk=True))
        specials = ["<unk>", "<s>", "</s>"] + bytes_
        if kind == "sentencepiece":
            tok.normalizer = normalizers.Sequence(
                [normalizers.Prepend("\u2581"),
                 normalizers.Replace(" ", "\u2581")])
            tok.decoder = decoders.Sequence(
                [decoders.Replace("\u2581", " "), decoders.ByteFallback(),
                 decoders.Fuse(), decoders.Strip(" ", 1, 0)])
        else:
            tok.pre_tokenizer = pre_tokenizers.Metaspace(
                replacement="\u2581", prepend_scheme="first", split=False)
            tok.decoder = decoders.Metaspace(replacement="\u2581",
                                             prepend_scheme="first",
                                             split=False)
        alphabet = []
    elif kind == "subword":
        # Byte-level with a continuing-subword prefix, an end-of-word
        # suffix and an unk token (the BPE model flags).
        tok = Tokenizer(models.BPE(unk_token="[UNK]",
                                   continuing_subword_prefix="##",
                                   end_of_word_suffix="</w>"))
        tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=True)
        tok.decoder = decoders.ByteLevel()
        specials = ["[UNK]"]
        alphabet = pre_tokenizers.ByteLevel.alphabet()
        subword = dict(continuing_subword_prefix="##",
                       end_of_word_suffix="</w>")
    else:
        tok = Tokenizer(models.BPE(ignore_merges=kind == "llama3"))
        byte_level = pre_tokenizers.ByteLevel(add_prefix_space=False,
                                              use_regex=kind in ("gpt2",
                                                                 "smollm",
                                                                 "nfkc"))
        if kind == "qwen2":
            tok.normalizer = normalizers.NFC()
        elif kind == "nfkc":
            tok.normalizer = normalizers.NFKC()
        if kind in ("gpt2", "nfkc"):
            tok.pre_tokenizer = byte_level
        elif kind == "smollm":
            tok.pre_tokenizer = pre_tokenizers.Sequence(
                [pre_tokenizers.Digits(individual_digits=True), byte_level])
        else:
            pattern = LLAMA3 if kind == "llama3" else QWEN2
            tok.pre_tokenizer = pre_tokenizers.Sequence(
                [pre_tokenizers.Split(Regex(pattern), "isolated"),
                 byte_level])
        tok.decoder = decoders.ByteLevel()
        specials = []
        alphabet = pre_tokenizers.ByteLevel.alphabet()
    trainer = trainers.BpeTrainer(vocab_size=len(specials) + 700,
                                  special_tokens=specials,
                                  initial_alphabet=alphabet,
                                  show_progress=False, **subword)
    tok.train_from_iterator(corpus, trainer)
    if with_added:
        tok.add_special_tokens(SPECIAL)
        tok.add_tokens(added_tokens())
        if kind in ("sentencepiece", "metaspace"):
            tok.post_processor = processors.TemplateProcessing(
                single="<s> $A", special_tokens=[("<s>",
                                                  tok.token_to_id("<s>"))])
        else:
            names = ["<|im_start|>", "<|im_end|>"]
            tok.post_processor = processors.TemplateProcessing(
                single="<|im_start|> $A <|im_end|>",
                special_tokens=[(n, tok.token_to_id(n)) for n in names])
    return tok


def main():
    spike_run, work = sys.argv[1], sys.argv[2]
    os.makedirs(work, exist_ok=True)
    texts = battery()
    corpus = texts * 3
    with open(os.path.join(work, "battery.json"), "w") as f:
        json.dump(texts, f, ensure_ascii=False)
    total, kinds = 0, 0
    for kind in ("gpt2", "llama3", "qwen2", "nfkc", "smollm", "subword",
                 "sentencepiece", "metaspace"):
        for with_added in (False, True):
            name = kind + ("+added" if with_added else "")
            tok = train(kind, corpus, with_added)
            path = os.path.join(work, name + ".json")
            tok.save(path)
            p = subprocess.run([spike_run, "tokenize", "--tokenizer", path,
                                "--texts", os.path.join(work, "battery.json")],
                               capture_output=True, text=True)
            if p.returncode != 0:
                print("%s: spike-run failed: %s" % (name, p.stderr.strip()))
                return 1
            got = json.loads(p.stdout)
            differences = 0
            for text, mine in zip(texts, got):
                ids = tok.encode(text, add_special_tokens=False).ids
                decoded = tok.decode(ids, skip_special_tokens=False)
                special = tok.encode(text, add_special_tokens=True).ids
                if (mine["ids"] != ids or mine["decoded"] != decoded or
                        mine["ids_special"] != special):
                    differences += 1
                    if differences <= 3:
                        print("%s: %r: ids %s, HF %s; decoded %r, HF %r; "
                              "with special tokens %s, HF %s" % (
                                  name, text, mine["ids"], ids,
                                  mine["decoded"], decoded,
                                  mine["ids_special"], special))
            print("%s: %d strings, %d differences" % (name, len(texts),
                                                      differences))
            total += differences
            kinds += 1
    print("%d strings x %d tokenizers: %d differences" % (len(texts), kinds,
                                                          total))
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
