"""Small real files for the preview tests and the bench: a PDF (WeasyPrint), a .docx and an OFD written by
hand (their zip parts), a PNG (Pillow). Every page carries its number, so a drawn page can be told apart."""

import io
import zipfile

TEXT = "关于做好冬季森林草原防火工作的通知"


def pdf(pages=2):
    from weasyprint import HTML

    body = "".join(
        f'<section style="page-break-after: always"><h1>{TEXT}</h1><p>第 {n} 页，共 {pages} 页。</p>'
        + "<p>各村（社区）、镇直各单位：现将有关事项通知如下。</p>" * 12
        + "</section>"
        for n in range(1, pages + 1)
    )
    html = f'<html><head><style>@page {{ size: A4; margin: 2.5cm }} body {{ font-family: "Noto Serif CJK SC" }}</style></head><body>{body}</body></html>'
    return HTML(string=html).write_pdf()


def docx(pages=1, title=TEXT):
    def page(n):
        text = f"<w:p><w:r><w:t>{title}（第{n}页）</w:t></w:r></w:p>"
        text += "<w:p><w:r><w:t>各村（社区）、镇直各单位：现将有关事项通知如下。</w:t></w:r></w:p>" * 5
        return text + ('<w:p><w:r><w:br w:type="page"/></w:r></w:p>' if n < pages else "")

    word = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    document = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{word}"><w:body>{"".join(page(n) for n in range(1, pages + 1))}</w:body></w:document>'
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        archive.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
        )
        archive.writestr("word/document.xml", document)
    return buffer.getvalue()


def ofd(pages=1):
    """A minimal OFD (GB/T 33190): one document, A4 pages with a line of text in 宋体 and a red rule."""
    ns = 'xmlns:ofd="http://www.ofdspec.org/2016"'
    refs = "".join(f'<ofd:Page ID="{10 + n}" BaseLoc="Pages/Page_{n}/Content.xml"/>' for n in range(pages))

    def content(n):
        text = f"{TEXT}{n + 1}"
        return (
            f'<?xml version="1.0" encoding="UTF-8"?><ofd:Page {ns}><ofd:Content><ofd:Layer ID="{100 + n}">'
            f'<ofd:TextObject ID="{200 + n}" Boundary="20 30 170 10" Font="2" Size="6"><ofd:FillColor Value="0 0 0"/>'
            f'<ofd:TextCode X="0" Y="6" DeltaX="g {len(text) - 1} 6">{text}</ofd:TextCode></ofd:TextObject>'
            f'<ofd:PathObject ID="{300 + n}" Boundary="20 45 170 1" LineWidth="0.5"><ofd:StrokeColor Value="255 0 0"/>'
            "<ofd:AbbreviatedData>M 0 0 L 170 0</ofd:AbbreviatedData></ofd:PathObject>"
            "</ofd:Layer></ofd:Content></ofd:Page>"
        )

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "OFD.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD {ns} Version="1.0" DocType="OFD"><ofd:DocBody>'
            "<ofd:DocInfo><ofd:DocID>preview-sample</ofd:DocID><ofd:Title>通知</ofd:Title>"
            "<ofd:CreationDate>2026-11-25</ofd:CreationDate></ofd:DocInfo>"
            "<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>",
        )
        archive.writestr(
            "Doc_0/Document.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><ofd:Document {ns}><ofd:CommonData><ofd:MaxUnitID>999</ofd:MaxUnitID>'
            "<ofd:PageArea><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:PageArea>"
            f"<ofd:PublicRes>PublicRes.xml</ofd:PublicRes></ofd:CommonData><ofd:Pages>{refs}</ofd:Pages></ofd:Document>",
        )
        archive.writestr(
            "Doc_0/PublicRes.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><ofd:Res {ns} BaseLoc="Res"><ofd:Fonts>'
            '<ofd:Font ID="2" FontName="宋体" FamilyName="宋体"/></ofd:Fonts></ofd:Res>',
        )
        for n in range(pages):
            archive.writestr(f"Doc_0/Pages/Page_{n}/Content.xml", content(n))
    return buffer.getvalue()


def png(width=600, height=800):
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (width, height), "white")
    ImageDraw.Draw(image).rectangle([40, 40, width - 40, 120], outline="red", width=4)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def signature(width=1170, height=432):
    """A drawn signature as the pad sends it: a PNG data URL of dark strokes on a transparent canvas (the size of a
    390 px wide pad on a ×3 phone screen)."""
    import base64

    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.line([(200, 300), (320, 120), (420, 300), (520, 140), (640, 290)], fill=(17, 17, 17, 255), width=8)
    draw.line([(700, 160), (900, 260)], fill=(17, 17, 17, 255), width=8)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
