"""Which lead field each CSV column fills: header synonyms, vendor presets, a record as a lead."""

from __future__ import annotations

import re
from typing import Any

from salesos.leads.normalize import AmountError, currency_code, parse_amount, web_address_or_none

# Target fields, in the order the mapping screen lists them.
FIELDS = {
    "company_name": "Company name",
    "website": "Website",
    "domain": "Domain",
    "company_phone": "Company phone",
    "address": "Address",
    "city": "City",
    "region": "Region / state",
    "postal_code": "Postal code",
    "country": "Country",
    "industry": "Industry",
    "first_name": "First name",
    "last_name": "Last name",
    "full_name": "Full name",
    "title": "Job title",
    "email": "Email",
    "contact_phone": "Contact phone",
    "linkedin_url": "LinkedIn URL",
    "tags": "Tags",
    "source": "Source",
    "value": "Deal value",
    "currency": "Currency",
    "owner": "Owner (member's name or email)",
    "stage": "Pipeline stage",
    "deal_status": "Deal status (open, won or lost)",
    "lost_reason": "Lost reason",
    "tier": "Tier (A, B or C)",
    "next_follow_up_at": "Next follow-up (a date such as 2026-12-31)",
    "note": "Note",
    "lead_id": "SalesOS lead ID (the row merges into that lead)",
    "custom": "Custom field (named after the column)",
}
# The one field many columns may fill: each becomes a custom field under its column's name.
CUSTOM = "custom"
MAX_CUSTOM_FIELDS = 50
CUSTOM_NAME_MAX_CHARS = 64
# Fields kept as written, line breaks and all (the others are one line: a company name, a city, an email).
MULTILINE_FIELDS = frozenset({"note", "lost_reason"})
COMPANY_KEYS = ("website", "domain", "address", "city", "region", "postal_code", "country", "industry")
CONTACT_KEYS = ("first_name", "last_name", "title", "email", "linkedin_url")


# Normalised header (lowercase letters and digits only) → field.
def _key(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower())


# A header spelt as a field's name ("postal_code") or as the mapping screen labels it ("Contact phone")
# is that field; then the other spellings exports use.
SYNONYMS = {
    _key(name): field
    for field, label in FIELDS.items()
    for name in (field, label)
} | {
    "company": "company_name", "companyname": "company_name", "organization": "company_name",
    "organisation": "company_name", "organizationname": "company_name", "account": "company_name",
    "accountname": "company_name", "business": "company_name", "businessname": "company_name",
    "url": "website", "web": "website", "websiteurl": "website", "site": "website", "homepage": "website",
    "companydomain": "domain", "companydomainname": "domain",
    "phone": "contact_phone", "phonenumber": "contact_phone", "telephone": "contact_phone",
    "tel": "contact_phone", "mobile": "contact_phone", "mobilephone": "contact_phone",
    "mobilephonenumber": "contact_phone", "directphone": "contact_phone", "workphone": "contact_phone",
    "companyphone": "company_phone", "businessphone": "company_phone", "officephone": "company_phone",
    "street": "address", "streetaddress": "address", "address1": "address",
    "town": "city", "state": "region", "province": "region", "county": "region", "stateregion": "region",
    "zip": "postal_code", "zipcode": "postal_code", "postcode": "postal_code", "postalcode": "postal_code",
    "countryregion": "country", "sector": "industry",
    "firstname": "first_name", "givenname": "first_name", "forename": "first_name",
    "lastname": "last_name", "surname": "last_name", "familyname": "last_name",
    "name": "full_name", "fullname": "full_name", "contact": "full_name", "contactname": "full_name",
    "person": "full_name", "jobtitle": "title", "position": "title", "role": "title",
    "mail": "email", "emailaddress": "email", "workemail": "email", "contactemail": "email",
    "linkedin": "linkedin_url", "linkedinurl": "linkedin_url", "linkedinprofile": "linkedin_url",
    "personlinkedinurl": "linkedin_url", "labels": "tags", "tag": "tags", "leadsource": "source",
    "amount": "value", "dealvalue": "value", "dealamount": "value", "revenue": "value",
    "currencycode": "currency", "dealcurrency": "currency",
    "leadowner": "owner", "contactowner": "owner", "dealowner": "owner", "accountowner": "owner",
    "companyowner": "owner", "assignedto": "owner", "salesrep": "owner", "ownername": "owner",
    "owneremail": "owner", "pipelinestage": "stage", "dealstage": "stage", "leadstage": "stage",
    "lostreason": "lost_reason", "closedlostreason": "lost_reason", "reasonlost": "lost_reason",
    "leadtier": "tier", "nextfollowup": "next_follow_up_at", "followup": "next_follow_up_at",
    "followupdate": "next_follow_up_at", "nextfollowupdate": "next_follow_up_at", "notes": "note",
    "comment": "note", "comments": "note", "description": "note",
}  # fmt: skip

