"""A resource's metadata for other catalogues: schema.org/LRMI JSON-LD and Dublin Core.

``jsonld(resource)`` describes a resource with schema.org's LearningResource terms (the
LRMI vocabulary schema.org took in), typed by kind: a course is a ``Course``, a lesson
video ``["VideoObject", "LearningResource"]`` (as schema.org and Google's learning-video
guide pair them), practice bases and labs ``["Place", "LearningResource"]`` (a place
with an address and a capacity that is used for learning). ``oai_dc(resource)`` is the
OAI-PMH ``oai_dc:dc`` record of the same resource, built with ElementTree so no title can
break the XML. ``validate_jsonld(doc)`` checks a document against the vocabulary shipped
in ``data/lrmi_vocabulary.json``.

The texts are written in Chinese (``inLanguage`` zh-CN): labels of codes are the code
tables' Chinese names. Authors appear by name and institution only.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from xietong.core.codes import STAGES, SUBJECTS
from xietong.core.terms import SchoolTerm
from xietong.institutions.choices import Kind as InstitutionKind
from xietong.institutions.models import Institution
from xietong.resources.choices import (
    LICENCE_URLS,
    PLACES,
    Edition,
    Licence,
    ResourceKind,
    ResourceStatus,
)
from xietong.resources.models import Resource

VOCABULARY_FILE = Path(__file__).resolve().parent / "data" / "lrmi_vocabulary.json"
CONTEXT = "https://schema.org/"
LANGUAGE = "zh-CN"
METADATA_LANGUAGE = "zh-hans"  # the texts of a record, whatever the reader's language
SCHOOL_ID = "学校标识码"  # the national scheme's own name, a stable identifier: not translated
SUBJECT_FRAMEWORK = "JY/T 1001 中小学课程代码"  # the standard subjects' two-digit codes follow

# schema.org types of each kind; LearningResource is added where the type is not one.
KIND_TYPES: dict[str, list[str]] = {
    ResourceKind.COURSE: ["Course"],
    ResourceKind.LESSON_VIDEO: ["VideoObject", "LearningResource"],
    ResourceKind.COURSEWARE: ["PresentationDigitalDocument", "LearningResource"],
    ResourceKind.EXERCISES: ["Quiz"],
    ResourceKind.STUDIO: ["LearningResource"],
    ResourceKind.PRACTICE_BASE: ["Place", "LearningResource"],
    ResourceKind.LAB: ["Place", "LearningResource"],
    ResourceKind.PLATFORM: ["WebSite", "LearningResource"],
}

# The DCMI Type Vocabulary term of each kind (dc:type).
DCMI_TYPES: dict[str, str] = {
    ResourceKind.COURSE: "InteractiveResource",
    ResourceKind.LESSON_VIDEO: "MovingImage",
    ResourceKind.COURSEWARE: "Text",
    ResourceKind.EXERCISES: "Text",
    ResourceKind.STUDIO: "Service",  # a master teacher's team that coaches and trains
    ResourceKind.PRACTICE_BASE: "Service",  # a place that hosts practice: visited, booked
    ResourceKind.LAB: "Service",
    ResourceKind.PLATFORM: "InteractiveResource",
}

# schema.org's words for the states of a work (creativeWorkStatus).
STATUS_WORDS = {
    ResourceStatus.DRAFT: "Draft",
    ResourceStatus.SUBMITTED: "Submitted",
    ResourceStatus.RETURNED: "Returned",
    ResourceStatus.PUBLISHED: "Published",
    ResourceStatus.WITHDRAWN: "Withdrawn",
}

ORGANIZATION_TYPES: dict[str, str] = {
    InstitutionKind.KINDERGARTEN: "Preschool",
    InstitutionKind.PRIMARY: "ElementarySchool",
    InstitutionKind.JUNIOR: "MiddleSchool",
    InstitutionKind.SENIOR: "HighSchool",
    InstitutionKind.HIGHER_VOCATIONAL: "CollegeOrUniversity",
    InstitutionKind.UNIVERSITY: "CollegeOrUniversity",
}

OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC = "http://purl.org/dc/elements/1.1/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
OAI_DC_SCHEMA = (
    "http://www.openarchives.org/OAI/2.0/oai_dc/ http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
)
ET.register_namespace("oai_dc", OAI_DC)
ET.register_namespace("dc", DC)
ET.register_namespace("xsi", XSI)

# Characters XML 1.0 cannot carry at all (control characters): dropped, never escaped.
NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


# --- the pieces -----------------------------------------------------------------------


def page_path(resource: Resource) -> str | None:
    """The resource's page in the catalogue; None while the catalogue's pages are not
    mounted (the metadata then carries no ``url``)."""
    try:
        return reverse("resources:detail", args=[resource.pk])
    except NoReverseMatch:
        return None


def page_url(resource: Resource, base_url: str = "") -> str | None:
    """The page's address, absolute when ``base_url`` (``https://host``) is given."""
    path = page_path(resource)
    return f"{base_url.rstrip('/')}{path}" if path is not None else None


