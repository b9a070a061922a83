"""Resident identity numbers (GB 11643-1999): 18 characters, ISO 7064 MOD 11-2 check character, the first two
digits a province code of GB/T 2260.

A number is normalised before it is checked, stored or compared: full-width characters (１２３, Ｘ) and spaces are
folded (NFKC of the full-width forms), ``x`` is upper-cased. Anything else that is not an ASCII digit (a superscript
², an Arabic-Indic digit) is refused with a message, never silently turned into a digit. County codes are not
checked: real IDs keep the code of the place where they were issued, retired codes included.

The residence permits of Hong Kong, Macao and Taiwan residents (港澳台居民居住证, 2018) carry a number of the same
form whose first six digits are 810000, 820000 or 830000; they are accepted like an identity card.
"""

import unicodedata
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CHECK = "10X98765432"
DIGITS = frozenset("0123456789")
# GB/T 2260 provinces: 11–15 North, 21–23 North-East, 31–37 East, 41–46 Central-South, 50–54 South-West,
# 61–65 North-West, 71 Taiwan, 81 Hong Kong, 82 Macao.
PROVINCES = frozenset(
    [*range(11, 16), *range(21, 24), *range(31, 38), *range(41, 47), *range(50, 55), *range(61, 66), 71, 81, 82]
)
# 港澳台居民居住证: Hong Kong, Macao, Taiwan.
RESIDENCE_PERMITS = frozenset(["810000", "820000", "830000"])


def check_character(first17):
    return CHECK[sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True)) % 11]


def _fold(char):
    """Full-width forms (U+FF01–FF5E) and the ideographic space to their ASCII twins; anything else unchanged."""
    if "\uff01" <= char <= "\uff5e" or char == "\u3000":
        return unicodedata.normalize("NFKC", char)
    return char


def normalise_id_number(value):
    """The stored form: full-width folded, spaces removed, upper case. Not checked (see validate_id_number)."""
    text = "".join(_fold(c) for c in (value or ""))
    return "".join(text.split()).upper()


def validate_id_number(value):
    value = normalise_id_number(value)
    if any(c not in DIGITS for c in value[:17]) or (value and value[-1] not in DIGITS | {"X"}):
        raise ValidationError("身份证号只能由数字和最后一位的X组成，请核对（不要输入上标或其他符号）。")
    if len(value) != 18:
        raise ValidationError("身份证号应为18位，请核对。")
    if int(value[:2]) not in PROVINCES and value[:6] not in RESIDENCE_PERMITS:
        raise ValidationError("身份证号前两位不是有效的省级行政区划代码，请核对。")
    try:
        birth = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValidationError("身份证号中的出生日期无效，请核对。") from None
    if birth > timezone.localdate() or birth.year < 1900:
        raise ValidationError("身份证号中的出生日期无效，请核对。")
    if check_character(value[:17]) != value[17]:
        raise ValidationError("身份证号校验位不正确，请核对是否输错。")
    return value


def mask(value):
    """3301**********1234: the first four and last four characters only."""
    return f"{value[:4]}{'*' * 10}{value[-4:]}" if value and len(value) == 18 else value
