"""Command line: with no command the main window opens; `admin` opens Administración de usuarios."""

from __future__ import annotations

import argparse
import sys

from secop_desktop import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m secop_desktop",
        description="Registro de proveedores del SECOP II sin navegador.",
    )
    parser.add_argument("--version", action="version", version=f"secop-desktop {__version__}")
    sub = parser.add_subparsers(dest="orden", metavar="orden")
    sub.add_parser("admin", help="abre la ventana Administración de usuarios")
    sub.add_parser("init", help="crea o actualiza la base de datos y termina")
    return parser


def run(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    if args.orden == "init":
        from secop_desktop.core.services import Services

        services = Services.open()
        print(f"Base de datos lista: {services.db.engine.url.render_as_string(hide_password=True)}")
        services.close()
        return 0
    from secop_desktop.views.launcher import launch

    return launch(admin=args.orden == "admin")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(run(sys.argv[1:]))
