"""load_countries: idempotent, updates changed rows, keeps an admin's override unless --force."""

from io import StringIO

import pytest
from django.core.management import call_command

from countries.models import Country, SenderIdProcess
from countries.services import DATA_FILE, CatalogueFileError, countries_load, countries_load_if_empty

pytestmark = pytest.mark.django_db


def run_command(*args: str) -> str:
    out = StringIO()
    call_command("load_countries", *args, stdout=out)
    return out.getvalue()


def test_a_fresh_database_has_all_215_countries():
    assert Country.objects.count() == 215


def test_loading_again_changes_nothing():
    report = countries_load()
    assert (report.created, report.updated, report.unchanged) == (0, 0, 215)


def test_the_command_prints_its_counts():
    assert "Countries: created 0, updated 0, unchanged 215." in run_command()


def test_loading_does_not_rewrite_unchanged_rows():
    before = dict(Country.objects.values_list("iso_code", "updated_at"))
    countries_load()
    assert dict(Country.objects.values_list("iso_code", "updated_at")) == before


def test_a_changed_row_is_updated():
    Country.objects.filter(iso_code="IN").update(name="Bharat", two_way=False)
    report = countries_load()
    assert (report.created, report.updated, report.unchanged) == (0, 1, 214)
    india = Country.objects.get(iso_code="IN")
    assert (india.name, india.name_folded, india.two_way) == ("India", "india", True)
    assert report.changes[0].fields["name"] == ("Bharat", "India")


def test_a_missing_row_is_created():
    Country.objects.filter(iso_code="SG").delete()
    out = run_command("-v", "2")
    assert "SG Singapore: created" in out
    assert Country.objects.get(iso_code="SG").registration_type == "SG_SENDER_ID_REGISTRATION"


def test_an_admins_process_override_is_kept():
    Country.objects.filter(iso_code="AU").update(
        sender_id_process=SenderIdProcess.SUPPORT_CASE, process_overridden=True
    )
    out = run_command()
    assert Country.objects.get(iso_code="AU").sender_id_process == SenderIdProcess.SUPPORT_CASE
    assert "kept the admin's process 'support_case'" in out
    assert "unchanged 215" in out


def test_force_resets_the_override():
    Country.objects.filter(iso_code="AU").update(
        sender_id_process=SenderIdProcess.SUPPORT_CASE, process_overridden=True
    )
    assert "updated 1" in run_command("--force")
    australia = Country.objects.get(iso_code="AU")
    assert (australia.sender_id_process, australia.process_overridden) == ("registration", False)


def test_rows_added_by_hand_are_left_alone():
    Country.objects.create(iso_code="XX", name="Testland", sender_id_process=SenderIdProcess.SUPPORTED)
    report = countries_load()
    assert Country.objects.filter(iso_code="XX").exists()
    assert any("XX" in notice for notice in report.notices)


def test_the_migrate_hook_loads_only_an_empty_table():
    Country.objects.filter(iso_code="IN").update(name="Bharat")
    assert countries_load_if_empty() is None
    assert Country.objects.get(iso_code="IN").name == "Bharat"
    Country.objects.all().delete()
    assert countries_load_if_empty().created == 215


def test_a_broken_data_file_is_refused(tmp_path):
    broken = tmp_path / "countries.csv"
    broken.write_text(DATA_FILE.read_text().replace("\nIN,India,91,registration,", "\nIN,India,91,maybe,"))
    with pytest.raises(CatalogueFileError, match="unknown sender_id_process 'maybe'"):
        countries_load(path=broken)


@pytest.mark.django_db(transaction=True)
def test_a_flushed_database_gets_its_countries_back():
    # Transactional tests end with a flush; post_migrate reloads the catalogue so later tests have it.
    call_command("flush", "--noinput", verbosity=0)
    assert Country.objects.count() == 215
