"""Exporting and importing 1,000 registrations with documents, against zip/unzip of the same files in the same run."""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select  # noqa: E402 - needs the sys.path line

from secop_desktop.core.documents.blobstore import BlobStore  # noqa: E402
from secop_desktop.core.documents.service import slots  # noqa: E402
from secop_desktop.core.entities.service import EntityForm, FinancialYear, apply_form  # noqa: E402
from secop_desktop.core.identity import System  # noqa: E402
from secop_desktop.core.packages.export import registration_data  # noqa: E402
from secop_desktop.core.services import Services  # noqa: E402
from secop_desktop.core.training import sample_pdf  # noqa: E402
from secop_desktop.core.validators import nit_check_digit  # noqa: E402
from secop_desktop.store.models import Document, Entity, Membership, User  # noqa: E402
from secop_desktop.vocab import Acceso  # noqa: E402

MIB = 1 << 20
# Generated users never sign in; argon2 for thousands of rows would measure argon2, not packages.
FAKE_HASH = "$argon2id$v=19$m=65536,t=3,p=4$generado$generado"
T0 = datetime(2017, 1, 23, 20, 41, 30, tzinfo=UTC)


@dataclass(frozen=True)
class Figures:
    seconds: float
    bytes_: int

    @property
    def mib_s(self) -> float:
        return self.bytes_ / MIB / self.seconds if self.seconds else float("inf")


def document(rng: random.Random, title: str, size: int) -> bytes:
    """A PDF-looking file of about size bytes; the body is random, like the compressed streams of real PDFs."""
    head = sample_pdf(title, ["Documento generado para la medición."])
    return head + b"%" + rng.randbytes(max(0, size - len(head) - 1))


def form(i: int) -> EntityForm:
    nit = str(900_000_000 + i * 7)
    return EntityForm(
        tipo_organizacion="Sociedad por acciones simplificada (S.A.S.)", nombre=f"Empresa de medición {i:04d} S.A.S.",
        nombre_abreviado=f"EM{i}", nit=nit, dv=nit_check_digit(nit), mipyme=True,
        regimen_tributario="Responsable de IVA", departamento_codigo="11", municipio_codigo="11001",
        direccion=f"Calle {i % 150} # 10-20", codigo_postal="110111", correo_oficina=f"oficina{i}@empresa.com.co",
        telefono_oficina="+57 601 7456788", correo_notificaciones=f"notificaciones{i}@empresa.com.co",
        representante_nombre="Ana María Rojas", representante_numero_documento=str(52_000_000 + i),
        representante_correo=f"rep{i}@empresa.com.co", representante_telefono="+57 310 2585654",
        financials=[FinancialYear(anio=2016, anio_fiscal="2016")],
    )


def populate(sv: Services, count: int, doc_kib: tuple[int, int], scratch: Path) -> int:
    """count registrations (two users, five documents each) written straight to the tables."""
    rng = random.Random(2017)
    store = BlobStore(sv.data_dir / "documents")
    tipos = [s.tipo for s in slots()]
    total = 0
    scratch.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        with sv.db.session() as s:
            ids = []
            for role in ("admin", "prov"):
                usuario = f"{role}{i:05d}"
                ids.append(s.execute(insert(User).returning(User.id), [dict(
                    nombre=f"Usuario {role} {i}", pais="COLOMBIA", nombre_entidad=f"Empresa {i}",
                    correo=f"{usuario}@empresa.com.co", tipo_registro="Manual", usuario=usuario,
                    usuario_normalizado=usuario, password_hash=FAKE_HASH,
                    pregunta_seguridad="¿Cuál es su comida favorita?",
                    respuesta_hash=FAKE_HASH, telefono_movil="+57 310 2585654",
                    zona_horaria="(UTC-05:00) Bogotá, Lima, Quito", estado="activo", creado_en=T0,
                    actualizado_en=T0)]).scalar_one())
            entity = Entity(creado_por_id=ids[0], creado_en=T0, actualizado_en=T0)
            apply_form(entity, form(i))
            s.add(entity)
            s.flush()
            for uid, admin, acceso in ((ids[0], True, Acceso.ACEPTADO), (ids[1], False, Acceso.PENDIENTE)):
                s.add(Membership(user_id=uid, entity_id=entity.id, es_administrador=admin, es_proveedor=not admin,
                                 acceso=acceso.value, activo=True, fecha_solicitud=T0, fecha_aceptacion=T0 if admin
                                 else None, actualizado_en=T0))
            for tipo in tipos:
                source = scratch / f"{tipo}.pdf"
                source.write_bytes(document(rng, tipo, rng.randint(*doc_kib) * 1024))
                blob = store.store(source)
                total += blob.size
                s.add(Document(entity_id=entity.id, tipo=tipo, nombre_original=f"{tipo.upper()}.pdf",
                               sha256=blob.sha256, tamano=blob.size, ruta=blob.relative_path,
                               anexado_por_id=ids[0], anexado_en=T0 + timedelta(minutes=1)))
    return total


