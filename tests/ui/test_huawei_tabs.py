"""The two Huawei tabs driven like a user, against the simulator."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QLineEdit, QTableView

from desktop.simulator.huawei_aicc import HuaweiAiccSimulator
from desktop.ui.table_models import CLIPBOARD_ROLE


def _details(tab) -> dict[str, str]:
    model = tab.findChild(QTableView, "detailsTable").model()
    return {
        str(model.index(row, 0).data()): str(model.index(row, 1).data())
        for row in range(model.rowCount())
    }


def test_aicc_tab_needs_only_the_call_id(window, run_async, simulator) -> None:
    tab = window.vendor_tabs["huawei-aicc"]
    window.tabs.setCurrentWidget(tab)
    for name in ("callId", "userId", "tenantId", "agentId"):
        assert tab.findChild(QLineEdit, name) is not None
    assert "(from the profile)" in tab.findChild(QLineEdit, "tenantId").placeholderText()
    tab.findChild(QLineEdit, "callId").setText("1652317325-339")
    tab.lookup_button.click()
    run_async(tab.current_task)
    details = _details(tab)
    assert details["Calling number"] == "70004"
    assert details["Call type"] == "0 — common incoming call"
    assert details["Media type"] == "1 — voice"
    assert tab.call_card.sentence.text().startswith("70004 called 60015")
    assert not tab.outcome.isVisible()  # the card says it: the banner is for trouble


def test_aicc_tab_renews_an_expired_token(window, run_async, simulator) -> None:
    tab = window.vendor_tabs["huawei-aicc"]
    tab.form.set_values({"callId": "1652317325-339"})
    tab.lookup_button.click()
    run_async(tab.current_task)
    vendor = simulator.vendors["huawei-aicc"]
    assert isinstance(vendor, HuaweiAiccSimulator)
    vendor.expire_tokens()
    tab.lookup_button.click()
    run_async(tab.current_task)
    assert tab.last_error is None
    assert vendor.tokens_issued == 2


def test_isales_tab_shows_the_call_and_a_recording_with_expiry(window, run_async) -> None:
    tab = window.vendor_tabs["huawei-isales"]
    tab.form.set_values({"vdnId": "8", "callId": "1644464743-1388"})
    tab.lookup_button.click()
    run_async(tab.current_task)
    details = _details(tab)
    assert details["Call result"] == "6 — succeeded"
    assert details["Failure cause"] == "00000 — none (the call did not fail)"
    assert details["Recording link expires"] == recordings_expiry_text(tab)
    recordings = tab.findChild(QTableView, "recordingsTable").model()
    assert recordings.rowCount() == 1
    assert "Signature=" in recordings.index(0, 4).data(CLIPBOARD_ROLE)
    assert recordings.index(0, 3).data().startswith("valid until")


def test_isales_tab_marks_a_bad_vdn_and_sends_nothing(window, simulator) -> None:
    tab = window.vendor_tabs["huawei-isales"]
    tab.form.set_values({"vdnId": "10000", "callId": "1644464743-1388"})
    tab.lookup_button.click()
    error = tab.findChild(QLabel, "vdnIdError")
    assert "between 1 and 9999" in error.text()
    assert tab.current_task is None
    assert simulator.request_counts.get("huawei-isales", 0) == 0


def test_isales_tab_shows_the_vendor_error_code(window, run_async) -> None:
    tab = window.vendor_tabs["huawei-isales"]
    tab.form.set_values({"vdnId": "8", "callId": "error-02000002"})
    tab.lookup_button.click()
    run_async(tab.current_task)
    assert "invalid characters" in tab.outcome.text()
    assert "02000002" in tab.outcome.text()


def recordings_expiry_text(tab) -> str:
    """The recording's expiry as the Recordings table words it, without its "valid until"."""
    recordings = tab.findChild(QTableView, "recordingsTable").model()
    return str(recordings.index(0, 3).data()).removeprefix("valid until ")


def test_profile_defaults_stay_placeholders_after_a_lookup(window, run_async) -> None:
    tab = window.vendor_tabs["huawei-aicc"]
    tab.form.set_values({"callId": " 1652317325-339 "})
    tab.lookup_button.click()
    run_async(tab.current_task)
    assert tab.findChild(QLineEdit, "callId").text() == "1652317325-339"
    tenant = tab.findChild(QLineEdit, "tenantId")
    assert tenant.text() == ""  # not copied in: the next profile's default would be hidden
    assert tenant.placeholderText().startswith("202205116084")
