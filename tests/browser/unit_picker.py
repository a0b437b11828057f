"""The console's unit picker (``components/UnitPicker.tsx``) as a person uses it."""

import re

from playwright.sync_api import Page, expect


def pick_unit(page: Page, field_label: str, name: str) -> None:
    """Type a unit's name into the unit picker and choose it from the tree."""
    field = page.get_by_label(field_label)
    field.click()
    field.press_sequentially(name)
    # Long: the tree's second level loads after the first.
    page.locator(".ant-select-tree-title", has_text=re.compile(f"^{name}$")).first.click(
        timeout=30_000
    )
    page.keyboard.press("Escape")
    # Until the dropdown has faded out (antd then hides it): a capture while it fades has axe
    # measure half-transparent tree titles and report their contrast.
    expect(page.locator(".ant-select-dropdown:visible")).to_have_count(0)
