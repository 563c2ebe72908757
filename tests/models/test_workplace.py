"""Whether a text names a workplace: the condition a fire decision needs on text read as it is."""

from __future__ import annotations

import pytest

from models.redline import HELD_BACK_NO_WORKPLACE, fold_text
from models.workplace import names_workplace


@pytest.mark.parametrize("text", [
    "Fire at a garment factory kills 12 workers",
    "Blaze guts two warehouses on the industrial estate",  # plural
    "Sawmill fire forces evacuation as crews battle flames",
    "Engine-room fire on an offshore rig; 87 crew evacuated",
    "Probe into Hwaseong fire begins; Aricell executives barred from leaving the country",
    "Retailer fined after stock blocked the fire escape at its Merry Hill store",
    "服装厂发生火灾",
    "尖沙咀建築地盤大火升四級",
    "回收場凌晨起火 逾百消防員撲救",
    "佐賀関製錬所でコンベヤー火災",  # Japanese is read as it is too
    "惠东义乌小商品批发城火灾致17死 值班电工慌乱中拉下总电闸",
])
def test_workplace_fires_name_a_workplace(text: str) -> None:
    assert names_workplace(fold_text(text))


@pytest.mark.parametrize("text", [
    "Forest fire forces evacuation of mountain villages as firefighters battle the blaze in the national park.",
    # words every wildfire or house-fire story uses are not workplaces
    "Fire crews battle blaze threatening homes and businesses; dry fuel feeds the flames, the sheriff's office said",
    "Shed fire spreads from back yard to two houses",
    "山火蔓延 消防员连夜扑救 村民仓促撤离 多个参战单位投入灭火作业",
    "民宅大火 消防員灌救 一家三口送院",
    "Bus catches fire on the motorway; all passengers escape",
])
def test_non_workplace_fires_name_no_workplace(text: str) -> None:
    assert not names_workplace(fold_text(text))


def test_a_term_must_be_a_whole_word() -> None:
    assert not names_workplace(fold_text("Implant patients evacuated as bushfire nears the hamlet"))


def test_house_fire_above_threshold_is_held_back_for_naming_no_workplace(bundled) -> None:
    result = bundled.classify("Fire crews battle huge blaze as flames tear through homes; residents evacuated.")
    fire = result.labels["fire"]
    assert fire.probability >= fire.threshold  # the model alone would raise it
    assert not fire.decided and fire.held_back == HELD_BACK_NO_WORKPLACE


def test_workplace_fire_is_still_decided(bundled) -> None:
    fire = bundled.classify("Fire crews battle huge blaze as flames tear through a furniture factory.").labels["fire"]
    assert fire.decided and fire.held_back is None

