"""Seeded synthetic registry files for benchmarks: a Companies House PSC snapshot and GLEIF LEI XML.

:func:`write_psc_jsonl` writes PSC snapshot lines (FORMATS.md §7.2: mixed kinds, one to three per
company, corporate PSCs naming other generated companies, a closing totals line);
:func:`write_lei_xml` writes LEI-CDF 3.1 records shaped like the golden copy (§6.1), with ISO 17442
check digits and UK records carrying Companies House numbers from the same number space. Both
stream one record at a time from one ``random.Random(seed)``: the same seed gives the same bytes,
and memory stays flat whatever ``n`` is. Geocoding extensions are left out.
"""

from __future__ import annotations

import json
import random
import string
from datetime import date, timedelta
from pathlib import Path
from typing import Any, NamedTuple, TextIO
from xml.sax.saxutils import escape

from ownergraph.generate import names
from ownergraph.model.identifiers import lei_check

# -- PSC snapshot -----------------------------------------------------------------------------

_PSC = "person-with-significant-control"
_BENEFICIAL = "beneficial-owner"
_STATEMENT = "persons-with-significant-control-statement"
_SUPER_SECURE = f"super-secure-{_PSC}"
_PSC_KINDS = (
    f"individual-{_PSC}", f"corporate-entity-{_PSC}", f"legal-person-{_PSC}", _SUPER_SECURE,
    _STATEMENT,
)  # fmt: skip
_PSC_WEIGHTS = (70, 17, 2, 1, 10)
_ROE_KINDS = (f"individual-{_BENEFICIAL}", f"corporate-entity-{_BENEFICIAL}",
              f"legal-person-{_BENEFICIAL}")  # fmt: skip
_BANDS = ("25-to-50-percent", "50-to-75-percent", "75-to-100-percent")
_STATEMENTS = ("no-individual-or-entity-with-signficant-control", "psc-details-not-confirmed",
               "psc-contacted-but-no-response")  # fmt: skip
_TITLES = ("Mr", "Mrs", "Ms", "Miss", "Dr")
_FORENAMES = (
    "Oliver", "Amelia", "George", "Isla", "Harry", "Ava", "Jack", "Mia", "Noah", "Emily",
    "Charlie", "Grace", "Thomas", "Sophie", "James", "Lily", "Aleksandr",
)  # fmt: skip
_SURNAMES = (
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Evans", "Thomas", "Roberts",
    "Walker", "Wright", "Patel", "Khan", "Murphy", "Volkov", "Ivanov",
)  # fmt: skip
_TOWNS = (("London", "England", "EC1A"), ("Manchester", "England", "M1"),
          ("Edinburgh", "Scotland", "EH1"), ("Cardiff", "Wales", "CF10"),
          ("Belfast", "Northern Ireland", "BT1"), ("Leeds", "England", "LS1"))  # fmt: skip
_STREETS = ("High Street", "Station Road", "Church Lane", "Victoria Road", "Park Avenue",
            "Mill Lane", "King Street", "Queens Road")  # fmt: skip
_PSC_ID = string.ascii_letters + string.digits + "-_"
_SNAPSHOT_AT = "2024-11-22T03:43:03Z"
_TOTALS = "totals#persons-of-significant-control-snapshot"


def _day(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randrange((last - first).days + 1))


def company_number(index: int) -> str:
    """The Companies House number of generated company ``index``: mostly eight digits, some
    Scottish, Northern Irish, LLP and overseas-entity (``OE``) numbers.

    >>> company_number(7), company_number(3), company_number(50)
    ('00000007', 'SC000003', 'OE000050')
    """
    prefix = ("OE", "OE", "OC", "SC", "SC", "NI")[index % 50] if index % 50 < 6 else ""
    return f"{prefix}{index % 10**6:06d}" if prefix else f"{index:08d}"


