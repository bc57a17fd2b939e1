from io import StringIO

from django.core.management import call_command

from horizon.demo import data


def accounts_output():
    out = StringIO()
    call_command("demo_accounts", stdout=out)
    return out.getvalue()


def test_prints_every_account_with_its_password_and_the_url(reference_data, demo_on):
    call_command("load_demo", structures=5, stdout=StringIO())
    output = accounts_output()
    for account in data.ACCOUNTS:
        assert account.email in output
    assert "horizon-demo" in output
    assert "Coordinateur·rice" in output and "Financeur / partenaire" in output
    assert "Centre social et culturel Le Pont — Bordeaux" in output
    assert "http://127.0.0.1:8000" in output


def test_says_to_load_the_demo_first(db, demo_on):
    output = accounts_output()
    assert "load_demo" in output
    assert "horizon-demo" not in output


def test_says_there_are_none_when_demo_accounts_are_off(reference_data, demo_on):
    call_command("load_demo", structures=5, stdout=StringIO())
    demo_on.DEMO_ACCOUNTS = False
    output = accounts_output()
    assert "Aucun compte de démonstration" in output
    assert "horizon-demo" not in output
    assert "@demo.horizon.test" not in output
