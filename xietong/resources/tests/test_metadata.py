"""A resource's metadata: schema.org/LRMI JSON-LD that validates against the vocabulary it
claims, Dublin Core (oai_dc) XML that stays well-formed whatever the title, and both
served only to those who may read the resource."""

from __future__ import annotations

import copy
import json
import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import Client, RequestFactory

from xietong.accounts.access import actor_for
from xietong.accounts.services import create_token
from xietong.conftest import Cast, id_number_of, make_staff, phone_of
from xietong.resources import metadata, services
from xietong.resources.choices import PLACES, Licence, ResourceKind, ResourceStatus, Visibility
from xietong.resources.models import Resource
from xietong.resources.tests.conftest import make_resource

pytestmark = pytest.mark.django_db

DC = "{http://purl.org/dc/elements/1.1/}"
OAI_DC = "{http://www.openarchives.org/OAI/2.0/oai_dc/}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
BASE = "https://xt.example.edu.cn"


@pytest.fixture
def pages(settings: Any) -> None:
    """The catalogue's resource page is reversible (the metadata's ``url``)."""
    settings.ROOT_URLCONF = "xietong.resources.tests.metadata_urlconf"


def course_of(world: Cast, **extra: Any) -> Resource:
    author = make_staff("张名师", world.tongzhou_school, 11, male=False)
    data: dict[str, Any] = {
        "authors": [world.beijing_teacher.pk, author.pk],
        "licence": Licence.CC_BY,
        "duration_minutes": 90,
        "grade": "九年级",
        "edition": "renjiao",
    }
    return make_resource(world, **(data | extra))


def video_of(world: Cast) -> Resource:
    return make_resource(
        world,
        kind=ResourceKind.LESSON_VIDEO,
        title="课例：勾股定理的证明",
        duration_minutes=45,
        edition="beishida",
        authors=[world.beijing_teacher.pk],
        licence=Licence.CC_BY_NC_SA,
    )


def lab_of(world: Cast) -> Resource:
    services.appoint_reviewer(world.actor("beijing"), "reviewer", "物理", "110000")
    return make_resource(
        world,
        kind=ResourceKind.LAB,
        title="物理创新实验室",
        subjects="物理",
        stages="初中、高中",
        link="",
        address="北京市通州区新华大街 100 号",
        capacity=40,
        open_terms="2024-2025-1, 2024-2025-2",
        licence=Licence.REGION,
    )


def dc_record(xml: bytes) -> ET.Element:
    root = ET.fromstring(xml)
    assert root.tag == f"{OAI_DC}dc"
    return root


def texts(root: ET.Element, element: str) -> list[str]:
    return [e.text or "" for e in root.findall(f"{DC}{element}")]


# --- JSON-LD ---------------------------------------------------------------------------