def timed(fn) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--registros", type=int, default=1000)
    parser.add_argument("--kib-min", type=int, default=16)
    parser.add_argument("--kib-max", type=int, default=96)
    parser.add_argument("--nivel", type=int, default=6, help="compression level of the export (zip's default is 6)")
    args = parser.parse_args()
    for tool in ("zip", "unzip"):
        if shutil.which(tool) is None:
            print(f"falta el programa {tool}", file=sys.stderr)
            return 2
    with tempfile.TemporaryDirectory(prefix="bench-paquetes-") as tmp:
        root = Path(tmp)
        source = Services.open(f"sqlite:///{root / 'origen.sqlite3'}", root / "origen")
        target = Services.open(f"sqlite:///{root / 'destino.sqlite3'}", root / "destino")
        print(f"Preparando {args.registros} registros con 5 documentos de {args.kib_min}-{args.kib_max} KiB…")
        doc_bytes = populate(source, args.registros, (args.kib_min, args.kib_max), root / "tmp")
        with source.db.session() as s:
            entity_ids = list(s.scalars(select(Entity.id).order_by(Entity.id)))
        print(f"Documentos: {doc_bytes / MIB:.1f} MiB en {len(entity_ids) * 5} archivos")

        # The same files for zip: registro.json as exported plus the five stored documents.
        plain = root / "planos"
        store = BlobStore(source.data_dir / "documents")
        lists: list[list[str]] = []
        for entity_id in entity_ids:
            folder = plain / str(entity_id)
            folder.mkdir(parents=True)
            with source.db.session() as s:
                data, docs = registration_data(s, entity_id)
            (folder / "registro.json").write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
            lists.append([str(folder / "registro.json")] + [str(store.path_for(d.sha256)) for d in docs])

        out = root / "paquetes"
        out.mkdir()
        # The benchmark is a maintenance job: it acts as the application, not as a person.
        bench = System("medición")
        export = Figures(timed(lambda: [source.packages.export(bench, e, out / f"{e}.secop", compresslevel=args.nivel)
                                        for e in entity_ids]), doc_bytes)
        zips = root / "zips"
        zips.mkdir()
        zip_f = Figures(timed(lambda: [subprocess.run(["zip", "-q", "-j", str(zips / f"{e}.zip"), *files], check=True)
                                       for e, files in zip(entity_ids, lists, strict=True)]), doc_bytes)
        imported = Figures(timed(lambda: [target.packages.import_(bench, out / f"{e}.secop")
                                          for e in entity_ids]), doc_bytes)
        unz = root / "unzip"
        unz.mkdir()
        unzip_f = Figures(timed(lambda: [subprocess.run(["unzip", "-q", "-o", str(zips / f"{e}.zip"), "-d",
                                                         str(unz / str(e))], check=True)
                                         for e in entity_ids]), doc_bytes)

        with target.db.session() as s:
            got = (s.scalar(select(func.count()).select_from(Entity)),
                   s.scalar(select(func.count()).select_from(Document)))
        assert got == (len(entity_ids), 5 * len(entity_ids)), got
        secop_size = sum(p.stat().st_size for p in out.iterdir())
        zip_size = sum(p.stat().st_size for p in zips.iterdir())
        n = len(entity_ids)
        print(f"{'':24}{'total s':>9}{'ms/registro':>13}{'MiB/s':>9}")
        for label, f in (("exportar (.secop)", export), ("zip", zip_f), ("importar (.secop)", imported),
                         ("unzip", unzip_f)):
            print(f"{label:24}{f.seconds:9.2f}{f.seconds * 1000 / n:13.1f}{f.mib_s:9.1f}")
        print(f"Tamaño: .secop {secop_size / MIB:.1f} MiB, zip {zip_size / MIB:.1f} MiB")
        print(f"Razón exportar/zip:   {export.seconds / zip_f.seconds:.2f}")
        print(f"Razón importar/unzip: {imported.seconds / unzip_f.seconds:.2f}")
        print("Importar hace más que unzip: valida cada parte (SHA-256, nombres, ejecutables), copia cada documento "
              "al almacén con fsync y guarda usuarios, Entidad, documentos y mensajes en una transacción.")
        source.close()
        target.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