def _address(rng: random.Random) -> dict[str, str]:
    town, nation, district = rng.choice(_TOWNS)
    address = {
        "address_line_1": rng.choice(_STREETS),
        "country": nation,
        "locality": town,
        "postal_code": f"{district} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
        f"{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}",
        "premises": str(rng.randint(1, 250)),
    }
    if rng.random() < 0.3:
        address["address_line_2"] = f"Unit {rng.randint(1, 40)}"
    return address


def _natures(rng: random.Random, number: str) -> list[str]:
    if number.startswith("OE"):
        suffix = "-registered-overseas-entity"
        natures = [
            f"ownership-of-shares-more-than-25-percent{suffix}",
            f"voting-rights-more-than-25-percent{suffix}",
        ]
        return natures[: rng.randint(1, 2)]
    band = rng.choice(_BANDS)
    if number.startswith("OC"):
        suffix = "-limited-liability-partnership"
        return [f"right-to-share-surplus-assets-{band}{suffix}", f"voting-rights-{band}{suffix}"]
    natures = [f"ownership-of-shares-{band}"]
    if rng.random() < 0.7:
        natures.append(f"voting-rights-{band}")
    if rng.random() < 0.2:
        natures.append("right-to-appoint-and-remove-directors")
    if rng.random() < 0.05:
        natures = ["significant-influence-or-control"]
    return natures


def _party(rng: random.Random, kind: str, number: str, companies: int) -> dict[str, Any]:
    """The fields of a PSC or beneficial owner beyond kind, links and etag."""
    data: dict[str, Any] = {
        "address": _address(rng),
        "natures_of_control": _natures(rng, number),
        "notified_on": _day(rng, date(2016, 4, 6), date(2024, 10, 31)).isoformat(),
    }
    if kind.startswith("individual"):
        elements = {
            "forename": rng.choice(_FORENAMES),
            "surname": rng.choice(_SURNAMES),
            "title": rng.choice(_TITLES),
        }
        if rng.random() < 0.5:
            elements["middle_name"] = rng.choice(_FORENAMES)
        data["name_elements"] = elements
        data["name"] = " ".join(
            elements[key]
            for key in ("title", "forename", "middle_name", "surname")
            if key in elements
        )
        data["nationality"] = rng.choice(("British", "British", "British", "Irish", "Russian"))
        data["country_of_residence"] = data["address"]["country"]
        data["date_of_birth"] = {"month": rng.randint(1, 12), "year": rng.randint(1940, 2002)}
    elif kind.startswith("corporate"):
        data["name"] = names.western_company(rng, "GB")
        data["identification"] = {
            "country_registered": "England & Wales",
            "legal_authority": "Companies Act 2006",
            "legal_form": "Private Limited Company",
            "place_registered": "Companies House",
            "registration_number": company_number(rng.randrange(companies)),
        }
    else:
        data["name"] = f"Government Of {rng.choice(('Gibraltar', 'Jersey', 'Norway', 'Qatar'))}"
        data["identification"] = {"legal_authority": "Public Law", "legal_form": "Government"}
    if kind.endswith(_BENEFICIAL):
        data["is_sanctioned"] = False
    if rng.random() < 0.1:
        data["ceased_on"] = _day(rng, date(2020, 1, 1), date(2024, 10, 31)).isoformat()
    return data


def _psc_record(rng: random.Random, number: str, companies: int) -> dict[str, Any]:
    if number.startswith("OE"):
        kind = rng.choice(_ROE_KINDS)
    else:
        kind = rng.choices(_PSC_KINDS, _PSC_WEIGHTS)[0]
    psc_id = "".join(rng.choices(_PSC_ID, k=27))
    if kind == _STATEMENT:
        data: dict[str, Any] = {
            "notified_on": _day(rng, date(2016, 4, 6), date(2024, 10, 31)).isoformat(),
            "statement": rng.choice(_STATEMENTS),
        }
        path = f"persons-with-significant-control-statements/{psc_id}"
    elif kind == _SUPER_SECURE:
        data = {"ceased": False, "description": "super-secure-persons-with-significant-control"}
        path = f"persons-with-significant-control/super-secure/{psc_id}"
    else:
        data = _party(rng, kind, number, companies)
        short = kind.removesuffix(f"-{_PSC}")
        path = f"persons-with-significant-control/{short}/{psc_id}"
    data["kind"] = kind
    data["etag"] = f"{rng.getrandbits(160):040x}"
    data["links"] = {"self": f"/company/{number}/{path}"}
    return {"company_number": number, "data": data}


