"""Path converters. Django's <int:…> matches any length of digits, and an id past the 64-bit
range overflowed SQLite (a 500); `<id:…>` matches only ids a database row can have, so a
larger number is an ordinary 404."""

MAX_ID = 2**63 - 1


class IdConverter:
    regex = "[1-9][0-9]{0,18}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > MAX_ID:
            raise ValueError("id out of range")
        return number

    def to_url(self, value: int) -> str:
        return str(value)
