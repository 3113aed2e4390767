"""Imports accept a cell's value in either language (issue 10 item 5): the template's Chinese example row imports
while the office works in English, and English values (or the codes) import while it works in Chinese."""

import csv
import io

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from risks.models import BusinessArea, Level, Power, RiskPoint, Source
from risks.resources import COLUMNS, RISK_COLUMNS

pytestmark = pytest.mark.django_db


def _language(client, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language


def _csv(header, rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def _upload(client, url, content, name="file.csv"):
    file = io.BytesIO(content)
    file.name = name
    return client.post(url, {"file": file})


def _commit(client, url, response, court):
    return client.post(
        url, {"court": court.pk, "filename": "x.csv", "payload": response.context["payload"], "commit": "1"}
    )


def _english(choice):
    with translation.override("en"):
        return str(choice.label)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_risk_templates_example_row_imports_in_either_language(client, login_as, civil_power, language):
    login_as("office_demo")
    _language(client, language)
    template = client.get(reverse("risks:import_template"), {"format": "csv"})
    assert template.status_code == 200
    response = _upload(client, reverse("risks:import"), template.content, "template.csv")
    assert response.status_code == 200, response.content.decode()[-3000:]
    assert _commit(client, reverse("risks:import"), response, civil_power.court).status_code == 302
    rp = RiskPoint.objects.get()
    assert (rp.level, rp.source, rp.post.name) == ("post", "organisation", "审判员")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_risk_values_in_english_or_as_codes_import_in_either_language(client, login_as, civil_power, language):
    login_as("office_demo")
    _language(client, language)
    rows = [
        [_english(Level.POST), "民事审判庭", "审判员", "", "", "拖延作出裁定", "久拖不决", _english(Source.PUBLIC), ""],
        ["  court ", "", "", "", "", "党组会前个人定调", "会前定调", "collective", ""],
        ["庭室", "民事审判庭", "", "", "", "庭室制度不健全", "无制度", "互相查", ""],
    ]
    response = _upload(client, reverse("risks:import"), _csv(list(RISK_COLUMNS.values()), rows))
    assert response.status_code == 200, response.content.decode()[-3000:]
    _commit(client, reverse("risks:import"), response, civil_power.court)
    got = dict(RiskPoint.objects.values_list("description", "level"))
    assert got == {"拖延作出裁定": "post", "党组会前个人定调": "court", "庭室制度不健全": "division"}
    sources = dict(RiskPoint.objects.values_list("description", "source"))
    assert sources == {"拖延作出裁定": "public", "党组会前个人定调": "collective", "庭室制度不健全": "peer"}


def test_a_value_in_no_language_is_refused_with_the_readers_labels(client, login_as, civil_power):
    login_as("office_demo")
    _language(client, "en")
    rows = [["Post", "民事审判庭", "审判员", "", "", "描述", "表现", "guessed", ""]]
    response = _upload(client, reverse("risks:import"), _csv(list(RISK_COLUMNS.values()), rows))
    assert response.status_code == 400
    assert _english(Source.ORGANISATION) in response.content.decode()
    assert not RiskPoint.objects.exists()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_catalogue_templates_example_row_imports_in_either_language(client, login_as, hgzy, language):
    login_as("office_demo")
    _language(client, language)
    template = client.get(reverse("risks:catalogue_template"), {"format": "csv"})
    response = _upload(client, reverse("risks:catalogue_import"), template.content, "template.csv")
    assert response.status_code == 200, response.content.decode()[-3000:]
    _commit(client, reverse("risks:catalogue_import"), response, hgzy)
    assert Power.objects.get(name="诉讼保全裁定").business_area == BusinessArea.CIVIL


def test_catalogue_values_in_english_import(client, login_as, hgzy):
    login_as("office_demo")
    row = ["", "机关后勤服务外包", "后勤服务外包的决策。", "", "", "", "", "", "党组集体决策"]
    row += [_english(BusinessArea.CIVIL), "Yes"]
    response = _upload(client, reverse("risks:catalogue_import"), _csv(list(COLUMNS.values()), [row]))
    assert response.status_code == 200, response.content.decode()[-3000:]
    _commit(client, reverse("risks:catalogue_import"), response, hgzy)
    power = Power.objects.get(name="机关后勤服务外包")
    assert power.business_area == BusinessArea.CIVIL and power.major_matter is True
