"""Phone numbers as one caller: parsed with ``phonenumbers`` (region CN) and stored in one form, so that
``138 0013 8000``, ``+86 138-0013-8000`` and ``13800138000`` are the same caller (repeat detection, search).

Mobiles are stored as their 11 digits (13800138000); fixed lines as area code, a dash and the number
(0571-61234567); a number outside China in E.164 (+85291234567).
"""

import unicodedata

import phonenumbers
from django.core.exceptions import ValidationError

REGION = "CN"
INVALID = "请填写有效的电话号码（手机11位，座机请带区号，如 0571-61234567）。"


def _parse(value):
    text = unicodedata.normalize("NFKC", value or "").strip()
    if not text or "\x00" in text:
        return None
    try:
        number = phonenumbers.parse(text, REGION)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def format_number(number):
    if number.country_code != 86:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    national = str(number.national_number)
    area = phonenumbers.length_of_geographical_area_code(number)
    if area:
        return f"0{national[:area]}-{national[area:]}"
    return national


def validate_phone(value):
    """The stored form of a phone number typed in a form, or a ValidationError with the reason."""
    number = _parse(value)
    if number is None:
        raise ValidationError(INVALID)
    return format_number(number)


def normalise_phone(value):
    """The stored form when the value is a valid number; otherwise the text as typed, trimmed (old rows, drafts)."""
    number = _parse(value)
    return format_number(number) if number is not None else (value or "").strip()


def search_form(value):
    """The stored form of a search text that is a phone number, or None."""
    number = _parse(value)
    return format_number(number) if number is not None else None