def iso_duration(minutes: int | None) -> str | None:
    """ISO 8601 duration of whole minutes: 45 → PT45M, 90 → PT1H30M."""
    if not minutes:
        return None
    hours, rest = divmod(minutes, 60)
    return "PT" + (f"{hours}H" if hours else "") + (f"{rest}M" if rest else "")


def _date(value: dt.datetime | None) -> str | None:
    return value.date().isoformat() if value else None


def _authors(resource: Resource) -> list[tuple[str, str]]:
    """(name, institution) of the authors, in their order."""
    rows = resource.author_rows.select_related("staff__institution").order_by("order", "id")
    return [(row.staff.name, row.staff.institution.name) for row in rows]


def _organization(institution: Institution) -> dict[str, Any]:
    org: dict[str, Any] = {
        "@type": ORGANIZATION_TYPES.get(institution.kind, "EducationalOrganization"),
        "name": institution.name,
    }
    if institution.name_en:
        org["alternateName"] = institution.name_en
    if institution.school_code:
        org["identifier"] = {
            "@type": "PropertyValue",
            "propertyID": SCHOOL_ID,
            "value": institution.school_code,
        }
    return org


def _term(name: str, code: str, term_set: str) -> dict[str, Any]:
    return {
        "@type": "DefinedTerm",
        "name": name,
        "termCode": code,
        "inDefinedTermSet": {"@type": "DefinedTermSet", "name": term_set},
    }


def _subject_framework(code: str) -> str:
    return SUBJECT_FRAMEWORK if code.isdigit() else _("Xietong subject codes")


def _licence_url(resource: Resource) -> str:
    """The licence's public address; "" for the two Xietong licences, which have none."""
    return LICENCE_URLS.get(Licence(resource.licence), "") if resource.licence in Licence else ""


def _licence_label(resource: Resource) -> str:
    return str(Licence(resource.licence).label) if resource.licence in Licence else resource.licence


def _licence(resource: Resource) -> str | dict[str, Any]:
    """A URL where the licence has one, else the licence named as a CreativeWork."""
    return _licence_url(resource) or {"@type": "CreativeWork", "name": _licence_label(resource)}


def _edition(resource: Resource) -> str | None:
    if not resource.edition or resource.edition == Edition.OTHER:
        return None
    return str(Edition(resource.edition).label) if resource.edition in Edition else None


def _kind_label(resource: Resource) -> str:
    return str(ResourceKind(resource.kind).label) if resource.kind in ResourceKind else ""


def _terms(resource: Resource) -> list[SchoolTerm]:
    return [SchoolTerm.from_key(k) for k in resource.open_term_keys]


# --- JSON-LD -----------------------------------------------------------------------


def jsonld(
    resource: Resource, *, base_url: str = "", formats: Iterable[str] = ()
) -> dict[str, Any]:
    """The resource as a schema.org/LRMI JSON-LD document (a dict ready for ``json``).

    ``base_url`` (``https://host``) makes ``url`` absolute; ``formats`` are the MIME
    types of its files (``encodingFormat``).
    """
    with translation.override(METADATA_LANGUAGE):
        return _jsonld(resource, base_url, sorted(set(formats)))


