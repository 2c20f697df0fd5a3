"""The widget kit every window uses: form rows, the one kind of error label, the confirmation dialog.

Installed on the application by views.qt_app: Enter pressing buttons in every window (keys) and the
style that leaves room for accents on tabs (style).
"""

from secop_desktop.views.widgets.confirm import Confirm, ask_with_message_box
from secop_desktop.views.widgets.forms import (
    FieldErrors,
    accessible_name,
    add_field,
    add_row,
    describe,
    hint_label,
    insert_hint,
    label_field,
)
from secop_desktop.views.widgets.messages import ERROR_STYLE, INFO_STYLE, ErrorLabel, MessageLabel

__all__ = ["Confirm", "ask_with_message_box", "FieldErrors", "accessible_name", "add_field", "add_row", "describe",
           "hint_label", "insert_hint", "label_field", "ERROR_STYLE", "INFO_STYLE", "ErrorLabel", "MessageLabel"]
