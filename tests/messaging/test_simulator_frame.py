"""The simulator page sits inside the operator admin: its title, header and sidebar."""

import re


def test_the_simulator_tab_is_titled_patient_simulator(operator_client, alpha):
    page = operator_client.get("/simulator/").content.decode()
    title = re.search(r"<title>(.*?)</title>", page, flags=re.S).group(1)
    assert "Patient simulator" in title and "Django site admin" not in title


def test_the_simulator_is_drawn_in_the_operator_admins_frame(operator_client, alpha):
    page = operator_client.get("/simulator/").content.decode()
    assert 'href="/admin/clinics/clinic/"' in page and 'href="/admin/privacy/privacyrequest/"' in page
    assert 'id="chat"' in page and "Alpha Clinic" in page


def test_the_simulator_title_is_in_chinese_for_a_chinese_operator(operator_client, alpha):
    page = operator_client.get("/simulator/", HTTP_ACCEPT_LANGUAGE="zh-hant").content.decode()
    assert "病人模擬器" in re.search(r"<title>(.*?)</title>", page, flags=re.S).group(1)
