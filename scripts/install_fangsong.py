"""Install an openly licensed 仿宋 for the printouts: FandolFang (Fandol team, GPL with the font exception).

GB/T 9704 sets official forms in 仿宋_GB2312, which is not free to install. FandolFang covers every one of the
6,763 hanzi of GB 2312 and its punctuation (checked with fontTools when this was chosen; cwTeX 仿宋, the only
仿宋 packaged on its own in Debian, lacks 2,379 of them, being a traditional-character font). Debian ships
FandolFang inside texlive-lang-chinese, which would pull in TeX itself, so this downloads that one package
with apt (from the configured Debian mirror), extracts only the font, and subsets it to GB 2312 plus ASCII and
the full-width forms: WeasyPrint then parses a font a fraction of the size on every printout.

The titles and the labels of the forms are set in a bold Song face: Noto Serif CJK SC Bold, from Debian's
fonts-noto-cjk (SIL Open Font License). WeasyPrint subsets every font it embeds on every printout, and on a face
of 65,535 glyphs that alone took longer than laying the 收文处理笺 out. So this also writes a copy of that face cut
down the same way (GB 2312, no layout features, no hinting, charstrings without subroutines: 7,545 glyphs) under a
family name of its own, "FormSerif GB2312" (the licence's reserved names stay with the original); print.css names
it before Noto Serif CJK SC. Same glyphs, a tenth of the work.

Both are installed with TrueType outlines (quadratic curves, converted from the PostScript ones within a
thousandth of the em): HarfBuzz subsets a TrueType font on every printout without interpreting charstrings, and
the glyphs it embeds are about half the size, so a 收文处理笺 is written faster and is 32 KB instead of 68 KB.

Usage (as root, or through sudo):  python scripts/install_fangsong.py [--target DIR]
Idempotent: does nothing when both subset fonts are already installed.
"""

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

FONT_NAME = "FandolFang-Regular.otf"
SUBSET_NAME = "FandolFang-GB2312.ttf"
DEFAULT_TARGET = Path("/usr/local/share/fonts/fandol")
TITLE_SOURCE = Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc")  # Debian fonts-noto-cjk
TITLE_FAMILY = "FormSerif GB2312"
TITLE_NAME = "FormSerif-GB2312-Bold.ttf"
OLD_NAMES = ("FandolFang-GB2312.otf", "FormSerif-GB2312-Bold.otf")  # the CFF cuts of earlier installs


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
    installed = [install_fandolfang(target), install_title_face(target)]
    for name in OLD_NAMES:  # one family, one file: fontconfig must not choose between two cuts
        if (target / name).exists():
            (target / name).unlink()
            installed.append(True)
    if any(installed):
        subprocess.run(["fc-cache", "-f", str(target)], check=False)
    return 0


def install_fandolfang(target):
    subset = target / SUBSET_NAME
    if subset.exists():
        return False
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
        to_truetype(font)
        target.mkdir(parents=True, exist_ok=True)
        fontsubset.save_font(font, str(subset), options)
        if licence:
            shutil.copy(licence, target / licence.name)
    print(f"已安装仿宋字体 {subset}")
    return True


def install_title_face(target):
    """The bold Song face of titles and labels, cut down to GB 2312 (see the module docstring)."""
    subset = target / TITLE_NAME
    if subset.exists() or not TITLE_SOURCE.exists():
        return False
    from fontTools import subset as fontsubset

    options = fontsubset.Options()
    options.font_number = next(
        i for i, face in enumerate(_collection(TITLE_SOURCE)) if face["name"].getDebugName(1) == "Noto Serif CJK SC"
    )
    options.layout_features = []
    options.name_IDs = ["*"]
    options.hinting = False
    options.desubroutinize = True
    font = fontsubset.load_font(str(TITLE_SOURCE), options)
    subsetter = fontsubset.Subsetter(options)
    subsetter.populate(unicodes=[ord(c) for c in gb2312_characters()])
    subsetter.subset(font)
    names = font["name"]
    for record in list(names.names):
        if record.nameID in (1, 16):
            record.string = TITLE_FAMILY
        elif record.nameID in (2, 17):
            record.string = "Bold"
        elif record.nameID == 4:
            record.string = f"{TITLE_FAMILY} Bold"
        elif record.nameID in (3, 6):
            record.string = TITLE_NAME.removesuffix(".ttf")
    to_truetype(font)
    target.mkdir(parents=True, exist_ok=True)
    fontsubset.save_font(font, str(subset), options)
    print(f"已安装标题宋体 {subset}（Noto Serif CJK SC Bold 的 GB 2312 子集）")
    return True


def to_truetype(font, tolerance=1.0):
    """Replace the PostScript (CFF) outlines of ``font`` by TrueType ones, in place.

    Each cubic curve becomes quadratic ones within ``tolerance`` font units (of 1,000 to the em: invisible at
    any print size). The glyph order, metrics, cmap and names stay; glyph names go (post format 3), as in most
    CJK TrueType fonts."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import newTable

    if "CFF " not in font:
        return
    glyph_set = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = font.getGlyphOrder()
    glyf.glyphs = {}
    for name in glyf.glyphOrder:
        pen = TTGlyphPen(glyph_set)
        # PostScript contours run counter-clockwise, TrueType ones clockwise.
        glyph_set[name].draw(Cu2QuPen(pen, tolerance, reverse_direction=True))
        glyf[name] = pen.glyph()
    del font["CFF "]
    if "VORG" in font:  # vertical origins belong to CFF fonts; TrueType ones take them from the glyphs
        del font["VORG"]
    font["loca"] = newTable("loca")
    font["glyf"] = glyf
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    maxp.maxZones = 1
    for attribute in (
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
    ):
        setattr(maxp, attribute, 0)
    font["head"].indexToLocFormat = 0
    font["head"].glyphDataFormat = 0
    font["post"].formatType = 3.0
    font.sfntVersion = "\x00\x01\x00\x00"
    font.recalcBBoxes = True  # the glyphs' boxes, head's and maxp's counts are worked out again when saved


def _collection(path):
    from fontTools.ttLib import TTCollection

    return TTCollection(str(path), lazy=True).fonts


if __name__ == "__main__":
    sys.exit(main())
