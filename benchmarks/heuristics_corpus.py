"""Deterministic ~3 KB test documents for the heuristics benchmark (and its agreement tests).

Prose comes from real English sentences: the docstrings of Python's standard library (no
download, same text for every run on one Python version). Documents are a mix of good prose,
near-threshold repetition, spam, boilerplate, lorem ipsum, bullet lists, symbol-heavy and short
texts, so that every shared rule is exercised on both sides of its threshold.
"""

from __future__ import annotations

import importlib
import random
import re
import warnings
from pathlib import Path

from judge_corpus import CORPUS, visible_lines

_MODULES = [
    "collections",
    "json",
    "re",
    "os",
    "pathlib",
    "argparse",
    "logging",
    "subprocess",
    "threading",
    "asyncio",
    "email",
    "http.client",
    "urllib.request",
    "unittest",
    "dataclasses",
    "functools",
    "itertools",
    "statistics",
    "decimal",
    "fractions",
    "random",
    "datetime",
    "calendar",
    "csv",
    "sqlite3",
    "xml.etree.ElementTree",
    "zipfile",
    "tarfile",
    "shutil",
    "tempfile",
    "textwrap",
    "string",
    "difflib",
    "heapq",
    "bisect",
    "enum",
    "inspect",
    "ast",
    "pickle",
    "copy",
    "pprint",
    "socket",
    "ssl",
    "hashlib",
    "hmac",
    "secrets",
    "uuid",
    "codecs",
    "io",
    "gzip",
    "bz2",
    "lzma",
    "configparser",
    "optparse",
    "traceback",
    "warnings",
    "contextlib",
    "abc",
    "numbers",
    "math",
    "operator",
    "queue",
    "sched",
    "selectors",
    "signal",
    "locale",
    "gettext",
    "shlex",
    "glob",
    "fnmatch",
    "filecmp",
    "timeit",
    "pdb",
    "doctest",
    "imaplib",
    "smtplib",
    "poplib",
    "ftplib",
    "mailbox",
    "mimetypes",
    "base64",
    "binascii",
    "html.parser",
    "wsgiref",
    "xmlrpc.client",
    "ipaddress",
    "cmd",
]
_BAD = re.compile(r"[{}<>\[\]=_`|\\#*]|\.\.\.|lorem|cookie|javascript|terms of use|privacy", re.I)
LOREM = (
    "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut "
    "labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco "
    "laboris nisi ut aliquip ex ea commodo consequat."
)
BOILERPLATE = [
    "This website uses cookies to improve your experience.",
    "By continuing you agree to our Terms of Use and Privacy Policy.",
    "Please enable JavaScript to view the comments.",
    "Read our cookie policy for details.",
    "Home",
    "About us",
    "Contact",
    "Subscribe to our newsletter",
    "Share on Twitter",
    "All rights reserved.",
]


def english_sentences() -> list[str]:
    """Real English sentences from stdlib docstrings, sorted for determinism."""
    sentences: set[str] = set()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in _MODULES:
            try:
                module = importlib.import_module(name)
            except ImportError:
                continue
            for obj in [module, *(getattr(module, a) for a in dir(module) if a[0] != "_")]:
                doc = getattr(obj, "__doc__", None)
                if not isinstance(doc, str):
                    continue
                for para in re.split(r"\n\s*\n", doc):
                    flat = " ".join(para.split())
                    for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", flat):
                        alpha = sum(c.isalpha() for c in s) / max(len(s), 1)
                        ok = 40 <= len(s) <= 300 and s.endswith(".") and alpha > 0.75
                        if ok and not _BAD.search(s):
                            sentences.add(s)
    return sorted(sentences)


def _prose(rng: random.Random, sents: list[str], size: int) -> list[str]:
    """Paragraphs of 2-5 random sentences until `size` characters."""
    paras: list[str] = []
    total = 0
    while total < size:
        para = " ".join(rng.choice(sents) for _ in range(rng.randint(2, 5)))
        paras.append(para)
        total += len(para) + 2
    return paras


