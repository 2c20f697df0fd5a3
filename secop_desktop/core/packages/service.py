"""PackageService: Exportar registro and Importar registro, reached as ``services.packages``.

Who may do what:
- export: an accepted, active administrator of the Entidad (the package carries its members' personal
  data), or the application itself (a ``System`` actor: training and maintenance jobs).
- preview and import: any signed-in, active user (at the Mesa de servicio the agent signs in with their
  own account; what the package creates is audited under that name), or a ``System`` actor (training).
  The import itself is held to the forms' rules: the package is refused, with nothing stored, unless
  its Entidad, users, memberships (at least one administrator), documents (one per slot) and áreas
  pass the same validators the windows apply.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from secop_desktop.core.access import audit, authorize
from secop_desktop.core.identity import Actor, SignedIn
from secop_desktop.core.packages.export import registration_data, write_package
from secop_desktop.core.packages.format import (
    DEFAULT_LIMITS,
    Cancelled,
    ExportResult,
    ImportResult,
    Limits,
    PackagePreview,
    Progress,
)
from secop_desktop.core.packages.importer import Importer, existing_entity, existing_users, preview_of, read_package
from secop_desktop.core.registration.drafts import current_agent
from secop_desktop.store.database import UnitOfWork

if TYPE_CHECKING:  # services.py imports this module to bundle the service
    from secop_desktop.core.services import Services


class PackageService:
    def __init__(self, services: Services) -> None:
        self.db = services.db
        self.clock = services.clock
        self.users = services.users
        self.documents = services.documents

    def _importer_actor(self, s: UnitOfWork, actor: Actor) -> audit.Actor:
        """The audit name of who imports; refuses anybody but an active user or the application."""
        if isinstance(actor, SignedIn):
            user = authorize.active_user(s, actor)
            return audit.Actor(user.id, f"{user.usuario} (importación)")
        authorize.system(actor)
        return audit.Actor(None, f"importación ({current_agent()})")

    def export(self, actor: Actor, entity_id: int, dest: Path, progress: Progress | None = None,
               cancelled: Cancelled | None = None, *, compresslevel: int = 6) -> ExportResult:
        """Writes dest atomically (a .part file renamed at the end); a cancel or error leaves nothing."""
        with self.db.session() as s:
            if isinstance(actor, SignedIn):
                authorize.admin(s, actor, entity_id)
            else:
                authorize.system(actor)
            data, docs = registration_data(s, entity_id)
        return write_package(self.documents, data, docs, Path(dest), self.clock(), progress=progress,
                             cancelled=cancelled, compresslevel=compresslevel)

    def preview(self, actor: Actor, path: Path, progress: Progress | None = None, cancelled: Cancelled | None = None,
                *, limits: Limits = DEFAULT_LIMITS) -> PackagePreview:
        """Checks the whole package (every hash) without touching the store; says what would be imported."""
        with self.db.session() as s:
            self._importer_actor(s, actor)
        checked = read_package(Path(path), limits, None, progress, cancelled)
        with self.db.session() as s:
            existing = existing_entity(s, checked.form)
            linked = existing_users(s, checked.usuarios)
            return preview_of(Path(path), checked, existing, linked)

    def import_(self, actor: Actor, path: Path, progress: Progress | None = None, cancelled: Cancelled | None = None,
                *, solicitar_acceso: bool = False, limits: Limits = DEFAULT_LIMITS) -> ImportResult:
        """Checks everything, then stores users, Entidad and documents in one transaction (or nothing).

        If the Entidad already exists, EntityExists is raised unless solicitar_acceso: then the package's
        users get a Pendiente Solicitud de acceso to it and nothing of the Entidad is duplicated.
        """
        with self.db.session() as s:
            who = self._importer_actor(s, actor)
        importer = Importer(self.users, self.documents, self.clock(), who)
        return importer.run(Path(path), solicitar_acceso=solicitar_acceso, limits=limits, progress=progress,
                            cancelled=cancelled)
