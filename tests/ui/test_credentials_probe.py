"""Test connection on a CC-iSales profile whose server expects another signature layout: the
window says which layout the server accepted and offers to save it."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QMessageBox

from desktop.simulator.huawei_isales import HuaweiIsalesSimulator
from desktop.simulator.registry import DEMO_PROFILE_NAME
from desktop.simulator.server import Simulator
from desktop.ui.credentials import CredentialsWindow
from desktop.ui.main_window import MainWindow
from desktop.vendors import VENDORS, get_vendor


def server_accepts_only_legacy(simulator: Simulator) -> None:
    isales = simulator.vendors["huawei-isales"]
    assert isinstance(isales, HuaweiIsalesSimulator)
    isales.accepted_layouts = frozenset({"legacy-ports"})


def select_isales_demo(credentials: CredentialsWindow) -> None:
    group = credentials.tree.topLevelItem(VENDORS.index(get_vendor("huawei-isales")))
    assert group is not None
    item = group.child(0)
    assert item is not None
    credentials.tree.setCurrentItem(item)


def test_the_window_offers_to_save_the_accepted_layout(
    window: MainWindow, simulator: Simulator, run_async
) -> None:
    server_accepts_only_legacy(simulator)
    credentials = window.open_credentials()
    select_isales_demo(credentials)
    task = credentials.test_connection()
    assert task is not None
    run_async(task)
    result = credentials.connection_result
    assert result.property("state") == "success"
    assert "The server accepted layout legacy-ports with hex signatures." in result.text()
    box = credentials.settings_offer
    assert box is not None and box.isVisible()
    assert box.objectName() == "saveAcceptedSettingsBox"
    assert "Save signature_layout=legacy-ports in the profile 'demo'?" in box.text()

    box.button(QMessageBox.StandardButton.Yes).click()
    saved = window.engine.profiles.get("huawei-isales", DEMO_PROFILE_NAME)
    assert saved is not None and saved.setting("signature_layout") == "legacy-ports"
    assert "Saved signature_layout=legacy-ports" in credentials.status.text()
    assert credentials.editor is not None
    layout_box = credentials.editor.settings["signature_layout"]
    assert isinstance(layout_box, QComboBox) and layout_box.currentText() == "legacy-ports"

    run_async(credentials.test_connection())
    assert credentials.settings_offer is box  # nothing new to offer: the profile matches


def test_no_is_a_choice_that_saves_nothing(
    window: MainWindow, simulator: Simulator, run_async
) -> None:
    server_accepts_only_legacy(simulator)
    credentials = window.open_credentials()
    select_isales_demo(credentials)
    run_async(credentials.test_connection())
    box = credentials.settings_offer
    assert box is not None
    box.button(QMessageBox.StandardButton.No).click()
    saved = window.engine.profiles.get("huawei-isales", DEMO_PROFILE_NAME)
    assert saved is not None and saved.setting("signature_layout") is None