def make_doc(rng: random.Random, sents: list[str], kind: str, size: int = 3000) -> str:
    """One document of the given kind."""
    if kind == "prose":
        return "\n\n".join(_prose(rng, sents, size))
    if kind == "repeated_lines":  # a share of paragraphs copied: near the Gopher thresholds
        paras = _prose(rng, sents, size)
        k = rng.randint(1, max(1, len(paras) // 2))
        for _ in range(k):
            paras[rng.randrange(len(paras))] = rng.choice(paras)
        return "\n\n".join(paras)
    if kind == "spam":
        pool = [rng.choice(sents) for _ in range(rng.randint(1, 4))]
        phrase = rng.choice(["buy cheap watches online", "best casino bonus today", "click here"])
        parts: list[str] = []
        while sum(map(len, parts)) < size:
            parts.append(rng.choice(pool) if rng.random() < 0.7 else phrase)
        return "\n".join(parts)
    if kind == "boilerplate":
        paras = _prose(rng, sents, rng.randint(200, 1500))
        lines = [rng.choice(BOILERPLATE) for _ in range(rng.randint(10, 60))]
        return "\n".join(lines[: len(lines) // 2] + paras + lines[len(lines) // 2 :])
    if kind == "lorem":
        paras = _prose(rng, sents, size - 300)
        paras.insert(rng.randrange(len(paras) + 1), LOREM)
        return "\n\n".join(paras)
    if kind == "bullets":
        share = rng.uniform(0.5, 1.0)
        lines = []
        while sum(map(len, lines)) < size:
            s = rng.choice(sents)
            lines.append(f"- {s}" if rng.random() < share else s)
        return "\n".join(lines)
    if kind == "symbols":
        paras = _prose(rng, sents, size)
        tags = rng.randint(5, 120)
        words = " ".join(f"#tag{rng.randint(0, 50)}" for _ in range(tags))
        ell = "\n".join(f"{rng.choice(sents)[:60]}..." for _ in range(rng.randint(0, 25)))
        return "\n\n".join([*paras, words, ell])
    if kind == "teasers":  # "read more..." fragments: around Gopher's ellipsis ratio
        lines = []
        while sum(map(len, lines)) < size:
            words = rng.choice(sents).split()
            lines.append(" ".join(words[: rng.randint(4, 16)]) + "...")
        return "\n".join(lines)
    if kind == "short":
        text = " ".join(rng.choice(sents) for _ in range(rng.randint(1, 6)))
        return text + (" See {config} for details." if rng.random() < 0.3 else "")
    if kind == "numbers":  # tables of figures: alphabetic-word ratio near 0.8
        paras = _prose(rng, sents, size // 2)
        rows = [" ".join(str(rng.randint(0, 9999)) for _ in range(6)) for _ in range(30)]
        return "\n\n".join(paras + ["\n".join(rows[: rng.randint(3, 30)])])
    raise ValueError(f"unknown kind {kind!r}")


KINDS = {
    "prose": 0.32,
    "teasers": 0.03,
    "repeated_lines": 0.15,
    "spam": 0.1,
    "boilerplate": 0.1,
    "lorem": 0.05,
    "bullets": 0.1,
    "symbols": 0.05,
    "short": 0.05,
    "numbers": 0.05,
}


def make_corpus(n: int = 5000, seed: int = 0) -> list[tuple[str, str]]:
    """(kind, text) pairs, the same for the same `n`, `seed` and Python version."""
    rng = random.Random(seed)
    sents = english_sentences()
    kinds = rng.choices(list(KINDS), weights=list(KINDS.values()), k=n)
    return [(kind, make_doc(rng, sents, kind)) for kind in kinds]


# Real web text: the development corpus of main-content extraction (181 real pages), read in
# place, never copied into the repo; its visible text is built the way the judge benchmark does.
REAL_CORPUS = CORPUS


def visible_text(html: str) -> str:
    """A page's visible text, one line per block element (what a naive crawler would keep)."""
    return "\n".join(visible_lines(html))


def real_pages(root: Path = REAL_CORPUS) -> list[tuple[str, str]]:
    """("article", main text) and ("page", visible text) for every page of the corpus, sorted."""
    import gzip
    import json

    truth_file = root / "ground-truth.json"
    if not truth_file.is_file():
        raise FileNotFoundError(
            f"{truth_file} not found: the real-text benchmark reads the article extraction corpus "
            "from ../shared/corpora/article-extraction-benchmark/ next to the repository."
        )
    truth = json.loads(truth_file.read_text())
    docs: list[tuple[str, str]] = []
    for key in sorted(truth):
        docs.append(("article", truth[key]["articleBody"]))
        page = root / "html" / f"{key}.html.gz"
        if page.is_file():
            html = gzip.decompress(page.read_bytes()).decode("utf-8", errors="replace")
            docs.append(("page", visible_text(html)))
    return docs


def make_real_corpus(n: int = 5000) -> list[tuple[str, str]]:
    """`n` real documents: the corpus's articles and visible page texts, repeated in order."""
    pages = real_pages()
    return [pages[i % len(pages)] for i in range(n)]
