"""The wizard's session storage: formtools' SessionStorage, except that the session is written only
when the wizard's data changed.

formtools marks the session modified on every *read* of its data, so each wizard page view rewrote
the session row (a transaction and an UPDATE) even when it only showed a step. Here the data is
compared, once the response is rendered, with what was loaded, and the session is marked modified only if
they differ (every write formtools and the guards make goes through that data).
"""

from __future__ import annotations

import copy
from typing import Any

from formtools.wizard.storage.session import SessionStorage


class ChangedOnlySessionStorage(SessionStorage):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._loaded = copy.deepcopy(self.request.session.get(self.prefix))

    def _get_data(self) -> dict[str, Any]:
        return self.request.session[self.prefix]

    def _set_data(self, value: dict[str, Any]) -> None:
        self.request.session[self.prefix] = value  # marks the session modified

    data = property(_get_data, _set_data)

    def _mark_if_changed(self, response: Any = None) -> None:
        if self.request.session.get(self.prefix) != self._loaded:
            self.request.session.modified = True

    def update_response(self, response: Any) -> None:
        super().update_response(response)
        # A template response renders later (still before the session middleware saves): compare then.
        if hasattr(response, "render") and not getattr(response, "is_rendered", True):
            response.add_post_render_callback(self._mark_if_changed)
        else:
            self._mark_if_changed()
