"""The README names every WhatsApp template a clinic must have approved before going live."""

from clinics.frontdesk.texts import TEMPLATES as FRONT_DESK_TEMPLATES
from privacy.texts import TEMPLATES as PRIVACY_TEMPLATES
from tests.conftest import ROOT


def test_the_readme_lists_every_template_the_service_sends():
    readme = (ROOT / "README.md").read_text()
    templates = [name for name, _ in [*FRONT_DESK_TEMPLATES.values(), *PRIVACY_TEMPLATES.values()]]
    assert len(templates) >= 10
    missing = [name for name in templates if f"`{name}`" not in readme]
    assert missing == []
