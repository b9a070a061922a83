"""Sample 公文 for the typesetter's tests (and the demo data): generated text of a known length.

Every paragraph is made of hanzi with its only punctuation at its end, placed so that no full stop begins a line:
each full line of it then holds exactly 28 characters, what GB/T 9704 asks, with nothing moved by the
line-breaking rules.
"""

from datetime import date

from township_office.gbdoc import Block, OfficialDocument

HANZI = (
    "为深入贯彻落实上级关于森林防火工作的部署要求切实做好今冬明春森林防火各项工作有效预防和遏制森林火灾发生"
    "保障人民群众生命财产安全和森林资源安全结合我镇实际现就有关事项通知如下各村居委会要高度重视层层压实责任"
    "严格落实网格化管理加强巡山护林和火源管控深入开展宣传教育营造全民参与的良好氛围确保全镇不发生重大森林火灾"
)


def paragraph(length, start=0):
    """``length`` characters of text ending in a full stop (never at the start of a line: see the module)."""
    if (length + 2) % 28 == 1:  # the 。 would open a line of its own (two characters of indent first)
        length += 1
    text = "".join(HANZI[(start + i) % len(HANZI)] for i in range(length - 1))
    return text + "。"


def body(paragraphs, length=100):
    blocks = [Block("一、总体要求", 1), Block(paragraph(length))]
    blocks += [Block("（一）明确目标。" + paragraph(length - 7, 11), 2), Block("1.分步实施。" + paragraph(60, 23), 3)]
    blocks += [Block("（1）第一步。" + paragraph(50, 31), 4)]
    blocks += [Block(paragraph(length, 7 * i)) for i in range(paragraphs)]
    return blocks


def notice(paragraphs=12, *, doc_number="长政发〔2026〕3号", **changes):
    """A 通知 of 长官镇人民政府 with the four heading levels, two attachments, a 抄送 and a 版记."""
    fields = dict(
        issuers=["长官镇人民政府"],
        issuer_code="长政发",
        doc_number=doc_number,
        title="长官镇人民政府关于做好2026年冬季\n森林防火工作的通知",
        main_recipients="各村（居）委会，镇直各单位",
        body=body(paragraphs),
        attachments=["长官镇森林防火责任人名单", "长官镇森林防火应急预案（2026年修订）"],
        date_of_issue=date(2026, 12, 5),
        cc_recipients="县应急管理局，县林业局",
        printed_by="长官镇党政办公室",
        printed_on=date(2026, 12, 5),
    )
    fields.update(changes)
    return OfficialDocument(**fields)
