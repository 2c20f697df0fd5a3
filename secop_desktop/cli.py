"""Command line: with no command the main window opens; the other commands call the same services."""

from __future__ import annotations

import argparse
import contextlib
import getpass
import os
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any, NoReturn

from secop_desktop import __version__
from secop_desktop.core.text import fold

OK, REFUSED, USAGE = 0, 1, 2

# argparse's own messages, in the Spanish the rest of the app speaks.
_ARGPARSE_ES: tuple[tuple[str, str], ...] = (
    (r"^the following arguments are required: (.*)$", r"faltan argumentos obligatorios: \1"),
    (r"^unrecognized arguments: (.*)$", r"argumentos no reconocidos: \1"),
    (r"^argument (.*?): invalid choice: (.*?) \(choose from (.*)\)$",
     r"argumento \1: valor no válido: \2 (elija entre \3)"),
    (r"^invalid choice: (.*?) \(choose from (.*)\)$", r"orden no válida: \1 (elija entre \2)"),
    (r"^argument (.*?): expected one argument$", r"argumento \1: falta su valor"),
    (r"^argument (.*?): (.*)$", r"argumento \1: \2"),
)


class _Formatter(argparse.HelpFormatter):
    def add_usage(self, usage: str | None, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, prefix="Uso: " if prefix is None else prefix)