# Vendors' export headers → field; they win over synonyms, and where two of a preset's columns fill one
# field, the one listed first wins (a mapping fills a field from one column). "" keeps a column out
# even if a synonym would take it (Apollo's "Stage" is its sequence status, not a pipeline stage).
PRESETS: dict[str, dict[str, str]] = {
    "hubspot": {
        "Company name": "company_name", "Company Name": "company_name", "First Name": "first_name",
        "Last Name": "last_name", "Email": "email", "Phone Number": "contact_phone",
        "Mobile Phone Number": "contact_phone", "Website URL": "website", "Company Domain Name": "domain",
        "Job Title": "title", "City": "city", "State/Region": "region", "Postal Code": "postal_code",
        "Country/Region": "country", "Street Address": "address", "Industry": "industry",
        "Original Source": "source", "LinkedIn URL": "linkedin_url", "Contact owner": "owner",
        "Deal Stage": "stage", "Closed Lost Reason": "lost_reason",
    },
    # The organisations and people export ("Organization - Name", "Person - …") and the deals export
    # ("Deal - Organization", "Deal - Contact person", "Deal - Currency of Value", …).
    "pipedrive": {
        "Organization - Name": "company_name", "Deal - Organization": "company_name",
        "Person - Organization": "company_name", "Organization - Address": "address",
        "Organization - Website": "website", "Person - Name": "full_name",
        "Deal - Contact person": "full_name", "Person - First name": "first_name",
        "Person - Last name": "last_name", "Person - Email": "email", "Person - Email - Work": "email",
        "Person - Email - Other": "email", "Person - Phone": "contact_phone",
        "Person - Phone - Work": "contact_phone", "Person - Phone - Mobile": "contact_phone",
        "Person - Job title": "title", "Deal - Title": "custom", "Deal - Value": "value",
        "Deal - Currency": "currency", "Deal - Currency of Value": "currency", "Deal - Label": "tags",
        "Organization - Labels": "tags", "Person - Labels": "tags", "Lead - Source": "source",
        "Deal - Source": "source", "Deal - Owner": "owner", "Organization - Owner": "owner",
        "Person - Owner": "owner", "Deal - Stage": "stage", "Deal - Status": "deal_status",
        "Deal - Lost reason": "lost_reason",
    },
    # Apollo's "Mobile Phone" is the contact phone only in a file without "Work Direct Phone": a mapping
    # fills a field from one column, not from the first non-empty of two.
    "apollo": {
        "Company": "company_name", "Company Name for Emails": "company_name", "First Name": "first_name",
        "Last Name": "last_name", "Title": "title", "Email": "email", "Work Direct Phone": "contact_phone",
        "Mobile Phone": "contact_phone", "Corporate Phone": "company_phone", "Company Phone": "company_phone",
        "Website": "website", "Person Linkedin Url": "linkedin_url", "Company City": "city",
        "Company State": "region", "Company Country": "country", "Company Address": "address",
        "Industry": "industry", "Stage": "",
    },
}  # fmt: skip
# How the presets are shown: the brands' own spelling.
PRESET_LABELS = {"hubspot": "HubSpot", "pipedrive": "Pipedrive", "apollo": "Apollo"}


class RowError(ValueError):
    """A record that can't become a lead; the message is the reason shown to the user."""


def auto_mapping(header: list[str], preset: str | None = None) -> list[str]:
    """A field per column: the preset's columns first (in the preset's order), then synonyms for the
    columns it does not name; each field filled from one column."""
    # Normalised header → (its place in the preset, field); the first spelling listed wins a key.
    named: dict[str, tuple[int, str]] = {}
    for rank, (name, field) in enumerate(PRESETS.get(preset or "", {}).items()):
        named.setdefault(_key(name), (rank, field))
    keys = [_key(name) for name in header]
    result = [""] * len(header)
    used: set[str] = set()

    def claim(col: int, field: str) -> None:
        # Two columns claiming one field (e.g. "Phone" and "Mobile") would overwrite each other.
        if field and field not in used:
            result[col] = field
            used.add(field)

    for col in sorted((c for c, key in enumerate(keys) if key in named), key=lambda c: named[keys[c]][0]):
        claim(col, named[keys[col]][1])
    for col, key in enumerate(keys):
        if key not in named:
            claim(col, SYNONYMS.get(key, ""))
    return result


def preset_choices() -> list[tuple[str, str]]:
    """The presets as (name, label) pairs, in label order."""
    return sorted(((name, PRESET_LABELS.get(name, name)) for name in PRESETS), key=lambda p: p[1].casefold())


def check_mapping(mapping: list[str], header: list[str]) -> str | None:
    """Why *mapping* can't be used for a file with *header*, or None."""
    width = len(header)
    if len(mapping) != width:
        return f"Give one field (or nothing) for each of the {width} columns."
    unknown = [f for f in mapping if f and f not in FIELDS]
    if unknown:
        return f"Unknown field {unknown[0]!r}."
    fields = [f for f in mapping if f and f != CUSTOM]
    if len(fields) != len(set(fields)):
        return "Each field can be filled from one column only."
    if "company_name" not in fields:
        return "Map a column to Company name."
    return _check_custom([name.strip() for name, f in zip(header, mapping, strict=True) if f == CUSTOM])