def _json_line(value: dict[str, Any], *, sort_keys: bool = True) -> str:
    """One line as the snapshot writes it: compact, UTF-8, keys sorted."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=sort_keys) + "\n"


def write_psc_jsonl(path: Path, n: int, seed: int) -> None:
    """Write ``n`` PSC snapshot lines for about ``n / 1.7`` companies, then the totals line."""
    rng = random.Random(seed)
    companies = max(1, int(n / 1.7))
    counts = {"psc": 0, "statements": 0}
    with Path(path).open("w", encoding="utf-8", newline="\n") as out:
        written, company = 0, 0
        while written < n:
            number = company_number(company)
            for _ in range(min(rng.choice((1, 1, 1, 2, 2, 3)), n - written)):
                record = _psc_record(rng, number, companies)
                counts["statements" if record["data"]["kind"] == _STATEMENT else "psc"] += 1
                out.write(_json_line(record))
                written += 1
            company += 1
        # The real totals line keeps this key order, not the sorted one of the records.
        totals = {
            "kind": _TOTALS,
            "persons_of_significant_control_count": counts["psc"],
            "statements_count": counts["statements"],
            "exemptions_count": 0,
            "generated_at": _SNAPSHOT_AT,
        }
        out.write(_json_line({"data": totals}, sort_keys=False))


# -- GLEIF LEI-CDF 3.1 ------------------------------------------------------------------------

LEI_NAMESPACE = "http://www.gleif.org/data/schema/leidata/2016"
_LOUS = ("213800WAVVOPS85N2205", "549300O897ZC5H7CY412", "98450045AN5EB5FDC780",
         "EVK05KS7XY1DEII3R011")  # fmt: skip
"""Managing LOUs of the real sample (their LEIs are valid)."""
_BASE36 = string.digits + string.ascii_uppercase
_PATTERN = {"9": string.digits, "A": string.ascii_uppercase}


class _Register(NamedTuple):
    """A jurisdiction as LEI records show it: register, legal forms, places."""

    jurisdiction: str
    country: str
    authority: str
    legal_forms: tuple[str, ...]
    cities: tuple[tuple[str, str, str], ...]
    """(city, ISO 3166-2 region or '', postal code pattern: ``9`` a digit, ``A`` a letter)."""
    weight: int


# Registration authorities and ELF codes as they appear in the real golden-copy sample.
_REGISTERS = (
    _Register("GB", "GB", "RA000585", ("H0PO", "G12F"),
              (("London", "GB-LND", "EC2V 9AA"), ("Manchester", "", "M2 9AA")), 40),
    _Register("US-DE", "US", "RA000602", ("T91T", "XTIQ", "4FSX"),
              (("Wilmington", "US-DE", "19899"), ("New York", "US-NY", "10099")), 25),
    _Register("SE", "SE", "RA000544", ("XJHM",), (("Stockholm", "SE-AB", "111 99"),), 10),
    _Register("KY", "KY", "RA000087", ("9999",), (("George Town", "", "KY1-9999"),), 10),
    _Register("RU", "RU", "RA000499", ("8888",), (("Moscow", "RU-MOW", "1250999"),), 15),
)  # fmt: skip
_REGISTER_WEIGHTS = tuple(register.weight for register in _REGISTERS)


def make_lei(rng: random.Random, index: int) -> str:
    """A valid-looking LEI, unique per ``index``: LOU prefix, ``00``, the index in base 36 and
    random characters, then the ISO 17442 (mod 97-10) check digits."""
    serial = ""
    for _ in range(6):
        index, digit = divmod(index, 36)
        serial = _BASE36[digit] + serial
    body = rng.choice(("2138", "5493", "9845", "3912")) + "00" + serial
    body += "".join(rng.choices(_BASE36, k=6))
    return body + lei_check(body)


def _registration_number(rng: random.Random, register: _Register, companies: int) -> str:
    if register.authority == "RA000585":
        return company_number(rng.randrange(companies))
    if register.authority == "RA000499":
        return names.make_ogrn(rng, rng.randint(2002, 2021))
    if register.authority == "RA000544":
        return f"556{rng.randint(100, 999)}-{rng.randint(1000, 9999)}"
    return str(rng.randint(100000, 9999999))


def _timestamp(day: date, rng: random.Random) -> str:
    return f"{day.isoformat()}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00Z"


def _fill(pattern: str, rng: random.Random) -> str:
    """``pattern`` with each ``9`` a random digit and each ``A`` a random letter."""
    return "".join(rng.choice(_PATTERN[char]) if char in _PATTERN else char for char in pattern)


def _address_xml(tag: str, rng: random.Random, register: _Register, lang: str) -> str:
    city, region, postal = rng.choice(register.cities)
    street = f"{rng.randint(1, 300)} {rng.choice(_STREETS)}"
    lines = [f"<lei:FirstAddressLine>{escape(street)}</lei:FirstAddressLine>"]
    if rng.random() < 0.4:
        lines.append(
            f"<lei:AdditionalAddressLine>Suite {rng.randint(1, 900)}</lei:AdditionalAddressLine>"
        )
    lines.append(f"<lei:City>{escape(city)}</lei:City>")
    if region:
        lines.append(f"<lei:Region>{region}</lei:Region>")
    lines.append(f"<lei:Country>{register.country}</lei:Country>")
    lines.append(f"<lei:PostalCode>{_fill(postal, rng)}</lei:PostalCode>")
    inner = "\n         ".join(lines)
    return f'<lei:{tag} xml:lang="{lang}">\n         {inner}\n      </lei:{tag}>'


def _names_xml(rng: random.Random, register: _Register) -> tuple[str, str]:
    """The LegalName element and the other-names blocks, and the language of the record."""
    if register.country == "RU":
        name = names.cyrillic_company(rng, "RU")
        latin = names.romanise(name, 0).replace("«", '"').replace("»", '"')
        legal = f'<lei:LegalName xml:lang="ru">{escape(name)}</lei:LegalName>'
        other = (
            "\n      <lei:TransliteratedOtherEntityNames>"
            '\n         <lei:TransliteratedOtherEntityName xml:lang="ru"'
            f' type="AUTO_ASCII_TRANSLITERATED_LEGAL_NAME">{escape(latin)}'
            "</lei:TransliteratedOtherEntityName>\n      </lei:TransliteratedOtherEntityNames>"
        )
        return legal + other, "ru"
    name = names.western_company(rng, register.country)
    legal = f'<lei:LegalName xml:lang="en">{escape(name)}</lei:LegalName>'
    if rng.random() < 0.2:
        previous = names.western_company(rng, register.country)
        legal += (
            '\n      <lei:OtherEntityNames>\n         <lei:OtherEntityName xml:lang="en" '
            f'type="PREVIOUS_LEGAL_NAME">{escape(previous)}</lei:OtherEntityName>\n'
            "      </lei:OtherEntityNames>"
        )
    return legal, "en"


def _lei_record(rng: random.Random, index: int, companies: int) -> str:
    register = rng.choices(_REGISTERS, _REGISTER_WEIGHTS)[0]
    lei = make_lei(rng, index)
    names_xml, lang = _names_xml(rng, register)
    number = _registration_number(rng, register, companies)
    legal_form = rng.choice(register.legal_forms)
    other_form = (
        "\n         <lei:OtherLegalForm>OOO</lei:OtherLegalForm>" if legal_form == "8888" else ""
    )
    created = _day(rng, date(1990, 1, 1), date(2023, 12, 31))
    registered = _day(rng, max(created, date(2012, 6, 1)), date(2024, 6, 30))
    updated = _day(rng, registered, date(2024, 10, 31))
    status = "LAPSED" if register.country == "RU" or rng.random() < 0.15 else "ISSUED"
    legal = _address_xml("LegalAddress", rng, register, lang)
    headquarters = _address_xml("HeadquartersAddress", rng, register, lang)
    return f"""<lei:LEIRecord>
   <lei:LEI>{lei}</lei:LEI>
   <lei:Entity>
      {names_xml}
      {legal}
      {headquarters}
      <lei:RegistrationAuthority>
         <lei:RegistrationAuthorityID>{register.authority}</lei:RegistrationAuthorityID>
         <lei:RegistrationAuthorityEntityID>{number}</lei:RegistrationAuthorityEntityID>
      </lei:RegistrationAuthority>
      <lei:LegalJurisdiction>{register.jurisdiction}</lei:LegalJurisdiction>
      <lei:EntityCategory>GENERAL</lei:EntityCategory>
      <lei:LegalForm>
         <lei:EntityLegalFormCode>{legal_form}</lei:EntityLegalFormCode>{other_form}
      </lei:LegalForm>
      <lei:EntityStatus>ACTIVE</lei:EntityStatus>
      <lei:EntityCreationDate>{created.isoformat()}T00:00:00Z</lei:EntityCreationDate>
   </lei:Entity>
   <lei:Registration>
      <lei:InitialRegistrationDate>{_timestamp(registered, rng)}</lei:InitialRegistrationDate>
      <lei:LastUpdateDate>{_timestamp(updated, rng)}</lei:LastUpdateDate>
      <lei:RegistrationStatus>{status}</lei:RegistrationStatus>
      <lei:NextRenewalDate>{_timestamp(updated + timedelta(days=365), rng)}</lei:NextRenewalDate>
      <lei:ManagingLOU>{rng.choice(_LOUS)}</lei:ManagingLOU>
      <lei:ValidationSources>FULLY_CORROBORATED</lei:ValidationSources>
      <lei:ValidationAuthority>
         <lei:ValidationAuthorityID>{register.authority}</lei:ValidationAuthorityID>
         <lei:ValidationAuthorityEntityID>{number}</lei:ValidationAuthorityEntityID>
      </lei:ValidationAuthority>
   </lei:Registration>
   <lei:Extension/>
</lei:LEIRecord>
"""


def _lei_header(out: TextIO, n: int) -> None:
    out.write(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<lei:LEIData xmlns:lei="{LEI_NAMESPACE}" '
        'xmlns:gleif="http://www.gleif.org/data/schema/golden-copy/extensions/1.0" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
        "  <lei:LEIHeader>\n"
        f"    <lei:ContentDate>{_SNAPSHOT_AT}</lei:ContentDate>\n"
        "    <lei:FileContent>GLEIF_FULL_PUBLISHED</lei:FileContent>\n"
        f"    <lei:RecordCount>{n}</lei:RecordCount>\n"
        "  </lei:LEIHeader>\n"
        "  <lei:LEIRecords>\n"
    )


def write_lei_xml(path: Path, n: int, seed: int) -> None:
    """Write an LEI-CDF 3.1 file of ``n`` LEI records (UK ones point at generated companies)."""
    rng = random.Random(seed)
    companies = max(1, int(n / 1.7))
    with Path(path).open("w", encoding="utf-8", newline="\n") as out:
        _lei_header(out, n)
        for index in range(n):
            out.write(_lei_record(rng, index, companies))
        out.write("  </lei:LEIRecords>\n</lei:LEIData>\n")