class SpanishParser(argparse.ArgumentParser):
    """argparse with Spanish headings, help and error messages."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "argumentos"
        self._optionals.title = "opciones"
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                          help="muestra esta ayuda y termina")

    def error(self, message: str) -> NoReturn:
        for pattern, replacement in _ARGPARSE_ES:
            if re.match(pattern, message):
                message = re.sub(pattern, replacement, message)
                break
        self.print_usage(sys.stderr)
        self.exit(USAGE, f"{self.prog}: error: {message}\n")


def _estado(value: str) -> str:
    """An access state (Pendiente, Aceptado, Rechazado, Cancelado) or a user state, in any case."""
    from secop_desktop.vocab import Acceso, EstadoUsuario

    for option in [a.value for a in Acceso] + [e.value for e in EstadoUsuario]:
        if fold(option) == fold(value):
            return option
    valid = ", ".join([a.value for a in Acceso] + [e.value for e in EstadoUsuario])
    raise argparse.ArgumentTypeError(f"estado no válido: «{value}» (use {valid})")


def build_parser() -> argparse.ArgumentParser:
    parser = SpanishParser(
        prog="python -m secop_desktop",
        description="Registro de proveedores del SECOP II sin navegador. Sin orden, abre la ventana principal.",
        epilog="Códigos de salida: 0 correcto, 1 rechazado por una regla (el motivo va a la salida de "
               "errores), 2 uso incorrecto.",
    )
    parser.add_argument("--version", action="version", version=f"secop-desktop {__version__}",
                        help="muestra la versión y termina")
    parser.add_argument("--capacitacion", action="store_true",
                        help="usa la base de datos de práctica (MODO DE CAPACITACIÓN), separada de los datos reales")
    sub = parser.add_subparsers(dest="orden", metavar="orden", title="órdenes")
    sub.add_parser("admin", help="abre la ventana Administración de usuarios",
                   description="Abre la ventana Administración de usuarios.")
    sub.add_parser("init", help="crea o actualiza la base de datos y termina",
                   description="Crea o actualiza la base de datos (y la de práctica con --capacitacion) y termina.")

    cap = sub.add_parser("capacitacion", help="administra el modo de capacitación",
                         description="Administra la base de datos de práctica.")
    cap_sub = cap.add_subparsers(dest="accion", metavar="acción", title="acciones", required=True)
    reiniciar = cap_sub.add_parser("reiniciar", help="vuelve la práctica a su estado inicial",
                                   description="Reiniciar capacitación: borra lo hecho en la práctica y "
                                               "restaura los datos sembrados.")
    reiniciar.add_argument("--si", action="store_true", help="no pregunta la confirmación")

    exportar = sub.add_parser("exportar", help="Exportar registro: crea un paquete .secop de una Entidad",
                              description="Exportar registro: un archivo .secop con los datos de la Entidad, "
                                          "sus usuarios (sin contraseñas) y sus documentos.")
    exportar.add_argument("entidad", help="NIT (sin dígito de verificación) o nombre completo de la Entidad")
    exportar.add_argument("archivo", type=Path, help="archivo .secop que se crea")
    exportar.add_argument("--pais", default="COLOMBIA", help="país de la Entidad (por defecto COLOMBIA)")

    importar = sub.add_parser("importar", help="Importar registro: valida un paquete .secop y lo guarda",
                              description="Importar registro: valida todo el paquete antes de guardar nada.")
    importar.add_argument("archivo", type=Path, help="paquete .secop")
    importar.add_argument("--vista-previa", action="store_true", help="solo valida y muestra lo que se importaría")
    importar.add_argument("--solicitar-acceso", action="store_true",
                          help="si la Entidad ya existe, hace una Solicitud de acceso para sus usuarios")

    usuarios = sub.add_parser("usuarios", help="lista los usuarios y su acceso a las cuentas",
                              description="Lista usuarios con su estado y su Acceso a la cuenta "
                                          "(una línea por usuario y cuenta, separada por tabuladores).")
    usuarios.add_argument("--estado", type=_estado,
                          help="filtra por acceso (Pendiente, Aceptado, Rechazado, Cancelado) o por estado "
                               "del usuario (pendiente de confirmación, activo, bloqueado)")
    usuarios.add_argument("--nit", help="solo los usuarios de la Entidad con este NIT")

    for nombre, accion in (("aceptar", "Aceptar acceso"), ("rechazar", "Rechazar acceso")):
        p = sub.add_parser(nombre, help=f"«{accion}» a la solicitud de un usuario, como administrador",
                           description=f"«{accion}»: actúa como el administrador indicado en --como.")
        p.add_argument("usuario", help="usuario que solicitó el acceso")
        p.add_argument("--nit", required=True, help="NIT de la Entidad")
        p.add_argument("--como", required=True, metavar="ADMINISTRADOR", help="usuario administrador que actúa")
        p.add_argument("--contrasena-env", metavar="VARIABLE",
                       help="variable de entorno con la contraseña del administrador (si no, se pregunta)")

    buzon = sub.add_parser("buzon", help="muestra los mensajes del Buzón de un usuario",
                           description="Muestra los mensajes del Buzón de un usuario, del más reciente al más "
                                       "antiguo.")
    buzon.add_argument("usuario", help="usuario dueño del Buzón (se pide su contraseña)")
    buzon.add_argument("--contrasena-env", metavar="VARIABLE",
                       help="toma la contraseña del dueño de esta variable de entorno en vez de preguntarla")
    buzon.add_argument("--no-leidos", action="store_true", help="solo los mensajes no leídos")
    buzon.add_argument("--completo", action="store_true", help="muestra también el texto de cada mensaje")
    return parser


class TerminalProgress:
    """'Exportando: 45 %' on a terminal (stderr), silent when the output is a pipe or a file."""

    def __init__(self, label: str, stream: IO[str] | None = None) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self._last = -1

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        percent = 100 if total <= 0 else min(100, done * 100 // total)
        if percent != self._last:
            self._last = percent
            bar = "#" * (percent // 4)
            self.stream.write(f"\r{self.label}: [{bar:<25}] {percent:3d} %")
            self.stream.flush()

    def finish(self) -> None:
        if self.enabled and self._last >= 0:
            self.stream.write("\n")
            self.stream.flush()


def _open_services(args: argparse.Namespace, progress: Callable[[int, int], None] | None = None) -> Any:
    if args.capacitacion:
        from secop_desktop.core.training import training

        return training.open_training(progress=progress)
    from secop_desktop.core.services import Services

    return Services.open()


class Refused(Exception):
    """A refusal the CLI explains itself (exit code 1)."""


class UsageProblem(Exception):
    """Wrong use the parser could not see (exit code 2)."""


def _find_entity(services: Any, entidad: str, pais: str = "COLOMBIA") -> Any:
    from sqlalchemy import select

    from secop_desktop.core.entities.service import summary
    from secop_desktop.store.models import Entity

    digits = re.sub(r"[\s.]", "", entidad)
    with services.db.session() as s:
        if digits.isdigit():
            found = s.scalar(select(Entity).where(Entity.pais == pais, Entity.nit == digits))
        else:
            found = s.scalars(select(Entity).where(Entity.pais == pais,
                                                   Entity.nombre_busqueda == fold(" ".join(entidad.split())))).first()
        if found is None:
            raise Refused(f"No existe una Entidad con el NIT o nombre «{entidad}» en {pais}.")
        return summary(found)


def _cmd_init(args: argparse.Namespace, out: IO[str]) -> int:
    progress = TerminalProgress("Preparando la capacitación")
    services = _open_services(args, progress)
    progress.finish()
    try:
        print(f"Base de datos lista: {services.db.engine.url.render_as_string(hide_password=True)}", file=out)
    finally:
        services.close()
    return OK


def _cmd_reiniciar(args: argparse.Namespace, out: IO[str], confirm: Callable[[str], str]) -> int:
    from secop_desktop.core.training import training

    if not args.si:
        if not sys.stdin.isatty():
            raise UsageProblem("Para reiniciar sin preguntar use --si.")
        answer = confirm("¿Reiniciar la capacitación? Se borrará todo lo hecho en la práctica. [s/N] ")
        if fold(answer.strip()) not in ("s", "si"):
            raise Refused("No se reinició la capacitación.")
    progress = TerminalProgress("Preparando la capacitación")
    services = training.open_training(progress=progress)
    progress.finish()
    try:
        training.reset(services)
    finally:
        services.close()
    print("Capacitación reiniciada: los datos de práctica volvieron a su estado inicial.", file=out)
    return OK


def _cmd_exportar(args: argparse.Namespace, out: IO[str]) -> int:
    from secop_desktop.core.packages import package

    services = _open_services(args)
    try:
        entity = _find_entity(services, args.entidad, args.pais)
        dest: Path = args.archivo
        if dest.suffix.lower() != package.SUFFIX:
            dest = dest.with_name(dest.name + package.SUFFIX)
        progress = TerminalProgress("Exportando")
        try:
            result = package.export_registration(services, entity.id, dest, progress=progress)
        finally:
            progress.finish()
    finally:
        services.close()
    print(f"Registro exportado: {result.path} ({result.documentos} documentos, {result.tamano} bytes)", file=out)
    return OK


def _print_preview(preview: Any, out: IO[str]) -> None:
    form = preview.entidad
    nit = f"{form.nit}-{form.dv}" if form.nit and form.dv else (form.nit or "sin NIT")
    print(f"Entidad: {form.nombre}", file=out)
    print(f"NIT: {nit}", file=out)
    print(f"Tipo de organización: {form.tipo_organizacion}", file=out)
    print(f"Representante legal: {form.representante_nombre}", file=out)
    print(f"Paquete creado: {preview.creado_en.isoformat()} (secop-desktop {preview.version_app})", file=out)
    for u in preview.usuarios:
        existe = "ya existe: se vincula" if u.existe else "nuevo: pendiente de confirmación"
        rol = "Administrador" if u.es_administrador else "Proveedor"
        print(f"Usuario: {u.usuario}\t{u.nombre}\t{u.correo}\t{rol}\t{u.acceso}\t{existe}", file=out)
    for d in preview.documentos:
        print(f"Documento: {d.tipo}\t{d.nombre_original}\t{d.tamano} bytes\tSHA-256 {d.sha256}", file=out)


def _cmd_importar(args: argparse.Namespace, out: IO[str]) -> int:
    from secop_desktop.core.packages import package

    services = _open_services(args)
    try:
        if args.vista_previa:
            progress = TerminalProgress("Validando")
            try:
                preview = package.preview(services, args.archivo, progress=progress)
            finally:
                progress.finish()
            _print_preview(preview, out)
            if preview.entidad_existente is not None:
                print(f"La Entidad ya existe ({preview.entidad_existente.nombre}): al importar se hará una "
                      "Solicitud de acceso solo si usa --solicitar-acceso.", file=out)
            print("Vista previa: el paquete es válido; no se guardó nada.", file=out)
            return OK
        # import_registration checks everything again itself; no separate preview pass is needed.
        progress = TerminalProgress("Importando")
        try:
            result = package.import_registration(services, args.archivo, solicitar_acceso=args.solicitar_acceso,
                                                 progress=progress)
        except package.EntityExists as exc:
            raise Refused(f"{exc.message} No se importó nada; use --solicitar-acceso.") from exc
        finally:
            progress.finish()
    finally:
        services.close()
    if result.creada:
        print(f"Registro importado: {result.entidad} con {result.documentos} documentos.", file=out)
    else:
        print(f"Solicitud de acceso enviada a los administradores de {result.entidad}.", file=out)
    for usuario in result.usuarios_creados:
        print(f"Usuario creado (pendiente de confirmación, mensaje de activación en su Buzón): {usuario}", file=out)
    for code in result.codigos:
        # The only time the code is shown: the person who imported hands it to its owner.
        print(f"Código de activación para entregar a {code.usuario}: {code.codigo} "
              f"(vence el {code.expira_en:%d/%m/%Y %H:%M} UTC; se usa en «Olvidé mi contraseña» › «Ya tengo un código»)",
              file=out)
    for usuario in result.usuarios_vinculados:
        print(f"Usuario existente vinculado: {usuario}", file=out)
    return OK


def _cmd_usuarios(args: argparse.Namespace, out: IO[str]) -> int:
    from sqlalchemy import select

    from secop_desktop.store.models import Entity, Membership, User
    from secop_desktop.vocab import Acceso

    services = _open_services(args)
    try:
        with services.db.session() as s:
            query = (select(User, Membership, Entity)
                     .outerjoin(Membership, Membership.user_id == User.id)
                     .outerjoin(Entity, Entity.id == Membership.entity_id)
                     .order_by(User.usuario_normalizado, Entity.nombre_busqueda))
            if args.nit:
                query = query.where(Entity.nit == re.sub(r"[\s.]", "", args.nit))
            if args.estado in {a.value for a in Acceso}:
                query = query.where(Membership.acceso == args.estado)
            elif args.estado:
                query = query.where(User.estado == args.estado)
            rows = s.execute(query).all()
            print("Usuario\tNombre\tCorreo\tEstado\tEntidad\tNIT\tAcceso a la cuenta\tRol", file=out)
            for user, m, entity in rows:
                rol = ""
                if m is not None:
                    rol = ("Administrador y Proveedor" if m.es_administrador and m.es_proveedor
                           else "Administrador" if m.es_administrador else "Proveedor")
                print("\t".join([user.usuario, user.nombre, user.correo, user.estado,
                                 entity.nombre if entity else "", (entity.nit or "") if entity else "",
                                 m.acceso if m else "", rol]), file=out)
    finally:
        services.close()
    return OK


def _password(args: argparse.Namespace, ask: Callable[[str], str]) -> str:
    if args.contrasena_env:
        value = os.environ.get(args.contrasena_env)
        if value is None:
            raise UsageProblem(f"La variable de entorno {args.contrasena_env} no está definida.")
        return value
    return ask(f"Contraseña de {args.como}: ")


def _cmd_decidir(args: argparse.Namespace, out: IO[str], ask: Callable[[str], str]) -> int:
    from sqlalchemy import select

    from secop_desktop.core import validators
    from secop_desktop.core.access.service import Accion
    from secop_desktop.store.models import Membership, User

    accion = Accion.ACEPTAR if args.orden == "aceptar" else Accion.RECHAZAR
    password = _password(args, ask)
    services = _open_services(args)
    try:
        admin = services.users.profile(services.users.sign_in(args.como, password))
        entity = _find_entity(services, args.nit)
        with services.db.session() as s:
            row = s.execute(select(Membership, User).join(User).where(
                Membership.entity_id == entity.id,
                User.usuario_normalizado == validators.normalize_usuario(args.usuario))).first()
            if row is None:
                raise Refused(f"El usuario «{args.usuario}» no tiene una solicitud de acceso a {entity.nombre}.")
            membership, user = row
            mid, nombre = membership.id, user.nombre
        services.access.apply(admin.id, entity.id, accion, [mid])
    finally:
        services.close()
    hecho = "aceptado" if accion is Accion.ACEPTAR else "rechazado"
    print(f"Acceso {hecho}: {args.usuario} ({nombre}) en {entity.nombre}.", file=out)
    return OK


def _cmd_buzon(args: argparse.Namespace, out: IO[str], ask: Callable[[str], str]) -> int:
    from secop_desktop.core.dates import format_fecha

    # The Buzón holds activation and reset codes: only its owner, with the password, reads it.
    if args.contrasena_env:
        password = os.environ.get(args.contrasena_env)
        if password is None:
            raise UsageProblem(f"La variable de entorno {args.contrasena_env} no está definida.")
    else:
        password = ask(f"Contraseña de {args.usuario}: ")
    services = _open_services(args)
    try:
        actor = services.users.sign_in(args.usuario, password, allow_pending=True)
        messages = services.mailbox.messages(actor, limit=10_000)
        zona = services.users.profile(actor).zona_horaria
        if args.no_leidos:
            messages = [m for m in messages if not m.leido]
        print("Fecha\tEstado\tAsunto", file=out)
        for m in messages:
            print(f"{format_fecha(m.creado_en, zona)}\t{'leído' if m.leido else 'no leído'}\t{m.asunto}", file=out)
            if args.completo:
                print("\n".join("    " + line for line in m.cuerpo.splitlines()), file=out)
                if m.enlace:
                    print(f"    Enlace: {m.enlace}", file=out)
    finally:
        services.close()
    return OK


def run(argv: Sequence[str], *, out: IO[str] | None = None, err: IO[str] | None = None,
        ask: Callable[[str], str] | None = None) -> int:
    """Runs one command; returns the exit code (0 ok, 1 refused by a rule, 2 wrong use)."""
    from secop_desktop.core.documents.blobstore import CopyCancelled
    from secop_desktop.errors import ServiceError

    out = out or sys.stdout
    err = err or sys.stderr
    try:
        # argparse writes help to stdout and errors to stderr itself; send them where the caller asked.
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            args = build_parser().parse_args(list(argv))
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else USAGE
    try:
        if args.orden == "init":
            return _cmd_init(args, out)
        if args.orden == "capacitacion":
            return _cmd_reiniciar(args, out, ask or input)
        if args.orden == "exportar":
            return _cmd_exportar(args, out)
        if args.orden == "importar":
            return _cmd_importar(args, out)
        if args.orden == "usuarios":
            return _cmd_usuarios(args, out)
        if args.orden in ("aceptar", "rechazar"):
            return _cmd_decidir(args, out, ask or getpass.getpass)
        if args.orden == "buzon":
            return _cmd_buzon(args, out, ask or getpass.getpass)
    except (ServiceError, Refused) as exc:
        print(getattr(exc, "message", None) or str(exc), file=err)
        return REFUSED
    except UsageProblem as exc:
        print(str(exc), file=err)
        return USAGE
    except CopyCancelled:
        print("Operación cancelada; no se guardó nada.", file=err)
        return REFUSED
    except KeyboardInterrupt:
        print("\nOperación interrumpida.", file=err)
        return 130
    from secop_desktop.views.launcher import launch

    return launch(admin=args.orden == "admin", capacitacion=args.capacitacion)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(run(sys.argv[1:]))
