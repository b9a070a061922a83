"""Resident identity numbers (GB 11643-1999): 18 characters, ISO 7064 MOD 11-2 check character."""

from datetime import date

from django.core.exceptions import ValidationError

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CHECK = "10X98765432"


def check_character(first17):
    return CHECK[sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True)) % 11]


def validate_id_number(value):
    value = (value or "").strip().upper()
    if len(value) != 18:
        raise ValidationError("身份证号应为18位，请核对。")
    if not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        raise ValidationError("身份证号前17位应为数字，最后一位为数字或X。")
    try:
        birth = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValidationError("身份证号中的出生日期无效，请核对。") from None
    if birth > date.today() or birth.year < 1900:
        raise ValidationError("身份证号中的出生日期无效，请核对。")
    if check_character(value[:17]) != value[17]:
        raise ValidationError("身份证号校验位不正确，请核对是否输错。")
    return value


def mask(value):
    """3301**********1234: the first four and last four characters only."""
    return f"{value[:4]}{'*' * 10}{value[-4:]}" if value and len(value) == 18 else value
