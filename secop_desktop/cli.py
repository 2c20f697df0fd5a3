"""Command line: with no command the main window opens; the other commands call the same services."""

from __future__ import annotations

import argparse
import contextlib
import getpass
import io
import logging
import os
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any, NoReturn, cast

from secop_desktop import __version__
from secop_desktop.core.text import fold

OK, REFUSED, USAGE, UNEXPECTED = 0, 1, 2, 3

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


PASSWORD_ENV = "SECOP_DESKTOP_CONTRASENA"
CREDENCIALES = ("La orden «{orden}» necesita las credenciales de quien actúa: indique su usuario con --como; "
                "la contraseña se pide en la terminal o se toma de la variable de entorno " + PASSWORD_ENV + ".")
SIN_TERMINAL = ("No hay una terminal para pedir la contraseña de {usuario}: defina la variable de entorno "
                + PASSWORD_ENV + ".")


def _add_credentials(parser: argparse.ArgumentParser, quien: str = "USUARIO") -> None:
    # Never a password option: arguments show up in the shell history and in the process list.
    parser.add_argument("--como", metavar=quien,
                        help=f"usuario que actúa; la contraseña se pide en la terminal o se toma de {PASSWORD_ENV}")


def _file_arg(value: str) -> Path:
    """A file path the system can open: refused here, as misuse, instead of failing deep inside."""
    from secop_desktop.core.text import has_forbidden

    path = Path(value)
    if not value.strip() or not path.name or has_forbidden(value) or any(len(p.encode("utf-8", "surrogateescape")) > 255
                                                                       for p in path.parts):
        raise argparse.ArgumentTypeError(f"ruta de archivo no válida: «{value!a}»")
    return path