def _jsonld(resource: Resource, base_url: str, formats: list[str]) -> dict[str, Any]:
    types = KIND_TYPES.get(resource.kind, ["LearningResource"])
    doc: dict[str, Any] = {"@context": CONTEXT, "@type": types[0] if len(types) == 1 else types}
    url = page_url(resource, base_url)
    if url and url.startswith(("https://", "http://")):
        doc["@id"] = url
    doc["name"] = resource.title
    if resource.description:
        doc["description"] = resource.description
    if url:
        doc["url"] = url
    if resource.link:
        doc["sameAs"] = resource.link
    doc["inLanguage"] = LANGUAGE
    doc["learningResourceType"] = _term(
        _kind_label(resource), resource.kind, _("Xietong resource kinds")
    )
    stages = resource.stage_list
    levels: list[Any] = [_term(STAGES.label(c), c, _("Stages of education")) for c in stages]
    if resource.grade:
        levels.append(resource.grade)
    if levels:
        doc["educationalLevel"] = levels
    subjects = resource.subject_list
    if subjects:
        doc["about"] = [_term(SUBJECTS.label(c), c, _subject_framework(c)) for c in subjects]
    alignments = [
        {
            "@type": "AlignmentObject",
            "alignmentType": "educationalSubject",
            "educationalFramework": _subject_framework(c),
            "targetName": SUBJECTS.label(c),
        }
        for c in subjects
    ] + [
        {
            "@type": "AlignmentObject",
            "alignmentType": "educationalLevel",
            "educationalFramework": _("Stages of education"),
            "targetName": STAGES.label(c),
        }
        for c in stages
    ]
    if alignments:
        doc["educationalAlignment"] = alignments
    if edition := _edition(resource):
        doc["isBasedOn"] = {
            "@type": "Book",
            "name": _("%(edition)s textbook") % {"edition": edition},
            "bookEdition": edition,
        }
    doc["license"] = _licence(resource)
    doc["isAccessibleForFree"] = True  # the catalogue shares without charge; it has no prices
    authors = _authors(resource)
    if authors:
        doc["author"] = [
            {"@type": "Person", "name": name, "affiliation": {"@type": "Organization", "name": at}}
            for name, at in authors
        ]
    doc["provider"] = _organization(resource.provider)
    doc["publisher"] = _organization(resource.provider)
    if duration := iso_duration(resource.duration_minutes):
        doc["timeRequired"] = duration
        if "VideoObject" in types:
            doc["duration"] = duration
    if published := _date(resource.published_at):
        doc["datePublished"] = published
    doc["dateModified"] = _date(resource.updated_at)
    if "VideoObject" in types:
        doc["uploadDate"] = _date(resource.created_at)
    doc["creativeWorkStatus"] = STATUS_WORDS.get(ResourceStatus(resource.status), resource.status)
    if formats:
        doc["encodingFormat"] = formats
    if resource.kind in PLACES:
        _place(resource, doc)
    return doc


def _place(resource: Resource, doc: dict[str, Any]) -> None:
    if resource.address:
        doc["address"] = {
            "@type": "PostalAddress",
            "streetAddress": resource.address,
            "addressCountry": "CN",
        }
    if resource.capacity:
        doc["maximumAttendeeCapacity"] = resource.capacity
    terms = _terms(resource)
    if terms:
        doc["openingHoursSpecification"] = [
            {
                "@type": "OpeningHoursSpecification",
                "name": term.label(),
                "validFrom": term.starts_on.isoformat(),
                "validThrough": term.ends_on.isoformat(),
            }
            for term in terms
        ]


def jsonld_text(doc: dict[str, Any]) -> str:
    """The document as JSON text (Chinese kept as characters)."""
    return json.dumps(doc, ensure_ascii=False, indent=2)


def jsonld_script(doc: dict[str, Any]) -> SafeString:
    """The document as a ``<script type="application/ld+json">`` block for a page.

    ``<``, ``>`` and ``&`` are written as JSON escapes, so no title closes the block. A
    JSON-LD block is data, not script: the browser never runs it and the page's
    Content-Security-Policy (``script-src 'self' 'nonce-…'``) does not apply to it.
    """
    text = json.dumps(doc, ensure_ascii=False)
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escape)
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return mark_safe(f'<script type="application/ld+json">{text}</script>')


