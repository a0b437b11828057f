from collections import Counter

import pytest

from nguon.errors import InvalidInput
from nguon.models.units import UnitLevel
from nguon.services.unit_catalogue import load_bundled_catalogue, parse_catalogue

TWO_LEVEL = {
    "code": "98",
    "name": "Tỉnh Thử Nghiệm",
    "type": "Tỉnh",
    "communes": [
        {"code": "98001", "name": "Phường Một", "type": "Phường"},
        {"code": "98002", "name": "Xã Hai", "type": "Xã"},
    ],
}


def test_binh_dinh_has_one_province_eleven_districts_and_155_communes():
    units = load_bundled_catalogue()

    levels = Counter(unit.level for unit in units)

    assert levels == {UnitLevel.PROVINCE: 1, UnitLevel.DISTRICT: 11, UnitLevel.COMMUNE: 155}
    assert len({unit.code for unit in units}) == 167


def test_three_level_commune_knows_its_district_and_province():
    units = {unit.code: unit for unit in load_bundled_catalogue()}

    nhon_binh = units["21550"]

    assert nhon_binh.name == "Phường Nhơn Bình"
    assert nhon_binh.parent == "540"
    assert nhon_binh.ancestors == ("52", "540")
    assert units["540"].ancestors == ("52",)
    assert units["52"].parent is None


def test_two_level_catalogue_puts_communes_directly_under_the_province():
    units = {unit.code: unit for unit in parse_catalogue(TWO_LEVEL)}

    assert units["98"].level is UnitLevel.PROVINCE
    assert units["98001"].level is UnitLevel.COMMUNE
    assert units["98001"].parent == "98"
    assert units["98001"].ancestors == ("98",)


def test_parents_come_before_children_so_a_loader_can_stream():
    seen: set[str] = set()
    for unit in load_bundled_catalogue():
        assert set(unit.ancestors) <= seen
        seen.add(unit.code)


@pytest.mark.parametrize(
    "document",
    [
        {"code": "98", "name": "X", "type": "Tỉnh", "communes": [{"code": "98001"}]},
        {"code": "9", "name": "X", "type": "Tỉnh", "communes": []},
        {
            "code": "98",
            "name": "X",
            "type": "Tỉnh",
            "communes": [{"code": "1", "name": "a", "type": "Xã"}],
        },
        {"name": "no code"},
    ],
)
def test_malformed_catalogue_is_rejected(document):
    with pytest.raises(InvalidInput) as raised:
        parse_catalogue(document)
    assert raised.value.code == "invalid_catalogue"


def test_duplicate_codes_are_rejected():
    duplicated = {**TWO_LEVEL, "communes": TWO_LEVEL["communes"] * 2}

    with pytest.raises(InvalidInput):
        parse_catalogue(duplicated)
