"""The commune autocomplete in a browser: keyboard, mouse, and the form without a chosen option."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser import assert_accessible

pytestmark = [pytest.mark.e2e, pytest.mark.urls("tests.territories.e2e_urls")]


@pytest.fixture
def form_page(page, transactional_db, load_territories):
    load_territories()
    page.goto("/lieu/")
    return page


def test_keyboard_picks_a_commune(form_page):
    page = form_page
    combobox = page.get_by_role("combobox", name="Commune")
    combobox.press_sequentially("bord")
    bordeaux = page.get_by_role("option", name="Bordeaux (33) — 33000, 33090…")
    expect(bordeaux).to_be_visible()
    expect(combobox).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("status")).to_have_text(re.compile("1 commune proposée"))
    assert_accessible(page)

    combobox.press("ArrowDown")
    expect(combobox).to_have_attribute("aria-activedescendant", "id_commune_listbox-33063")
    expect(bordeaux).to_have_attribute("aria-selected", "true")
    combobox.press("Enter")

    expect(combobox).to_have_value("Bordeaux (33) — 33000, 33090…")
    expect(combobox).to_have_attribute("aria-expanded", "false")
    expect(page.locator("input[name=commune]")).to_have_value("33063")
    page.get_by_role("button", name="Valider").click()
    expect(page.locator("#choisie")).to_have_text("33063")


def test_arrows_wrap_and_escape_closes(form_page):
    page = form_page
    combobox = page.get_by_role("combobox", name="Commune")
    combobox.press_sequentially("saint")
    expect(page.get_by_role("option")).to_have_count(3)

    combobox.press("ArrowUp")
    expect(combobox).to_have_attribute("aria-activedescendant", "id_commune_listbox-33394")
    combobox.press("ArrowDown")
    expect(combobox).to_have_attribute("aria-activedescendant", "id_commune_listbox-97411")
    combobox.press("Escape")

    expect(page.get_by_role("listbox")).to_be_hidden()
    expect(combobox).to_have_attribute("aria-expanded", "false")
    expect(combobox).not_to_have_attribute("aria-activedescendant", re.compile(".*"))


def test_click_picks_and_typing_again_forgets_the_choice(form_page):
    page = form_page
    combobox = page.get_by_role("combobox", name="Commune")
    combobox.press_sequentially("33")
    page.get_by_role("option", name=re.compile("^Libourne")).click()
    hidden = page.locator("input[name=commune]")
    expect(hidden).to_have_value("33243")

    combobox.press("Backspace")

    expect(hidden).to_have_value("")


def test_no_match_is_announced(form_page):
    page = form_page
    page.get_by_role("combobox", name="Commune").press_sequentially("atlantis")

    expect(page.get_by_text("Aucune commune ne correspond à « atlantis ».").first).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("Aucune commune ne correspond à « atlantis ».")


def test_typed_text_is_read_when_no_option_was_picked(form_page):
    page = form_page
    combobox = page.get_by_role("combobox", name="Commune")
    combobox.fill("Saint-Denis")
    combobox.press("Enter")  # no option is active: Enter submits the form

    expect(
        page.get_by_text("Choisissez une commune dans la liste : plusieurs communes correspondent").first
    ).to_be_visible()
    combobox = page.get_by_role("combobox", name="Commune")
    expect(combobox).to_have_value("Saint-Denis")
    combobox.fill("Saint-Denis (93)")
    combobox.press("Enter")
    expect(page.locator("#choisie")).to_have_text("93066")