# --- Dublin Core (oai_dc) ----------------------------------------------------------


def _xml_text(value: Any) -> str:
    return NOT_XML.sub("", str(value))


def oai_dc(resource: Resource, *, base_url: str = "", formats: Iterable[str] = ()) -> bytes:
    """The resource's OAI-PMH ``oai_dc:dc`` record as UTF-8 XML."""
    with translation.override(METADATA_LANGUAGE):
        root = _oai_dc(resource, base_url, sorted(set(formats)))
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _oai_dc(resource: Resource, base_url: str, formats: Sequence[str]) -> ET.Element:
    root = ET.Element(f"{{{OAI_DC}}}dc", {f"{{{XSI}}}schemaLocation": OAI_DC_SCHEMA})

    def add(element: str, value: Any, *, lang: bool = False) -> None:
        text = _xml_text(value).strip()
        if text:
            node = ET.SubElement(root, f"{{{DC}}}{element}", {XML_LANG: LANGUAGE} if lang else {})
            node.text = text

    add("title", resource.title, lang=True)
    for name, _institution in _authors(resource):
        add("creator", name)
    for code in resource.subject_list:
        add("subject", SUBJECTS.label(code), lang=True)
    add("description", resource.description, lang=True)
    add("description", _facts(resource), lang=True)
    add("publisher", resource.provider.name, lang=True)
    add("date", _date(resource.published_at) or _date(resource.created_at))
    add("type", DCMI_TYPES.get(resource.kind, "Text"))
    add("type", _kind_label(resource), lang=True)
    for mime in formats:
        add("format", mime)
    add("identifier", page_url(resource, base_url) or "")
    add("identifier", resource.link)
    add("language", LANGUAGE)
    if resource.kind in PLACES:
        add("coverage", resource.address, lang=True)
    add("rights", _licence_label(resource), lang=True)
    add("rights", _licence_url(resource))
    return root


def _facts(resource: Resource) -> str:
    """The education facts DC has no element for, as one line: stages, grade, edition…"""
    parts = []
    if stages := resource.stage_list:
        parts.append(_("Stages: %(stages)s") % {"stages": "、".join(STAGES.labels(stages))})
    if resource.grade:
        parts.append(_("Grade: %(grade)s") % {"grade": resource.grade})
    if edition := _edition(resource):
        parts.append(_("Textbook edition: %(edition)s") % {"edition": edition})
    if resource.duration_minutes:
        parts.append(_("Duration: %(n)s minutes") % {"n": resource.duration_minutes})
    if resource.kind in PLACES:
        if resource.capacity:
            parts.append(_("Capacity: %(n)s people") % {"n": resource.capacity})
        if terms := _terms(resource):
            parts.append(_("Open in: %(terms)s") % {"terms": "、".join(t.label() for t in terms)})
    return "；".join(parts)  # the record is written in Chinese


# --- validation against the vocabulary -----------------------------------------------


