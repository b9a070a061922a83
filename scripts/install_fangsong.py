"""Install an openly licensed 仿宋 for the printouts: FandolFang (Fandol team, GPL with the font exception).

GB/T 9704 sets official forms in 仿宋_GB2312, which is not free to install. FandolFang covers every one of the
6,763 hanzi of GB 2312 and its punctuation (checked with fontTools when this was chosen; cwTeX 仿宋, the only
仿宋 packaged on its own in Debian, lacks 2,379 of them, being a traditional-character font). Debian ships
FandolFang inside texlive-lang-chinese, which would pull in TeX itself, so this downloads that one package
with apt (from the configured Debian mirror), extracts only the font, and subsets it to GB 2312 plus ASCII and
the full-width forms: WeasyPrint then parses a font a fraction of the size on every printout.

Usage (as root, or through sudo):  python scripts/install_fangsong.py [--target DIR]
Idempotent: does nothing when the subset font is already installed.
"""

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

FONT_NAME = "FandolFang-Regular.otf"
SUBSET_NAME = "FandolFang-GB2312.otf"
DEFAULT_TARGET = Path("/usr/local/share/fonts/fandol")


def gb2312_characters():
    characters = set()
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                characters.add(bytes([high, low]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    characters.update(chr(c) for c in range(0x20, 0x7F))  # ASCII
    characters.update(chr(c) for c in range(0xFF01, 0xFF5F))  # full-width forms
    characters.update("〔〕【】〈〉《》「」『』—…·‘’“”　、。")
    return characters


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--target", type=Path, default=DEFAULT_TARGET)
    target = parser.parse_args().target
    subset = target / SUBSET_NAME
    if subset.exists():
        return 0
    from fontTools import subset as fontsubset

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        tmp.chmod(0o777)  # apt hands the download to its unprivileged user
        download = ["apt-get", "download", "-qq", "texlive-lang-chinese"]
        if subprocess.run(download, cwd=tmp).returncode != 0:  # no package lists yet on a fresh machine
            subprocess.run(["apt-get", "update", "-qq"], check=True)
            subprocess.run(download, cwd=tmp, check=True)
        deb = next(tmp.glob("texlive-lang-chinese_*.deb"))
        subprocess.run(["dpkg-deb", "-x", str(deb), str(tmp / "x")], check=True)
        source = next((tmp / "x").rglob(FONT_NAME))
        licence = next((tmp / "x").rglob("fandol/COPYING*"), None)
        options = fontsubset.Options()
        options.layout_features = ["*"]
        options.name_IDs = ["*"]
        font = fontsubset.load_font(str(source), options)
        subsetter = fontsubset.Subsetter(options)
        subsetter.populate(unicodes=[ord(c) for c in gb2312_characters()])
        subsetter.subset(font)
        target.mkdir(parents=True, exist_ok=True)
        fontsubset.save_font(font, str(subset), options)
        if licence:
            shutil.copy(licence, target / licence.name)
    subprocess.run(["fc-cache", "-f", str(target)], check=False)
    print(f"已安装仿宋字体 {subset}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
