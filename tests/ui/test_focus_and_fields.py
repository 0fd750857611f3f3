"""Focus goes where an ID is pasted; fields the profile fills say so and carry no star; a value
pasted into the wrong field offers to move to the field it fits."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton

from desktop.simulator import leadsquared as lsq


def _label_of(tab, name: str) -> str:
    field = tab.form.input(name)
    return str(
        next(label.text() for label in tab.form.findChildren(QLabel) if label.buddy() is field)
    )


def test_profile_filled_fields_show_the_value_and_no_star(window) -> None:
    isales = window.vendor_tabs["huawei-isales"]
    assert _label_of(isales, "vdnId") == "VDN ID"  # the profile fills it
    assert _label_of(isales, "callId") == "Call ID *"
    assert isales.form.input("vdnId").placeholderText() == "8 (from the profile)"
    aicc = window.vendor_tabs["huawei-aicc"]
    assert _label_of(aicc, "userId") == "User ID"
    assert "(from the profile)" in aicc.form.input("userId").placeholderText()


def test_focus_goes_to_the_paste_field_after_a_switch_a_lookup_and_a_failure(
    window, qtbot, run_async
) -> None:
    isales = window.vendor_tabs["huawei-isales"]
    window.tabs.setCurrentWidget(isales)
    call_id = isales.form.input("callId")
    assert window.focusWidget() is call_id  # not the VDN ID the profile fills
    call_id.setText("1644464743-1388")
    run_async(isales.start_lookup())
    assert window.focusWidget() is call_id
    assert call_id.selectedText() == "1644464743-1388"  # a paste replaces it

    lsq_tab = window.vendor_tabs["leadsquared"]
    window.tabs.setCurrentWidget(lsq_tab)
    request_id = lsq_tab.form.input("RequestId")
    assert window.focusWidget() is request_id
    request_id.setText("11111111-2222-4333-8444-555555555555")
    run_async(lsq_tab.start_lookup())
    assert lsq_tab.outcome.property("state") == "error"
    assert window.focusWidget() is request_id
    request_id.setText(lsq.SUCCESS_ID)


def test_a_call_id_pasted_into_the_vdn_field_offers_to_move(window, qtbot) -> None:
    tab = window.vendor_tabs["huawei-isales"]
    window.tabs.setCurrentWidget(tab)
    vdn = tab.form.input("vdnId")
    offer = tab.findChild(QPushButton, "vdnIdSuggestion")
    assert not offer.isVisible()
    vdn.setText("1644464743-1388")
    assert offer.isVisible()
    assert offer.text() == "Move to Call ID"
    qtbot.mouseClick(offer, Qt.MouseButton.LeftButton)
    assert tab.form.input("callId").text() == "1644464743-1388"
    assert vdn.text() == ""
    assert not offer.isVisible()
    vdn.setText("12")  # a VDN ID fits its own field: nothing offered
    assert not offer.isVisible()
    assert isinstance(tab.form.input("callId"), QLineEdit)