@cache
def vocabulary() -> dict[str, Any]:
    with VOCABULARY_FILE.open(encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


@cache
def _ancestors(type_name: str) -> frozenset[str]:
    """The type and every supertype of it."""
    types = vocabulary()["types"]
    out = {type_name}
    for parent in types.get(type_name, []):
        out |= _ancestors(parent)
    return frozenset(out)


ABSOLUTE_URL = re.compile(r"^https?://[^\s/?#]+[^\s]*$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
DURATION = re.compile(
    r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$"
)


def _valid_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return bool(DATE.match(text))


def _text_fits(text: str, ranges: Sequence[str]) -> bool:
    checks = {
        "Text": lambda s: True,
        "URL": lambda s: bool(ABSOLUTE_URL.match(s)),
        "Date": _valid_date,
        "DateTime": lambda s: bool(DATETIME.match(s)),
        "Duration": lambda s: bool(DURATION.match(s)),
    }
    return any(checks[r](text) for r in ranges if r in checks)


def _node_types(node: dict[str, Any]) -> list[str]:
    value = node.get("@type")
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    return []


def validate_jsonld(doc: Any) -> list[str]:
    """What is wrong with a JSON-LD document against the vocabulary; empty when it validates.

    Checked: the schema.org context; every node's @type is known; every property is
    defined on one of the node's types or their supertypes; every value has a range type
    of its property (literals by form: URL, Date, DateTime, ISO 8601 Duration, Boolean,
    Integer); the top node is a LearningResource (or a subtype) and carries the
    properties the profile requires of each of its types.
    """
    if not isinstance(doc, dict):
        return ["$: the document is not a JSON object"]
    errors: list[str] = []
    if doc.get("@context") not in vocabulary()["context"]:
        errors.append(f"$: @context must be {CONTEXT}")
    _check_node(doc, "$", errors, top=True)
    claimed = set().union(*(_ancestors(t) for t in _node_types(doc))) if _node_types(doc) else set()
    if "LearningResource" not in claimed:
        errors.append("$: the @type is not a LearningResource nor a subtype of one")
    return errors


def _check_node(node: dict[str, Any], where: str, errors: list[str], *, top: bool) -> None:
    vocab = vocabulary()
    types = _node_types(node)
    if not types:
        errors.append(f"{where}: a node needs an @type (a name or a list of names)")
        return
    unknown = [t for t in types if t not in vocab["types"]]
    for t in unknown:
        errors.append(f"{where}: unknown type {t!r}")
    if unknown:
        return
    claimed = set().union(*(_ancestors(t) for t in types))
    for key, value in node.items():
        if key.startswith("@"):
            if key == "@context" and not top:
                errors.append(f"{where}: @context belongs on the top node only")
            elif key == "@id" and not (isinstance(value, str) and ABSOLUTE_URL.match(value)):
                errors.append(f"{where}.@id: must be an absolute URL")
            elif key not in ("@context", "@type", "@id"):
                errors.append(f"{where}: {key} is not used in these documents")
            continue
        spec = vocab["properties"].get(key)
        if spec is None:
            errors.append(f"{where}: {key!r} is not a property of the vocabulary")
            continue
        if not claimed & set(spec["domains"]):
            errors.append(
                f"{where}: {key!r} is not defined for {'/'.join(types)} "
                f"(it is for {', '.join(spec['domains'])})"
            )
            continue
        values = value if isinstance(value, list) else [value]
        if not values:
            errors.append(f"{where}.{key}: an empty list")
        for i, item in enumerate(values):
            at = f"{where}.{key}" + (f"[{i}]" if isinstance(value, list) else "")
            _check_value(item, spec["ranges"], at, errors)
    rules = vocab["required"]["nodes"] | (vocab["required"]["record"] if top else {})
    for t in sorted(claimed & set(rules)):
        for name in rules[t]:
            if name not in node:
                errors.append(f"{where}: {t} requires {name!r}")


def _check_value(value: Any, ranges: list[str], where: str, errors: list[str]) -> None:
    expected = " or ".join(ranges)
    if isinstance(value, dict):
        types = _node_types(value)
        if types and not any(set(ranges) & _ancestors(t) for t in types):
            errors.append(f"{where}: a {'/'.join(types)} where {expected} is expected")
            return
        _check_node(value, where, errors, top=False)
    elif isinstance(value, bool):
        if "Boolean" not in ranges:
            errors.append(f"{where}: true/false where {expected} is expected")
    elif isinstance(value, int):
        if not {"Integer", "Number"} & set(ranges):
            errors.append(f"{where}: a number where {expected} is expected")
    elif isinstance(value, float):
        if "Number" not in ranges:
            errors.append(f"{where}: a number where {expected} is expected")
    elif isinstance(value, str):
        if not value.strip():
            errors.append(f"{where}: an empty text")
        elif not _text_fits(value, ranges):
            errors.append(f"{where}: {value[:60]!r} is not a {expected}")
    else:
        errors.append(f"{where}: a {type(value).__name__} where {expected} is expected")