def _check_custom(names: list[str]) -> str | None:
    if len(names) > MAX_CUSTOM_FIELDS:
        return f"Keep at most {MAX_CUSTOM_FIELDS} columns as custom fields."
    if not all(names):
        return "A column without a name can't be kept as a custom field."
    too_long = [n for n in names if len(n) > CUSTOM_NAME_MAX_CHARS]
    if too_long:
        limit = CUSTOM_NAME_MAX_CHARS
        return f"A custom field's name is up to {limit} characters; {too_long[0][:40]!r}… is longer."
    seen: set[str] = set()
    for name in names:
        if name.casefold() in seen:
            return f"Two columns named {name!r} can't both be kept as custom fields."
        seen.add(name.casefold())
    return None


def custom_values(cells: list[str], mapping: list[str], header: list[str]) -> dict[str, str]:
    """The record's non-empty custom fields, by their column's name."""
    return {
        name.strip(): cell.strip()
        for name, field, cell in zip(header, mapping, cells, strict=False)
        if field == CUSTOM and cell.strip()
    }


def mapped(cells: list[str], mapping: list[str]) -> dict[str, str]:
    """The record's non-empty values by field; single-line fields with their whitespace collapsed
    ("Quoted Co\n(Seattle office)" is "Quoted Co (Seattle office)", "Spaces   Inc" is "Spaces Inc")."""
    values = {}
    for field, cell in zip(mapping, cells, strict=False):
        if field and field != CUSTOM:
            text = cell.strip() if field in MULTILINE_FIELDS else " ".join(cell.split())
            if text:
                values[field] = text
    return values


def _split_tags(raw: str) -> list[str]:
    return list(dict.fromkeys(t.strip()[:50] for t in re.split(r"[;,|]", raw) if t.strip()))


def record_values(cells: list[str], mapping: list[str], width: int) -> dict[str, str] | None:
    """The record's non-empty values by field; None for an empty record; RowError for a ragged one."""
    if len(cells) > width and any(c.strip() for c in cells[width:]):
        raise RowError(f"The row has {len(cells)} cells; the header has {width}.")
    return mapped(cells, mapping) or None


def lead_input(cells: list[str], mapping: list[str], width: int) -> dict[str, Any] | None:
    """The LeadCreateIn body of a record; None for an empty record; RowError when it can't be one."""
    values = record_values(cells, mapping, width)
    return None if values is None else lead_body(values)


def lead_body(values: dict[str, str]) -> dict[str, Any]:
    """The LeadCreateIn body of a record's values, without owner and stage (names the org resolves)."""
    name = values.get("company_name")
    if not name:
        raise RowError("company_name: empty.")
    company: dict[str, Any] = {"name": name, **{k: values[k] for k in COMPANY_KEYS if k in values}}
    # An export's "n/a" in a link column is left out rather than costing the row.
    if "website" in company:
        company["website"] = web_address_or_none(company["website"])
    if "company_phone" in values:
        company["phone"] = values["company_phone"]
    contact: dict[str, Any] = {k: values[k] for k in CONTACT_KEYS if k in values}
    if "linkedin_url" in contact:
        contact["linkedin_url"] = web_address_or_none(contact["linkedin_url"])
    if "contact_phone" in values:
        contact["phone"] = values["contact_phone"]
    if "full_name" in values and not ("first_name" in values or "last_name" in values):
        first, _, last = values["full_name"].partition(" ")
        contact |= {"first_name": first, "last_name": last.strip() or None}
    body: dict[str, Any] = {"company": company, "source": values.get("source", "csv import")}
    if contact:
        body["contact"] = contact
    if "tags" in values:
        body["tags"] = _split_tags(values["tags"])
    if "tier" in values:
        body["tier"] = values["tier"].upper()  # "a" is tier A; anything else gets the schema's reason
    body |= _money(values)
    return body


def _money(values: dict[str, str]) -> dict[str, Any]:
    """The record's value and currency: a currency sign or code in the value cell sets the currency,
    unless the record has a currency column, which it must then agree with ("€2.000" is 2000 EUR).
    """
    money: dict[str, Any] = {}
    try:
        if "currency" in values:
            money["currency"] = currency_code(values["currency"])
    except AmountError as exc:
        raise RowError(f"currency: {_lower_first(str(exc))}") from None
    try:
        if "value" in values:
            money["value"], named = parse_amount(values["value"], money.get("currency"))
            if named is not None:
                money["currency"] = named
    except AmountError as exc:
        raise RowError(f"value: {_lower_first(str(exc))}") from None
    return money


def _lower_first(message: str) -> str:
    # Reasons read "field: what is wrong", like the schema's.
    return message[:1].lower() + message[1:]