def test_it_describes_a_course_as_an_lrmi_course_that_validates(world: Cast, pages: None):
    course = course_of(world)
    doc = metadata.jsonld(course, base_url=BASE, formats=["application/pdf"])

    assert metadata.validate_jsonld(doc) == []
    assert doc["@context"] == "https://schema.org/" and doc["@type"] == "Course"
    assert doc["url"] == doc["@id"] == f"{BASE}/resources/{course.pk}/"
    assert doc["sameAs"] == "https://course.example.edu.cn/math/quadratic"
    assert doc["name"] == course.title and doc["inLanguage"] == "zh-CN"
    assert doc["learningResourceType"]["termCode"] == "course"
    assert doc["learningResourceType"]["name"] == "课程"
    levels = doc["educationalLevel"]
    assert levels[0] == {
        "@type": "DefinedTerm",
        "name": "初中",
        "termCode": "junior",
        "inDefinedTermSet": {"@type": "DefinedTermSet", "name": "学段"},
    }
    assert levels[1] == "九年级"
    assert [(s["name"], s["termCode"]) for s in doc["about"]] == [("数学", "14")]
    assert {(a["alignmentType"], a["targetName"]) for a in doc["educationalAlignment"]} == {
        ("educationalSubject", "数学"),
        ("educationalLevel", "初中"),
    }
    assert doc["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert doc["isAccessibleForFree"] is True
    assert doc["timeRequired"] == "PT1H30M"
    assert doc["datePublished"] == course.published_at.date().isoformat()
    assert doc["creativeWorkStatus"] == "Published"
    assert doc["encodingFormat"] == ["application/pdf"]
    assert doc["isBasedOn"] == {"@type": "Book", "name": "人教版教材", "bookEdition": "人教版"}
    assert (
        doc["publisher"]
        == doc["provider"]
        == {
            "@type": "ElementarySchool",
            "name": "Tongzhou No. 1",
            "identifier": {
                "@type": "PropertyValue",
                "propertyID": "学校标识码",
                "value": "2111012345",
            },
        }
    )
    assert doc["author"] == [
        {
            "@type": "Person",
            "name": n,
            "affiliation": {"@type": "Organization", "name": "Tongzhou No. 1"},
        }
        for n in ("王北京", "张名师")
    ]


def test_it_gives_authors_by_name_and_institution_only(world: Cast, pages: None):
    course = course_of(world)
    text = metadata.jsonld_text(metadata.jsonld(course)) + metadata.oai_dc(course).decode()
    teacher = world.beijing_teacher
    for private in (id_number_of(teacher), phone_of(teacher), teacher.birth_date.isoformat()):
        assert private not in text
    assert "王北京" in text


def test_it_describes_a_lesson_video_as_a_video_and_a_learning_resource(world: Cast, pages: None):
    video = video_of(world)
    doc = metadata.jsonld(video, base_url=BASE)

    assert metadata.validate_jsonld(doc) == []
    assert doc["@type"] == ["VideoObject", "LearningResource"]
    assert doc["duration"] == doc["timeRequired"] == "PT45M"
    assert doc["uploadDate"] == video.created_at.date().isoformat()
    assert doc["license"] == "https://creativecommons.org/licenses/by-nc-sa/4.0/"
    assert doc["isBasedOn"]["bookEdition"] == "北师大版"


def test_it_describes_a_lab_as_a_place_with_address_capacity_and_terms(world: Cast, pages: None):
    lab = lab_of(world)
    doc = metadata.jsonld(lab, base_url=BASE)

    assert metadata.validate_jsonld(doc) == []
    assert doc["@type"] == ["Place", "LearningResource"]
    assert doc["address"] == {
        "@type": "PostalAddress",
        "streetAddress": "北京市通州区新华大街 100 号",
        "addressCountry": "CN",
    }
    assert doc["maximumAttendeeCapacity"] == 40
    assert [(t["validFrom"], t["validThrough"]) for t in doc["openingHoursSpecification"]] == [
        ("2024-09-01", "2025-01-20"),
        ("2025-02-20", "2025-07-10"),
    ]
    assert [t["name"] for t in doc["openingHoursSpecification"]] == [
        "2024–2025学年第一学期",
        "2024–2025学年第二学期",
    ]
    assert [e["targetName"] for e in doc["educationalAlignment"]] == ["物理", "初中", "高中"]
    # A licence without a public address is named, as a CreativeWork.
    assert doc["license"] == {"@type": "CreativeWork", "name": "协同区域内共享"}
    assert "sameAs" not in doc


@pytest.mark.parametrize("kind", list(ResourceKind))
def test_it_gives_every_kind_a_document_that_validates(world: Cast, pages: None, kind: str):
    extra = {"address": "天津市滨海新区第一大街 8 号", "capacity": 60} if kind in PLACES else {}
    resource = make_resource(world, kind=kind, title=f"示例资源（{kind}）", **extra)
    doc = metadata.jsonld(resource, base_url=BASE)
    assert metadata.validate_jsonld(doc) == []
    assert set(metadata.KIND_TYPES[kind]) == set(
        doc["@type"] if isinstance(doc["@type"], list) else [doc["@type"]]
    )


def test_it_writes_the_record_in_chinese_whatever_the_readers_language(world: Cast, pages: None):
    from django.utils import translation

    course = course_of(world)
    with translation.override("en"):
        doc = metadata.jsonld(course)
    assert doc["learningResourceType"]["name"] == "课程"
    assert doc["about"][0]["name"] == "数学"


def test_it_keeps_a_title_from_closing_the_pages_json_ld_block(world: Cast, pages: None):
    title = '</script><script>alert("x")</script> & <!-- 数学'
    course = course_of(world, title=title)
    doc = metadata.jsonld(course)
    block = str(metadata.jsonld_script(doc))

    assert block.startswith('<script type="application/ld+json">')
    assert block.count("</script") == 1 and block.endswith("</script>")
    assert "<!--" not in block and "&" not in block.removeprefix(
        '<script type="application/ld+json">'
    )
    inner = block.removeprefix('<script type="application/ld+json">').removesuffix("</script>")
    assert json.loads(inner) == doc and json.loads(inner)["name"] == title


# --- validation ------------------------------------------------------------------------


@pytest.fixture
def valid_doc(world: Cast, pages: None) -> dict[str, Any]:
    doc = metadata.jsonld(course_of(world), base_url=BASE)
    assert metadata.validate_jsonld(doc) == []
    return doc


def refused(doc: dict[str, Any], change: Any) -> list[str]:
    broken = copy.deepcopy(doc)
    change(broken)
    return metadata.validate_jsonld(broken)


def test_it_refuses_a_property_the_claimed_type_does_not_have(valid_doc: dict[str, Any]):
    errors = refused(valid_doc, lambda d: d.update(maximumAttendeeCapacity=30))
    assert errors == ["$: 'maximumAttendeeCapacity' is not defined for Course (it is for Place)"]
    errors = refused(valid_doc, lambda d: d["author"][0].update(termCode="x"))
    assert errors == ["$.author[0]: 'termCode' is not defined for Person (it is for DefinedTerm)"]
    assert refused(valid_doc, lambda d: d.update(gradeLevel="九年级")) == [
        "$: 'gradeLevel' is not a property of the vocabulary"
    ]


def test_it_accepts_a_property_of_a_supertype_or_of_a_second_type(valid_doc: dict[str, Any]):
    # name is Thing's, educationalAlignment CreativeWork's and LearningResource's.
    assert "name" in valid_doc and "educationalAlignment" in valid_doc
    as_place = refused(
        valid_doc,
        lambda d: d.update(
            {
                "@type": ["Place", "LearningResource"],
                "address": "天津",
                "maximumAttendeeCapacity": 3,
            }
        ),
    )
    assert as_place == []


@pytest.mark.parametrize(
    "change, error",
    [
        (
            lambda d: d.update(timeRequired="90 minutes"),
            "$.timeRequired: '90 minutes' is not a Duration",
        ),
        (lambda d: d.update(timeRequired="PT"), "$.timeRequired: 'PT' is not a Duration"),
        (
            lambda d: d.update(isAccessibleForFree="yes"),
            "$.isAccessibleForFree: 'yes' is not a Boolean",
        ),
        (
            lambda d: d.update(datePublished="2025-13-01"),
            "$.datePublished: '2025-13-01' is not a Date or DateTime",
        ),
        (lambda d: d.update(url="/resources/1/"), "$.url: '/resources/1/' is not a URL"),
        (
            lambda d: d.update(educationalAlignment="数学"),
            "$.educationalAlignment: '数学' is not a AlignmentObject",
        ),
        (
            lambda d: d.update(author={"@type": "DefinedTerm", "name": "王北京"}),
            "$.author: a DefinedTerm where Organization or Person is expected",
        ),
        (
            lambda d: d["publisher"].update(identifier=2111012345),
            "$.publisher.identifier: a number where PropertyValue or Text or URL is expected",
        ),
        (
            lambda d: d.update(
                maximumAttendeeCapacity="四十",
                **{"@type": ["Place", "LearningResource"], "address": "天津"},
            ),
            "$.maximumAttendeeCapacity: '四十' is not a Integer",
        ),
    ],
)
def test_it_refuses_a_value_outside_the_propertys_range(
    valid_doc: dict[str, Any], change: Any, error: str
):
    assert refused(valid_doc, change) == [error]


def test_it_refuses_unknown_types_and_missing_core_properties(valid_doc: dict[str, Any]):
    assert refused(valid_doc, lambda d: d.update({"@type": "Lecture"})) == [
        "$: unknown type 'Lecture'",
        "$: the @type is not a LearningResource nor a subtype of one",
    ]
    assert refused(valid_doc, lambda d: d.update({"@type": "Book"})) == [
        "$: the @type is not a LearningResource nor a subtype of one"
    ]
    assert refused(valid_doc, lambda d: d.pop("license")) == [
        "$: LearningResource requires 'license'"
    ]
    assert refused(valid_doc, lambda d: d["author"][1].pop("name")) == [
        "$.author[1]: Person requires 'name'"
    ]
    assert refused(valid_doc, lambda d: d["about"][0].pop("@type")) == [
        "$.about[0]: a node needs an @type (a name or a list of names)"
    ]
    assert refused(valid_doc, lambda d: d.update({"@context": "https://example.org/"})) == [
        "$: @context must be https://schema.org/"
    ]
    assert metadata.validate_jsonld([valid_doc]) == ["$: the document is not a JSON object"]


def test_it_ships_a_vocabulary_whose_every_type_is_declared():
    vocab = metadata.vocabulary()
    types, datatypes = set(vocab["types"]), set(vocab["datatypes"])
    for name, parents in vocab["types"].items():
        assert set(parents) <= types, name
    for name, spec in vocab["properties"].items():
        assert spec["domains"] and set(spec["domains"]) <= types, name
        assert spec["ranges"] and set(spec["ranges"]) <= types | datatypes, name
    for rules in vocab["required"].values():
        for name, props in rules.items():
            assert name in types and set(props) <= set(vocab["properties"]), name
    # The types the exports use are all in it.
    used = {t for ts in metadata.KIND_TYPES.values() for t in ts}
    assert used | set(metadata.ORGANIZATION_TYPES.values()) <= types


# --- Dublin Core -----------------------------------------------------------------------


def test_it_writes_a_course_as_an_oai_dc_record(world: Cast, pages: None):
    course = course_of(world)
    root = dc_record(metadata.oai_dc(course, base_url=BASE, formats=["application/pdf"]))

    assert texts(root, "title") == [course.title]
    assert root.find(f"{DC}title").get(XML_LANG) == "zh-CN"
    assert texts(root, "creator") == ["王北京", "张名师"]
    assert texts(root, "subject") == ["数学"]
    assert texts(root, "description")[0] == course.description
    assert (
        texts(root, "description")[1] == "学段：初中；年级：九年级；教材版本：人教版；时长：90 分钟"
    )
    assert texts(root, "publisher") == ["Tongzhou No. 1"]
    assert texts(root, "date") == [course.published_at.date().isoformat()]
    assert texts(root, "type") == ["InteractiveResource", "课程"]
    assert texts(root, "format") == ["application/pdf"]
    assert texts(root, "identifier") == [
        f"{BASE}/resources/{course.pk}/",
        "https://course.example.edu.cn/math/quadratic",
    ]
    assert texts(root, "language") == ["zh-CN"]
    assert texts(root, "rights") == ["CC BY 4.0", "https://creativecommons.org/licenses/by/4.0/"]
    location = root.get("{http://www.w3.org/2001/XMLSchema-instance}schemaLocation")
    assert location.split() == [
        "http://www.openarchives.org/OAI/2.0/oai_dc/",
        "http://www.openarchives.org/OAI/2.0/oai_dc.xsd",
    ]
    # Only the fifteen DC elements appear, under the dc namespace.
    assert {e.tag.removeprefix(DC) for e in root} <= {
        "title",
        "creator",
        "subject",
        "description",
        "publisher",
        "contributor",
        "date",
        "type",
        "format",
        "identifier",
        "source",
        "language",
        "relation",
        "coverage",
        "rights",
    }


def test_it_types_a_video_and_a_lab_with_the_dcmi_vocabulary(world: Cast, pages: None):
    video = dc_record(metadata.oai_dc(video_of(world)))
    assert texts(video, "type") == ["MovingImage", "课例视频"]
    lab = dc_record(metadata.oai_dc(lab_of(world)))
    assert texts(lab, "type") == ["Service", "实验室"]
    assert texts(lab, "coverage") == ["北京市通州区新华大街 100 号"]
    assert texts(lab, "subject") == ["物理"]
    assert "容量：40 人" in texts(lab, "description")[1]
    assert "开放学期：2024–2025学年第一学期、2024–2025学年第二学期" in texts(lab, "description")[1]
    assert texts(lab, "rights") == ["协同区域内共享"]  # no public address to add


def test_it_escapes_a_title_with_markup_and_drops_what_xml_cannot_carry(world: Cast):
    title = '数学 <b>&"粗体"</b> ]]> \x0b end'
    course = course_of(world, title=title)
    xml = metadata.oai_dc(course)

    assert xml.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    assert b"<b>" not in xml and b"&lt;b&gt;&amp;" in xml
    root = dc_record(xml)  # well-formed
    assert texts(root, "title") == ['数学 <b>&"粗体"</b> ]]>  end']
    assert [e.tag for e in root].count(f"{DC}title") == 1


# --- endpoints -------------------------------------------------------------------------


def api_client(world: Cast, user: str) -> tuple[Client, dict[str, str]]:
    token = create_token(world.actor(user), "test")[1]
    return Client(), {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_it_serves_json_ld_and_oai_dc_through_the_api(world: Cast, pages: None):
    course = course_of(world)
    client, auth = api_client(world, "teacher")

    got = client.get(f"/api/resources/{course.pk}/jsonld", **auth)
    assert got.status_code == 200, got.content
    assert got["Content-Type"] == "application/ld+json; charset=utf-8"
    doc = json.loads(got.content)
    assert metadata.validate_jsonld(doc) == []
    assert doc["url"] == f"http://testserver/resources/{course.pk}/"

    got = client.get(f"/api/resources/{course.pk}/oai_dc", **auth)
    assert got.status_code == 200
    assert got["Content-Type"] == "application/xml; charset=utf-8"
    assert texts(dc_record(got.content), "title") == [course.title]


def test_it_offers_the_two_downloads_on_the_web(world: Cast, pages: None):
    course = course_of(world)
    client = Client()
    client.force_login(world.users["teacher"])

    got = client.get(f"/resources/{course.pk}/metadata/jsonld/")
    assert got.status_code == 200
    assert got["Content-Disposition"] == f'attachment; filename="resource-{course.pk}.jsonld"'
    assert json.loads(got.content)["name"] == course.title

    got = client.get(f"/resources/{course.pk}/metadata/oai_dc/")
    assert got.status_code == 200 and got["Content-Type"].startswith("application/xml")
    assert got["Content-Disposition"] == f'attachment; filename="resource-{course.pk}-oai_dc.xml"'
    assert texts(dc_record(got.content), "title") == [course.title]


def test_it_answers_404_for_a_resource_the_caller_may_not_read(world: Cast):
    draft = make_resource(world, status=ResourceStatus.DRAFT, title="未发布的草稿")
    partners = make_resource(world, visibility=Visibility.PARTNERS, title="仅结对校可见")
    client, auth = api_client(world, "teacher")
    web = Client()
    web.force_login(world.users["teacher"])
    for hidden in (draft.pk, partners.pk, 999_999):
        for fmt in ("jsonld", "oai_dc"):
            got = client.get(f"/api/resources/{hidden}/{fmt}", **auth)
            assert got.status_code == 404, (hidden, fmt)
            assert got.json()["code"] == "not_found"
            assert "未发布" not in got.content.decode() and "仅结对" not in got.content.decode()
            assert web.get(f"/resources/{hidden}/metadata/{fmt}/").status_code == 404

    # Its keeper reads the draft's metadata.
    keeper, auth = api_client(world, "tongzhou_admin")
    got = keeper.get(f"/api/resources/{draft.pk}/jsonld", **auth)
    assert got.status_code == 200 and json.loads(got.content)["creativeWorkStatus"] == "Draft"


def test_it_asks_a_caller_without_credentials_to_sign_in(world: Cast):
    course = make_resource(world)
    assert Client().get(f"/api/resources/{course.pk}/jsonld").status_code == 401
    got = Client().get(f"/resources/{course.pk}/metadata/oai_dc/")
    assert got.status_code == 302 and "login" in got["Location"]


def test_it_renders_the_page_snippet_with_both_links_and_the_json_ld(world: Cast, pages: None):
    course = course_of(world)
    request = RequestFactory().get(f"/resources/{course.pk}/")
    request.user = world.users["teacher"]
    request.actor = actor_for(world.users["teacher"])  # type: ignore[attr-defined]
    html = render_to_string("resources/_metadata_links.html", {"resource": course}, request=request)

    assert f'href="/resources/{course.pk}/metadata/jsonld/"' in html
    assert f'href="/resources/{course.pk}/metadata/oai_dc/"' in html
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert block is not None
    assert json.loads(block.group(1)) == metadata.jsonld(
        course, base_url="http://testserver", formats=[]
    )


def test_it_names_the_formats_of_the_files_the_reader_sees(
    world: Cast, pages: None, settings: Any, tmp_path: Any
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from xietong.attachments import services as attachments

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "media"},
        },
    }
    draft = make_resource(world, status=ResourceStatus.DRAFT)
    pdf = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    attachments.attach(
        world.actor("tongzhou_admin"),
        draft,
        SimpleUploadedFile("讲义.pdf", pdf, content_type="application/pdf"),
    )
    client, auth = api_client(world, "tongzhou_admin")

    doc = json.loads(client.get(f"/api/resources/{draft.pk}/jsonld", **auth).content)
    assert doc["encodingFormat"] == ["application/pdf"]
    record = dc_record(client.get(f"/api/resources/{draft.pk}/oai_dc", **auth).content)
    assert texts(record, "format") == ["application/pdf"]
