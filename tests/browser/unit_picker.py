"""The console's unit picker (``components/UnitPicker.tsx``) as a person uses it."""

import re

from playwright.sync_api import Page


def pick_unit(page: Page, field_label: str, name: str) -> None:
    """Type a unit's name into the unit picker and choose it from the tree."""
    field = page.get_by_label(field_label)
    field.click()
    field.press_sequentially(name)
    page.locator(".ant-select-tree-title", has_text=re.compile(f"^{name}$")).first.click(
        timeout=30_000
    )
    page.keyboard.press("Escape")
