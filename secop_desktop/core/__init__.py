"""Domain rules and services: no Qt here, so the GUI, the CLI and the tests share them."""
