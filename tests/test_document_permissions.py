"""Only an entity's administrators attach to or delete from its Biblioteca de documentos."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from secop_desktop.core.services import Services
from secop_desktop.errors import PermissionDenied
from secop_desktop.store.models import Document, Membership
from secop_desktop.vocab import Acceso
from tests.conftest import active_user, as_actor
from tests.factories import company_form


def test_proveedor_cannot_attach_or_delete(services: Services, tmp_path: Path) -> None:
    admin = active_user(services, "admin_hh")
    entity = services.entities.create(as_actor(services, admin), company_form()).id
    proveedor = active_user(services, "felipe")
    services.entities.request_access(as_actor(services, proveedor), entity)
    pdf = tmp_path / "RUP.pdf"
    pdf.write_bytes(b"%PDF-1.7\n" + b"x" * 2048)

    with pytest.raises(PermissionDenied, match="no tiene acceso"):  # still Pendiente
        services.documents.attach(as_actor(services, proveedor), "rup", pdf, entity_id=entity)
    with services.db.session() as s:
        s.scalars(select(Membership).where(Membership.user_id == proveedor)).one().acceso = Acceso.ACEPTADO.value
    with pytest.raises(PermissionDenied, match="Solo un administrador"):
        services.documents.attach(as_actor(services, proveedor), "rup", pdf, entity_id=entity)
    with services.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Document)) == 0

    doc = services.documents.attach(as_actor(services, admin), "rup", pdf, entity_id=entity)
    with pytest.raises(PermissionDenied):
        services.documents.delete(as_actor(services, proveedor), doc.id)
    assert [d.id for d in services.documents.list(as_actor(services, admin), entity)] == [doc.id]
    services.documents.delete(as_actor(services, admin), doc.id)
    assert services.documents.list(as_actor(services, admin), entity) == []
