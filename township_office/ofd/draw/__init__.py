# Vendored from easyofd 20260427 (Apache-2.0), easyofd/draw/__init__.py, modified: only the PDF drawing is
# kept. The OFD writer (draw_ofd, pdf_parse) is left out because it imports PyMuPDF (fitz, AGPL-3.0).
# See ../NOTICE.
from ..parser_ofd import OFDParser  # noqa: F401  (importing it registers the fonts, as upstream does)

FONTS = ['宋体',"SWPMEH+SimSun",'SimSun','KaiTi','楷体',"STKAITI","SWLCQE+KaiTi",
         'Courier New','STSong-Light',"CourierNew","SWANVV+CourierNewPSMT",
         "CourierNewPSMT","BWSimKai","hei","黑体","SimHei","SWDKON+SimSun",
         "SWCRMF+CourierNewPSMT","SWHGME+KaiTi"]

from .font_tools import FontTool  # noqa: E402
from .draw_pdf import DrawPDF  # noqa: E402

__all__ = ["DrawPDF", "FontTool", "FONTS"]
