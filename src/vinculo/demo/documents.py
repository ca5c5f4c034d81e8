"""Brazilian document numbers with valid check digits (CPF, CNPJ), for generated data."""

from __future__ import annotations

_CNPJ_WEIGHTS_1 = (5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2)
_CNPJ_WEIGHTS_2 = (6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2)


def _check_digit(total: int) -> int:
    remainder = total % 11
    return 0 if remainder < 2 else 11 - remainder


def cpf_from_base(base: int) -> str:
    """The CPF whose first nine digits are ``base`` (0 ≤ base < 10⁹), check digits appended."""
    digits = [int(c) for c in f"{base:09d}"]
    first = _check_digit(sum(d * w for d, w in zip(digits, range(10, 1, -1), strict=True)))
    digits.append(first)
    second = _check_digit(sum(d * w for d, w in zip(digits, range(11, 1, -1), strict=True)))
    digits.append(second)
    return "".join(map(str, digits))


def cnpj_from_base(base: int, branch: int = 1) -> str:
    """The CNPJ of company ``base`` (8 digits) and ``branch`` (0001 = head office)."""
    digits = [int(c) for c in f"{base:08d}{branch:04d}"]
    first = _check_digit(sum(d * w for d, w in zip(digits, _CNPJ_WEIGHTS_1, strict=True)))
    digits.append(first)
    second = _check_digit(sum(d * w for d, w in zip(digits, _CNPJ_WEIGHTS_2, strict=True)))
    digits.append(second)
    return "".join(map(str, digits))


def format_cpf(cpf: str) -> str:
    return f"{cpf[:3]}.{cpf[3:6]}.{cpf[6:9]}-{cpf[9:]}"


def format_cnpj(cnpj: str) -> str:
    return f"{cnpj[:2]}.{cnpj[2:5]}.{cnpj[5:8]}/{cnpj[8:12]}-{cnpj[12:]}"