def build_parser() -> argparse.ArgumentParser:
    parser = SpanishParser(
        prog="python -m secop_desktop",
        description="Registro de proveedores del SECOP II sin navegador. Sin orden, abre la ventana principal.",
        epilog="Las órdenes usuarios, buzon, exportar, importar, aceptar, rechazar y verificar actúan como un "
               "usuario: "
               f"--como USUARIO y la contraseña (en la terminal o en {PASSWORD_ENV}). "
               "Códigos de salida: 0 correcto, 1 rechazado por una regla (el motivo va a la salida de "
               "errores), 2 uso incorrecto o faltan las credenciales, 3 error inesperado (los detalles "
               "quedan en el registro).",
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

    mesa = sub.add_parser("mesa-de-ayuda", help="concede, retira o lista el rol «Agente de mesa de ayuda»",
                          description="El rol «Agente de mesa de ayuda» permite buscar cualquier proveedor "
                                      "(solo lectura). Lo administra quien puede abrir la base de datos desde "
                                      "la línea de órdenes; cada cambio queda en el registro de auditoría.")
    mesa_sub = mesa.add_subparsers(dest="accion", metavar="acción", title="acciones", required=True)
    for accion, ayuda in (("conceder", "da el rol al usuario"), ("retirar", "quita el rol al usuario")):
        mesa_sub.add_parser(accion, help=ayuda, description=ayuda.capitalize() + ".").add_argument(
            "usuario", help="usuario que recibe o pierde el rol")
    mesa_sub.add_parser("listar", help="lista los usuarios con el rol", description="Lista los usuarios con el rol.")

    cap = sub.add_parser("capacitacion", help="administra el modo de capacitación",
                         description="Administra la base de datos de práctica.")
    cap_sub = cap.add_subparsers(dest="accion", metavar="acción", title="acciones", required=True)
    reiniciar = cap_sub.add_parser("reiniciar", help="vuelve la práctica a su estado inicial",
                                   description="Reiniciar capacitación: borra lo hecho en la práctica y "
                                               "restaura los datos sembrados.")
    reiniciar.add_argument("--si", action="store_true", help="no pregunta la confirmación")

    exportar = sub.add_parser("exportar", help="Exportar registro: crea un paquete .secop de una Entidad",
                              description="Exportar registro: un archivo .secop con los datos de la Entidad, "
                                          "sus usuarios (sin contraseñas) y sus documentos. Solo un "
                                          "administrador de la Entidad.")
    exportar.add_argument("entidad", help="NIT (sin dígito de verificación) o nombre completo de la Entidad")
    exportar.add_argument("archivo", type=_file_arg, help="archivo .secop que se crea")
    exportar.add_argument("--pais", default="COLOMBIA", help="país de la Entidad (por defecto COLOMBIA)")
    _add_credentials(exportar)

    importar = sub.add_parser("importar", help="Importar registro: valida un paquete .secop y lo guarda",
                              description="Importar registro: valida todo el paquete antes de guardar nada.")
    importar.add_argument("archivo", type=_file_arg, help="paquete .secop")
    importar.add_argument("--vista-previa", action="store_true", help="solo valida y muestra lo que se importaría")
    importar.add_argument("--solicitar-acceso", action="store_true",
                          help="si la Entidad ya existe, hace una Solicitud de acceso para sus usuarios")
    _add_credentials(importar)

    usuarios = sub.add_parser("usuarios", help="lista los usuarios de las cuentas que usted administra",
                              description="Lista los usuarios de las cuentas que administra el usuario de --como, "
                                          "con su estado y su Acceso a la cuenta (una línea por usuario y cuenta, "
                                          "separada por tabuladores).")
    usuarios.add_argument("--estado", type=_estado,
                          help="filtra por acceso (Pendiente, Aceptado, Rechazado, Cancelado) o por estado "
                               "del usuario (pendiente de confirmación, activo, bloqueado)")
    usuarios.add_argument("--nit", help="solo los usuarios de la Entidad con este NIT")
    _add_credentials(usuarios)

    for nombre, accion in (("aceptar", "Aceptar acceso"), ("rechazar", "Rechazar acceso")):
        p = sub.add_parser(nombre, help=f"«{accion}» a la solicitud de un usuario, como administrador",
                           description=f"«{accion}»: actúa como el administrador indicado en --como.")
        p.add_argument("usuario", help="usuario que solicitó el acceso")
        p.add_argument("--nit", required=True, help="NIT de la Entidad")
        _add_credentials(p, quien="ADMINISTRADOR")

    buzon = sub.add_parser("buzon", help="muestra los mensajes de su Buzón",
                           description="Muestra los mensajes del Buzón del usuario de --como, del más reciente "
                                       "al más antiguo.")
    buzon.add_argument("--no-leidos", action="store_true", help="solo los mensajes no leídos")
    buzon.add_argument("--completo", action="store_true", help="muestra también el texto de cada mensaje")
    _add_credentials(buzon)

    verificar = sub.add_parser(
        "verificar", aliases=["lista-verificacion"],
        help="Lista de verificación: qué tiene y qué le falta a un registro",
        description="Lista de verificación de un registro: cada parte de la guía (usuario, confirmación, datos "
                    "de la Entidad por sección, representante legal, cada documento obligatorio) con ✓ o lo que "
                    "falta, y el porcentaje completo. De una Entidad (sus miembros, con --como) o de un "
                    "borrador de este equipo (--borrador; con --como si ya tiene Entidad, para ver sus "
                    "documentos).")
    verificar.add_argument("entidad", nargs="?", help="NIT (sin dígito de verificación) o nombre completo de la Entidad")
    verificar.add_argument("--borrador", type=int, metavar="ID", help="número del borrador (Continuar registro pendiente)")
    verificar.add_argument("--pais", default="COLOMBIA", help="país de la Entidad (por defecto COLOMBIA)")
    _add_credentials(verificar)
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
    from secop_desktop.core.identity import STARTUP

    if args.capacitacion:
        from secop_desktop.core import training

        services = training.open_training(progress=progress)
    else:
        from secop_desktop.core.services import Services

        services = Services.open()
    # As at the GUI's start: what an interrupted attach, import or export left behind goes.
    services.documents.clean_leftovers(STARTUP)
    services.documents.send_due_reminders(STARTUP)  # one Buzón reminder per document about to expire
    return services


class Refused(Exception):
    """A refusal the CLI explains itself (exit code 1)."""


class UsageProblem(Exception):
    """Wrong use the parser could not see (exit code 2)."""


Ask = Callable[[str], str]


def _credentials(args: argparse.Namespace, ask: Ask | None) -> tuple[str, str]:
    """--como and the password (environment, else a terminal prompt); missing ones are a usage error."""
    if not (args.como or "").strip():
        raise UsageProblem(CREDENCIALES.format(orden=args.orden))
    password = os.environ.get(PASSWORD_ENV)
    if password is not None:
        return args.como, password
    if ask is None:
        if not sys.stdin.isatty():
            raise UsageProblem(SIN_TERMINAL.format(usuario=args.como))
        ask = getpass.getpass
    return args.como, ask(f"Contraseña de {args.como}: ")


def _find_entity(services: Any, entidad: str, pais: str = "COLOMBIA") -> Any:
    found = services.entities.find(entidad, pais)
    if found is None:
        raise Refused(f"No existe una Entidad con el NIT o nombre «{entidad}» en {pais}.")
    return found


def _cmd_init(args: argparse.Namespace, out: IO[str]) -> int:
    progress = TerminalProgress("Preparando la capacitación")
    services = _open_services(args, progress)
    progress.finish()
    try:
        print(f"Base de datos lista: {services.database_text()}", file=out)
    finally:
        services.close()
    return OK


def _cmd_mesa_de_ayuda(args: argparse.Namespace, out: IO[str]) -> int:
    from secop_desktop.core.identity import System

    # Like init: whoever can open the database from here is trusted with it; no user signs in.
    actor = System(f"línea de órdenes: mesa-de-ayuda {args.accion}")
    services = _open_services(args)
    try:
        if args.accion == "listar":
            print("Usuario\tNombre\tConcedido\tPor", file=out)
            for a in services.lookup.agents(actor):
                print(f"{a.usuario}\t{a.nombre}\t{a.concedido_en:%Y-%m-%d %H:%M} UTC\t{a.concedido_por}", file=out)
        elif args.accion == "conceder":
            changed = services.lookup.grant_agent(actor, args.usuario)
            print(f"Rol «Agente de mesa de ayuda» concedido a {args.usuario}." if changed
                  else f"{args.usuario} ya tenía el rol «Agente de mesa de ayuda».", file=out)
        else:
            changed = services.lookup.revoke_agent(actor, args.usuario)
            print(f"Rol «Agente de mesa de ayuda» retirado a {args.usuario}." if changed
                  else f"{args.usuario} no tenía el rol «Agente de mesa de ayuda».", file=out)
    finally:
        services.close()
    return OK


def _cmd_reiniciar(args: argparse.Namespace, out: IO[str], confirm: Callable[[str], str]) -> int:
    from secop_desktop.core import training

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
        services.training.reset()
    finally:
        services.close()
    print("Capacitación reiniciada: los datos de práctica volvieron a su estado inicial.", file=out)
    return OK


def _cmd_exportar(args: argparse.Namespace, out: IO[str], ask: Ask | None) -> int:
    from secop_desktop.core.packages.format import SUFFIX

    usuario, contrasena = _credentials(args, ask)
    services = _open_services(args)
    try:
        actor = services.users.sign_in(usuario, contrasena)
        entity = _find_entity(services, args.entidad, args.pais)
        # The same check the Exportar registro dialog relies on: administrators of the Entidad only.
        services.access.check_admin(actor, entity.id)
        dest: Path = args.archivo
        if dest.suffix.lower() != SUFFIX:
            dest = dest.with_name(dest.name + SUFFIX)
        progress = TerminalProgress("Exportando")
        try:
            result = services.packages.export(actor, entity.id, dest, progress)
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


def _cmd_importar(args: argparse.Namespace, out: IO[str], ask: Ask | None) -> int:
    from secop_desktop.core.packages.format import EntityExists

    usuario, contrasena = _credentials(args, ask)
    services = _open_services(args)
    try:
        # Any active user may bring a registration in (as anyone may register an Entidad); the package
        # says which users it links, and an existing Entidad only gets a Solicitud de acceso.
        actor = services.users.sign_in(usuario, contrasena)
        if args.vista_previa:
            progress = TerminalProgress("Validando")
            try:
                preview = services.packages.preview(actor, args.archivo, progress)
            finally:
                progress.finish()
            _print_preview(preview, out)
            if preview.entidad_existente is not None:
                print(f"La Entidad ya existe ({preview.entidad_existente.nombre}): al importar se hará una "
                      "Solicitud de acceso solo si usa --solicitar-acceso.", file=out)
            print("Vista previa: el paquete es válido; no se guardó nada.", file=out)
            return OK
        # import_ checks everything again itself; no separate preview pass is needed.
        progress = TerminalProgress("Importando")
        try:
            result = services.packages.import_(actor, args.archivo, progress,
                                               solicitar_acceso=args.solicitar_acceso)
        except EntityExists as exc:
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


def _cmd_usuarios(args: argparse.Namespace, out: IO[str], ask: Ask | None) -> int:
    from secop_desktop.vocab import Acceso

    usuario, contrasena = _credentials(args, ask)
    acceso = args.estado if args.estado in {a.value for a in Acceso} else None
    estado_usuario = args.estado if args.estado and acceso is None else None
    services = _open_services(args)
    try:
        actor = services.users.sign_in(usuario, contrasena)
        if args.nit:
            entity = _find_entity(services, args.nit)
            services.access.check_admin(actor, entity.id)
            accounts = [(entity.id, entity.nombre)]
        else:
            accounts = services.access.require_any_admin(actor)
        lines: list[tuple[str, str, list[str]]] = []
        for entity_id, nombre in accounts:
            nit = services.entities.get(actor, entity_id).form.nit
            for row in services.access.members(actor, entity_id, acceso=acceso):
                if estado_usuario is not None and row.estado_usuario != estado_usuario:
                    continue
                lines.append((fold(row.usuario), fold(nombre), [row.usuario, row.nombre, row.correo,
                                                                row.estado_usuario, nombre, nit, row.acceso, row.rol]))
    finally:
        services.close()
    print("Usuario\tNombre\tCorreo\tEstado\tEntidad\tNIT\tAcceso a la cuenta\tRol", file=out)
    for *_, cells in sorted(lines, key=lambda line: line[:2]):
        print("\t".join(cells), file=out)
    return OK


def _cmd_decidir(args: argparse.Namespace, out: IO[str], ask: Ask | None) -> int:
    from secop_desktop.core import validators
    from secop_desktop.core.access.service import Accion

    accion = Accion.ACEPTAR if args.orden == "aceptar" else Accion.RECHAZAR
    usuario, contrasena = _credentials(args, ask)
    services = _open_services(args)
    try:
        actor = services.users.sign_in(usuario, contrasena)
        entity = _find_entity(services, args.nit)
        wanted = validators.normalize_usuario(args.usuario)
        row = next((r for r in services.access.members(actor, entity.id)
                    if validators.normalize_usuario(r.usuario) == wanted), None)
        if row is None:
            raise Refused(f"El usuario «{args.usuario}» no tiene una solicitud de acceso a {entity.nombre}.")
        services.access.apply(actor, entity.id, accion, [row.membership_id])
    finally:
        services.close()
    hecho = "aceptado" if accion is Accion.ACEPTAR else "rechazado"
    print(f"Acceso {hecho}: {args.usuario} ({row.nombre}) en {entity.nombre}.", file=out)
    return OK


def _cmd_buzon(args: argparse.Namespace, out: IO[str], ask: Ask | None) -> int:
    from secop_desktop.core.dates import format_fecha

    # The Buzón holds activation and reset codes: only its owner, with the password, reads it
    # (a pending owner too: that is where the activation message is).
    usuario, contrasena = _credentials(args, ask)
    services = _open_services(args)
    try:
        actor = services.users.sign_in(usuario, contrasena, allow_pending=True)
        messages = services.mailbox.messages(actor, limit=10_000)
        zona = services.users.profile(actor).zona_horaria
    finally:
        services.close()
    if args.no_leidos:
        messages = [m for m in messages if not m.leido]
    print("Fecha\tEstado\tAsunto", file=out)
    for m in messages:
        print(f"{format_fecha(m.creado_en, zona)}\t{'leído' if m.leido else 'no leído'}\t{m.asunto}", file=out)
        if args.completo:
            print("\n".join("    " + line for line in m.cuerpo.splitlines()), file=out)
            if m.enlace:
                print(f"    Enlace: {m.enlace}", file=out)
    return OK


VERIFICAR_QUE = "Indique el NIT o el nombre de la Entidad, o el número de un borrador con --borrador."


def _cmd_verificar(args: argparse.Namespace, out: IO[str], ask: Ask | None) -> int:
    from secop_desktop.core.registration.checklist import checklist
    from secop_desktop.core.registration.drafts import current_agent

    if (args.entidad is None) == (args.borrador is None):
        raise UsageProblem(VERIFICAR_QUE)
    credentials = _credentials(args, ask) if args.entidad is not None else None
    services = _open_services(args)
    try:
        if args.borrador is not None:
            # Drafts belong to this computer's agent; their documents, once the Entidad exists, to its members.
            draft = services.drafts.load(current_agent(), args.borrador)
            if draft is None:
                raise Refused(f"No existe el borrador {args.borrador}.")
            titulo = f"Borrador {draft.id}: {draft.titulo}"
            entity_id = draft.datos.get("entity_id")
            if entity_id is None:
                lista = checklist(draft.datos)
            else:
                actor = services.users.sign_in(*_credentials(args, ask))
                lista = services.entities.checklist(actor, int(entity_id), draft.datos)
        else:
            assert credentials is not None
            actor = services.users.sign_in(*credentials)
            entity = _find_entity(services, args.entidad, args.pais)
            titulo = f"Entidad: {entity.nombre}" + (f" (NIT {entity.nit})" if entity.nit else "")
            lista = services.entities.checklist(actor, entity.id)
    finally:
        services.close()
    print(titulo, file=out)
    for line in lista.lineas():
        print(line, file=out)
    first = lista.primer_faltante
    if first is not None:
        print(f"Primer faltante: {first.etiqueta + ': ' if first.etiqueta else ''}{first.mensaje}", file=out)
    return OK


class _Printable(io.TextIOBase):
    """Writes through to a stream, showing lone surrogates (argv bytes that were not UTF-8) as \\udcxx
    instead of failing on a strict UTF-8 terminal when a message echoes the argument back."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(text.encode("utf-8", "backslashreplace").decode("utf-8"))
        return len(text)

    def flush(self) -> None:
        self._stream.flush()

    def isatty(self) -> bool:
        return bool(getattr(self._stream, "isatty", lambda: False)())


def _unexpected(err: IO[str]) -> int:
    """Logs the traceback; the user gets one Spanish line and where the details are."""
    from secop_desktop import logs

    logging.getLogger("secop_desktop.cli").exception("Error inesperado en la línea de órdenes")
    where = logs.log_file()
    print("Ocurrió un error inesperado; la orden no se completó."
          + (f" Los detalles quedaron en el registro: {where}" if where else ""), file=err)
    return UNEXPECTED


# packages.format.SUFFIX (a test keeps them equal), without importing the packages at every start.
PACKAGE_SUFFIX = ".secop"


def _package_argument(argv: Sequence[str]) -> Path | None:
    """The registration package when the only argument is a .secop file (no command names end so)."""
    if len(argv) == 1 and not argv[0].startswith("-") and argv[0].lower().endswith(PACKAGE_SUFFIX):
        return Path(argv[0])
    return None


def run(argv: Sequence[str], *, out: IO[str] | None = None, err: IO[str] | None = None,
        ask: Callable[[str], str] | None = None) -> int:
    """Runs one command; returns the exit code (0 ok, 1 refused by a rule, 2 wrong use, 3 unexpected error)."""
    from secop_desktop import logs

    out = cast(IO[str], _Printable(out or sys.stdout))
    err = cast(IO[str], _Printable(err or sys.stderr))
    if (package := _package_argument(argv)) is not None:
        # A .secop opened from the file manager (the .desktop file's %f): the window, then Importar registro.
        logs.setup()
        from secop_desktop.views.launcher import launch

        try:
            return launch(importar=package)
        except Exception:  # noqa: BLE001 - the edge: logged, exit code 3
            return _unexpected(err)
    try:
        # argparse writes help to stdout and errors to stderr itself; send them where the caller asked.
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            args = build_parser().parse_args(list(argv))
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else USAGE
    logs.setup()
    logging.getLogger("secop_desktop.cli").info("secop-desktop %s: orden %s%s", __version__, args.orden or "ventana",
                                                " (capacitación)" if args.capacitacion else "")
    if args.orden in (None, "admin"):
        from secop_desktop.views.launcher import launch

        try:
            return launch(admin=args.orden == "admin", capacitacion=args.capacitacion)
        except Exception:  # noqa: BLE001 - the edge: logged, exit code 3
            return _unexpected(err)
    # Imported after the window case: the GUI's start-up does not pay for them.
    from secop_desktop.core.documents.blobstore import CopyCancelled
    from secop_desktop.errors import ServiceError

    try:
        if args.orden == "init":
            return _cmd_init(args, out)
        if args.orden == "mesa-de-ayuda":
            return _cmd_mesa_de_ayuda(args, out)
        if args.orden == "capacitacion":
            return _cmd_reiniciar(args, out, ask or input)
        if args.orden == "exportar":
            return _cmd_exportar(args, out, ask)
        if args.orden == "importar":
            return _cmd_importar(args, out, ask)
        if args.orden == "usuarios":
            return _cmd_usuarios(args, out, ask)
        if args.orden in ("aceptar", "rechazar"):
            return _cmd_decidir(args, out, ask)
        if args.orden == "buzon":
            return _cmd_buzon(args, out, ask)
        if args.orden in ("verificar", "lista-verificacion"):
            return _cmd_verificar(args, out, ask)
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
    except Exception:  # noqa: BLE001 - the edge: logged, exit code 3
        return _unexpected(err)
    print(f"Orden no atendida: {args.orden}", file=err)
    return USAGE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(run(sys.argv[1:]))
