"""Country: folded name kept in step, the process constrained, the rules one call away."""

import pytest
from django.db import IntegrityError

from countries.models import Country, fold_name

pytestmark = pytest.mark.django_db


def test_fold_name_drops_accents_and_case():
    assert fold_name("São Tomé and Príncipe") == "sao tome and principe"


def test_saving_keeps_the_folded_name_in_step():
    reunion = Country.objects.get(iso_code="RE")
    reunion.name = "La Réunion"
    reunion.save(update_fields=["name"])
    assert Country.objects.get(iso_code="RE").name_folded == "la reunion"


def test_the_database_refuses_an_unknown_process():
    with pytest.raises(IntegrityError):
        Country.objects.filter(iso_code="IN").update(sender_id_process="maybe")


def test_several_dialing_codes_are_shown_each_with_a_plus():
    assert Country.objects.get(iso_code="DO").dialing_codes_display == "+1-809, +1-829, +1-849"


def test_a_country_judges_a_sender_id_by_its_rules():
    india = Country.objects.get(iso_code="IN")
    assert india.sender_id_errors("ACMEIN") == []
    assert india.sender_id_errors("ACME-1")


def test_supports_sender_id():
    assert Country.objects.get(iso_code="OM").supports_sender_id
    assert not Country.objects.get(iso_code="BR").supports_sender_id
